"""One issued notice's matrix on the 督办 desk: its units × (已读, 签收, each report request).

Owns: `matrix()` and its rows and cells — each recipient unit's receipt, who of it opened the
notice first and when (未阅 / 已阅未签收 / 已签收), its reports, what it still owes, how often it was reminded, what is overdue — narrowed to all, outstanding or overdue units,
with what the supervisor may do now (remind, set the interval, close); `notice_for_supervisor()`,
the notice of one of the actor's supervised units or NotFound. A fixed handful of grouped
statements whatever the number of units (a notice may go to 1,000). Also the labels every list
and cell of the desk shows (`SHOWN`) and the names of the actions allowed (`action_names`).
Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from workflow.commands.tracking import outstanding_units
from workflow.errors import NotFound
from workflow.models import (
    DeadlinePolicy,
    Notice,
    NoticeReading,
    Receipt,
    Reminder,
    Report,
    ReportRequest,
    Unit,
    User,
)
from workflow.permissions import available_actions
from workflow.queries.notices import Progress, progress
from workflow.queries.overdue import supervised_units
from workflow.queries.receiving import Deadline, deadline, receipt_deadline, today_of
from workflow.settings import DEADLINE_DEFAULTS, DEADLINE_POLICY_ID
from workflow.states import (
    REPORT_OUTSTANDING,
    NoticeAction,
    NoticeState,
    ReceiptState,
    RecipientKind,
    ReportState,
    Urgency,
)

FILTERS = {"all": "全部单位", "outstanding": "未办结单位", "overdue": "有逾期的单位"}
# (name, label) of every state and kind a list or a matrix cell shows, looked up once: the matrix
# of a notice to 1,000 units would otherwise ask the enum for them thousands of times.
SHOWN = {m: (m.name, m.label)
         for e in (NoticeState, ReceiptState, ReportState, RecipientKind) for m in e}


def action_names(actions) -> frozenset[str]:
    """The names of the actions the engine allows, for the templates to test."""
    return frozenset(a.name for a in actions)


def _may_remind(actions: frozenset[str]) -> bool:
    # commands.remind asks exactly what closing asks: the issuer's supervisor, an issued notice.
    return NoticeAction.CLOSE.name in actions


@dataclass(frozen=True)
class Column:
    """A report request, as a column of the matrix, with how far its units have got."""

    request_id: int
    what: str
    to_whom: str | None
    deadline: Deadline
    required: int  # how many units owe it
    reported: int  # submitted or accepted
    accepted: int


@dataclass(frozen=True)
class ReceiptCell:
    receipt_id: int
    state: str
    state_label: str
    acted_at: dt.datetime | None
    reason: str | None
    deadline: Deadline | None = None  # a 主送 unit's, while it has not signed (notice open)

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline.overdue


@dataclass(frozen=True)
class ReportCell:
    report_id: int
    state: str
    state_label: str
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    return_reason: str | None
    overdue_days: int  # > 0: past the due date and not accepted (while the notice is open)

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def to_check(self) -> bool:
        """Submitted, waiting for the supervisor to accept or return it."""
        return self.state == ReportState.SUBMITTED.name

    @property
    def readable(self) -> bool:
        """There is a submitted text or file to read."""
        return self.submitted_at is not None

    @property
    def returned(self) -> bool:
        return self.state == ReportState.DUE.name and self.return_reason is not None


# How far a recipient unit has got with the notice before its reports: opened, signed for.
# (name, label): the name is for the page's styles, the label what it reads.
UNREAD, READ = ("UNREAD", "未阅"), ("READ", "已阅")
READ_NOT_SIGNED, SIGNED = ("READ_NOT_SIGNED", "已阅未签收"), ("ACKNOWLEDGED", "已签收")


@dataclass(frozen=True)
class FirstReading:
    """Who of a recipient unit opened the notice first, and when (naive UTC)."""

    reader: str
    at: dt.datetime


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    unit_name: str
    kind: str  # MAIN / CC
    kind_label: str
    receipt: ReceiptCell
    reports: tuple[ReportCell | None, ...]  # one per column; None: this unit does not owe it
    outstanding: bool  # a 主送 unit that still owes something (may be reminded, would be waived)
    reminders: int
    last_reminded_at: dt.datetime | None
    first_reading: FirstReading | None = None  # None: nobody of the unit has opened it

    @property
    def reading(self) -> tuple[str, str]:
        """(name, label): 未阅 / 已阅未签收 / 已签收. A unit that signed without opening the page
        has signed; one that returned the notice or was waived reads 已阅 once opened."""
        if self.receipt.state == ReceiptState.ACKNOWLEDGED.name:
            return SIGNED
        if self.first_reading is None:
            return UNREAD
        return READ_NOT_SIGNED if self.receipt.state == ReceiptState.PENDING.name else READ

    @property
    def overdue(self) -> bool:
        return self.receipt.overdue or any(
            cell is not None and cell.overdue for cell in self.reports)


@dataclass(frozen=True)
class NoticeMatrix:
    notice_id: int
    doc_number: str | None
    title: str
    state: str
    state_label: str
    version: int
    urgency: Urgency
    issuer: str
    issued_at: dt.datetime | None
    closed_at: dt.datetime | None
    columns: list[Column]
    rows: list[UnitRow]  # the rows shown (after the filter)
    units: int  # every recipient unit
    progress: Progress
    actions: frozenset[str]  # NoticeAction names the actor may take now
    outstanding: list[tuple[int, str]]  # (unit id, name) of the 主送 units that still owe
    overdue_units: int
    shown: str = "all"
    receipt_deadline: Deadline | None = None  # for 主送 units, while the notice is open
    remind_every_days: int | None = None  # the notice's own interval after a deadline
    policy_every_days: int = 2  # the deadline policy's, when the notice has none

    @property
    def may_set_interval(self) -> bool:
        """The interval is the supervisor's while the notice is being handled."""
        return _may_remind(self.actions)

    @property
    def every_days(self) -> int:
        """The interval the tick follows for this notice."""
        return self.remind_every_days or self.policy_every_days

    @property
    def may_remind(self) -> bool:
        return _may_remind(self.actions) and bool(self.outstanding)

    @property
    def may_close(self) -> bool:
        return NoticeAction.CLOSE.name in self.actions

    @property
    def waived_units(self) -> list[str]:
        """Who closing now would waive: the 主送 units that still owe something."""
        return [name for _, name in self.outstanding]


