"""Never lose typed work, in a real browser: a draft typed on the page is kept on the server as
it is typed (a reload shows it again); the page warns before the idle logout and 继续使用 keeps the
session; a draft whose session ran out meanwhile is still there, down to the last words typed,
after 保存草稿 → login, and so is an amendment typed after signing (签发后修改); a report refused
for a 30 MB file — by the engine, or by the request limit before any view — keeps its typed text. The idle timeout is configured short (15 s, warned 10 s
ahead). Screenshots at 1280 and 375 px: test-artifacts/browser/typed-*."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import NOW, PASSWORD
from tests.browser.test_seed_000_story import DESKTOP, PHONE, Person
from webui.extensions import db
from workflow import commands as c
from workflow.models import Autosave, Receipt, Report, User

TITLE = "关于开展巾帼家庭教育调研的通知"
BODY = "各县（市）区妇联：\n请于月底前报送调研报告。"
REPORT_TEXT = "南关区妇联已完成调研，随附会议照片。"


def _short_idle(app) -> None:
    app.config.update(LOGIN_IDLE_MINUTES=0.25, IDLE_WARNING_SECONDS=10)


def _log_in_again(page) -> None:
    """The login page the person was sent to: the same person logs in again."""
    page.get_by_label("用户名").fill("cc_drafter")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("登")).click()
    page.wait_for_load_state()


def test_a_typed_draft_survives_a_reload_an_idle_warning_and_the_idle_logout(
        browser, live_server, artifacts):
    base, app = live_server
    _short_idle(app)
    drafter = Person(browser, base, "cc_drafter", artifacts)
    page = drafter.go("/drafting/new")
    new_url = page.url
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("正文").fill(BODY)
    expect(page.locator("#autosave-status")).to_contain_text("已自动保存", timeout=10_000)

    # Kept on the server, not in the browser: a fresh page load shows it.
    page.reload()
    expect(page.get_by_label("标题")).to_have_value(TITLE)
    expect(page.get_by_label("正文")).to_have_value(BODY)
    expect(page.locator(".autosave-restored")).to_contain_text("自动保存、尚未保存的内容")

    # The warning before the idle logout, and 继续使用.
    warning = page.locator("#idle-warning")
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("10秒后将因长时间未操作而退出登录")
    expect(page.locator("#idle-login")).to_be_hidden()  # 重新登录 only once it is too late
    for name, size in (("1280", DESKTOP), ("375", PHONE)):  # the screen as the person sees it
        page.set_viewport_size(size)
        page.screenshot(path=artifacts / f"typed-draft-idle-warning-screen-{name}.png")
        box = warning.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
        assert page.get_by_role("button", name="继续使用").bounding_box()["height"] >= 44
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="继续使用").click()
    expect(warning).to_be_hidden()
    assert "/login" not in drafter.go("/drafting/").url  # still logged in
    page.go_back()
    page.wait_for_load_state()

    # Idle past the logout; the last words are typed and 保存草稿 pressed at once.
    page.goto(new_url)
    expect(warning).to_contain_text("已因长时间未操作而退出登录", timeout=25_000)
    expect(page.get_by_role("link", name="重新登录")).to_be_visible()
    page.wait_for_timeout(2_500)  # the server counts whole seconds: be past its end, too
    page.get_by_label("正文").press("Control+End")
    page.get_by_label("正文").press_sequentially("最后一句。")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r"/login"))
    assert "您填写的内容已自动保存，登录后将回到原页面继续填写" in page.inner_text("main")
    _log_in_again(page)
    assert re.search(r"/drafting/new\?unit=\d+$", page.url)
    expect(page.get_by_label("标题")).to_have_value(TITLE)
    expect(page.get_by_label("正文")).to_have_value(BODY + "最后一句。")
    drafter.photograph("typed-draft-restored")

    # Saved for real: the kept input is gone, the draft holds every word.
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    assert re.search(r"/drafting/\d+$", page.url)
    expect(page.get_by_label("正文")).to_have_value(BODY + "最后一句。")
    expect(page.locator(".autosave-restored")).to_have_count(0)
    drafter.close()


def _issued_report(app) -> int:
    """An issued notice of 长春市妇联 asking 南关区妇联 for a report, signed for: its report id."""
    with app.app_context():
        s = db.session
        people = {u.username: u for u in s.scalars(select(User))}
        receiver = people["nanguan"]
        notice = c.create_draft(
            s, people["cc_drafter"], title="关于报送调研报告的通知", body=BODY,
            main_unit_ids=[receiver.unit_id],
            report_requests=[{"what": "调研报告", "due_date": dt.date(2016, 3, 31)}], now=NOW)
        c.submit(s, people["cc_drafter"], notice_id=notice.id, now=NOW)
        c.pass_review(s, people["cc_reviewer"], notice_id=notice.id, now=NOW)
        c.sign(s, people["cc_signatory"], notice_id=notice.id, opinion="同意", now=NOW)
        c.issue(s, people["cc_clerk"], notice_id=notice.id, now=NOW)
        report = s.scalar(select(Report).where(Report.notice_id == notice.id))
        receipt = s.scalar(select(Receipt).where(Receipt.notice_id == notice.id,
                                                 Receipt.unit_id == receiver.unit_id))
        c.acknowledge(s, receiver, receipt_id=receipt.id, now=NOW)
        s.commit()
        return report.id


def test_a_report_refused_for_a_30_mb_file_keeps_its_typed_text(browser, live_server, artifacts,
                                                                tmp_path):
    base, app = live_server
    report_id = _issued_report(app)
    big = tmp_path / "会议照片.pdf"
    with open(big, "wb") as out:
        out.write(b"%PDF-1.4\n")
        out.truncate(30 * 2**20)
    receiver = Person(browser, base, "nanguan", artifacts)
    path = f"/receiving/reports/{report_id}"
    page = receiver.go(path)

    # Refused by the engine (20 MB a file): the text typed a moment ago comes back.
    page.get_by_label("报告正文").fill(REPORT_TEXT)
    page.get_by_label(re.compile("附件")).set_input_files(str(big))
    with page.expect_navigation(timeout=60_000):  # the script saves the text, then posts
        page.get_by_role("button", name="上报", exact=True).click()
    assert page.url.endswith(path)
    assert "超过 20 MB" in page.inner_text("main")
    expect(page.get_by_label("报告正文")).to_have_value(REPORT_TEXT)
    receiver.photograph("typed-report-refused-file")

    # Refused before any view by the request limit (413): the text kept as typed comes back.
    app.config["MAX_CONTENT_LENGTH"] = 10 * 2**20
    page.get_by_label("报告正文").fill(REPORT_TEXT + "（第二次）")
    page.get_by_label(re.compile("附件")).set_input_files(str(big))
    with page.expect_navigation(timeout=60_000):  # the script saves the text, then posts
        page.get_by_role("button", name="上报", exact=True).click()
    assert page.url.endswith(path)
    assert "上传的文件过大" in page.inner_text("main")
    expect(page.get_by_label("报告正文")).to_have_value(REPORT_TEXT + "（第二次）")
    receiver.close()


def _signed_notice(app) -> int:
    """A notice of 长春市妇联 signed and not yet issued: its id (the drafter may amend it)."""
    with app.app_context():
        s = db.session
        people = {u.username: u for u in s.scalars(select(User))}
        notice = c.create_draft(s, people["cc_drafter"], title=TITLE, body=BODY,
                                main_unit_ids=[people["nanguan"].unit_id], now=NOW)
        c.submit(s, people["cc_drafter"], notice_id=notice.id, now=NOW)
        c.pass_review(s, people["cc_reviewer"], notice_id=notice.id, now=NOW)
        c.sign(s, people["cc_signatory"], notice_id=notice.id, opinion="同意", now=NOW)
        s.commit()
        return notice.id


def test_an_amendment_typed_after_signing_survives_the_idle_logout(browser, live_server,
                                                                   artifacts):
    base, app = live_server
    _short_idle(app)
    notice_id = _signed_notice(app)
    drafter = Person(browser, base, "cc_drafter", artifacts)
    path = f"/drafting/{notice_id}/amend"
    page = drafter.go(path)
    page.get_by_label(re.compile("修改理由")).fill("更正调研对象")
    page.get_by_label("标题").fill(TITLE + "（更正）")
    expect(page.locator("#autosave-status")).to_contain_text("已自动保存", timeout=10_000)

    # Idle past the logout, then 提交: through the login page back to the typed amendment.
    expect(page.locator("#idle-warning")).to_contain_text("已因长时间未操作而退出登录",
                                                          timeout=25_000)
    page.wait_for_timeout(2_500)  # the server counts whole seconds: be past its end, too
    page.get_by_role("button", name=re.compile("提交修改")).click()
    page.wait_for_url(re.compile(r"/login"))
    _log_in_again(page)
    assert page.url.endswith(path)
    expect(page.get_by_label(re.compile("修改理由"))).to_have_value("更正调研对象")
    expect(page.get_by_label("标题")).to_have_value(TITLE + "（更正）")
    expect(page.locator(".autosave-restored")).to_contain_text("尚未提交的内容")
    drafter.photograph("typed-amendment-restored")

    # Submitted for real: back to the signatory, the kept input forgotten.
    page.get_by_role("button", name=re.compile("提交修改")).click()
    page.wait_for_url(re.compile(rf"/notices/{notice_id}$"))
    assert "已退回签发人复核" in page.inner_text("main")
    with app.app_context():
        assert db.session.scalars(select(Autosave.form_key)).all() == []
    drafter.close()
