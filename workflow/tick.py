"""The scheduled reminders (催办) of `flask tick`: before, on and after every deadline.

Owns: `run()` — for every notice still being handled (已印发; never one closed, archived, revoked
or abolished), every 主送 unit that still owes something with a deadline (signing for receipt by
`Notice.receipt_due_on`; a report still due whose request has a due date — a request without
one, 及时报送, is never reminded by itself), and the schedule of each deadline in working days
(`schedule_point`): so many working days before it (the policy's `remind_before`), on the day,
and after it every `remind_every_days` (the notice's own interval when its supervisor set one).
Only the latest point reached is sent, once: a tick that did not run for a week sends one
reminder, not five; a unit reminded on or after that point (by an earlier tick or by a
supervisor by hand) is not reminded again; and a unit that owes several things gets one
reminder naming each with its deadline. Reminders go out through
`commands.tracking.send_reminders`, the way a supervisor's 催办 goes, under a key made of
(notice, unit, point): of several ticks racing on several hosts only one writes each reminder.
On a day off (weekend, public holiday) nothing is sent; the next working day's tick sends what
fell due.

Inside each unit, the 收文 in hand are reminded to their 承办人 and readers on the same schedule
(`workflow.tick_incoming`).

Must not: commit (the caller owns the transaction), or send anything out of the process (the
notifications are outbox rows; mail is delivered after commit by its own sender).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow.calendar import WorkingCalendar, years_without_data
from workflow.commands.tracking import send_reminders
from workflow.db import as_utc
from workflow.deadlines import chinese_date, local_date
from workflow.models import Notice, Receipt, Reminder, Report, ReportRequest, Unit
from workflow.queries.receiving import deadline
from workflow.settings import deadline_policy
from workflow.states import NoticeState, ReceiptState, RecipientKind, ReportState
from workflow.tick_incoming import InsideReminder, remind_inside

KEY_PREFIX = "tick"
CHANNEL = "app"


@dataclass(frozen=True)
class Owed:
    """One thing a unit owes on a notice, with its deadline."""

    due: dt.date
    what: str | None = None  # the report request; None: signing for receipt
    position: int = -1  # the request's place on the notice (receipt first)

    def describe(self, today: dt.date) -> str:
        thing = "签收" if self.what is None else f"上报“{self.what}”"
        return f"{thing}（{chinese_date(self.due)}前，{deadline(self.due, today).label}）"


@dataclass(frozen=True)
class SentReminder:
    notice_id: int
    unit_id: int
    unit_name: str
    point: dt.date  # the point of the schedule this reminder is for
    message: str


@dataclass(frozen=True)
class TickReport:
    """What one run did: the reminders it sent, and the years counted without holiday data."""

    today: dt.date
    sent: list[SentReminder] = field(default_factory=list)
    years_without_data: list[int] = field(default_factory=list)
    day_off: bool = False  # today is not a working day: nothing was sent
    inside: list[InsideReminder] = field(default_factory=list)  # 催办 inside the units

    @property
    def reminders(self) -> int:
        return len(self.sent)

    @property
    def units(self) -> int:
        return len({s.unit_id for s in self.sent})

    @property
    def notices(self) -> int:
        return len({s.notice_id for s in self.sent})


def key_of(notice_id: int, unit_id: int, point: dt.date) -> str:
    """The reminder's key: one reminder per (notice, unit, point of the schedule), ever."""
    return f"{KEY_PREFIX}:{notice_id}:{unit_id}:{point.isoformat()}"


def schedule_point(cal: WorkingCalendar, due: dt.date, today: dt.date, *,
                   before: tuple[int, ...], on_due_day: bool, every: int) -> dt.date | None:
    """The latest point of `due`'s reminder schedule reached by `today`, or None.

    The points are: `before` working days before `due`, `due` itself (when `on_due_day`), and
    every `every` working days after it.
    """
    if today > due:
        after = cal.working_days_between(due, today) // every
        if after >= 1:
            return cal.add_working_days(due, after * every)
    reached = [p for p in (cal.subtract_working_days(due, n) for n in before) if p <= today]
    if on_due_day and due <= today:
        reached.append(due)
    return max(reached, default=None)


