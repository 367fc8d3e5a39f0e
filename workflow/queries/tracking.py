"""The 督办 desk's read side: issued notices with progress, the overdue list, the matrix.

Owns: what a supervisor sees of the notices of the units in which they hold the 督办 role — the
list with progress bars, every overdue item across notices, one notice's matrix of units ×
(签收, each report request), one report to review and its files. Every query filters by the
actor's supervised units (another unit's notice, report or file is NotFound) and takes a fixed
handful of grouped statements whatever the number of units (a notice may go to 1,000). The rows
are plain dataclasses for the templates. Overdue is computed from due dates and now, never stored.
Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from workflow.commands.tracking import outstanding_units
from workflow.errors import NotFound
from workflow.models import (
    Attachment,
    AuditEntry,
    DeadlinePolicy,
    Notice,
    Receipt,
    Reminder,
    Report,
    ReportRequest,
    Unit,
    User,
)
from workflow.permissions import available_actions
from workflow.queries.notices import Progress, progress
from workflow.queries.overdue import (  # noqa: F401 (the overdue list is part of this desk's API)
    OverdueItem,
    OverdueList,
    overdue,
    supervised_units,
)
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
_SHOWN = {m: (m.name, m.label)
          for e in (NoticeState, ReceiptState, ReportState, RecipientKind) for m in e}


def _names(actions) -> frozenset[str]:
    return frozenset(a.name for a in actions)


def _may_remind(actions: frozenset[str]) -> bool:
    # commands.remind asks exactly what closing asks: the issuer's supervisor, an issued notice.
    return NoticeAction.CLOSE.name in actions


# ------------------------------------------------------------------------------------------------
# The list of issued notices.


@dataclass(frozen=True)
class TrackedNotice:
    id: int
    doc_number: str | None
    title: str
    state: str
    state_label: str
    urgency: Urgency
    issuer: str
    issued_at: dt.datetime | None
    closed_at: dt.datetime | None
    progress: Progress
    pending_receipts: int  # 主送 and 抄送 units not yet signed for
    overdue_reports: int  # (unit × request) past the due date and not accepted
    next_due: dt.date | None  # the nearest due date still ahead or today
    overdue_receipts: int = 0  # 主送 units not signed for past the receipt deadline
    receipt_deadline: Deadline | None = None  # while the notice is open

    @property
    def to_check(self) -> int:
        """Reports submitted and waiting for the supervisor."""
        return self.progress.reported - self.progress.accepted

    @property
    def is_open(self) -> bool:
        return self.state == NoticeState.ISSUED.name


def tracked_notices(session: Session, actor: User, *, now: dt.datetime | None = None,
                    limit: int = 200) -> list[TrackedNotice]:
    """The issued notices of the actor's supervised units: open ones first, then the newest."""
    units = supervised_units(actor)
    if not units:
        return []
    today = today_of(now)
    # The open ones first, then the newest of the rest: two statements, each reading only the
    # rows it shows along an index (ix_notice_issuer_state_issued, ix_notice_issuer_issued),
    # where one statement ordered by "open first" would sort every notice the units ever issued.
    mine = (Notice.issuer_unit_id.in_(units), Notice.issued_at.is_not(None))
    newest = (Notice.issued_at.desc(), Notice.id.desc())
    # Plain columns: a Notice would bring its body (and its issuer) for each of 200 rows.
    shown = (select(Notice.id, Notice.doc_number, Notice.title, Notice.state, Notice.urgency,
                    Unit.name.label("issuer"), Notice.issued_at, Notice.closed_at,
                    Notice.receipt_due_on)
             .join(Unit, Unit.id == Notice.issuer_unit_id).order_by(*newest))
    notices = session.execute(
        shown.where(*mine, Notice.state == NoticeState.ISSUED).limit(limit)).all()
    if len(notices) < limit:
        notices += session.execute(
            shown.where(*mine, Notice.state != NoticeState.ISSUED)
            .limit(limit - len(notices))).all()
    ids = [n.id for n in notices]
    if not ids:
        return []
    counts = progress(session, ids)
    open_ = {n.id for n in notices if n.state == NoticeState.ISSUED}
    pending, late_receipts, late_counts, next_due = {}, {}, {}, {}
    if open_:
        # What only an open notice shows, asked of the units' open notices (they are the open
        # ones listed, or more): no list of ids to send again, and nothing about closed notices.
        mine_open = (Notice.issuer_unit_id.in_(units), Notice.state == NoticeState.ISSUED)
        late_receipt = case((and_(Receipt.kind == RecipientKind.MAIN,
                                  Notice.receipt_due_on < today), 1), else_=0)
        for notice_id, count, late in session.execute(
            select(Receipt.notice_id, func.count(), func.sum(late_receipt))
            .join(Notice, Notice.id == Receipt.notice_id)
            .where(*mine_open, Receipt.state == ReceiptState.PENDING)
            .group_by(Receipt.notice_id)):
            pending[notice_id], late_receipts[notice_id] = count, late or 0
        late_counts = dict(session.execute(
            select(Report.notice_id, func.count())
            .join(ReportRequest, ReportRequest.id == Report.request_id)
            .join(Notice, Notice.id == Report.notice_id)
            .where(*mine_open, Report.state.in_(REPORT_OUTSTANDING), ReportRequest.due_date < today)
            .group_by(Report.notice_id)).all())
        next_due = dict(session.execute(
            select(ReportRequest.notice_id, func.min(ReportRequest.due_date))
            .join(Notice, Notice.id == ReportRequest.notice_id)
            .where(*mine_open, ReportRequest.due_date >= today)
            .group_by(ReportRequest.notice_id)).all())
    return [
        TrackedNotice(
            n.id, n.doc_number, n.title, *_SHOWN[n.state], n.urgency, n.issuer,
            n.issued_at, n.closed_at, counts[n.id],
            pending.get(n.id, 0) if n.id in open_ else 0,
            late_counts.get(n.id, 0) if n.id in open_ else 0,
            next_due.get(n.id) if n.id in open_ else None,
            late_receipts.get(n.id, 0) if n.id in open_ else 0,
            receipt_deadline(n, RecipientKind.MAIN, today))
        for n in notices
    ]


