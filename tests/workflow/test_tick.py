"""The tick's reminders (催办): before, on and after each deadline, counted in working days; each
sent once and only once — by a tick run twice, a week late, or three at once — and recorded as a
催办 in the audit trail, the way a supervisor's own goes. Nothing for a closed notice.

The world's notice is issued on Tuesday 2016-03-08 (Beijing). Its receipt deadline is three
working days later, Friday 3-11; its report is due on 4-30. With the default policy the units are
reminded on 3-10 (one working day before; three before is the issue day itself), on 3-11, and
every two working days after: 3-15, 3-17, …
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import traceback

import pytest
from sqlalchemy import func, select

from tests.factories import AUDIT_KEY, at, build_world, notice_in, receipts_of, refused, reports_of
from workflow import audit, tick
from workflow import commands as c
from workflow.commands.tracking import send_reminders, set_remind_interval
from workflow.db import make_engine, make_session_factory, read_only
from workflow.errors import Conflict, Forbidden, InvalidInput, InvalidState
from workflow.models import AuditEntry, Notice, Notification, Reminder
from workflow.states import NoticeState as NS


def beijing(month: int, day: int, hour: int = 10) -> dt.datetime:
    """A moment of 2016 given in Beijing time, as the engine stores it (naive UTC)."""
    return dt.datetime(2016, month, day, hour) - dt.timedelta(hours=8)


def reminded(session, notice) -> list[tuple[int, str]]:
    """(unit, key) of every reminder of the notice, in order."""
    return session.execute(select(Reminder.unit_id, Reminder.dedupe_key)
                           .where(Reminder.notice_id == notice.id)
                           .order_by(Reminder.id)).all()


def remind_entries(session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "notice.REMIND")
                                .order_by(AuditEntry.seq)))


def acknowledge(world, notice, index: int, when=None) -> None:
    receipt = next(r for r in receipts_of(world, notice)
                   if r.unit_id == world.districts[index].id)
    c.acknowledge(world.session, world.users[f"receiver{index + 1}"], receipt_id=receipt.id,
                  now=when or at(1.5))


@pytest.fixture
def notice(world, session):
    n = notice_in(world, NS.ISSUED)
    session.commit()
    assert (n.issued_on, n.receipt_due_on) == (dt.date(2016, 3, 8), dt.date(2016, 3, 11))
    return n


# ------------------------------------------------------------------------------------------------
# The schedule.


def test_nothing_is_sent_before_the_first_point_of_the_schedule(world, session, notice):
    assert tick.run(session, now=beijing(3, 8, 17)).reminders == 0
    assert tick.run(session, now=beijing(3, 9)).reminders == 0
    assert reminded(session, notice) == []


def test_one_working_day_before_the_deadline_every_unit_that_owes_is_reminded(world, session,
                                                                             notice):
    acknowledge(world, notice, 0)  # district 1 still owes its report, due 4-30: not yet
    report = tick.run(session, now=beijing(3, 10))
    d1, d2, d3 = world.districts
    assert [(s.unit_id, s.point) for s in report.sent] == [
        (d2.id, dt.date(2016, 3, 10)), (d3.id, dt.date(2016, 3, 10))]
    assert (report.reminders, report.units, report.notices) == (2, 2, 1)
    assert reminded(session, notice) == [
        (d2.id, f"tick:{notice.id}:{d2.id}:2016-03-10"),
        (d3.id, f"tick:{notice.id}:{d3.id}:2016-03-10")]
    # Not the 抄送 unit: it only signs for receipt, and is never chased.
    assert world.cc_unit.id not in {s.unit_id for s in report.sent}


def test_the_reminder_names_everything_the_unit_owes_with_its_deadline(world, session, notice):
    (sent, *_) = tick.run(session, now=beijing(3, 10)).sent
    assert sent.message == (f"{notice.doc_number}《{notice.title}》：请签收（2016年3月11日前，"
                            "还剩1天）；上报“调研报告”（2016年4月30日前，还剩51天）")


def test_on_the_day_and_every_two_working_days_after_it_the_units_are_reminded_again(
        world, session, notice):
    sent_on = {}
    for day in (10, 11, 12, 13, 14, 15, 16, 17, 18):
        sent_on[day] = tick.run(session, now=beijing(3, day)).reminders
    # 3-12 and 3-13 are a weekend; 3-14 is only one working day after the deadline.
    assert sent_on == {10: 3, 11: 3, 12: 0, 13: 0, 14: 0, 15: 3, 16: 0, 17: 3, 18: 0}
    points = sorted({key.rsplit(":", 1)[1] for _, key in reminded(session, notice)})
    assert points == ["2016-03-10", "2016-03-11", "2016-03-15", "2016-03-17"]
    late = session.scalars(select(Reminder.message).where(Reminder.dedupe_key.like(
        "%2016-03-17"))).first()
    assert "签收（2016年3月11日前，已逾期6天）" in late


def test_a_tick_run_twice_sends_nothing_twice(world, session, notice):
    assert tick.run(session, now=beijing(3, 11, 9)).reminders == 3
    session.commit()
    assert tick.run(session, now=beijing(3, 11, 9)).reminders == 0
    assert tick.run(session, now=beijing(3, 11, 17)).reminders == 0
    assert len(reminded(session, notice)) == 3 and len(remind_entries(session)) == 1


def test_a_tick_a_week_late_sends_one_reminder_for_the_latest_point_only(world, session, notice):
    report = tick.run(session, now=beijing(3, 22))
    # 3-22 is seven working days after 3-11: the latest point is 3-11 + 6 = 3-21.
    assert {s.point for s in report.sent} == {dt.date(2016, 3, 21)}
    assert report.reminders == 3
    assert tick.run(session, now=beijing(3, 22, 16)).reminders == 0


def test_a_public_holiday_sends_nothing_and_the_next_working_day_catches_up(world, session):
    notice = notice_in(world, NS.ISSUED, requests=[
        {"what": "统计表", "due_date": dt.date(2016, 4, 1), "to_whom": "市妇联"}])
    for i in range(3):
        acknowledge(world, notice, i)
    assert tick.run(session, now=beijing(4, 4)).day_off  # 清明节
    report = tick.run(session, now=beijing(4, 5))
    # 4-5 is one working day after the deadline: the on-the-day point, sent a day late.
    assert {s.point for s in report.sent} == {dt.date(2016, 4, 1)}
    assert "上报“统计表”（2016年4月1日前，已逾期4天）" in report.sent[0].message


def test_a_notice_may_have_its_own_interval_after_the_deadline(world, session, notice):
    set_remind_interval(session, world.supervisor, notice_id=notice.id, every_days=5,
                        expected_version=notice.version, now=at(2))
    sent = {day: tick.run(session, now=beijing(3, day)).reminders for day in (11, 15, 17, 18)}
    assert sent == {11: 3, 15: 0, 17: 0, 18: 3}  # 3-18 is five working days after 3-11


def test_a_supervisors_own_reminder_that_day_stands_for_the_ticks(world, session, notice):
    c.remind(session, world.supervisor, notice_id=notice.id, unit_ids=[world.districts[0].id],
             now=beijing(3, 11, 9))
    report = tick.run(session, now=beijing(3, 11, 10))
    assert {s.unit_id for s in report.sent} == {u.id for u in world.districts[1:]}


def test_setting_a_notices_interval_is_the_issuing_supervisors_and_is_audited(
        world, session, session_factory, notice):
    for stranger, why in ((world.receiver1, "督办"), (world.clerk, "督办"),
                          (world.admin, "三员分立"), (None, "具体人员")):
        refused(session, session_factory, lambda who=stranger: set_remind_interval(
            session, who, notice_id=notice.id, every_days=5), Forbidden, why)
    for bad in (0, 31, "5", True):
        refused(session, session_factory, lambda n=bad: set_remind_interval(
            session, world.supervisor, notice_id=notice.id, every_days=n), InvalidInput,
            "1 到 30")
    refused(session, session_factory, lambda: set_remind_interval(
        session, world.supervisor, notice_id=notice.id, every_days=None), InvalidInput, "没有变化")
    stale = notice.version
    set_remind_interval(session, world.supervisor, notice_id=notice.id, every_days=5,
                        expected_version=stale, now=at(2))
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (entry.action, entry.actor_id, entry.details) == (
        "notice.SET_REMIND_INTERVAL", world.supervisor.id, {"before": None, "after": 5})
    refused(session, session_factory, lambda: set_remind_interval(
        session, world.supervisor, notice_id=notice.id, every_days=3, expected_version=stale),
        Conflict)


def test_a_closed_notices_interval_cannot_be_set(world, session, session_factory):
    closed = notice_in(world, NS.CLOSED)
    refused(session, session_factory, lambda: set_remind_interval(
        session, world.supervisor, notice_id=closed.id, every_days=5), InvalidState, "不再催办")


# ------------------------------------------------------------------------------------------------
# What is never reminded.


@pytest.mark.parametrize("state", [NS.CLOSED, NS.ARCHIVED, NS.REVOKED, NS.ABOLISHED])
def test_nothing_is_reminded_about_a_notice_no_longer_being_handled(world, session, state):
    ended = notice_in(world, state)
    for day in (10, 11, 15, 22):
        assert tick.run(session, now=beijing(3, day)).reminders == 0
    assert tick.run(session, now=beijing(5, 3)).reminders == 0
    assert reminded(session, ended) == []


def test_a_report_request_without_a_due_date_is_never_reminded_by_itself(world, session):
    notice = notice_in(world, NS.ISSUED, requests=[
        {"what": "典型经验材料", "due_date": None, "to_whom": "市妇联"}])
    for i in range(3):
        acknowledge(world, notice, i)
    for day in (10, 11, 15, 22, 31):
        assert tick.run(session, now=beijing(3, day)).reminders == 0
    assert reminded(session, notice) == []


def test_a_unit_that_has_done_everything_is_not_reminded(world, session, notice):
    acknowledge(world, notice, 0)
    report = next(r for r in reports_of(world, notice) if r.unit_id == world.districts[0].id)
    c.submit_report(session, world.receiver1, report_id=report.id, text="报告", now=at(2))
    c.accept_report(session, world.supervisor, report_id=report.id, now=at(2.5))
    for day in (10, 11, 15):
        assert world.districts[0].id not in {
            s.unit_id for s in tick.run(session, now=beijing(3, day)).sent}


# ------------------------------------------------------------------------------------------------
# Recorded as a 催办, the way a supervisor's goes.


def test_each_reminder_is_a_remind_in_the_audit_trail_and_tells_the_receivers(world, session,
                                                                              notice):
    tick.run(session, now=beijing(3, 10))
    (entry,) = remind_entries(session)
    assert (entry.actor_id, entry.actor_name, entry.notice_id) == (None, "系统", notice.id)
    assert entry.details == {"channel": "app", "units": [u.name for u in world.districts],
                             "scheduled": "2016-03-10"}
    told = session.execute(select(Notification.user_id, Notification.message).where(
        Notification.notice_id == notice.id, Notification.kind == "reminder")).all()
    assert {user for user, _ in told} == {world.receiver1.id, world.receiver2.id,
                                          world.receiver3.id}
    assert all(message.startswith(f"催办：{notice.doc_number}《") for _, message in told)
    assert audit.verify(session).ok


def test_the_loser_of_a_race_for_a_reminder_writes_nothing_at_all(world, session, notice):
    d1 = world.districts[0].id
    key = {d1: tick.key_of(notice.id, d1, dt.date(2016, 3, 10))}
    first = send_reminders(session, None, notice, {d1: "请签收"}, channel="app",
                           now=beijing(3, 10), keys=key)
    before = (session.scalar(select(func.count()).select_from(Notification)),
              len(remind_entries(session)))
    second = send_reminders(session, None, notice, {d1: "请签收"}, channel="app",
                            now=beijing(3, 10, 11), keys=key)
    assert (len(first), second) == (1, [])
    assert (session.scalar(select(func.count()).select_from(Notification)),
            len(remind_entries(session))) == before
    assert len(reminded(session, notice)) == 1


# ------------------------------------------------------------------------------------------------
# Three ticks at once.

TICKS = 3


def _tick_from_a_process(url: str, now: dt.datetime, start, results) -> None:
    """A worker: its own engine on the shared database, one tick in one transaction."""
    audit.use_key(AUDIT_KEY)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    sent, error = 0, None
    try:
        start.wait(timeout=60)  # everyone begins together
        with sessions() as s:
            sent = tick.run(s, now=now).reminders
            s.commit()
    except BaseException:  # report it to the parent rather than die silently
        error = traceback.format_exc()
    finally:
        engine.dispose()
        results.put((sent, error))


@pytest.mark.slow
def test_three_ticks_started_at_once_send_each_reminder_once(database_url, engine,
                                                            session_factory):
    with session_factory() as s:
        world = build_world(s)
        notices = [notice_in(world, NS.ISSUED, title=f"关于第{i + 1}项工作的通知").id
                   for i in range(4)]
        s.commit()
    engine.dispose()  # the parent holds no connection while the workers write

    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(TICKS), ctx.Queue()
    workers = [ctx.Process(target=_tick_from_a_process,
                           args=(database_url, beijing(3, 11), start, results))
               for _ in range(TICKS)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)

    errors = [error for _, error in outcomes if error]
    assert not errors, errors[0]
    assert sorted(sent for sent, _ in outcomes) == [0, 0, 4 * 3]
    with session_factory() as s:
        read_only(s)
        keys = s.scalars(select(Reminder.dedupe_key)).all()
        assert len(keys) == len(set(keys)) == 4 * 3
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "notice.REMIND")) == 4
        assert s.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "reminder")) == 4 * 3
        assert {n.state for n in s.scalars(select(Notice).where(Notice.id.in_(notices)))} == {
            NS.ISSUED}
        assert audit.verify(s).ok
