"""Seed 000 told in a real browser, across the accounts of 长春市妇联 and its units.

Drafted, reviewed, signed, issued to the 长春 units, signed for by two units, one report submitted
and accepted, the rest reminded — ending with the tracking page showing the right counts. Every
desk is photographed at desktop and at phone width (375 px, where leaders sign), and no desk may
scroll sideways on the phone. The server's clock stands on the day the seed was drafted; the
deadlines fall in the months after it (the engine refuses to issue a notice whose report is due
before the day it is issued).
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

import pyotp
from playwright.sync_api import expect

from tests.browser.conftest import NOW, PASSWORD, SECRETS
from workflow.deadlines import local_date

TITLE = "关于认真学习宣传贯彻落实市委党的群团工作会议精神的通知"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


class Person:
    """One account in its own browser context (its own cookies), at desktop width."""

    def __init__(self, browser, base_url: str, username: str, artifacts):
        self.context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        self.page = self.context.new_page()
        self.base, self.username, self.artifacts = base_url, username, artifacts
        self.page.goto(f"{base_url}/login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name=re.compile("登")).click()
        self.page.wait_for_load_state()
        if self.page.url.endswith("/login/code"):  # the second factor: what the phone shows now
            self.page.get_by_label("验证码").fill(pyotp.TOTP(SECRETS[username]).now())
            self.page.get_by_role("button", name="验证").click()
            self.page.wait_for_load_state()
        assert "/login" not in self.page.url, f"{username} could not log in"

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def photograph(self, name: str) -> None:
        """Desktop and phone screenshots of the current page; the phone page must not overflow."""
        self.page.screenshot(path=self.artifacts / f"{name}-1280.png", full_page=True)
        self.page.set_viewport_size(PHONE)
        overflow = self.page.evaluate(
            "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")
        self.page.screenshot(path=self.artifacts / f"{name}-375.png", full_page=True)
        self.page.set_viewport_size(DESKTOP)
        assert overflow <= 1, f"{name} scrolls sideways by {overflow}px at phone width"

    def close(self):
        self.context.close()


def click(page, name: str) -> None:
    """Press a form's button and wait for the page it leads to. The form may first store what
    was typed (the autosave), so the navigation can start a moment after the click."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()


