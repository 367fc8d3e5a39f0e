"""The 收文 desk's read side: a unit's 收文登记簿, one 收文's 处理笺, and each person's 收文 tasks.

Owns: the register of the units in which the actor may read it (VIEW_REGISTER), filtered by
state, year, 来文机关 and overdue (the deadline passed and the 收文 neither 办结 nor 归档), paged;
the page of one 收文 (VIEW_INCOMING: another unit's 收文 is NotFound, like a receipt) with the
actions the actor may take now; the tasks of 拟办人, 批办领导, 承办人 and readers; the fields a
来文 file suggests for its registration. Overdue is computed from the deadline and today, never
stored. Must not: change anything, or show a unit's handling (批示, 办理结果) outside the unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from workflow.commands.circulation import people_of
from workflow.db import MAX_ID, utcnow
from workflow.deadlines import local_date
from workflow.errors import NotFound
from workflow.models import Assignment, Circulation, Incoming, Notice, RoleGrant, Unit, User
from workflow.notice_files import document_text
from workflow.notice_text.incoming import read_incoming
from workflow.permissions import (
    Right,
    available_actions,
    may,
    receiving_unit_ids,
)
from workflow.queries._paging import PageLinks, page_bounds
from workflow.states import (
    INCOMING_OPEN,
    CirculationState,
    IncomingKind,
    IncomingState,
    NoticeState,
    Role,
    Secrecy,
    Urgency,
)

PER_PAGE = 50
_CLOSED = (IncomingState.DONE, IncomingState.ARCHIVED)


def register_units(session: Session, actor: User) -> list[Unit]:
    """The units whose 收文登记簿 `actor` may read, by name."""
    return _units_where(session, actor, Right.VIEW_REGISTER)


def registering_units(session: Session, actor: User) -> list[Unit]:
    """The units for which `actor` may register a 来文 from outside, by id."""
    return _units_where(session, actor, Right.REGISTER_INCOMING)


def _units_where(session: Session, actor: User, right: Right) -> list[Unit]:
    # The units the actor holds any role in are the candidates; the rights table decides.
    ids = {g.unit_id for g in actor.grants if may(actor, right, unit_id=g.unit_id)}
    if not ids:
        return []
    return list(session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.id)))


@dataclass(frozen=True)
class RegisterFilter:
    state: IncomingState | None = None
    year: int | None = None
    source: str | None = None  # 来文机关 contains
    overdue: bool = False


@dataclass(frozen=True)
class Register(PageLinks):
    unit: Unit | None
    units: list[Unit]
    rows: list[Incoming]
    total: int
    page: int
    pages: int
    filters: RegisterFilter
    today: dt.date
    years: list[int] = field(default_factory=list)

    def overdue(self, incoming: Incoming) -> bool:
        return is_overdue(incoming, self.today)


def is_overdue(incoming: Incoming, today: dt.date) -> bool:
    return (incoming.deadline is not None and incoming.deadline < today
            and incoming.state not in _CLOSED)


def register(session: Session, actor: User, *, unit_id: int | None = None,
             filters: RegisterFilter = RegisterFilter(), page: int = 1,
             per_page: int = PER_PAGE, now: dt.datetime | None = None,
             everything: bool = False) -> Register:
    """One unit's 收文登记簿, newest first (`everything`: all rows, for the export)."""
    today = local_date(now or utcnow())
    units = register_units(session, actor)
    unit = next((u for u in units if u.id == unit_id), None) if unit_id is not None else (
        units[0] if units else None)
    if unit is None:
        if unit_id is not None:
            raise NotFound("找不到该单位的收文登记簿，或您无权查阅")
        return Register(None, units, [], 0, 1, 1, filters, today)
    where = [Incoming.unit_id == unit.id]
    if filters.state is not None:
        where.append(Incoming.state == filters.state)
    if filters.year is not None:
        where.append(Incoming.year == filters.year)
    if filters.source:
        where.append(Incoming.source_organ.contains(filters.source, autoescape=True))
    if filters.overdue:
        where += [Incoming.deadline < today, Incoming.state.not_in(_CLOSED)]
    total = session.scalar(select(func.count(Incoming.id)).where(*where))
    statement = select(Incoming).where(*where).order_by(Incoming.year.desc(),
                                                        Incoming.serial.desc())
    if everything:
        page, pages = 1, 1
    else:
        page, pages, offset = page_bounds(total, page, per_page)
        statement = statement.offset(offset).limit(per_page)
    rows = list(session.scalars(statement))
    years = sorted(session.scalars(select(Incoming.year).distinct()
                                   .where(Incoming.unit_id == unit.id)), reverse=True)
    return Register(unit, units, rows, total, page, pages, filters, today, years)


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class IncomingPage:
    """One 收文 as a person of its unit (or a reader) sees it, with what they may do now."""

    incoming: Incoming
    actions: frozenset[str]  # IncomingAction names
    may_circulate: bool
    may_remind: bool  # 催阅: the actor may chase readers, and someone has not read it yet
    may_forward: bool  # 转发: the actor drafts for the unit, and the 收文 may be forwarded now
    forwarded: Notice | None  # the unit's 转发 of it, if it has one (draft or issued)
    my_copy: Circulation | None  # the actor's own pending copy (已阅)
    sent_copies: frozenset[int]  # copies the actor sent and may still recall or waive
    departments: list[Choice]  # the unit and its internal departments (承办)
    handlers: list[Choice]  # the 承办人 of those, any of whom 拟办 or 批办 may name by name
    people: list[Choice]  # who may be asked to read it (传阅)
    today: dt.date
    reads_reports: bool  # the actor is the unit's 收文员: the report form is theirs

    @property
    def overdue(self) -> bool:
        return is_overdue(self.incoming, self.today)

    @property
    def lead(self) -> Assignment | None:
        return next((a for a in self.incoming.assignments if a.lead), None)

    @property
    def assists(self) -> list[Assignment]:
        return [a for a in self.incoming.assignments if not a.lead]


