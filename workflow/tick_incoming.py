"""催办 inside a unit, for `flask tick`: the 承办人 of a 收文's departments and the readers who have
not read it are reminded of its deadline (办理时限) on working days, once per point.

Owns: `remind_inside` — for every 收文 in hand (办理中) with a deadline, the latest point of the
deadline's schedule reached today (the same schedule as the notices': the deadline policy's days
before, the day itself, every so many working days after; `tick.schedule_point`), and for each
person still owing something at that point (the 承办人 named by name, else those of the 主办 and 协办 departments; each reader
whose copy is still 待阅) one reminder under the key (收文, person, point): of several ticks racing
only one writes it, and a tick that missed a week sends one, not five. Each 收文 reminded gets one
audit entry naming the people.

Must not: commit, remind anyone outside the unit and its departments, or look at a 收文 that is not
in hand (before 批办 the deadline is only a proposal; after 办结 nothing is owed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflow import audit
from workflow.db import insert_ignore
from workflow.deadlines import chinese_date
from workflow.models import Incoming, IncomingReminder, RoleGrant, User
from workflow.notifications import notify
from workflow.places import Place, Target
from workflow.states import CirculationState, IncomingState, Role

KEY_PREFIX = "tick-in"
_BATCH = 500  # reminders per INSERT: six values each, well inside SQLite's 32,766 variables


@dataclass(frozen=True)
class InsideReminder:
    incoming_id: int
    user_id: int
    point: dt.date
    message: str


def key_of(incoming_id: int, user_id: int, point: dt.date) -> str:
    """One reminder per (收文, person, point of the schedule), ever."""
    return f"{KEY_PREFIX}:{incoming_id}:{user_id}:{point.isoformat()}"


def remind_inside(session: Session, *, now: dt.datetime, today: dt.date,
                  point_of: Callable[[dt.date], dt.date | None]) -> list[InsideReminder]:
    """Write the reminders inside the units that fell due today (`point_of(deadline)` is the
    latest point of a deadline's schedule reached today, or None).

    A handful of statements whatever the number of 收文: the 收文 with their departments and
    copies, the departments' 承办人, one INSERT of every reminder due (skipping the keys that
    exist, and handing back those it wrote), then a notification per message and an audit entry
    per 收文 reminded."""
    in_hand = session.scalars(
        select(Incoming).where(Incoming.state == IncomingState.IN_HAND,
                               Incoming.deadline.is_not(None))
        .options(selectinload(Incoming.assignments), selectinload(Incoming.circulations))
        .order_by(Incoming.id)).all()  # a fixed order: racing ticks take the same keys in turn
    due = {i.id: point for i in in_hand
           if (point := point_of(i.deadline)) is not None and point > i.received_on}
    due_incoming = [i for i in in_hand if i.id in due]
    if not due_incoming:
        return []
    handlers = _handlers(session, due_incoming)
    rows, wording = [], {}
    for incoming in due_incoming:
        point, deadline = due[incoming.id], f"{chinese_date(incoming.deadline)}前"
        messages = {user: f"催办：{incoming.number}《{incoming.title}》请于{deadline}办理"
                    for user in handlers[incoming.id]}
        for copy in incoming.circulations:
            if copy.state == CirculationState.PENDING:
                messages.setdefault(copy.reader_id, f"催阅：{incoming.number}《{incoming.title}》"
                                                    f"请于{deadline}阅知")
        for user in sorted(messages):
            key = key_of(incoming.id, user, point)
            wording[key] = (incoming, user, messages[user])
            rows.append({"incoming_id": incoming.id, "user_id": user, "at": now, "point": point,
                         "message": messages[user], "dedupe_key": key})
    table, written = IncomingReminder.__table__, set()
    for start in range(0, len(rows), _BATCH):
        written |= set(insert_ignore(
            session, table, rows[start:start + _BATCH], conflict_columns=["dedupe_key"],
            returning=table.c.dedupe_key).scalars())
    sent = [InsideReminder(incoming.id, user, due[incoming.id], message)
            for key, (incoming, user, message) in wording.items() if key in written]
    by_incoming: dict[int, list[InsideReminder]] = {}
    for reminder in sent:
        by_incoming.setdefault(reminder.incoming_id, []).append(reminder)
    for incoming in due_incoming:
        reminders = by_incoming.get(incoming.id)
        if not reminders:
            continue
        for message in dict.fromkeys(r.message for r in reminders):
            notify(session, [r.user_id for r in reminders if r.message == message], actor=None,
                   notice_id=incoming.notice_id, kind="reminder", message=message, now=now,
                   target=Target(Place.INCOMING, incoming.id))
        audit.append(session, actor=None, action="incoming.REMIND", object_type="incoming",
                     object_id=incoming.id, notice_id=incoming.notice_id,
                     on_behalf_of=incoming.unit.name,
                     details={"users": [r.user_id for r in reminders],
                              "scheduled": due[incoming.id].isoformat()}, at=now)
    return sent


def _handlers(session: Session, incomings: list[Incoming]) -> dict[int, list[int]]:
    """For each 收文, who owes the 办理: the 承办人 named by name (while active), else each of
    its departments' active 承办人 — the departments' read in one statement."""
    people = {a.person_id for i in incomings for a in i.assignments if a.person_id is not None}
    active = set(session.scalars(select(User.id).where(User.id.in_(people),
                                                       User.active.is_(True)))) if people else set()
    units = {a.unit_id for i in incomings for a in i.assignments if a.person_id not in active}
    holders: dict[int, set[int]] = {}
    if units:
        for user_id, unit_id in session.execute(
                select(RoleGrant.user_id, RoleGrant.unit_id)
                .join(User, User.id == RoleGrant.user_id)
                .where(RoleGrant.role == Role.HANDLER, RoleGrant.unit_id.in_(units),
                       User.active.is_(True))):
            holders.setdefault(unit_id, set()).add(user_id)
    owed = {}
    for incoming in incomings:
        users: set[int] = set()
        for a in incoming.assignments:
            users |= {a.person_id} if a.person_id in active else holders.get(a.unit_id, set())
        owed[incoming.id] = sorted(users)
    return owed
