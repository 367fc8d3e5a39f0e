"""收文办理: register a document the unit received, propose how it is handled (拟办), the leader's
批示 (批办), finish it (办结) and archive it (归档).

A notice that came through Gongwen is registered by signing for it (`register_receipt`, called
by `receiving.acknowledge` in the same transaction); a document from outside is registered by the
unit's 收文员 (`register_external`). Both take the next 收文编号 of (unit, year) from a locked
counter row: gapless, like the 发文字号. Circulation to readers (传阅) is commands/circulation.py.
Must not: commit, or let anything of the unit's handling reach another unit (the issuer sees the
receipt, 已读 and the reports, never a 批示 or a 办理结果).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from workflow import audit
from workflow.attachments import StoredFile
from workflow.commands._advance import _advance
from workflow.commands.archive import archive_code, next_archive_item
from workflow.commands.drafting import enum_value
from workflow.commands.savepoint import command
from workflow.conflicts import stale
from workflow.db import MAX_ID, as_utc, insert_ignore
from workflow.deadlines import local_date
from workflow.errors import InvalidInput
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import Assignment, Incoming, IncomingCounter, Receipt, Unit, User
from workflow.notifications import notify, tell_role, users_holding
from workflow.permissions import Right, demand, receiving_unit_ids, require
from workflow.places import Place, Target
from workflow.states import (
    IncomingAction,
    IncomingKind,
    IncomingState,
    Retention,
    Role,
    Secrecy,
    Urgency,
)

# What the register's fields may hold (the columns' sizes), and a paper document's page count.
_LIMITS = {"source_organ": 100, "source_number": 50, "title": 300}
MAX_PAGES = 100_000


_COUNTER = IncomingCounter.__table__
_TAKE_SERIAL = (update(_COUNTER)
                .where(_COUNTER.c.unit_id == bindparam("the_unit"),
                       _COUNTER.c.year == bindparam("the_year"))
                .values(next_serial=_COUNTER.c.next_serial + 1)
                .returning(_COUNTER.c.next_serial - 1))


def next_incoming_serial(session: Session, unit_id: int, year: int) -> int:
    """Take the next 收文编号 of (unit, year) from its counter row, locked until commit.

    Taken before the action's audit entry: every command locks the audit chain's head last, so
    that two commands never wait for each other's locks (a 签收 and a 登记 at once would)."""
    # One statement in the usual case: the UPDATE takes the row's lock (PostgreSQL) or runs under
    # the write lock (SQLite) and hands back the number it moved past. The first 收文 of a unit's
    # year finds no row: it is made (insert-or-skip, as two may race to make it) and taken again.
    serial = session.scalar(_TAKE_SERIAL, {"the_unit": unit_id, "the_year": year})
    if serial is None:
        insert_ignore(session, IncomingCounter.__table__,
                      [{"unit_id": unit_id, "year": year, "next_serial": 1}],
                      conflict_columns=["unit_id", "year"])
        serial = session.scalar(_TAKE_SERIAL, {"the_unit": unit_id, "the_year": year})
    return serial


def _register(session: Session, actor: User | None, incoming: Incoming, *,
              now: dt.datetime, serial: int | None = None) -> Incoming:
    incoming.year = incoming.received_on.year
    incoming.serial = serial or next_incoming_serial(session, incoming.unit_id, incoming.year)
    incoming.registered_by_id = actor.id if actor is not None else None
    incoming.registered_at = now
    session.add(incoming)
    session.flush()
    audit.append(session, actor=actor, action="incoming.REGISTER", object_type="incoming",
                 object_id=incoming.id, notice_id=None, state_after="REGISTERED",
                 on_behalf_of=incoming.unit.name,
                 details={"number": incoming.number, "source_number": incoming.source_number},
                 at=now)
    tell_proposers(session, actor, incoming.id, unit_id=incoming.unit_id, notice_id=None,
                   number=incoming.number, title=incoming.title, now=now)
    return incoming


def tell_proposers(session: Session, actor: User | None, incoming_id: int, *, unit_id: int,
                   notice_id: int | None, number: str, title: str, now: dt.datetime) -> None:
    """The unit's 拟办人 are told of a 收文 to propose."""
    tell_role(session, Role.PROPOSER, [unit_id], actor=actor, notice_id=notice_id, kind="task",
              now=now, target=Target(Place.INCOMING, incoming_id), message=f"新收文待拟办：{number} {title}")


_INSERT_INCOMING = insert(Incoming.__table__).returning(Incoming.__table__.c.id)


