"""验证 in a real browser: the city's clerk issues a notice, signed by the city's key; a receiver of
another federation uploads the 正式文件 on the 验证 page and reads that it passes, which notice and
which unit signed it; the notice page says the file is signed — at desktop and at phone width,
no page scrolling sideways."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tests.browser.conftest import NOW
from tests.browser.test_seed_000_story import Person
from tests.system_parts import require
from webui.extensions import attachment_store, db
from webui.official_files import verify_url_for
from workflow import commands as c
from workflow import official, pki
from workflow.models import Notice, UnitGroup, User

TITLE = "关于做好“三八”国际妇女节宣传工作的通知"
SECRET = "a-signing-secret-of-the-browser-tests-0123"


def _issue_signed(app) -> tuple[int, bytes, str]:
    with app.app_context():
        s = db.session
        pki.use_secret(SECRET)
        pki.init_pki(s, None, now=NOW)
        people = {u.username: u for u in s.scalars(select(User))}
        counties = s.scalar(select(UnitGroup.id).where(UnitGroup.name == "各县（市）区妇联"))
        notice = c.create_draft(s, people["cc_drafter"], title=TITLE,
                                body="请各县（市）区妇联结合实际，做好节日宣传工作。",
                                main_group_ids=[counties], report_requests=[],
                                now=NOW - dt.timedelta(hours=1))
        c.submit(s, people["cc_drafter"], notice_id=notice.id, now=NOW - dt.timedelta(hours=1))
        c.pass_review(s, people["cc_reviewer"], notice_id=notice.id, now=NOW)
        c.sign(s, people["cc_signatory"], notice_id=notice.id, opinion="同意", now=NOW)
        c.issue(s, people["cc_clerk"], notice_id=notice.id, now=NOW)
        s.commit()
        official.make_official(s, None, notice_id=notice.id, store=attachment_store(),
                               verify_url_for=verify_url_for, now=NOW)
        s.commit()
        data = official.official_file(s, None, notice_id=notice.id, store=attachment_store())[1]
        code = s.get(Notice, notice.id).verify_code
        return notice.id, data, code


def test_a_receiver_of_another_federation_verifies_the_signed_file_at_phone_width(
        browser, live_server, artifacts, tmp_path):
    from workflow.printing.pdf import fonts_installed

    require(fonts_installed(), "no Chinese font installed (apt-get install fonts-noto-cjk)")
    base, app = live_server
    try:
        notice_id, data, code = _issue_signed(app)
        upload = tmp_path / "正式文件.pdf"
        upload.write_bytes(data)

        daoli = Person(browser, base, "daoli", artifacts)  # 哈尔滨: another federation
        page = daoli.go("/verify/")
        daoli.photograph("verify-empty")
        page.get_by_label("要验证的 PDF 文件").set_input_files(str(upload))
        page.get_by_role("button", name="验证", exact=True).click()
        page.wait_for_load_state()
        verdict = page.locator(".verify-verdict").inner_text()
        assert "验证通过" in verdict and "签名单位：长春市妇女联合会" in verdict, verdict
        assert f"/notices/{notice_id}" not in page.content()
        daoli.photograph("verify-passed")
        page = daoli.go(f"/verify/{notice_id}/{code}")
        assert TITLE in page.locator(".verify-notice").inner_text()
        daoli.photograph("verify-qr-page")
        daoli.close()

        nanguan = Person(browser, base, "nanguan", artifacts)  # a recipient
        page = nanguan.go(f"/notices/{notice_id}")
        assert "正式文件由长春市妇女联合会的证书数字签名" in page.locator("#official").inner_text()
        nanguan.photograph("notice-official-signed")
        nanguan.close()
    finally:
        pki.use_secret(None)