def incoming_for(session: Session, actor: User, incoming_id: int) -> Incoming:
    """A 收文 `actor` may see (VIEW_INCOMING), or NotFound: another unit's 收文 is not shown."""
    incoming = session.get(Incoming, incoming_id) if 1 <= incoming_id <= MAX_ID else None
    if incoming is None or not may(actor, Right.VIEW_INCOMING, incoming=incoming):
        raise NotFound("找不到该收文，或您无权查看")
    return incoming


def offered_actions(actor: User, incoming: Incoming) -> frozenset[str]:
    """The IncomingAction names whose form the actor is shown now (the guards on what a form
    itself supplies — 拟办's kind and 主办, 办结's 办理结果 — are judged when it is sent)."""
    return frozenset(a.name for a in available_actions(actor, incoming))


_NAMING = frozenset({"PROPOSE", "INSTRUCT"})  # the forms that name who handles a 收文


def incoming_page(session: Session, actor: User, incoming_id: int, *,
                  now: dt.datetime | None = None) -> IncomingPage:
    incoming = incoming_for(session, actor, incoming_id)
    actions = offered_actions(actor, incoming)
    may_circulate = bool(may(actor, Right.CIRCULATE, incoming=incoming)) and incoming.state in INCOMING_OPEN
    copies = list(incoming.circulations)
    may_remind = may_circulate and bool(may(actor, Right.REMIND_READERS, incoming=incoming)) \
        and any(c.state == CirculationState.PENDING for c in copies)
    mine = next((c for c in copies if c.reader_id == actor.id
                 and c.state == CirculationState.PENDING), None)
    sent = frozenset(c.id for c in copies if c.state == CirculationState.PENDING
                     and available_actions(actor, c))
    unit_ids = receiving_unit_ids(incoming)
    departments = [Choice(u.id, u.name) for u in session.scalars(
        select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.id))]
    handlers = [Choice(user.id, f"{user.display_name}（{unit_name}）")
                for user, unit_name in session.execute(
                    select(User, Unit.name).join(RoleGrant, RoleGrant.user_id == User.id)
                    .join(Unit, Unit.id == RoleGrant.unit_id)
                    .where(RoleGrant.role == Role.HANDLER, RoleGrant.unit_id.in_(unit_ids),
                           User.active.is_(True))
                    .order_by(Unit.id, User.id))] if actions & _NAMING else []
    people_ids = people_of(session, incoming) if may_circulate else set()
    people = [Choice(u.id, u.display_name) for u in session.scalars(
        select(User).where(User.id.in_(people_ids)).order_by(User.id))] if people_ids else []
    reads_reports = actor.holds(Role.RECEIVER, incoming.unit_id)
    forwarded = session.scalar(select(Notice).where(
        Notice.forwards_id == incoming.notice_id, Notice.issuer_unit_id == incoming.unit_id,
        Notice.state != NoticeState.CANCELLED)) if incoming.notice_id is not None else None
    may_forward = (forwarded is None and incoming.notice_id is not None
                   and incoming.state in (IncomingState.IN_HAND, IncomingState.DONE)
                   and bool(may(actor, Right.FORWARD, unit_id=incoming.unit_id)))
    return IncomingPage(incoming, actions, may_circulate, may_remind, may_forward, forwarded,
                        mine, sent, departments, handlers, people,
                        local_date(now or utcnow()), reads_reports)


