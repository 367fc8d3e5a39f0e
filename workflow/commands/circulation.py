"""传阅: send a 收文 to people of the unit to read, each with their own copy's state; the reader
marks it read (with an optional opinion); whoever sent it may recall it or waive a reader; the
unit's office, leader or handler may remind (催阅) those who have not read it, once a day each.

条例 Art. 24: "随时掌握公文去向，不得漏传、误传、延误" — every copy is a row with its state, sender
and times, and a 收文 is not 办结 while a required reader has not read it (lifecycle READERS_DONE).
Must not: commit, or send to anyone outside the unit and its internal departments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.commands._advance import _advance
from workflow.commands.savepoint import command
from workflow.db import as_utc, insert_once
from workflow.deadlines import local_date
from workflow.errors import Conflict, InvalidInput, InvalidState
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import Circulation, Incoming, IncomingReminder, RoleGrant, User
from workflow.notifications import notify
from workflow.permissions import Right, demand, receiving_unit_ids
from workflow.places import Place, Target
from workflow.states import BUSINESS_ROLES, INCOMING_OPEN, CirculationAction, CirculationState

MAX_READERS = 500  # more than any unit's staff: a list beyond it is a mistake, not a unit


def people_of(session: Session, incoming: Incoming) -> set[int]:
    """Who may be asked to read a 收文: the active people of its unit and internal departments
    (belonging there, or holding a business role there)."""
    units = receiving_unit_ids(incoming)
    members = session.scalars(select(User.id).where(User.unit_id.in_(units),
                                                    User.active.is_(True)))
    holders = session.scalars(
        select(RoleGrant.user_id).join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.unit_id.in_(units), RoleGrant.role.in_(BUSINESS_ROLES),
               User.active.is_(True)))
    return set(members) | set(holders)


@command
def circulate(session: Session, actor: User, *, incoming_id: int, reader_ids: Iterable[int],
              required: bool = True, now: dt.datetime | None = None) -> list[Circulation]:
    """Send the 收文 to each reader not already holding a copy; they are told. Returns the new
    copies. A reader whose copy was recalled or waived gets it again."""
    now, actor = as_utc(now), get_actor(session, actor)
    incoming = get_or_404(session, Incoming, incoming_id, lock=True, label="收文")
    demand(actor, Right.CIRCULATE, incoming=incoming)
    if incoming.state not in INCOMING_OPEN:
        raise InvalidInput(f"该收文{incoming.state.label}，不能再传阅")
    readers = list(dict.fromkeys(reader_ids))
    if not readers:
        raise InvalidInput("请选择传阅人员")
    if len(readers) > MAX_READERS:
        raise InvalidInput(f"一次最多传阅{MAX_READERS}人")
    allowed = people_of(session, incoming)
    strangers = [r for r in readers if isinstance(r, bool) or r not in allowed]
    if strangers:
        raise InvalidInput(f"传阅人员只能是{incoming.unit.name}及其内设部门的人员"
                           f"（编号 {strangers[0]!r} 不是）")
    existing = {c.reader_id: c for c in session.scalars(
        select(Circulation).where(Circulation.incoming_id == incoming.id))}
    sent = []
    for reader_id in readers:
        copy = existing.get(reader_id)
        if copy is not None and copy.state.name in ("PENDING", "READ"):
            continue
        if copy is not None:  # recalled or waived before: sent again, as a new copy of the row
            session.delete(copy)
            session.flush()
        copy = Circulation(incoming_id=incoming.id, reader_id=reader_id, required=bool(required),
                           sent_by_id=actor.id, sent_at=now)
        session.add(copy)
        sent.append(copy)
    if not sent:
        raise InvalidInput("所选人员都已在传阅中")
    session.flush()
    audit.append(session, actor=actor, action="circulation.SEND", object_type="incoming",
                 object_id=incoming.id, notice_id=incoming.notice_id,
                 on_behalf_of=incoming.unit.name,
                 details={"readers": [c.reader_id for c in sent], "required": bool(required)},
                 at=now)
    notify(session, [c.reader_id for c in sent], actor=actor, notice_id=incoming.notice_id,
           kind="task", now=now, target=Target(Place.INCOMING, incoming.id),
           message=f"请阅：{incoming.number} {incoming.title}")
    session.expire(incoming, ["circulations"])
    return sent


def _copy(session: Session, circulation_id: int) -> Circulation:
    return get_or_404(session, Circulation, circulation_id, lock=True, label="传阅件")


@command
def mark_read_copy(session: Session, actor: User, *, circulation_id: int, opinion: str | None = None,
              now: dt.datetime | None = None) -> Circulation:
    """The reader has read their copy (已阅), with an optional opinion. Twice changes nothing."""
    now, actor = as_utc(now), get_actor(session, actor)
    copy = _copy(session, circulation_id)

    def record(c: Circulation) -> None:
        c.read_at, c.opinion = now, clean_text(opinion, label="阅批意见") or None

    _advance(session, actor, copy, CirculationAction.READ, now=now, apply=record,
             on_behalf_of=copy.incoming.unit.name)
    return copy


@command
def recall(session: Session, actor: User, *, circulation_id: int,
           now: dt.datetime | None = None) -> Circulation:
    """Whoever sent a copy takes it back before it is read (误传)."""
    now, actor = as_utc(now), get_actor(session, actor)
    copy = _copy(session, circulation_id)

    def record(c: Circulation) -> None:
        c.acted_at = now

    _advance(session, actor, copy, CirculationAction.RECALL, now=now, apply=record,
             on_behalf_of=copy.incoming.unit.name)
    return copy


@command
def waive(session: Session, actor: User, *, circulation_id: int, reason: str,
          now: dt.datetime | None = None) -> Circulation:
    """Whoever sent a copy lets the 收文 be finished without that reader, with the reason."""
    now, actor = as_utc(now), get_actor(session, actor)
    copy = _copy(session, circulation_id)

    def record(c: Circulation) -> None:
        c.acted_at, c.reason = now, clean_text(reason, label="理由") or None

    _advance(session, actor, copy, CirculationAction.WAIVE, now=now, note=reason, apply=record,
             on_behalf_of=copy.incoming.unit.name)
    return copy


@command
def remind_readers(session: Session, actor: User, *, incoming_id: int,
                   now: dt.datetime | None = None) -> list[int]:
    """催阅: every reader whose copy is still 待阅 is told again, once a day each (of two clicks
    at once, or a click and the tick's own reminder key, one writes). Returns who was reminded."""
    now, actor = as_utc(now), get_actor(session, actor)
    incoming = get_or_404(session, Incoming, incoming_id, lock=True, label="收文")
    demand(actor, Right.REMIND_READERS, incoming=incoming)
    if incoming.state not in INCOMING_OPEN:
        raise InvalidState(f"该收文{incoming.state.label}，无需催阅")
    pending = sorted(c.reader_id for c in incoming.circulations
                     if c.state == CirculationState.PENDING)
    if not pending:
        raise InvalidInput("没有待阅的传阅对象，无需催阅")
    today = local_date(now)
    message = f"催阅：{incoming.number}《{incoming.title}》请尽快阅知"
    written = [reader for reader in pending if insert_once(
        session, IncomingReminder.__table__,
        {"incoming_id": incoming.id, "user_id": reader, "at": now, "point": today,
         "message": message, "dedupe_key": f"read:{incoming.id}:{reader}:{today.isoformat()}"})]
    if not written:
        raise Conflict("今天已经催阅过，明天可再次催阅")
    audit.append(session, actor=actor, action="circulation.REMIND", object_type="incoming",
                 object_id=incoming.id, notice_id=incoming.notice_id,
                 on_behalf_of=incoming.unit.name, details={"readers": written}, at=now)
    notify(session, written, actor=actor, notice_id=incoming.notice_id, kind="reminder",
           now=now, target=Target(Place.INCOMING, incoming.id), message=message)
    return written