def notice_for_supervisor(session: Session, actor: User, notice_id: int) -> Notice:
    """An issued notice of one of the actor's supervised units, or NotFound."""
    return _supervised(session, actor, notice_id)[0]


def _supervised(session: Session, actor: User, notice_id: int) -> tuple[Notice, int]:
    # The policy's reminder interval comes along in the same statement (the matrix shows it).
    policy_every = (select(DeadlinePolicy.remind_every_days)
                    .where(DeadlinePolicy.id == DEADLINE_POLICY_ID).scalar_subquery())
    found = session.execute(
        select(Notice, policy_every).where(Notice.id == notice_id,
                                           Notice.issuer_unit_id.in_(supervised_units(actor)),
                                           Notice.issued_at.is_not(None))
        # The requests' parties stay unloaded until asked for: the matrix does not show them.
        .options(selectinload(Notice.report_requests).lazyload(ReportRequest.parties))).first()
    if found is None:
        raise NotFound("找不到该已印发公文，或您无权督办")
    notice, every = found
    return notice, every or DEADLINE_DEFAULTS.remind_every_days


def _first_readings(session: Session, notice_id: int) -> dict[int, FirstReading]:
    """Each recipient unit's first reader of the notice, in one statement (a window over the
    (notice, unit) index), whatever the number of units and readers."""
    ranked = (
        select(NoticeReading.unit_id, User.display_name, NoticeReading.first_read_at,
               func.row_number().over(
                   partition_by=NoticeReading.unit_id,
                   order_by=(NoticeReading.first_read_at, NoticeReading.id)).label("rank"))
        .join(User, User.id == NoticeReading.user_id)
        .where(NoticeReading.notice_id == notice_id).subquery())
    return {unit_id: FirstReading(name, at) for unit_id, name, at in session.execute(
        select(ranked.c.unit_id, ranked.c.display_name, ranked.c.first_read_at)
        .where(ranked.c.rank == 1))}


