"""Working days as a Chinese office counts them: public holidays and their make-up working days
from the holiday package, the system administrator's overrides, Monday to Friday for a year
nobody knows (and said so), the deadline policy, and the receipt deadline fixed at issue."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import at, draft, refused
from tests.statements import statements_run
from workflow import calendar as cal
from workflow import commands as c
from workflow.commands import calendar as calendar_commands
from workflow.errors import Conflict, Forbidden, InvalidInput, NotFound
from workflow.models import AuditEntry, CalendarDay
from workflow.settings import DEADLINE_DEFAULTS, deadline_policy
from workflow.states import Urgency

D = dt.date


def _last(session) -> AuditEntry:
    return session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()


# ------------------------------------------------------------------------------------------------
# The holiday package.


def test_the_national_day_week_2025_is_off_and_its_make_up_sunday_and_saturday_are_working(
        session):
    off = [D(2025, 10, d) for d in range(1, 9)]
    assert [cal.is_workday(session, day) for day in off] == [False] * 8
    assert cal.is_workday(session, D(2025, 9, 28))  # a Sunday, worked for the holiday
    assert cal.is_workday(session, D(2025, 10, 11))  # a Saturday, worked for the holiday
    assert not cal.is_workday(session, D(2025, 10, 12))  # an ordinary Sunday
    assert cal.is_workday(session, D(2025, 10, 9))


def test_a_deadline_runs_across_the_national_day_week_onto_its_make_up_saturday(session):
    last_before = D(2025, 9, 30)  # Tuesday, the last working day before the holiday
    assert [cal.add_working_days(session, last_before, n) for n in (0, 1, 2, 3, 4)] == [
        last_before, D(2025, 10, 9), D(2025, 10, 10), D(2025, 10, 11), D(2025, 10, 13)]
    # From the Saturday off before it, the next working day is the make-up Sunday.
    assert cal.add_working_days(session, D(2025, 9, 27), 1) == D(2025, 9, 28)
    assert cal.working_days_between(session, last_before, D(2025, 10, 12)) == 3
    assert cal.working_days_between(session, D(2025, 10, 12), last_before) == -3
    assert cal.working_days_between(session, last_before, last_before) == 0


def test_the_spring_festival_2026_is_off_between_its_two_make_up_saturdays(session):
    assert [cal.is_workday(session, D(2026, 2, d)) for d in (14, 15, 23, 24, 28)] == [
        True, False, False, True, True]
    assert cal.add_working_days(session, D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add_working_days(session, D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert cal.working_days_between(session, D(2026, 2, 13), D(2026, 2, 28)) == 6


def test_a_negative_number_of_working_days_is_refused(session):
    with pytest.raises(InvalidInput, match="不小于0"):
        cal.add_working_days(session, D(2025, 9, 30), -1)


# ------------------------------------------------------------------------------------------------
# The administrator's overrides.


def test_an_override_makes_a_weekday_a_holiday_and_a_saturday_a_working_day(world, session):
    calendar_commands.set_calendar_day(session, world.admin, day=D(2025, 10, 9),
                                       is_workday=False, note="本市调休", now=at(1))
    calendar_commands.set_calendar_day(session, world.admin, day=D(2025, 10, 18),
                                       is_workday=True, note="补班", now=at(1))
    assert not cal.is_workday(session, D(2025, 10, 9))
    assert cal.is_workday(session, D(2025, 10, 18))
    assert cal.add_working_days(session, D(2025, 9, 30), 3) == D(2025, 10, 13)
    assert cal.working_days_between(session, D(2025, 10, 12), D(2025, 10, 19)) == 6

    calendar_commands.remove_calendar_day(session, world.admin, day=D(2025, 10, 9), now=at(2))
    assert cal.is_workday(session, D(2025, 10, 9))  # the package applies again
    assert [e.action for e in session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "calendar").order_by(AuditEntry.seq))] == [
        "calendar.SET_DAY", "calendar.SET_DAY", "calendar.REMOVE_DAY"]
    entry = _last(session)
    assert entry.actor_id == world.admin.id
    assert entry.details == {"day": "2025-10-09", "is_workday": False, "note": "本市调休"}


def test_changing_an_override_records_what_it_was(world, session):
    calendar_commands.set_calendar_day(session, world.admin, day=D(2025, 10, 9),
                                       is_workday=False, now=at(1))
    row = calendar_commands.set_calendar_day(session, world.admin, day=D(2025, 10, 9),
                                             is_workday=True, note="恢复上班", now=at(2))
    assert session.scalars(select(CalendarDay)).all() == [row]
    assert _last(session).details["before"] == {"is_workday": False, "note": None}


def test_counting_loads_the_overrides_of_a_year_once_not_day_by_day(world, session, engine):
    calendar_commands.set_calendar_day(session, world.admin, day=D(2025, 11, 3),
                                       is_workday=False, now=at(1))
    session.commit()
    with statements_run(engine) as seen:
        counting = cal.WorkingCalendar(session)
        assert counting.add_working_days(D(2025, 9, 30), 40) == D(2025, 12, 3)
        assert counting.working_days_between(D(2025, 9, 30), D(2025, 12, 31)) == 60
    assert len([s for s in seen if "calendar_day" in s]) == 1


@pytest.mark.parametrize("day, containing", [
    (D(1999, 12, 31), "2000年至2100年"), (D(2101, 1, 1), "2000年至2100年"),
    (dt.datetime(2025, 10, 9, 8), "有效的日期"), ("2025-10-09", "有效的日期"),
])
def test_a_day_outside_the_calendar_is_refused(world, session, session_factory, day, containing):
    refused(session, session_factory, lambda: calendar_commands.set_calendar_day(
        session, world.admin, day=day, is_workday=False), InvalidInput, containing)


def test_an_override_is_refused_when_it_changes_nothing_or_its_note_is_too_long(world, session,
                                                                                session_factory):
    refused(session, session_factory, lambda: calendar_commands.set_calendar_day(
        session, world.admin, day=D(2025, 10, 9), is_workday=False, note="长" * 101),
        InvalidInput, "100个字")
    calendar_commands.set_calendar_day(session, world.admin, day=D(2025, 10, 9),
                                       is_workday=False, note="调休")
    refused(session, session_factory, lambda: calendar_commands.set_calendar_day(
        session, world.admin, day=D(2025, 10, 9), is_workday=False, note=" 调休 "),
        InvalidInput, "没有变化")
    refused(session, session_factory, lambda: calendar_commands.remove_calendar_day(
        session, world.admin, day=D(2025, 10, 10)), NotFound, "没有调整记录")


@pytest.mark.parametrize("who", ["security", "auditor", "supervisor", "clerk"])
def test_only_the_system_administrator_keeps_the_calendar(world, session, session_factory, who):
    refused(session, session_factory, lambda: calendar_commands.set_calendar_day(
        session, world.users[who], day=D(2025, 10, 9), is_workday=False), Forbidden,
        "系统管理员")
    refused(session, session_factory, lambda: calendar_commands.set_deadline_policy(
        session, world.users[who], very_urgent_days=1, urgent_days=1, normal_days=1,
        remind_before=[], remind_on_due_day=True, remind_every_days=1), Forbidden, "系统管理员")


# ------------------------------------------------------------------------------------------------
# A year the package does not know.


def test_a_year_without_holiday_data_is_counted_monday_to_friday(session):
    assert not cal.has_holiday_data(2027)
    # 2027-01-01 is a Friday (New Year's Day, but nobody has said so yet), then a weekend.
    assert [cal.is_workday(session, D(2027, 1, d)) for d in (1, 2, 3, 4)] == [
        True, False, False, True]
    assert cal.add_working_days(session, D(2026, 12, 31), 2) == D(2027, 1, 4)


def test_a_year_in_use_without_holiday_data_is_reported_until_the_administrator_fills_it(
        world, session):
    june, november = D(2026, 6, 1), D(2026, 11, 22)
    assert cal.years_without_data(session, june) == []
    assert cal.years_without_data(session, november) == [2027]  # next year's deadlines are near
    assert cal.years_without_data(session, D(2027, 3, 1)) == [2027]
    calendar_commands.set_calendar_day(session, world.admin, day=D(2027, 1, 1),
                                       is_workday=False, note="元旦")
    assert cal.years_without_data(session, november) == []
    assert not cal.is_workday(session, D(2027, 1, 1))


def test_an_open_deadline_in_a_year_without_data_puts_that_year_in_use(world, session):
    notice = _issued_on(world, session, dt.datetime(2026, 6, 1, 1))
    assert cal.years_without_data(session, D(2026, 6, 1)) == []
    notice.receipt_due_on = D(2027, 1, 5)  # as a notice issued at the year's end would have
    session.flush()
    assert cal.years_without_data(session, D(2026, 6, 1)) == [2027]


# ------------------------------------------------------------------------------------------------
# The deadline policy, and the receipt deadline fixed at issue.


def _issued_on(world, session, moment: dt.datetime, urgency: Urgency = Urgency.NORMAL):
    """A notice without report requests issued at `moment` (naive UTC)."""
    n = draft(world, requests=[], urgency=urgency, title=f"关于{urgency.label}事项的通知")
    c.submit(session, world.drafter, notice_id=n.id, now=moment - dt.timedelta(hours=3))
    c.pass_review(session, world.reviewer, notice_id=n.id, now=moment - dt.timedelta(hours=2))
    c.sign(session, world.signatory, notice_id=n.id, opinion="同意", now=moment - dt.timedelta(
        hours=1))
    return c.issue(session, world.clerk, notice_id=n.id, now=moment)


def test_a_very_urgent_notice_issued_the_thursday_before_national_day_is_due_after_it(world,
                                                                                    session):
    # 2021: the holiday is 10-1 (Friday) to 10-7; Thursday 9-30 is the last working day before.
    notice = _issued_on(world, session, dt.datetime(2021, 9, 30, 1), Urgency.VERY_URGENT)
    assert (notice.issued_on, notice.receipt_due_on) == (D(2021, 9, 30), D(2021, 10, 8))


def test_the_receipt_deadline_follows_the_urgency_in_working_days(world, session):
    moment = dt.datetime(2025, 9, 30, 1)
    due = {u: _issued_on(world, session, moment, u).receipt_due_on for u in Urgency}
    assert due == {Urgency.VERY_URGENT: D(2025, 10, 9), Urgency.URGENT: D(2025, 10, 10),
                   Urgency.NORMAL: D(2025, 10, 11)}  # the make-up Saturday


def test_the_administrator_sets_the_policy_and_new_notices_follow_it(world, session):
    assert deadline_policy(session) == DEADLINE_DEFAULTS
    policy = calendar_commands.set_deadline_policy(
        session, world.admin, very_urgent_days=1, urgent_days=3, normal_days=5,
        remind_before=[1, 2], remind_on_due_day=False, remind_every_days=3,
        expected_version=0, now=at(1))
    assert (policy.normal_days, policy.remind_before, policy.remind_on_due_day,
            policy.version) == (5, (2, 1), False, 1)
    entry = _last(session)
    assert entry.action == "deadline_policy.UPDATE" and entry.actor_id == world.admin.id
    assert entry.details["changes"] == {
        "urgent_days": [2, 3], "normal_days": [3, 5], "remind_before": [[3, 1], [2, 1]],
        "remind_on_due_day": [True, False], "remind_every_days": [2, 3]}
    notice = _issued_on(world, session, dt.datetime(2025, 9, 30, 1))
    assert notice.receipt_due_on == D(2025, 10, 14)


@pytest.mark.parametrize("change, containing", [
    ({"very_urgent_days": -1}, "0 到 30"),
    ({"normal_days": 31}, "0 到 30"),
    ({"normal_days": "3"}, "0 到 30"),
    ({"remind_every_days": 0}, "1 到 30"),
    ({"remind_before": [3, 31]}, "1 到 30"),
    ({"remind_before": [3, 3]}, "不能重复"),
    ({"remind_before": [1, 2, 3, 4, 5, 6]}, "最多提醒5次"),
    ({"very_urgent_days": 3, "urgent_days": 2}, "特急不长于加急"),
    ({}, "没有变化"),
])
def test_a_policy_out_of_bounds_or_unchanged_is_refused_in_chinese(world, session,
                                                                   session_factory, change,
                                                                   containing):
    values = dict(very_urgent_days=1, urgent_days=2, normal_days=3, remind_before=[3, 1],
                  remind_on_due_day=True, remind_every_days=2)
    calendar_commands.set_deadline_policy(session, world.admin, **values)  # stored once
    refused(session, session_factory, lambda: calendar_commands.set_deadline_policy(
        session, world.admin, **{**values, **change}), InvalidInput, containing)


def test_a_policy_saved_from_a_stale_page_is_already_handled(world, session, session_factory):
    values = dict(very_urgent_days=1, urgent_days=2, normal_days=4, remind_before=[2],
                  remind_on_due_day=True, remind_every_days=2)
    calendar_commands.set_deadline_policy(session, world.admin, expected_version=0, **values)
    refused(session, session_factory, lambda: calendar_commands.set_deadline_policy(
        session, world.admin, expected_version=0, **{**values, "normal_days": 5}), Conflict)
