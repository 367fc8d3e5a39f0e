"""转发 in a real browser: the city's notice passed down by 南关区妇联 to its 街道, and reported back up.

The city's notice is issued and 南关 has signed for it, proposed and instructed it (through the
commands: told in test_seed_000_story). Then, in the browser: the 宣传部's 承办人 forwards it from
the 收文 page, chooses the 街道 and submits; the chair signs on her phone; the 收文员 issues it as
南妇发〔2016〕1号; a 街道 signs for it on a phone. The 街道's report is accepted (commands), and
南关's 收文员 reports to the city carrying it (汇总上报), on a phone; the city's 督办 sees how far the
notice went (the matrix's line and 转发情况) and reads the 汇总. Every page is photographed at 1280
and 375 px and must not scroll sideways on the phone.
"""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import NOW
from tests.browser.test_seed_000_story import PHONE, Person, click
from webui.extensions import db
from workflow import commands as c
from workflow.models import Incoming, Notice, Receipt, Report, Unit, UnitGroup, User

TITLE = "关于开展基层妇联组织服务群众情况调研的通知"
STREETS = ["南关区自强街道妇联", "南关区南岭街道妇联", "南关区民康街道妇联", "南关区新春街道妇联",
           "南关区长通街道妇联", "南关区全安街道妇联"]


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def _city_notice_in_nanguans_hands(app) -> int:
    """The city's notice issued to the counties, signed for, proposed and instructed at 南关."""
    with app.app_context():
        s = db.session
        group = s.scalar(select(UnitGroup.id).where(UnitGroup.name == "各县（市）区妇联"))
        notice = c.create_draft(s, _user("cc_drafter"), title=TITLE, body="请各县（市）区妇联开展调研。",
                                main_group_ids=[group], now=NOW,
                                report_requests=[{"what": "调研报告",
                                                  "due_date": dt.date(2016, 4, 29),
                                                  "to_whom": "市妇联"}])
        c.submit(s, _user("cc_drafter"), notice_id=notice.id, now=NOW)
        c.pass_review(s, _user("cc_reviewer"), notice_id=notice.id, now=NOW)
        c.sign(s, _user("cc_signatory"), notice_id=notice.id, opinion="同意", now=NOW)
        c.issue(s, _user("cc_clerk"), notice_id=notice.id, now=NOW)
        nanguan = s.scalar(select(Unit).where(Unit.name == "长春市南关区妇联"))
        receipt = s.scalar(select(Receipt).where(Receipt.notice_id == notice.id,
                                                 Receipt.unit_id == nanguan.id))
        c.acknowledge(s, _user("nanguan"), receipt_id=receipt.id, now=NOW)
        incoming = s.scalar(select(Incoming).where(Incoming.receipt_id == receipt.id))
        department = s.scalar(select(Unit).where(Unit.name == "长春市南关区妇联宣传部"))
        c.propose(s, _user("nanguan_office"), incoming_id=incoming.id, kind="TO_HANDLE",
                  lead_unit_id=department.id, now=NOW)
        c.instruct(s, _user("nanguan_chair"), incoming_id=incoming.id, instruction="请转发各街道",
                   now=NOW)
        s.commit()
        return incoming.id


def _street_reports_and_is_accepted(app) -> None:
    with app.app_context():
        s = db.session
        forward = s.scalar(select(Notice).where(Notice.doc_number == "南妇发〔2016〕1号"))
        street = s.scalar(select(Unit).where(Unit.name == STREETS[0]))
        report = s.scalar(select(Report).where(Report.notice_id == forward.id,
                                               Report.unit_id == street.id))
        c.submit_report(s, _user("ng_ziqiang"), report_id=report.id,
                        text="自强街道妇联调研报告：辖区社区妇联组织建设情况。", now=NOW)
        c.accept_report(s, _user("nanguan_office"), report_id=report.id, now=NOW)
        s.commit()