def matrix(session: Session, actor: User, notice_id: int, *, now: dt.datetime | None = None,
           show: str = "all") -> NoticeMatrix:
    """The matrix of one issued notice of the actor's units, in a fixed number of statements.

    `show` narrows the rows: "all", "outstanding" (主送 units that still owe) or "overdue".
    """
    notice, policy_every = _supervised(session, actor, notice_id)
    today = today_of(now)
    is_open = notice.state == NoticeState.ISSUED
    requests = list(notice.report_requests)
    position = {r.id: i for i, r in enumerate(requests)}
    deadlines = {r.id: deadline(r.due_date, today) for r in requests}

    receipts = session.execute(
        select(Receipt.id, Receipt.unit_id, Unit.name, Receipt.kind, Receipt.state,
               Receipt.acted_at, Receipt.reason)
        .join(Unit, Unit.id == Receipt.unit_id)
        .where(Receipt.notice_id == notice.id)
        .order_by(case((Receipt.kind == RecipientKind.MAIN, 0), else_=1), Unit.id)).all()
    reports = session.execute(
        select(Report.id, Report.request_id, Report.unit_id, Report.state, Report.submitted_at,
               Report.reviewed_at, Report.return_reason)
        .where(Report.notice_id == notice.id)).all()
    reminded = {
        unit_id: (count, last) for unit_id, count, last in session.execute(
            select(Reminder.unit_id, func.count(), func.max(Reminder.at))
            .where(Reminder.notice_id == notice.id).group_by(Reminder.unit_id))
    }
    owing = set(outstanding_units(session, notice.id)) if is_open else set()
    first_readings = _first_readings(session, notice.id)

    cells: dict[int, list[ReportCell | None]] = {}
    tally = {r.id: [0, 0, 0] for r in requests}  # required, reported, accepted
    for report_id, request_id, unit_id, state, submitted_at, reviewed_at, reason in reports:
        late = deadlines[request_id]
        overdue_days = late.days_overdue if is_open and state in REPORT_OUTSTANDING else 0
        row = cells.setdefault(unit_id, [None] * len(requests))
        row[position[request_id]] = ReportCell(report_id, *SHOWN[state], submitted_at,
                                               reviewed_at, reason, overdue_days)
        counts = tally[request_id]
        counts[0] += 1
        counts[1] += state in (ReportState.SUBMITTED, ReportState.ACCEPTED)
        counts[2] += state == ReportState.ACCEPTED

    rows = []
    receipt_due = receipt_deadline(notice, RecipientKind.MAIN, today)
    for receipt_id, unit_id, name, kind, state, acted_at, reason in receipts:
        count, last = reminded.get(unit_id, (0, None))
        due = receipt_due if kind == RecipientKind.MAIN and state == ReceiptState.PENDING else None
        rows.append(UnitRow(
            unit_id, name, *SHOWN[kind],
            ReceiptCell(receipt_id, *SHOWN[state], acted_at, reason, due),
            tuple(cells.get(unit_id, [None] * len(requests))), unit_id in owing, count, last,
            first_readings.get(unit_id)))
    overdue_units = sum(1 for row in rows if row.overdue)
    if show == "outstanding":
        shown = [row for row in rows if row.outstanding]
    elif show == "overdue":
        shown = [row for row in rows if row.overdue]
    else:
        show, shown = "all", rows

    return NoticeMatrix(
        notice.id, notice.doc_number, notice.title, notice.state.name, notice.state.label,
        notice.version, notice.urgency, notice.issuer.name, notice.issued_at, notice.closed_at,
        [Column(r.id, r.what, r.to_whom, deadlines[r.id], *tally[r.id]) for r in requests],
        shown, len(rows), progress(session, [notice.id])[notice.id],
        action_names(available_actions(actor, notice)),
        [(row.unit_id, row.unit_name) for row in rows if row.outstanding],
        overdue_units, show, receipt_due, notice.remind_every_days, policy_every)
