"""The 正式文件 on the web: made when the clerk issues, served as stored on every download, made once
on first download for a notice issued before files were kept; the print view and the Word file say
they are not it; nobody who may not see the notice downloads it.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess

import docx
import pytest
from sqlalchemy import func, select

from tests.system_parts import require
from tests.webui import outgoing_fixtures
from tests.webui.conftest import give_password
from tests.webui.outgoing_fixtures import notice_row, post_form, text
from webui.extensions import attachment_store, db
from workflow import commands as c
from workflow.models import AuditEntry

desks = outgoing_fixtures.desks
NOT_OFFICIAL = "非正式文本，仅供阅读和编辑；正式文件以系统印发的 PDF 为准"


@pytest.fixture(autouse=True)
def fonts():
    from workflow.printing.pdf import fonts_installed

    require(fonts_installed(), "no Chinese font installed (apt-get install fonts-noto-cjk)")


def made_entries(app, notice_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "notice.MAKE_OFFICIAL", AuditEntry.notice_id == notice_id))


def stored_bytes(app, notice_id: int) -> bytes:
    key = notice_row(app, notice_id).official_file_key
    assert key is not None
    with app.app_context(), attachment_store().open(key) as file:
        return file.read()


def test_issuing_stores_the_official_file_and_every_download_serves_it(client, log_in, app,
                                                                        desks):
    log_in("clerk")
    page = f"/dispatch/{desks.signed}/issue"
    assert post_form(client, page, page).status_code == 303
    stored = stored_bytes(app, desks.signed)
    assert hashlib.sha256(stored).hexdigest() == notice_row(app, desks.signed).official_sha256
    first = client.get(f"/notices/{desks.signed}/print.pdf")
    second = client.get(f"/notices/{desks.signed}/print.pdf")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data == stored
    assert made_entries(app, desks.signed) == 1


def test_a_notice_issued_before_files_were_kept_gets_its_file_on_first_download_once(
        client, log_in, app, desks):
    assert notice_row(app, desks.issued).official_file_key is None  # the factories' notice
    log_in("receiver1")
    first = client.get(f"/notices/{desks.issued}/print.pdf")
    second = client.get(f"/notices/{desks.issued}/print.pdf")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data == stored_bytes(app, desks.issued)
    assert made_entries(app, desks.issued) == 1


def test_the_print_view_and_the_word_file_say_they_are_not_the_official_file(
        client, log_in, app, desks):
    log_in("receiver1")
    assert NOT_OFFICIAL in text(client.get(f"/notices/{desks.issued}/print"))
    word = docx.Document(io.BytesIO(client.get(f"/notices/{desks.issued}/print.docx").data))
    assert NOT_OFFICIAL in [p.text for p in word.sections[0].header.paragraphs]
    require(shutil.which("pdftotext") is not None, "pdftotext is not installed (poppler-utils)")
    pdf = client.get(f"/notices/{desks.issued}/print.pdf").data
    words = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                           check=True).stdout.decode()
    assert "关于已印发的通知" in words and "非正式文本" not in words


def test_a_notice_issued_without_a_signing_key_says_on_its_page_that_it_is_unsigned(
        client, log_in, app, desks):
    log_in("clerk")
    page = f"/dispatch/{desks.signed}/issue"
    post_form(client, page, page)
    html = text(client.get(f"/notices/{desks.signed}"))
    assert "正式文件<strong>未经数字签名</strong>" in html


def test_nobody_who_may_not_see_the_notice_downloads_its_official_file(client, log_in, app,
                                                                         desks):
    with app.app_context():
        nobody = c.create_user(db.session, None, username="nobody", display_name="无角色",
                               unit_id=desks.issuer_id)
        give_password(db.session, nobody.id)
        db.session.commit()
    for username in ("other_clerk", "admin", "security", "nobody"):
        log_in(username, on=(other := app.test_client()))
        assert other.get(f"/notices/{desks.issued}/print.pdf").status_code in (403, 404), username
    assert notice_row(app, desks.issued).official_file_key is None
    assert made_entries(app, desks.issued) == 0
