"""The 收文处理笺 on a phone, in a real browser: a unit's leader writes a 批示 with one tap of a
常用批示, sends it round, and a vice chair marks it 已阅 — at 375 px, without sideways scrolling,
every button and choice a 44 px target. The register and the 处理笺 are photographed at 1280 and
375 px (test-artifacts/browser/incoming-*)."""

from __future__ import annotations

import datetime as dt

from tests.browser.conftest import NOW, PASSWORD
from tests.browser.test_seed_000_story import PHONE, Person, click
from webui.extensions import db
from workflow import commands as c
from workflow.models import Incoming
from workflow.states import Role

INSTRUCTION = "请组织学习，按时上报"
MIN_TAP = 44


def _small_targets(page) -> list[str]:
    """The visible buttons, choices and fold-outs of the main part smaller than a fingertip."""
    return page.evaluate(f"""() => [...document.querySelectorAll(
        'main button, main .button, main .fw-chip, main summary')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.innerText.trim(), e.getBoundingClientRect().height])
        .filter(([, h]) => h < {MIN_TAP}).map(([t, h]) => t + ' ' + h)""")


def _office(app) -> dict:
    """A district federation with its internal staff and a 收文 proposed for its 宣传部."""
    with app.app_context():
        s = db.session
        unit = c.create_unit(s, None, name="试点区妇女联合会")
        dept = c.create_unit(s, None, name="试点区妇联宣传部", parent_id=unit.id, internal=True)
        people = {}
        for username, name, role, where in (
                ("shoudeng", "收文员", Role.RECEIVER, unit), ("bangong", "办公室主任", Role.PROPOSER, unit),
                ("zhuxi", "主席", Role.INSTRUCTOR, unit), ("xuanchuan", "宣传部长", Role.HANDLER, dept),
                ("fuzhuxi", "副主席", None, unit)):
            user = c.create_user(s, None, username=username, display_name=name, unit_id=where.id,
                                 password=PASSWORD)
            if role is not None:
                c.grant_role(s, None, user_id=user.id, role=role, unit_id=where.id)
            people[username] = user
        incoming = c.register_external(
            s, people["shoudeng"], unit_id=unit.id, source_organ="试点市教育局",
            source_number="试教发〔2016〕3号", title="关于做好春季开学期间家校共育工作的通知",
            received_on=dt.date(2016, 3, 7), urgency="URGENT", pages=3, copies=1,
            body="各有关单位：\n请做好春季开学期间家校共育工作。", now=NOW)
        c.propose(s, people["bangong"], incoming_id=incoming.id, kind="TO_HANDLE",
                  lead_unit_id=dept.id, proposal="拟请宣传部牵头办理，报主席批示。", now=NOW)
        s.commit()
        return {"incoming": incoming.id, "vice": people["fuzhuxi"].id}


def test_a_leader_instructs_and_a_reader_marks_read_on_a_phone(browser, live_server, artifacts):
    base, app = live_server
    office = _office(app)
    path = f"/incoming/{office['incoming']}"

    clerk = Person(browser, base, "shoudeng", artifacts)
    clerk.go("/incoming/")
    assert "收〔2016〕1号" in clerk.page.inner_text("main")
    clerk.photograph("incoming-register")
    clerk.close()

    chair = Person(browser, base, "zhuxi", artifacts)
    page = chair.go(path)
    page.set_viewport_size(PHONE)
    assert _small_targets(page) == []
    chair.photograph("incoming-sheet-to-instruct")
    page.set_viewport_size(PHONE)
    page.get_by_label(INSTRUCTION).check()
    click(page, "批办")
    assert INSTRUCTION in page.inner_text("main")
    # Sent round to the vice chair, from the same phone.
    page.get_by_text("送阅", exact=True).first.click()
    page.get_by_label("副主席").check()
    page.get_by_role("button", name="送阅", exact=True).last.click()
    page.wait_for_load_state()
    assert "待阅" in page.locator(".desk-card", has_text="副主席").inner_text()
    chair.photograph("incoming-sheet-instructed")
    chair.close()

    vice = Person(browser, base, "fuzhuxi", artifacts)
    page = vice.go(path)
    page.set_viewport_size(PHONE)
    assert _small_targets(page) == []
    assert INSTRUCTION in page.inner_text("main")
    page.get_by_label("阅批意见（可不填）").fill("已阅，按批示落实。")
    click(page, "已阅")
    assert "已阅" in page.locator(".desk-card", has_text="副主席").inner_text()
    assert "已阅，按批示落实。" in page.inner_text("main")
    vice.photograph("incoming-sheet-read")
    vice.close()
    with app.app_context():
        copy = db.session.get(Incoming, office["incoming"]).circulations[0]
        assert (copy.reader_id, copy.state.name, copy.opinion) == (
            office["vice"], "READ", "已阅，按批示落实。")
