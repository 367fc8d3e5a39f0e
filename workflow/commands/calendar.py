"""The system administrator's calendar commands: day overrides and the deadline policy.

Owns: setting and removing an override of one day (a working day or a day off, for a local
arrangement or a year the holiday package does not know) and setting the deadline policy (the
working days allowed for signing for receipt by 紧急程度, and the reminder schedule). Each change is
refused in Chinese when out of bounds and written to the audit trail. Must not: commit, or
change a deadline already fixed (a notice's receipt deadline is fixed when it is issued).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.calendar import FIRST_YEAR, LAST_YEAR, package_says
from workflow.commands.savepoint import command
from workflow.db import as_utc
from workflow.errors import Conflict, InvalidInput, NotFound
from workflow.inputs import clean_text
from workflow.loading import get_actor
from workflow.models import CalendarDay, DeadlinePolicy, User
from workflow.permissions import Right, demand
from workflow.settings import (
    DEADLINE_BOUNDS,
    DEADLINE_POLICY_ID,
    MAX_REMIND_BEFORE,
    Deadlines,
    deadline_policy,
)

NOTE_LENGTH = 100


def _check_day(day) -> dt.date:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise InvalidInput("请填写有效的日期")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(f"日期须在{FIRST_YEAR}年至{LAST_YEAR}年之间")
    return day


@command
def set_calendar_day(session: Session, actor: User | None, *, day: dt.date, is_workday: bool,
                     note: str | None = None, now: dt.datetime | None = None) -> CalendarDay:
    """Make one day a working day or a day off, whatever the holiday package says."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_CALENDAR)
    day = _check_day(day)
    if not isinstance(is_workday, bool):
        raise InvalidInput("请选择该日是工作日还是休息日")
    note = clean_text(note) or None
    if note is not None and len(note) > NOTE_LENGTH:
        raise InvalidInput(f"说明最多{NOTE_LENGTH}个字")
    row = session.scalar(select(CalendarDay).where(CalendarDay.day == day))
    before = None if row is None else {"is_workday": row.is_workday, "note": row.note}
    if before == {"is_workday": is_workday, "note": note}:
        raise InvalidInput(f"{day.isoformat()}已是这样设置，没有变化")
    if row is None:
        row = CalendarDay(day=day)
        session.add(row)
    row.is_workday, row.note = is_workday, note
    row.set_by_id, row.set_at = (actor.id if actor is not None else None), now
    session.flush()
    audit.append(session, actor=actor, action="calendar.SET_DAY", object_type="calendar",
                 object_id=row.id, at=now, note=note,
                 details={"day": day.isoformat(), "is_workday": is_workday, "before": before,
                          "package_is_workday": package_says(day)})
    return row


@command
def remove_calendar_day(session: Session, actor: User | None, *, day: dt.date,
                        now: dt.datetime | None = None) -> CalendarDay:
    """Remove the override of one day: the holiday package (or Monday–Friday) applies again."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_CALENDAR)
    day = _check_day(day)
    row = session.scalar(select(CalendarDay).where(CalendarDay.day == day))
    if row is None:
        raise NotFound(f"{day.isoformat()}没有调整记录")
    removed = {"day": day.isoformat(), "is_workday": row.is_workday, "note": row.note}
    session.delete(row)
    session.flush()
    audit.append(session, actor=actor, action="calendar.REMOVE_DAY", object_type="calendar",
                 object_id=row.id, at=now, note=row.note, details=removed)
    return row


def _whole(value, key: str) -> int:
    low, high, label = DEADLINE_BOUNDS[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{label}应在 {low} 到 {high} 之间")
    return value


@command
def set_deadline_policy(session: Session, actor: User | None, *, very_urgent_days: int,
                        urgent_days: int, normal_days: int, remind_before: list[int],
                        remind_on_due_day: bool, remind_every_days: int,
                        expected_version: int | None = None,
                        now: dt.datetime | None = None) -> Deadlines:
    """Set the receipt deadlines by 紧急程度 and the reminder schedule (in working days)."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_CALENDAR)
    values = {
        "very_urgent_days": _whole(very_urgent_days, "very_urgent_days"),
        "urgent_days": _whole(urgent_days, "urgent_days"),
        "normal_days": _whole(normal_days, "normal_days"),
        "remind_every_days": _whole(remind_every_days, "remind_every_days"),
    }
    if not very_urgent_days <= urgent_days <= normal_days:
        raise InvalidInput("签收期限应为：特急不长于加急，加急不长于其他公文")
    before = [_whole(n, "remind_before") for n in (remind_before or [])]
    if len(set(before)) != len(before):
        raise InvalidInput("截止前提醒的天数不能重复")
    if len(before) > MAX_REMIND_BEFORE:
        raise InvalidInput(f"截止前最多提醒{MAX_REMIND_BEFORE}次")
    values["remind_before"] = sorted(before, reverse=True)
    if not isinstance(remind_on_due_day, bool):
        raise InvalidInput("请选择截止当天是否提醒")
    values["remind_on_due_day"] = remind_on_due_day

    current = deadline_policy(session)
    if expected_version is not None and current.version != expected_version:
        raise Conflict()
    old = {k: list(v) if isinstance(v, tuple) else v for k, v in
           ((k, getattr(current, k)) for k in values)}
    changes = {k: [old[k], v] for k, v in values.items() if old[k] != v}
    if not changes and current.version:
        raise InvalidInput("期限设置没有变化")
    row = session.get(DeadlinePolicy, DEADLINE_POLICY_ID)
    if row is None:  # the first save: the defaults become a stored policy
        row = DeadlinePolicy(id=DEADLINE_POLICY_ID, **values)
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at, row.updated_by_id = now, actor.id if actor is not None else None
    session.flush()
    audit.append(session, actor=actor, action="deadline_policy.UPDATE", object_type="policy",
                 object_id=DEADLINE_POLICY_ID, at=now, details={"changes": changes})
    return deadline_policy(session)
