"""The notice printed by GB/T 9704 on the web: the print view and its PDF and DOCX downloads.

Who may have them is exactly who may see the notice page: the issuing unit, the units it was sent
to, the auditor. Another federation gets a 404, an anonymous visitor the login page.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from urllib.parse import quote

import pytest

from tests.system_parts import require
from tests.webui.conftest import PASSWORD
from webui.extensions import db
from workflow import commands as c
from workflow.states import Role

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def outsider(app, world):
    """A drafter of another federation, with a password."""
    with app.app_context():
        other = c.create_unit(db.session, None, name="邻市妇女联合会", doc_code="邻妇发")
        user = c.create_user(db.session, None, username="other_drafter", display_name="外人",
                             unit_id=other.id, password=PASSWORD)
        c.grant_role(db.session, None, user_id=user.id, role=Role.DRAFTER, unit_id=other.id)
        db.session.commit()
    return "other_drafter"


def _require_pdf_fonts():
    from workflow.printing.pdf import fonts_installed

    require(fonts_installed(), "no Chinese font installed (apt-get install fonts-noto-cjk)")


def test_the_notice_page_offers_the_print_view_and_both_downloads(client, log_in, world):
    log_in("receiver1")
    html = _text(client.get(f"/notices/{world.issued_id}"))
    for suffix in ("print", "print.pdf", "print.docx"):
        assert f'href="/notices/{world.issued_id}/{suffix}"' in html


def test_the_print_view_is_the_notice_laid_out_for_paper(client, log_in, world):
    log_in("receiver1")
    response = client.get(f"/notices/{world.issued_id}/print")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = _text(response)
    assert "示范市妇女联合会文件" in html and world.issued_number in html
    assert world.issued_title in html and "各区妇联：" in html
    assert "抄送：示范省妇女联合会。" in html and "印发" in html
    assert "size: A4" in html and "margin: 37mm 26mm 35mm 28mm" in html  # GB/T 9704's page
    assert f'href="/notices/{world.issued_id}/print.pdf"' in html


def test_the_print_views_policy_allows_its_own_stylesheet_and_nothing_else(client, log_in, world):
    log_in("drafter")
    response = client.get(f"/notices/{world.issued_id}/print")
    policy = response.headers["Content-Security-Policy"]
    style = re.search(r"<style>(.*?)</style>", _text(response), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert 'style="' not in _text(response)  # no style attribute the policy would block


def test_the_pdf_is_a_download_named_by_the_document_number(client, log_in, world):
    _require_pdf_fonts()
    log_in("receiver1")
    response = client.get(f"/notices/{world.issued_id}/print.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=UTF-8''{quote(world.issued_number + '.pdf')}" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


def test_the_docx_is_a_download_that_opens_with_the_notices_text(client, log_in, world):
    import docx

    log_in("drafter")
    response = client.get(f"/notices/{world.issued_id}/print.docx")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert f"filename*=UTF-8''{quote(world.issued_number + '.docx')}" in response.headers[
        "Content-Disposition"]
    text = "".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
    assert world.issued_number in text and world.issued_title in text


def test_a_draft_downloads_under_a_draft_name(client, log_in, world):
    log_in("drafter")
    response = client.get(f"/notices/{world.draft_id}/print.docx")
    assert response.status_code == 200
    assert quote(f"草稿-{world.draft_id}.docx") in response.headers["Content-Disposition"]


@pytest.mark.parametrize("suffix", ["print", "print.pdf", "print.docx"])
def test_another_federation_gets_a_404_and_not_a_word_of_the_notice(
        client, log_in, world, outsider, suffix):
    log_in(outsider)
    response = client.get(f"/notices/{world.issued_id}/{suffix}")
    assert response.status_code == 404
    assert world.issued_title not in _text(response)


@pytest.mark.parametrize("suffix", ["print", "print.pdf", "print.docx"])
def test_a_unit_the_notice_was_not_sent_to_gets_a_404(client, log_in, world, suffix):
    log_in("receiver2")  # district 2: the only_first notice went to district 1 alone
    assert client.get(f"/notices/{world.only_first_id}/{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["print", "print.pdf", "print.docx"])
def test_an_anonymous_visitor_is_sent_to_log_in(client, world, suffix):
    response = client.get(f"/notices/{world.issued_id}/{suffix}")
    assert response.status_code == 302 and "/login" in response.location
