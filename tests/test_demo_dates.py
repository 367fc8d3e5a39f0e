"""The demo is dated relative to the day it is built: its working life in the weeks before, a few
items overdue by a few days on that day, none by a month, the seeds numbered in the year they are
issued, every step on a weekday.

Counted by hand for a demo built on Thursday 2026-12-03 (week 0 begins Monday 11-30):
- seed 000 (长春) issued Thursday 11-19, 签收期限 3 working days later: Tuesday 11-24. Four units
  signed for it, the other 18 主送 units are 9 days late on 12-03. Its first report request is due
  Monday 11-30 (12 of the 14 counties and zones owe it: 3 days late), its 调研报告 Friday 12-18.
- seed 001 (哈尔滨) issued Tuesday 11-24, 签收期限 Friday 11-27: 21 of its 24 主送 units 6 days late;
  its one request has no due date.
- 南关区妇联's 转发 issued Tuesday 11-24: the city's days three working days earlier, so its first
  request was due Wednesday 11-25 (6 街道 owe it: 8 days late), its 调研报告 Tuesday 12-15; one 街道
  has not signed for it (due Friday 11-27: 6 days late).
- 宽城区妇联's 收文 waits for its chair's 批示, its 办理期限 Thursday 11-26: 7 days late.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from workflow import audit, demo, invariants
from workflow.db import create_all, make_engine, make_session_factory
from workflow.deadlines import local_time
from workflow.demo.timeline import local
from workflow.models import AuditEntry, Notice, User
from workflow.queries.inbox import inbox

TODAY = dt.date(2026, 12, 3)
MORNING = local(2026, 12, 3, 10)


def build_file(tmp_path_factory, today: dt.date):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    create_all(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        demo.build(session, today=today)
        session.commit()
    return engine, factory


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The demo built once, as on 2026-12-03."""
    engine, factory = build_file(tmp_path_factory, TODAY)
    yield factory
    engine.dispose()


@pytest.fixture
def s(built):
    with built() as session:
        yield session
        session.rollback()


def person(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def overdue_by_days(session, username: str) -> dict[tuple[str, int], int]:
    """(kind, days late) → how many units the person's late tasks stand for on the morning of
    2026-12-03 (a supervisor's task stands for every late unit of one notice and request)."""
    found: dict[tuple[str, int], int] = {}
    for task in inbox(session, person(session, username), now=MORNING).tasks:
        if task.overdue:
            key = (task.kind, -task.days_left)
            found[key] = found.get(key, 0) + (len(task.units) or 1)
    return found


def test_on_3_december_the_changchun_supervisor_sees_18_receipts_9_days_late_and_12_reports_3(s):
    late = overdue_by_days(s, "cc_supervisor")
    assert late.pop(("overdue", 9)) == 18  # 签收, due 11-24
    assert late.pop(("overdue", 3)) == 12  # 学习贯彻落实会议精神情况, due 11-30
    # What is left is 宽城's report waiting to be judged, sent before its day.
    assert late == {("check", 3): 1}


def test_on_3_december_the_harbin_supervisor_sees_21_receipts_6_days_late(s):
    assert overdue_by_days(s, "hrb_supervisor") == {("overdue", 6): 21}


def test_on_3_december_a_county_that_has_done_nothing_is_9_and_3_days_late_and_has_two_weeks_left(s):
    tasks = inbox(s, person(s, "erdao"), now=MORNING).tasks
    assert sorted((t.kind, t.what, t.due_date, t.days_left) for t in tasks) == [
        ("acknowledge", None, dt.date(2026, 11, 24), -9),
        ("report", "学习贯彻落实会议精神情况", dt.date(2026, 11, 30), -3),
        ("report", "调研报告", dt.date(2026, 12, 18), 15),
    ]


def test_on_3_december_nothing_of_anyone_is_late_by_more_than_9_days_and_much_is_not_late(s):
    every = [t for u in s.scalars(select(User))
             for t in inbox(s, u, now=MORNING).tasks if t.days_left is not None]
    late = [t for t in every if t.overdue]
    assert max(-t.days_left for t in late) == 9  # nothing near "已逾期3869天"
    assert min(-t.days_left for t in late) == 3
    ahead = [t for t in every if not t.overdue]
    # The city's 调研报告, 15 days left: owed by the nine counties other than 南关 and by 经开区
    # (the one zone with a 收文员 in the demo), and 南关's own waiting for the 督办's check. The
    # 转发's, 12 days left: owed by 新春 (returned to it), 长通 and 全安.
    assert sorted({t.days_left for t in ahead}) == [12, 15]
    assert len(ahead) == 9 + 1 + 1 + 3


def test_every_step_of_the_working_life_falls_on_a_weekday_in_the_four_weeks_before(s):
    steps = s.scalars(select(AuditEntry).where(AuditEntry.notice_id.is_not(None))).all()
    assert len(steps) > 50
    for step in steps:
        moment = local_time(step.at)
        assert moment.weekday() < 5, (step.action, moment)
        assert dt.date(2026, 11, 2) <= moment.date() <= dt.date(2026, 11, 27), step.action


def test_the_seeds_are_numbered_in_the_year_they_are_issued_and_keep_their_serials(s):
    issued = dict(s.execute(select(Notice.doc_number, Notice.issued_on)
                            .where(Notice.doc_number.is_not(None))).all())
    assert issued == {"长妇通字〔2026〕4号": dt.date(2026, 11, 19),
                      "哈妇发〔2026〕9号": dt.date(2026, 11, 24),
                      "南妇发〔2026〕1号": dt.date(2026, 11, 24)}


def test_the_dated_demo_holds_every_invariant_and_its_audit_chain_verifies(s):
    assert audit.verify(s).ok
    assert invariants.check(s) == []


@pytest.mark.slow
def test_built_across_new_year_each_seed_takes_the_year_of_its_own_issue(tmp_path_factory):
    # Built Wednesday 2027-01-13: week 0 begins 01-11; seed 000 issued Thursday 2026-12-31,
    # seed 001 and the 转发 Tuesday 2027-01-05.
    engine, factory = build_file(tmp_path_factory, dt.date(2027, 1, 13))
    with factory() as session:
        numbers = set(session.scalars(select(Notice.doc_number)
                                      .where(Notice.doc_number.is_not(None))))
        assert numbers == {"长妇通字〔2026〕4号", "哈妇发〔2027〕9号", "南妇发〔2027〕1号"}
        assert invariants.check(session) == []
    engine.dispose()


@pytest.mark.slow
def test_built_on_a_monday_nothing_is_dated_after_the_moment_it_is_built(tmp_path_factory):
    # Built Monday 2026-11-30, the first report request's own due day: due today, not late.
    engine, factory = build_file(tmp_path_factory, dt.date(2026, 11, 30))
    with factory() as session:
        steps = session.scalars(select(AuditEntry.at).where(AuditEntry.notice_id.is_not(None)))
        assert max(local_time(at) for at in steps).date() == dt.date(2026, 11, 27)  # Friday
        tasks = inbox(session, person(session, "erdao"), now=local(2026, 11, 30, 10)).tasks
        assert sorted(t.days_left for t in tasks) == [-6, 0, 18]
    engine.dispose()