def run(session: Session, *, now: dt.datetime | None = None) -> TickReport:
    """Send the reminders that fell due by `now`, in the caller's transaction."""
    now = as_utc(now)
    today = local_date(now)
    missing = years_without_data(session, today)
    cal = WorkingCalendar(session)
    if not cal.is_workday(today):
        return TickReport(today, [], missing, day_off=True)
    policy = deadline_policy(session)
    inside = remind_inside(session, now=now, today=today, point_of=lambda due: schedule_point(
        cal, due, today, before=policy.remind_before, on_due_day=policy.remind_on_due_day,
        every=policy.remind_every_days))
    owed = _owed(session)
    if not owed:
        return TickReport(today, [], missing, inside=inside)
    notice_ids = sorted({notice_id for notice_id, _ in owed})
    notices = {n.id: n for n in session.scalars(select(Notice).where(Notice.id.in_(notice_ids)))}
    last = {
        (notice_id, unit_id): local_date(at) for notice_id, unit_id, at in session.execute(
            select(Reminder.notice_id, Reminder.unit_id, func.max(Reminder.at))
            .where(Reminder.notice_id.in_(notice_ids))
            .group_by(Reminder.notice_id, Reminder.unit_id))
    }
    points: dict[tuple[dt.date, int], dt.date | None] = {}

    def point_of(due: dt.date, every: int) -> dt.date | None:
        if (due, every) not in points:
            points[due, every] = schedule_point(
                cal, due, today, before=policy.remind_before,
                on_due_day=policy.remind_on_due_day, every=every)
        return points[due, every]

    # (notice, point) → {unit: what it owes}; in a fixed order, so that racing ticks take the
    # same keys in the same order (PostgreSQL would otherwise find a deadlock between them).
    batches: dict[tuple[int, dt.date], dict[int, list[Owed]]] = {}
    for (notice_id, unit_id), things in sorted(owed.items()):
        notice = notices[notice_id]
        every = notice.remind_every_days or policy.remind_every_days
        reached = [p for p in (point_of(o.due, every) for o in things) if p is not None]
        point = max(reached, default=None)
        if point is None or (notice.issued_on is not None and point <= notice.issued_on):
            continue  # nothing due yet, or only what the unit was told when the notice came
        if last.get((notice_id, unit_id), dt.date.min) >= point:
            continue  # reminded on or after this point already
        batches.setdefault((notice_id, point), {})[unit_id] = things

    sent = []
    names = _unit_names(session, {u for units in batches.values() for u in units})
    for (notice_id, point), units in sorted(batches.items()):
        notice = notices[notice_id]
        messages = {u: _message(notice, things, today) for u, things in units.items()}
        written = send_reminders(
            session, None, notice, messages, channel=CHANNEL, now=now,
            keys={u: key_of(notice_id, u, point) for u in units},
            details={"scheduled": point.isoformat()})
        sent += [SentReminder(notice_id, r.unit_id, names.get(r.unit_id, ""), point, r.message)
                 for r in written]
    return TickReport(today, sent, missing, inside=inside)


def _owed(session: Session) -> dict[tuple[int, int], list[Owed]]:
    """(notice, unit) → what the 主送 unit still owes with a deadline, on the open notices."""
    open_ = Notice.state == NoticeState.ISSUED
    owed: dict[tuple[int, int], list[Owed]] = {}
    for notice_id, unit_id, due in session.execute(
        select(Receipt.notice_id, Receipt.unit_id, Notice.receipt_due_on)
        .join(Notice, Notice.id == Receipt.notice_id)
        .where(open_, Receipt.kind == RecipientKind.MAIN, Receipt.state == ReceiptState.PENDING,
               Notice.receipt_due_on.is_not(None))):
        owed.setdefault((notice_id, unit_id), []).append(Owed(due))
    for notice_id, unit_id, what, due, position in session.execute(
        select(Report.notice_id, Report.unit_id, ReportRequest.what, ReportRequest.due_date,
               ReportRequest.position)
        .join(ReportRequest, ReportRequest.id == Report.request_id)
        .join(Notice, Notice.id == Report.notice_id)
        .where(open_, Report.state == ReportState.DUE, ReportRequest.due_date.is_not(None))):
        owed.setdefault((notice_id, unit_id), []).append(Owed(due, what, position))
    for things in owed.values():
        things.sort(key=lambda o: (o.position, o.due))
    return owed


def _message(notice: Notice, things: list[Owed], today: dt.date) -> str:
    owes = "；".join(o.describe(today) for o in things)
    return f"{notice.doc_number or ''}《{notice.title}》：请{owes}"


def _unit_names(session: Session, unit_ids: set[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    return dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all())

