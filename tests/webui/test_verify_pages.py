"""The 验证 page: anyone logged in uploads a PDF and reads whether it is a 正式文件 issued here, which
notice, signed by which unit; the page a QR code opens is found only by its code. A link to the
notice itself is offered only to whom may see it: not another federation's people, not an
administrator, not a role-less account.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.system_parts import require
from tests.webui.conftest import csrf_token, give_password
from webui.extensions import attachment_store, db
from webui.official_files import verify_url_for
from workflow import commands as c
from workflow import official, pki
from workflow.models import Notice, User
from workflow.states import Role

SECRET = "a-signing-secret-of-the-tests-0123456789"
PASSED = "验证通过：这是本系统印发的正式文件，未被改动，数字签名有效。"


@pytest.fixture
def signed(app, world) -> tuple[bytes, str]:
    """The issued notice's 正式文件, signed by its issuer's key; and its verification page."""
    from workflow.printing.pdf import fonts_installed

    require(fonts_installed(), "no Chinese font installed (apt-get install fonts-noto-cjk)")
    pki.use_secret(SECRET)
    with app.app_context():
        s = db.session
        pki.init_pki(s, None)
        official.make_official(s, None, notice_id=world.issued_id, store=attachment_store(),
                               verify_url_for=verify_url_for)
        other = c.create_unit(s, None, name="他省妇女联合会")
        stranger = c.create_user(s, None, username="stranger", display_name="外人",
                                 unit_id=other.id)
        c.grant_role(s, None, user_id=stranger.id, role=Role.RECEIVER, unit_id=other.id)
        c.create_user(s, None, username="nobody", display_name="无角色",
                      unit_id=other.id)
        for name in ("stranger", "nobody", "admin", "security"):
            give_password(s, s.scalar(select(User.id).where(User.username == name)))
        s.commit()
        data = official.official_file(s, None, notice_id=world.issued_id,
                                      store=attachment_store())[1]
        code = s.get(Notice, world.issued_id).verify_code
    yield data, f"/verify/{world.issued_id}/{code}"
    pki.use_secret(None)


def upload(client, data: bytes, path: str = "/verify/"):
    return client.post(path, data={"csrf_token": csrf_token(client, path),
                                   "file": (io.BytesIO(data), "公文.pdf")},
                       content_type="multipart/form-data")


def test_a_recipient_uploads_the_signed_file_and_reads_that_it_passes(client, log_in, world,
                                                                      signed):
    log_in("receiver1")
    html = upload(client, signed[0]).get_data(as_text=True)
    assert PASSED in html
    assert f"发文字号：{world.issued_number}" in html and "签名单位：示范市妇女联合会" in html
    assert f'href="/notices/{world.issued_id}">打开该公文' in html


@pytest.mark.parametrize("username", ["stranger", "nobody", "admin", "security"])
def test_anyone_else_logged_in_reads_the_verdict_but_gets_no_link_to_the_notice(
        client, log_in, world, signed, username):
    log_in(username)
    html = upload(client, signed[0]).get_data(as_text=True)
    assert PASSED in html and world.issued_title in html
    assert f"/notices/{world.issued_id}" not in html


def test_a_changed_byte_is_reported_as_failing(client, log_in, signed):
    log_in("receiver1")
    tampered = bytearray(signed[0])
    tampered[len(tampered) // 3] ^= 0x01
    html = upload(client, bytes(tampered)).get_data(as_text=True)
    assert "验证未通过：" in html and PASSED not in html


def test_no_file_chosen_is_asked_for(client, log_in, signed):
    log_in("receiver1")
    response = client.post("/verify/", data={"csrf_token": csrf_token(client, "/verify/")},
                           content_type="multipart/form-data")
    assert "请选择要验证的 PDF 文件" in response.get_data(as_text=True)


def test_the_qr_codes_page_shows_the_notice_and_compares_an_upload(client, log_in, world,
                                                                   signed):
    data, page = signed
    log_in("stranger")
    html = client.get(page).get_data(as_text=True)
    assert world.issued_number in html and world.issued_title in html
    assert "示范市妇女联合会" in html and "SHA-256" in html
    assert PASSED in upload(client, data, page).get_data(as_text=True)


def test_the_qr_codes_page_is_not_found_with_a_wrong_code_or_without_logging_in(
        app, client, log_in, world, signed):
    anonymous = app.test_client().get(signed[1])
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    log_in("receiver1")
    assert client.get(f"/verify/{world.issued_id}/wrong-code").status_code == 404
    assert client.get(f"/verify/{world.draft_id}/{signed[1].rsplit('/', 1)[1]}").status_code \
        == 404


def test_the_notice_page_names_the_unit_whose_key_signed_its_official_file(client, log_in, world,
                                                                           signed):
    log_in("receiver1")
    html = client.get(f"/notices/{world.issued_id}").get_data(as_text=True)
    assert "正式文件由示范市妇女联合会的证书数字签名" in html


def test_the_official_files_qr_code_links_to_its_verification_page(signed):
    """The code in the 版记 is drawn from the page's address, and links to it when clicked; made
    outside a request (the command line, the demo), the address is PUBLIC_URL's, by default
    the demo's."""
    from pypdf import PdfReader

    data, page = signed
    reader = PdfReader(io.BytesIO(data))
    links = [annotation.get_object()["/A"]["/URI"]
             for p in reader.pages for annotation in p.get("/Annots", [])
             if annotation.get_object().get("/Subtype") == "/Link"]
    assert set(links) == {f"http://127.0.0.1:5000{page}"}
