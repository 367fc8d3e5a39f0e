"""Seed 000 inside 长春市南关区妇联, in a real browser at phone width: the 收文员 signs for it (登记),
the 办公室主任 proposes it to the 宣传部 (拟办), the 主席 writes "请组织学习，按时上报" and sends it
to both vice chairs (批办, 传阅), each marks it 已阅, the 收文员 submits the reports the notice
asks for, and the 宣传部 finishes it (办结) — every page at 375 px without sideways scrolling and
with no control under 44 px, photographed at 1280 and 375 px (test-artifacts/browser/nanguan-*).

The notice reaches 南关 through the engine (its 发文 side in the browser is test_seed_000_story);
everything inside the unit goes through the pages."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

from sqlalchemy import select

from tests.browser.conftest import NOW
from tests.browser.test_incoming_phone import _small_targets
from tests.browser.test_seed_000_story import PHONE, TITLE, Person, click
from webui.extensions import db
from workflow import commands as c
from workflow.deadlines import local_date
from workflow.models import Incoming, Receipt, Report, Unit, User

INSTRUCTION = "请组织学习，按时上报"


def _issue_seed_000_to_nanguan(app) -> int:
    """Seed 000 drafted, signed and issued by 长春市妇联 to 南关 with its two report requests."""
    with app.app_context():
        s = db.session
        user = {u.username: u for u in s.scalars(select(User))}
        nanguan = s.scalar(select(Unit).where(Unit.name == "长春市南关区妇联"))
        today = local_date(NOW)
        body = resources.files("workflow.demo").joinpath("seed_000_body.txt").read_text("utf-8")
        notice = c.create_draft(
            s, user["cc_drafter"], title=TITLE, body=body, main_unit_ids=[nanguan.id],
            report_requests=[
                {"what": "学习贯彻落实会议精神情况", "due_date": today + dt.timedelta(days=25),
                 "to_whom": "市妇联", "from_unit_ids": [nanguan.id]},
                {"what": "调研报告", "due_date": today + dt.timedelta(days=55),
                 "to_whom": "市妇联", "from_unit_ids": [nanguan.id]}],
            now=NOW)
        c.submit(s, user["cc_drafter"], notice_id=notice.id, now=NOW)
        if notice.state.name == "IN_REVIEW":
            c.pass_review(s, user["cc_reviewer"], notice_id=notice.id, now=NOW)
        c.sign(s, user["cc_signatory"], notice_id=notice.id, opinion="同意印发", now=NOW)
        c.issue(s, user["cc_clerk"], notice_id=notice.id, now=NOW)
        s.commit()
        return notice.id


def _on_phone(person: Person, path: str):
    page = person.go(path)
    page.set_viewport_size(PHONE)
    assert _small_targets(page) == []
    overflow = page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")
    assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at phone width"
    return page


def test_seed_000_is_handled_inside_nanguan_on_phones(browser, live_server, artifacts):
    base, app = live_server
    notice_id = _issue_seed_000_to_nanguan(app)

    # 签收 = 登记: the 收文员 signs for it; the register shows it under its 收文编号.
    receiver = Person(browser, base, "nanguan", artifacts)
    page = _on_phone(receiver, "/receiving/")
    click(page, "签收")
    page = _on_phone(receiver, "/incoming/")
    year = local_date(NOW).year
    assert f"收〔{year}〕1号" in page.inner_text("main")
    receiver.photograph("nanguan-register")
    with app.app_context():
        incoming_id = db.session.scalar(select(Incoming.id).join(
            Receipt, Receipt.id == Incoming.receipt_id).where(Receipt.notice_id == notice_id))
    path = f"/incoming/{incoming_id}"

    # 拟办: the 办公室主任 names the 宣传部 as 主办 and writes the proposal.
    office = Person(browser, base, "nanguan_office", artifacts)
    page = _on_phone(office, path)
    page.get_by_label("主办部门").first.select_option(label="长春市南关区妇联宣传部")
    page.get_by_label("拟办意见").fill("拟请宣传部牵头组织学习，按时上报，请主席批示。")
    click(page, "提交拟办")
    assert "待批办" in page.inner_text("main")
    office.close()

    # 批办 and 传阅: the 主席, on her phone, taps the 常用批示 and sends it to both vice chairs.
    chair = Person(browser, base, "nanguan_chair", artifacts)
    page = _on_phone(chair, path)
    page.get_by_label(INSTRUCTION).check()
    click(page, "批办")
    assert INSTRUCTION in page.inner_text("main")
    page.get_by_text("送阅", exact=True).first.click()
    for name in ("李娜", "王芳"):
        page.get_by_label(re.compile(name)).check()
    page.get_by_role("button", name="送阅", exact=True).last.click()
    page.wait_for_load_state()
    chair.photograph("nanguan-sheet-instructed")
    chair.close()

    # 已阅: each vice chair reads it on her phone.
    for username in ("nanguan_vice1", "nanguan_vice2"):
        vice = Person(browser, base, username, artifacts)
        page = _on_phone(vice, path)
        click(page, "已阅")
        vice.close()

    # 答复: the 收文员 submits both reports, from the links on the 处理笺.
    for what in ("学习贯彻落实会议精神情况", "调研报告"):
        page = _on_phone(receiver, path)
        page.get_by_role("link", name=re.compile(what)).first.click()
        page.wait_for_load_state()
        page.get_by_label(re.compile("报告正文|正文|内容")).first.fill(
            f"南关区妇联{what}：已组织全区妇联系统专题学习，并部署宣传贯彻工作。")
        click(page, "上报")
    receiver.close()

    # 办结: the 宣传部's 承办人 records what was done and finishes it.
    handler = Person(browser, base, "nanguan_xcb", artifacts)
    page = _on_phone(handler, path)
    page.get_by_label("办理结果").fill("已组织全区专题学习，两份报告均已按时上报市妇联。")
    click(page, "办结")
    assert "已办结" in page.inner_text("main")
    handler.photograph("nanguan-sheet-done")
    handler.close()

    with app.app_context():
        incoming = db.session.get(Incoming, incoming_id)
        assert incoming.state.name == "DONE"
        assert incoming.instruction == INSTRUCTION
        assert sorted(c.state.name for c in incoming.circulations) == ["READ", "READ"]
        assert {r.state.name for r in db.session.scalars(
            select(Report).where(Report.notice_id == notice_id))} == {"SUBMITTED"}