def register_receipt(session: Session, actor: User | None, receipt: Receipt, *,
                     now: dt.datetime, serial: int) -> tuple[int, str]:
    """Register a notice being signed for in its unit's 收文登记簿 under `serial` (taken with
    `next_incoming_serial`); returns its id and 收文编号. Part of 签收, not a command of its own:
    the caller has checked the receiver and locked the receipt, and the 签收's audit entry records
    the registration (签收即登记: one act, one entry).

    Written as one INSERT, not through the unit of work: it runs in every 签收, under the write
    lock (bench/HISTORY.md, B4)."""
    notice, received_on = receipt.notice, local_date(now)
    values = {"unit_id": receipt.unit_id, "year": received_on.year, "serial": serial,
              "receipt_id": receipt.id, "notice_id": notice.id,
              "source_organ": notice.issuer.name, "source_number": notice.doc_number,
              "title": notice.title, "urgency": notice.urgency, "secrecy": Secrecy.NONE,
              "received_on": received_on, "registered_at": now,
              "registered_by_id": actor.id if actor is not None else None,
              "state": IncomingState.REGISTERED, "version": 1}
    return session.scalar(_INSERT_INCOMING, values), f"收〔{received_on.year}〕{serial}号"


def _text(value, label: str, *, required: bool = False, limit: int | None = None) -> str | None:
    # A field with a limit is one line (来文机关, 标题 …); the opinions may run to several.
    text = clean_text(value, label=label, multiline=limit is None) or None
    if required and text is None:
        raise InvalidInput(f"{label}不能为空")
    if text is not None and limit is not None and len(text) > limit:
        raise InvalidInput(f"{label}不能超过{limit}个字（现有{len(text)}个字）")
    return text