def test_seed_000_travels_through_five_desks_in_a_real_browser(browser, live_server, artifacts):
    base, app = live_server
    today = local_date(NOW)  # the server's clock
    first_due, second_due = today + dt.timedelta(days=25), today + dt.timedelta(days=55)
    body = resources.files("workflow.demo").joinpath("seed_000_body.txt").read_text("utf-8")

    # 拟稿: 刘洋 drafts the notice with both report requests and submits it.
    drafter = Person(browser, base, "cc_drafter", artifacts)
    page = drafter.go("/drafting/new")
    drafter.photograph("drafting-new")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("正文").fill(body)
    for group in ("各县（市）区妇联", "开发区妇联", "市直机关妇委会", "大专院校妇委会"):
        page.get_by_label(re.compile(f"^主送{re.escape(group)}（")).check()
    superiors = page.locator("summary", has_text="上级单位")
    if superiors.is_visible() and not page.get_by_label("抄送吉林省妇女联合会").is_visible():
        superiors.click()
    page.get_by_label("抄送吉林省妇女联合会", exact=True).check()
    for row, (what, due) in enumerate((("学习贯彻落实会议精神情况", first_due),
                                       ("调研报告", second_due))):
        page.locator(f'[name="report_requests-{row}-what"]').fill(what)
        page.locator(f'[name="report_requests-{row}-due_date"]').fill(due.isoformat())
        page.locator(f'[name="report_requests-{row}-to_whom"]').fill("市妇联")
        for group_id in _group_ids(app, ("各县（市）区妇联", "开发区妇联")):
            page.locator(f'[name="report_requests-{row}-from_group_ids"][value="{group_id}"]').check()
    click(page, "保存草稿")
    expect(page.locator("body")).to_contain_text(TITLE)  # waits for the page the click opened
    drafter.photograph("drafting-edit")
    click(page, "提交")
    drafter.go("/drafting/")
    drafter.photograph("drafting-index")
    drafter.close()

    # 核稿: 陈红 passes it on.
    reviewer = Person(browser, base, "cc_reviewer", artifacts)
    page = reviewer.go("/signoff/")
    reviewer.photograph("signoff-index-reviewer")
    page.get_by_role("link", name=TITLE).first.click()
    reviewer.photograph("signoff-sheet-review")
    click(page, "核稿通过")
    reviewer.close()

    # 签发: 孙丽华 signs it with a frequent opinion — on her phone.
    signatory = Person(browser, base, "cc_signatory", artifacts)
    signatory.page.set_viewport_size(PHONE)
    page = signatory.go("/inbox/")
    page.get_by_role("link", name=re.compile(TITLE)).first.click()
    page.get_by_label("同意印发", exact=True).check()
    click(page, "签发")
    signatory.page.set_viewport_size(DESKTOP)
    signatory.photograph("signoff-sheet-signed")
    signatory.close()

    # 登记印发: 周婷 sees the number and the 23 units, and issues it.
    clerk = Person(browser, base, "cc_clerk", artifacts)
    page = clerk.go("/dispatch/")
    clerk.photograph("dispatch-index")
    page.get_by_role("link", name="登记印发…").first.click()
    year = today.year
    expect(page.locator("body")).to_contain_text(f"长妇通字〔{year}〕1号")
    clerk.photograph("dispatch-confirm")
    click(page, "确认印发，分发 23 个单位")
    clerk.go("/dispatch/numbers")
    clerk.photograph("dispatch-numbers")
    clerk.close()

    # 签收: two district federations sign for it; 南关区 reports on the first request.
    for username in ("nanguan", "kuancheng"):
        receiver = Person(browser, base, username, artifacts)
        page = receiver.go("/receiving/")
        receiver.photograph(f"receiving-{username}")
        click(page, "签收")
        if username == "nanguan":
            page.get_by_role("link", name=re.compile("学习贯彻落实会议精神情况")).first.click()
            page.get_by_label(re.compile("报告正文|正文|内容")).first.fill(
                "南关区妇联召开专题会议传达学习会议精神，并在全区妇联系统部署宣传贯彻工作。")
            receiver.photograph("receiving-report")
            click(page, "上报")
        receiver.close()

    # 督办: 吴秀梅 accepts the report and reminds everyone still outstanding.
    supervisor = Person(browser, base, "cc_supervisor", artifacts)
    page = supervisor.go("/inbox/")
    supervisor.photograph("inbox-supervisor")
    page.get_by_role("link", name=re.compile(TITLE)).first.click()
    supervisor.photograph("tracking-report")
    click(page, "采纳")
    page = supervisor.go("/tracking/")
    page.get_by_role("link", name=TITLE).first.click()
    page.get_by_text(re.compile("^催办（")).click()
    click(page, "发送催办")
    text = page.inner_text("body")
    assert "签收 2/23" in text, text[:2000]
    assert "上报 1/28" in text, text[:2000]
    supervisor.photograph("tracking-matrix")
    supervisor.go("/tracking/overdue")
    supervisor.photograph("tracking-overdue")
    page = supervisor.go("/notices/")
    supervisor.photograph("notices-index")
    page.get_by_role("link", name=TITLE).first.click()
    supervisor.photograph("notice-page")
    supervisor.close()


def _group_ids(app, names) -> list[int]:
    from sqlalchemy import select

    from webui.extensions import db
    from workflow.models import UnitGroup

    with app.app_context():
        return [db.session.scalar(select(UnitGroup.id).where(UnitGroup.name == n)) for n in names]