# ------------------------------------------------------------------------------------------------
# The overdue list across notices.


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
        raise NotFound(f"找不到编号为 {notice_id} 的已印发公文，或您无权督办")
    notice, every = found
    return notice, every or DEADLINE_DEFAULTS.remind_every_days


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

    cells: dict[int, list[ReportCell | None]] = {}
    tally = {r.id: [0, 0, 0] for r in requests}  # required, reported, accepted
    for report_id, request_id, unit_id, state, submitted_at, reviewed_at, reason in reports:
        late = deadlines[request_id]
        overdue_days = late.days_overdue if is_open and state in REPORT_OUTSTANDING else 0
        row = cells.setdefault(unit_id, [None] * len(requests))
        row[position[request_id]] = ReportCell(report_id, *_SHOWN[state], submitted_at,
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
            unit_id, name, *_SHOWN[kind],
            ReceiptCell(receipt_id, *_SHOWN[state], acted_at, reason, due),
            tuple(cells.get(unit_id, [None] * len(requests))), unit_id in owing, count, last))
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
        _names(available_actions(actor, notice)),
        [(row.unit_id, row.unit_name) for row in rows if row.outstanding],
        overdue_units, show, receipt_due, notice.remind_every_days, policy_every)


# ------------------------------------------------------------------------------------------------
# One report to review, and its files.


@dataclass(frozen=True)
class ReviewPage:
    """A unit's report as the issuing unit's supervisor reads it, with what they may do now."""

    report: Report
    notice: Notice
    deadline: Deadline
    actions: frozenset[str]  # ReportAction names
    history: list[AuditEntry]

    @property
    def overdue(self) -> bool:
        return (self.notice.state == NoticeState.ISSUED
                and self.report.state in REPORT_OUTSTANDING and self.deadline.overdue)


def report_for_supervisor(session: Session, actor: User, report_id: int) -> Report:
    """A report on a notice of the actor's supervised units, or NotFound."""
    report = session.scalar(
        select(Report).join(Notice, Notice.id == Report.notice_id)
        .where(Report.id == report_id, Notice.issuer_unit_id.in_(supervised_units(actor))))
    if report is None:
        raise NotFound(f"找不到编号为 {report_id} 的报告，或您无权查看")
    return report


def report_for_review(session: Session, actor: User, report_id: int, *,
                      now: dt.datetime | None = None) -> ReviewPage:
    """A report on a notice of the actor's supervised units, with its trail, or NotFound."""
    report = report_for_supervisor(session, actor, report_id)
    history = list(session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "report", AuditEntry.object_id == report.id)
        .order_by(AuditEntry.seq)))
    return ReviewPage(report, report.notice, deadline(report.request.due_date, today_of(now)),
                      _names(available_actions(actor, report)), history)


def attachment_for_review(session: Session, actor: User, attachment_id: int) -> Attachment:
    """A file attached to a report on a notice of the actor's supervised units, or NotFound."""
    attachment = session.scalar(
        select(Attachment).join(Report, Report.id == Attachment.report_id)
        .join(Notice, Notice.id == Report.notice_id)
        .where(Attachment.id == attachment_id,
               Notice.issuer_unit_id.in_(supervised_units(actor))))
    if attachment is None or attachment.storage_key is None:
        raise NotFound("找不到该附件，或您无权查看")
    return attachment