def _count(value, label: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGES:
        raise InvalidInput(f"{label}应为1至{MAX_PAGES}之间的整数")
    return value


@command
def register_external(session: Session, actor: User, *, unit_id: int, source_organ: str,
                      title: str, received_on: dt.date, source_number: str | None = None,
                      urgency: Urgency | str = Urgency.NORMAL,
                      secrecy: Secrecy | str = Secrecy.NONE, pages: int | None = None,
                      copies: int | None = None, body: str | None = None,
                      source_file: StoredFile | None = None,
                      now: dt.datetime | None = None) -> Incoming:
    """Register a document that did not come through Gongwen (paper, mail, another system)."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.REGISTER_INCOMING, unit_id=unit_id)
    unit = get_or_404(session, Unit, unit_id, label="单位")
    if not isinstance(received_on, dt.date) or isinstance(received_on, dt.datetime):
        raise InvalidInput("请填写收文日期")
    if received_on > local_date(now):
        raise InvalidInput("收文日期不能晚于今天")
    incoming = Incoming(
        unit_id=unit.id,
        source_organ=_text(source_organ, "来文机关", required=True, limit=_LIMITS["source_organ"]),
        source_number=_text(source_number, "来文字号", limit=_LIMITS["source_number"]),
        title=_text(title, "标题", required=True, limit=_LIMITS["title"]),
        urgency=enum_value(Urgency, urgency, "紧急程度") or Urgency.NORMAL,
        secrecy=enum_value(Secrecy, secrecy, "密级") or Secrecy.NONE,
        received_on=received_on, pages=_count(pages, "页数"), copies=_count(copies, "份数"),
        body=clean_text(body, label="正文", multiline=True) or None)
    if source_file is not None:
        incoming.source_file_key = source_file.storage_key
        incoming.source_filename = _text(source_file.filename, "文件名", limit=200)
    incoming.unit = unit
    return _register(session, actor, incoming, now=now)


def _assign(session: Session, incoming: Incoming, lead_unit_id: int | None,
            assist_unit_ids: Iterable[int] | None, lead_person_id: int | None = None) -> None:
    """Name the 主办 department and the 协办 ones (the unit itself or its internal departments),
    and, if given, the 主办's 承办人 by name: an active 承办人 of that department."""
    allowed = receiving_unit_ids(incoming)
    assists = list(dict.fromkeys(assist_unit_ids or ()))
    for unit_id in [lead_unit_id, *assists]:
        if unit_id is not None and (isinstance(unit_id, bool) or unit_id not in allowed):
            raise InvalidInput(f"承办部门只能是{incoming.unit.name}或其内设部门（编号 {unit_id!r}）")
    if lead_unit_id is not None and lead_unit_id in assists:
        raise InvalidInput("主办部门不能同时是协办部门")
    if lead_person_id is not None:
        _named_handler(session, lead_unit_id, lead_person_id)
    incoming.assignments.clear()
    session.flush()  # the old rows go before the new ones meet the unique constraint
    if lead_unit_id is not None:
        incoming.assignments.append(Assignment(unit_id=lead_unit_id, lead=True,
                                               person_id=lead_person_id))
    for unit_id in assists:
        incoming.assignments.append(Assignment(unit_id=unit_id, lead=False))


def _named_handler(session: Session, lead_unit_id: int | None, person_id) -> User:
    if lead_unit_id is None:
        raise InvalidInput("指定承办人前请先选择主办部门")
    person = (session.get(User, person_id)
              if isinstance(person_id, int) and not isinstance(person_id, bool)
              and 1 <= person_id <= MAX_ID else None)
    # Who is named is judged like whom a 收文 may be sent to: the department's active 承办人.
    if person is None or person.id not in users_holding(session, Role.HANDLER, [lead_unit_id]):
        department = session.get(Unit, lead_unit_id)
        raise InvalidInput(f"承办人须是主办部门（{department.name}）在职的承办人"
                           f"（编号 {person_id!r}）")
    return person


def _load(session: Session, incoming_id: int) -> Incoming:
    return get_or_404(session, Incoming, incoming_id, lock=True, label="收文")


def _fresh(session: Session, incoming: Incoming, expected_version: int | None) -> None:
    """The page's version, judged before anything changes: naming the kind and the departments
    flushes the row (a new version) before `_advance` would compare it."""
    if expected_version is not None and incoming.version != expected_version:
        raise stale(session, "incoming", incoming.id)


@command
def propose(session: Session, actor: User, *, incoming_id: int, kind: IncomingKind | str,
            proposal: str | None = None, lead_unit_id: int | None = None,
            assist_unit_ids: Iterable[int] | None = None, lead_person_id: int | None = None,
            deadline: dt.date | None = None, expected_version: int | None = None,
            now: dt.datetime | None = None) -> Incoming:
    """拟办: 办件 or 阅件, who handles it (departments, and the 主办's 承办人 if named), by when, and
    the office's 拟办意见. A 阅件 of a unit whose 阅件 skip 批办 goes straight to 办理 (its
    readers)."""
    now, actor = as_utc(now), get_actor(session, actor)
    incoming = _load(session, incoming_id)
    require(actor, incoming, IncomingAction.PROPOSE)  # who first, before any field is judged
    _fresh(session, incoming, expected_version)
    kind = enum_value(IncomingKind, kind, "办理类型")
    if kind is None:
        raise InvalidInput("请选择办件或阅件")
    if deadline is not None and deadline < local_date(now):
        raise InvalidInput("办理时限不能早于今天")
    # The route's branch depends on the kind, so the kind is set before the machine picks it.
    incoming.kind = kind
    _assign(session, incoming, lead_unit_id, assist_unit_ids, lead_person_id)

    def record(i: Incoming) -> None:
        i.proposal = _text(proposal, "拟办意见")
        i.deadline = deadline
        i.proposed_by_id, i.proposed_at = actor.id, now

    _advance(session, actor, incoming, IncomingAction.PROPOSE, now=now, apply=record,
             on_behalf_of=incoming.unit.name)
    if incoming.state == IncomingState.PROPOSED:
        tell_role(session, Role.INSTRUCTOR, [incoming.unit_id], actor=actor,
                  notice_id=incoming.notice_id, kind="task", now=now,
                  target=Target(Place.INCOMING, incoming.id),
                  message=f"收文待批办：{incoming.number} {incoming.title}")
    return incoming


@command
def instruct(session: Session, actor: User, *, incoming_id: int, instruction: str,
             lead_unit_id: int | None = None, assist_unit_ids: Iterable[int] | None = None,
             lead_person_id: int | None = None, change_handlers: bool = False,
             deadline: dt.date | None = None, expected_version: int | None = None,
             now: dt.datetime | None = None) -> Incoming:
    """批办: the leader's 批示, confirming the proposal or (change_handlers) naming other
    departments or another 承办人; the handlers are told."""
    now, actor = as_utc(now), get_actor(session, actor)
    incoming = _load(session, incoming_id)
    require(actor, incoming, IncomingAction.INSTRUCT)
    _fresh(session, incoming, expected_version)
    text = _text(instruction, "批示", required=True)
    if change_handlers:
        _assign(session, incoming, lead_unit_id, assist_unit_ids, lead_person_id)
    if deadline is not None and deadline < local_date(now):
        raise InvalidInput("办理时限不能早于今天")

    def record(i: Incoming) -> None:
        i.instruction = text
        if deadline is not None:
            i.deadline = deadline
        i.instructed_by_id, i.instructed_at = actor.id, now

    _advance(session, actor, incoming, IncomingAction.INSTRUCT, now=now, apply=record,
             on_behalf_of=incoming.unit.name)
    _tell_handlers(session, actor, incoming, now=now)
    return incoming


def _tell_handlers(session: Session, actor: User, incoming: Incoming, *, now: dt.datetime):
    """The 承办人 named by name, or else every 承办人 of each department, are told."""
    message = f"收文待承办：{incoming.number} {incoming.title}"
    named = [a.person_id for a in incoming.assignments if a.person_id is not None]
    units = [a.unit_id for a in incoming.assignments if a.person_id is None]
    if named:
        notify(session, named, actor=actor, notice_id=incoming.notice_id, kind="task", now=now,
               target=Target(Place.INCOMING, incoming.id), message=message)
    if units:
        tell_role(session, Role.HANDLER, units, actor=actor, notice_id=incoming.notice_id,
                  kind="task", now=now, target=Target(Place.INCOMING, incoming.id), message=message)


@command
def return_to_proposer(session: Session, actor: User, *, incoming_id: int, reason: str,
                       expected_version: int | None = None,
                       now: dt.datetime | None = None) -> Incoming:
    """The leader sends the proposal back to the office, with the reason."""
    now, actor = as_utc(now), get_actor(session, actor)
    incoming = _load(session, incoming_id)

    def record(i: Incoming) -> None:
        i.returned_reason = clean_text(reason, label="理由")

    _advance(session, actor, incoming, IncomingAction.RETURN, now=now, note=reason, apply=record,
             expected_version=expected_version, on_behalf_of=incoming.unit.name)
    if incoming.proposed_by_id is not None:
        notify(session, [incoming.proposed_by_id], actor=actor, notice_id=incoming.notice_id,
               kind="returned", now=now, target=Target(Place.INCOMING, incoming.id),
               message=f"拟办被退回：{incoming.number} {incoming.title}（{clean_text(reason)}）")
    return incoming


@command
def finish(session: Session, actor: User, *, incoming_id: int, result: str | None = None,
           reply_on: dt.date | None = None, reply_file: StoredFile | None = None,
           expected_version: int | None = None, now: dt.datetime | None = None) -> Incoming:
    """办结: the 办理结果 recorded (and for an external document its 答复: a date and a file);
    refused while a required reader has not read it or a report the source asks for is owed."""
    now, actor = as_utc(now), get_actor(session, actor)
    incoming = _load(session, incoming_id)
    require(actor, incoming, IncomingAction.FINISH)
    if (reply_on is not None or reply_file is not None) and not incoming.external:
        raise InvalidInput("通过本系统收到的公文，答复即上报的报告，无需另附答复文件")
    if reply_on is not None and reply_on > local_date(now):
        raise InvalidInput("答复日期不能晚于今天")

    def record(i: Incoming) -> None:
        i.result = _text(result, "办理结果")
        if reply_on is not None:
            i.reply_on = reply_on
        if reply_file is not None:
            i.reply_file_key = reply_file.storage_key
            i.reply_filename = _text(reply_file.filename, "文件名", limit=200)
        i.finished_by_id, i.finished_at = actor.id, now

    _advance(session, actor, incoming, IncomingAction.FINISH, now=now, apply=record,
             expected_version=expected_version, on_behalf_of=incoming.unit.name)
    return incoming


@command
def archive_incoming(session: Session, actor: User, *, incoming_id: int,
                     retention: Retention | str, expected_version: int | None = None,
                     now: dt.datetime | None = None) -> Incoming:
    """归档 under the unit's own archive code (年度-保管期限-机构-件号, as a 发文)."""
    now, actor = as_utc(now), get_actor(session, actor)
    incoming = _load(session, incoming_id)
    require(actor, incoming, IncomingAction.ARCHIVE)
    retention = enum_value(Retention, retention, "保管期限")
    if retention is None:
        raise InvalidInput("归档必须选择保管期限（永久、定期30年或定期10年）")

    def file(i: Incoming) -> None:
        org = i.unit.org_code or f"U{i.unit_id}"
        i.retention, i.archived_at = retention, now
        i.archive_code = archive_code(i.year, retention, org,
                                      next_archive_item(session, i.unit_id, i.year, retention))

    _advance(session, actor, incoming, IncomingAction.ARCHIVE, now=now, apply=file,
             expected_version=expected_version, on_behalf_of=incoming.unit.name)
    return incoming