# ------------------------------------------------------------------------------------------------
# Tasks, for 我的待办.

TASK_KINDS = {"propose": "待拟办", "instruct": "待批办", "handle": "待承办", "read": "待阅"}


@dataclass(frozen=True)
class IncomingTask:
    kind: str
    incoming_id: int
    notice_id: int | None
    number: str
    title: str
    urgency: Urgency
    since: dt.datetime
    deadline: dt.date | None
    unit: str


def tasks(session: Session, actor: User) -> list[IncomingTask]:
    """The 收文 waiting for `actor`: to propose, to instruct, to handle, to read."""
    found: list[IncomingTask] = []

    def held(role: Role) -> list[int]:
        return [g.unit_id for g in actor.grants if g.role == role]

    def add(kind: str, statement) -> None:
        for incoming, since in session.execute(statement):
            found.append(IncomingTask(kind, incoming.id, incoming.notice_id, incoming.number,
                                      incoming.title, incoming.urgency, since, incoming.deadline,
                                      incoming.unit.name))

    if units := held(Role.PROPOSER):
        add("propose", select(Incoming, Incoming.registered_at).where(
            Incoming.unit_id.in_(units), Incoming.state == IncomingState.REGISTERED))
    if units := held(Role.INSTRUCTOR):
        add("instruct", select(Incoming, Incoming.proposed_at).where(
            Incoming.unit_id.in_(units), Incoming.state == IncomingState.PROPOSED))
    if units := held(Role.HANDLER):
        add("handle", select(Incoming, Incoming.instructed_at).distinct().join(
            Assignment, Assignment.incoming_id == Incoming.id).where(
            Assignment.unit_id.in_(units), Incoming.state == IncomingState.IN_HAND,
            Incoming.kind == IncomingKind.TO_HANDLE,
            # a 收文 named to one 承办人 waits for them, not for the department's others
            or_(Assignment.person_id.is_(None), Assignment.person_id == actor.id,
                Assignment.person.has(User.active.is_(False)))))
    add("read", select(Incoming, Circulation.sent_at).join(
        Circulation, Circulation.incoming_id == Incoming.id).where(
        Circulation.reader_id == actor.id, Circulation.state == CirculationState.PENDING,
        Incoming.state != IncomingState.ARCHIVED))
    return found


# ------------------------------------------------------------------------------------------------
# Registering a 来文 from its file.


@dataclass(frozen=True)
class DocumentFields:
    """What a 来文 file says, for the fields the clerk left empty."""

    text: str
    source_organ: str | None
    source_number: str | None
    title: str | None
    urgency: Urgency | None
    secrecy: Secrecy | None


def document_fields(filename: str, data: bytes) -> DocumentFields:
    """The text of a 来文 file (PDF, .docx, .txt) and the register's fields read from it."""
    text = document_text(filename, data)
    found = read_incoming(text)
    secrecy = next((s for s in Secrecy if s.label == found.secrecy), None)
    return DocumentFields(text, found.issuer, found.doc_number, found.title, found.urgency,
                          secrecy)



def own_incomings(session: Session, actor: User, notice_id: int) -> list[Incoming]:
    """The 收文 a notice became in the units of `actor` (its number, state, page): a recipient
    sees only its own unit's, the issuer none of them."""
    rows = session.scalars(select(Incoming).where(Incoming.notice_id == notice_id)
                           .order_by(Incoming.unit_id))
    return [i for i in rows if may(actor, Right.VIEW_INCOMING, incoming=i)]


@dataclass(frozen=True)
class IncomingFile:
    """A file kept with a 收文: the 来文 itself, or the 答复 sent outside (served as a download)."""

    storage_key: str
    filename: str
    content_type: str | None = None  # not stored for these: served as a plain download


def incoming_file(session: Session, actor: User, incoming_id: int, which: str) -> IncomingFile:
    """The `which` ("source" or "reply") file of a 收文 `actor` may see, or NotFound."""
    incoming = incoming_for(session, actor, incoming_id)
    key, name = ((incoming.source_file_key, incoming.source_filename) if which == "source"
                 else (incoming.reply_file_key, incoming.reply_filename))
    if key is None:
        raise NotFound("该收文没有这个文件")
    return IncomingFile(key, name or "文件")
