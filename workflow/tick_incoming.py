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
from sqlalchemy.orm import Session

from workflow import audit
from workflow.commands.incoming import incoming_link
from workflow.db import insert_once
from workflow.deadlines import chinese_date
from workflow.models import Circulation, Incoming, IncomingReminder
from workflow.notifications import notify, users_holding
from workflow.states import CirculationState, IncomingState, Role

KEY_PREFIX = "tick-in"


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
    latest point of a deadline's schedule reached today, or None)."""
    sent: list[InsideReminder] = []
    in_hand = session.scalars(
        select(Incoming).where(Incoming.state == IncomingState.IN_HAND,
                               Incoming.deadline.is_not(None))
        .order_by(Incoming.id))  # a fixed order: racing ticks take the same keys in turn
    for incoming in in_hand:
        point = point_of(incoming.deadline)
        if point is None or point <= incoming.received_on:
            continue
        handlers = _handlers(session, incoming)
        readers = list(session.scalars(
            select(Circulation.reader_id).where(Circulation.incoming_id == incoming.id,
                                                Circulation.state == CirculationState.PENDING)))
        due = f"{chinese_date(incoming.deadline)}前"
        messages = {user: f"催办：{incoming.number}《{incoming.title}》请于{due}办理"
                    for user in handlers}
        for user in readers:
            messages.setdefault(user, f"催阅：{incoming.number}《{incoming.title}》请于{due}阅知")
        written = [user for user in sorted(messages) if insert_once(
            session, IncomingReminder.__table__,
            {"incoming_id": incoming.id, "user_id": user, "at": now, "point": point,
             "message": messages[user], "dedupe_key": key_of(incoming.id, user, point)})]
        for user in written:
            notify(session, [user], actor=None, notice_id=incoming.notice_id, kind="reminder",
                   message=messages[user], now=now, link=incoming_link(incoming.id))
            sent.append(InsideReminder(incoming.id, user, point, messages[user]))
        if written:
            audit.append(session, actor=None, action="incoming.REMIND", object_type="incoming",
                         object_id=incoming.id, notice_id=incoming.notice_id,
                         on_behalf_of=incoming.unit.name,
                         details={"users": written, "scheduled": point.isoformat()}, at=now)
    return sent


def _handlers(session: Session, incoming: Incoming) -> list[int]:
    """Who owes the 办理: the 承办人 named by name (while active), else each department's."""
    named = [a.person_id for a in incoming.assignments
             if a.person_id is not None and a.person.active]
    units = [a.unit_id for a in incoming.assignments
             if a.person_id is None or not a.person.active]
    return sorted(set(named) | set(users_holding(session, Role.HANDLER, units)))
