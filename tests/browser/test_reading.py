"""已读 in a real browser: a county federation's receiver opens a notice of 长春市妇联, the page
names her under 本单位已阅; the city's supervisor sees in the matrix 未阅 / 已阅未签收 / 已签收
with who opened it first — at desktop and at phone width, neither page scrolling sideways."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from tests.browser.conftest import NOW
from tests.browser.test_seed_000_story import Person, click
from webui.extensions import db
from workflow import commands as c
from workflow.models import Unit, UnitGroup, User

TITLE = "关于做好“三八”国际妇女节宣传工作的通知"


def _issue(app) -> tuple[int, dict[str, int]]:
    """The city issues a notice to its county federations (no report asked); the ids of the
    notice and of the receivers' units."""
    with app.app_context():
        s = db.session
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
        units = {name: people[name].unit_id for name in ("nanguan", "kuancheng", "chaoyang")}
        return notice.id, units


def _unit_name(app, unit_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(Unit.name).where(Unit.id == unit_id))


def test_who_has_read_a_notice_shows_on_both_sides_at_phone_width(browser, live_server,
                                                                  artifacts):
    base, app = live_server
    notice_id, units = _issue(app)

    # 南关区's receiver 郑晓燕 opens it: her page names her, nobody of another unit.
    nanguan = Person(browser, base, "nanguan", artifacts)
    page = nanguan.go(f"/notices/{notice_id}")
    readers = page.locator("p.readers").inner_text()
    assert re.fullmatch(r"本单位已阅（1 人）：郑晓燕 \d{4}-\d\d-\d\d \d\d:\d\d", readers), readers
    nanguan.photograph("reading-notice-recipient")
    nanguan.close()

    # 宽城区's receiver opens it and signs for it on her desk; 朝阳区 never opens it.
    kuancheng = Person(browser, base, "kuancheng", artifacts)
    page = kuancheng.go(f"/notices/{notice_id}")
    assert "郑晓燕" not in page.inner_text("main")
    page = kuancheng.go("/receiving/")
    click(page, "签收")
    kuancheng.close()

    supervisor = Person(browser, base, "cc_supervisor", artifacts)
    page = supervisor.go(f"/tracking/{notice_id}")

    def row(unit: str) -> str:
        return " ".join(page.locator(f"#unit-{units[unit]}").inner_text().split())

    assert "已阅未签收 郑晓燕 首阅 2016-03-07 10:00" in row("nanguan"), row("nanguan")
    assert "已签收 王丽 首阅 2016-03-07 10:00" in row("kuancheng"), row("kuancheng")
    assert row("chaoyang").startswith(f"{_unit_name(app, units['chaoyang'])} 主送 未阅 待签收")
    supervisor.photograph("reading-matrix")
    page = supervisor.go(f"/notices/{notice_id}")
    assert page.locator("p.readers").count() == 0
    supervisor.photograph("reading-notice-issuer")
    supervisor.close()