def test_a_notice_forwarded_down_and_reported_back_up_in_a_real_browser(
        browser, live_server, artifacts):
    base, app = live_server
    incoming_id = _city_notice_in_nanguans_hands(app)

    # 转发: 赵雪 (宣传部, drafting for 南关) forwards it from the 收文 page and picks the 街道.
    drafter = Person(browser, base, "nanguan_xcb", artifacts)
    page = drafter.go(f"/incoming/{incoming_id}")
    drafter.photograph("forward-incoming")
    click(page, "转发给下级单位")
    expect(page.locator("body")).to_contain_text("转发来文：")
    assert f"南关区妇联关于转发《{TITLE}》的通知" in page.input_value("#title")
    for street in STREETS:
        page.get_by_label(f"主送{street}", exact=True).check()
    assert page.get_by_label("主送长春市宽城区妇联", exact=True).count() == 0  # a neighbour
    click(page, "保存草稿")
    drafter.photograph("forward-draft")
    click(page, "提交")
    drafter.close()

    # 签发: the chair signs it on her phone.
    chair = Person(browser, base, "nanguan_chair", artifacts)
    chair.page.set_viewport_size(PHONE)
    page = chair.go("/signoff/")
    page.get_by_role("link", name=re.compile("关于转发")).first.click()
    page.get_by_label("同意印发", exact=True).check()
    click(page, "签发")
    chair.close()

    # 印发: 南关's 收文员, its 文书 too, issues it under 南妇发.
    clerk = Person(browser, base, "nanguan", artifacts)
    page = clerk.go("/dispatch/")
    page.get_by_role("link", name="登记印发…").first.click()
    expect(page.locator("body")).to_contain_text("南妇发〔2016〕1号")
    click(page, "确认印发，分发 6 个单位")
    clerk.close()

    # 签收: a 街道 signs for it on a phone.
    street = Person(browser, base, "ng_ziqiang", artifacts)
    street.page.set_viewport_size(PHONE)
    page = street.go("/receiving/")
    expect(page.locator("body")).to_contain_text("南妇发〔2016〕1号")
    street.photograph("forward-street-receiving")
    click(page, "签收")
    # The print view of the 转发 prints its own text and says where the 附件 is printed too.
    with app.app_context():
        forward_id = db.session.scalar(select(Notice.id).where(
            Notice.doc_number == "南妇发〔2016〕1号"))
    page = street.go(f"/notices/{forward_id}/print")
    expect(page.locator(".annex-hint")).to_contain_text("下载 PDF 或 Word 可得含附件")
    street.photograph("forward-print-view")
    street.close()
    _street_reports_and_is_accepted(app)

    # 汇总上报: 南关's 收文员 reports to the city on a phone, carrying the 街道's report.
    receiver = Person(browser, base, "nanguan", artifacts)
    receiver.page.set_viewport_size(PHONE)
    page = receiver.go("/receiving/")
    page.get_by_role("link", name=re.compile("调研报告")).first.click()
    expect(page.locator("body")).to_contain_text("汇总下级报告")
    page.get_by_label(re.compile("南关区自强街道妇联")).check()
    page.get_by_label(re.compile("报告正文")).first.fill("南关区妇联调研报告（附自强街道妇联报告）。")
    receiver.photograph("forward-rollup-report")
    click(page, "上报")
    receiver.close()

    # 督办: the city sees how far the notice went and reads the 汇总.
    supervisor = Person(browser, base, "cc_supervisor", artifacts)
    page = supervisor.go("/tracking/")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.locator("body")).to_contain_text("转发 南妇发〔2016〕1号")
    text = page.inner_text("body")
    assert "下级签收 1/6 · 上报 1/6" in text, text[:2000]
    supervisor.photograph("forward-matrix")
    page.get_by_role("link", name=re.compile("^转发情况")).click()
    expect(page.locator("body")).to_contain_text("转发 1 件")
    page.locator("summary").first.click()
    expect(page.locator("body")).to_contain_text(STREETS[0])
    supervisor.photograph("forward-tree")
    with app.app_context():
        nanguan = db.session.scalar(select(Unit).where(Unit.name == "长春市南关区妇联"))
        report_id = db.session.scalar(select(Report.id).join(Notice).where(
            Notice.title == TITLE, Report.unit_id == nanguan.id))
    page = supervisor.go(f"/tracking/reports/{report_id}")
    expect(page.locator("body")).to_contain_text("汇总下级报告")
    expect(page.locator("body")).to_contain_text("自强街道妇联调研报告")
    supervisor.photograph("forward-rollup-review")
    supervisor.close()
