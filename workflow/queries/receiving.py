"""The 收文 desk's read side: what a receiver's units must sign for and report, and what they did.

Owns: the receiving desk (per unit in which the actor holds the 收文员 role: notices to sign for,
with the deadline for signing (a 主送 unit's; a 抄送 unit only signs), reports due with their deadlines, returned reports with the reason, recently handled items), one
report as its own unit sees it, a report attachment for that unit, and `Deadline`, the reading of a
due date against today shared with the tracking desk. Every query filters by the actor's receiver
units, so another unit's receipt, report or file is NotFound. Overdue is computed from the due date
and now, never stored. Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from workflow.db import MAX_ID, as_utc
from workflow.deadlines import days_left, local_date
from workflow.errors import NotFound
from workflow.models import (
    Attachment,
    AuditEntry,
    Notice,
    Receipt,
    Report,
    Unit,
    User,
)
from workflow.permissions import available_actions
from workflow.queries.forwarding import summable_for
from workflow.states import (
    NoticeState,
    ReceiptAction,
    ReceiptState,
    RecipientKind,
    ReportAction,
    ReportState,
    Role,
    Urgency,
)

RECENT = 15


@dataclass(frozen=True)
class Deadline:
    """A due date read against today: days left, or overdue by how many, or none (及时报送)."""

    due_date: dt.date | None
    days_left: int | None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.overdue else 0

    @property
    def label(self) -> str:
        if self.days_left is None:
            return "无固定期限（及时报送）"
        if self.days_left < 0:
            return f"已逾期{-self.days_left}天"
        if self.days_left == 0:
            return "今天截止"
        return f"还剩{self.days_left}天"

    @property
    def tone(self) -> str:
        """A CSS word for how pressing it is: overdue, today, soon (3 days or less), open, none."""
        if self.days_left is None:
            return "none"
        if self.days_left < 0:
            return "overdue"
        if self.days_left == 0:
            return "today"
        return "soon" if self.days_left <= 3 else "open"


def deadline(due: dt.date | None, today: dt.date) -> Deadline:
    """`due` read against the local day `today`."""
    return Deadline(due, days_left(due, today))


def today_of(now: dt.datetime | None) -> dt.date:
    """The Asia/Shanghai day of `now` (the current moment when None)."""
    return local_date(as_utc(now))


def receiver_units(actor: User) -> list[int]:
    """The units in which `actor` holds the 收文员 role, in a stable order."""
    return sorted({g.unit_id for g in actor.grants if g.role == Role.RECEIVER})


def _names(actions) -> frozenset[str]:
    return frozenset(a.name for a in actions)


@dataclass(frozen=True)
class ToSign:
    """A notice one of the actor's units has received and not yet signed for."""

    receipt_id: int
    version: int
    notice_id: int
    doc_number: str | None
    title: str
    issuer: str
    kind_label: str  # 主送 / 抄送
    urgency: Urgency
    issued_at: dt.datetime | None
    reports: int  # how many reports the notice asks of this unit
    actions: frozenset[str]  # ReceiptAction names the actor may take now
    deadline: Deadline | None = None  # for signing (a 主送 unit's; a 抄送 unit only signs)

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline.overdue


@dataclass(frozen=True)
class Due:
    """A report the unit owes: what, to whom, by when; returned ones carry the reason."""

    report_id: int
    version: int
    notice_id: int
    doc_number: str | None
    title: str
    what: str
    to_whom: str | None
    deadline: Deadline
    return_reason: str | None
    reviewed_at: dt.datetime | None
    signed_for: bool  # the unit has signed for the notice (a report needs that first)
    can_submit: bool

    @property
    def returned(self) -> bool:
        return self.return_reason is not None


@dataclass(frozen=True)
class Handled:
    """Something the unit did, or that was done to its report, recently."""

    kind: str  # "receipt" or "report"
    notice_id: int
    doc_number: str | None
    title: str
    what: str | None  # the report request, for reports
    state: str
    state_label: str
    at: dt.datetime | None
    note: str | None  # the reason of a returned notice
    report_id: int | None = None


@dataclass(frozen=True)
class UnitDesk:
    """One unit's part of the desk."""

    unit_id: int
    unit_name: str
    to_sign: list[ToSign]
    due: list[Due]
    handled: list[Handled]

    @property
    def overdue(self) -> int:
        """Reports and receipts past their deadline."""
        return self.overdue_reports + self.overdue_receipts

    @property
    def overdue_reports(self) -> int:
        return sum(1 for d in self.due if d.deadline.overdue)

    @property
    def overdue_receipts(self) -> int:
        return sum(1 for item in self.to_sign if item.overdue)

    @property
    def returned(self) -> int:
        return sum(1 for d in self.due if d.returned)


def desk(session: Session, actor: User, *, now: dt.datetime | None = None,
         recent: int = RECENT) -> list[UnitDesk]:
    """The receiving desk of every unit the actor receives for: a handful of statements in all."""
    units = receiver_units(actor)
    if not units:
        return []
    today = today_of(now)
    names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(units))).all())
    to_sign = _to_sign(session, actor, units, today)
    due = _due(session, actor, units, today)
    handled = _handled(session, units, recent)
    return [
        UnitDesk(u, names.get(u, ""), [x for uid, x in to_sign if uid == u],
                 [x for uid, x in due if uid == u], [x for uid, x in handled if uid == u])
        for u in units
    ]


def _to_sign(session: Session, actor: User, units: list[int],
             today: dt.date) -> list[tuple[int, ToSign]]:
    owed = (select(func.count()).select_from(Report)
            .where(Report.notice_id == Receipt.notice_id, Report.unit_id == Receipt.unit_id)
            .correlate(Receipt).scalar_subquery())
    rows = session.execute(
        select(Receipt, Notice, owed)
        .join(Notice, Notice.id == Receipt.notice_id)
        .where(Receipt.unit_id.in_(units), Receipt.state == ReceiptState.PENDING)
        .order_by(Notice.issued_at.desc(), Receipt.id.desc())).all()
    items = [
        (r.unit_id, ToSign(r.id, r.version, n.id, n.doc_number, n.title, n.issuer.name,
                           r.kind.label, n.urgency, n.issued_at, count,
                           _names(available_actions(actor, r)),
                           receipt_deadline(n, r.kind, today)))
        for r, n, count in rows
    ]
    # The nearest deadline first (overdue ones lead), then those without one; newest first.
    items.sort(key=lambda item: (item[1].deadline is None,
                                 item[1].deadline.days_left if item[1].deadline else 0))
    return items


def signable_receipts(session: Session, actor: User, notice_id: int) -> list[Receipt]:
    """The notice's receipts `actor` may sign for now (签收 from the notice page): those of the
    units where they are 收文员 that the engine lets them acknowledge; none for anyone else."""
    units = receiver_units(actor)
    if not units:
        return []
    receipts = session.scalars(
        select(Receipt).where(Receipt.notice_id == notice_id, Receipt.unit_id.in_(units))
        .order_by(Receipt.unit_id))
    return [r for r in receipts if ReceiptAction.ACKNOWLEDGE in available_actions(actor, r)]


def receipt_deadline(notice: Notice, kind: RecipientKind, today: dt.date) -> Deadline | None:
    """The deadline for signing for `notice` as a `kind` recipient, read against `today`: a 主送
    unit's (fixed at issue, while the notice is being handled); None for a 抄送 unit."""
    if kind != RecipientKind.MAIN or notice.receipt_due_on is None:
        return None
    if notice.state != NoticeState.ISSUED:
        return None
    return deadline(notice.receipt_due_on, today)


def _due(session: Session, actor: User, units: list[int],
         today: dt.date) -> list[tuple[int, Due]]:
    rows = session.execute(
        select(Report, Notice, Receipt.state)
        .join(Notice, Notice.id == Report.notice_id)
        .outerjoin(Receipt, and_(Receipt.notice_id == Report.notice_id,
                                 Receipt.unit_id == Report.unit_id))
        .where(Report.unit_id.in_(units), Report.state == ReportState.DUE,
               Notice.state == NoticeState.ISSUED)
        # The report table's guard asks each report for its unit's receipt: one statement for
        # them all, not one per row.
        .options(selectinload(Report.receipt))).all()
    items = []
    for p, n, receipt_state in rows:
        signed_for = receipt_state == ReceiptState.ACKNOWLEDGED
        items.append((p.unit_id, Due(
            p.id, p.version, n.id, n.doc_number, n.title, p.request.what, p.request.to_whom,
            deadline(p.request.due_date, today), p.return_reason, p.reviewed_at, signed_for,
            signed_for and ReportAction.SUBMIT in available_actions(actor, p))))
    # Overdue first, then the nearest due date, then those without a date; newest notice first.
    items.sort(key=lambda item: (item[1].deadline.days_left is None,
                                 item[1].deadline.days_left or 0, -item[1].notice_id))
    return items


def _handled(session: Session, units: list[int], recent: int) -> list[tuple[int, Handled]]:
    receipts = session.execute(
        select(Receipt, Notice).join(Notice, Notice.id == Receipt.notice_id)
        .where(Receipt.unit_id.in_(units),
               Receipt.state.in_((ReceiptState.ACKNOWLEDGED, ReceiptState.REJECTED,
                                  ReceiptState.REDIRECTED, ReceiptState.RETURN_CONFIRMED)))
        .order_by(Receipt.acted_at.desc(), Receipt.id.desc()).limit(recent)).all()
    # A report a supervisor's early 办结 waived is shown as such ("已办结，免报"), at the close.
    moment = func.coalesce(Report.reviewed_at, Report.submitted_at, Notice.closed_at)
    reports = session.execute(
        select(Report, Notice).join(Notice, Notice.id == Report.notice_id)
        .where(Report.unit_id.in_(units),
               Report.state.in_((ReportState.SUBMITTED, ReportState.ACCEPTED,
                                 ReportState.WAIVED)))
        .order_by(moment.desc(), Report.id.desc()).limit(recent)).all()
    items = [
        (r.unit_id, Handled("receipt", n.id, n.doc_number, n.title, None, r.state.name,
                            r.state.label, r.acted_at, r.reason))
        for r, n in receipts
    ] + [
        (p.unit_id, Handled("report", n.id, n.doc_number, n.title, p.request.what, p.state.name,
                            WAIVED_BY_CLOSE if p.state == ReportState.WAIVED else p.state.label,
                            p.reviewed_at or p.submitted_at or n.closed_at, None, p.id))
        for p, n in reports
    ]
    items.sort(key=lambda item: item[1].at or dt.datetime.min, reverse=True)
    return items[:recent]


# Built once: asked before every 签收 and 退回.
_TITLE_OF_RECEIPT = (select(Notice.title).join(Receipt, Receipt.notice_id == Notice.id)
                     .where(Receipt.id == bindparam("receipt_id"),
                            Receipt.unit_id.in_(bindparam("units", expanding=True))))


def receipt_title_for_unit(session: Session, actor: User, receipt_id: int) -> str:
    """The title of the notice of a receipt of one of the actor's receiver units, or NotFound
    (another unit's is not shown).

    Asked before acting on it: the engine answers a repeated 签收 without looking at who asks
    (acknowledging is idempotent), so the page must not be the one to tell a stranger it worked.
    The title is for the page's message (read here, before the command takes the write lock,
    rather than after it, under the lock); only the title is read, no row is loaded — the
    command loads the receipt itself, under its lock.
    """
    units = receiver_units(actor)
    title = session.scalar(_TITLE_OF_RECEIPT, {"receipt_id": receipt_id, "units": units}) \
        if units and 1 <= receipt_id <= MAX_ID else None
    if title is None:
        raise NotFound("找不到该收文，或您无权办理")
    return title


# What a unit reads of a report its notice's early 办结 waived.
WAIVED_BY_CLOSE = "已办结，免报"


@dataclass(frozen=True)
class ReportPage:
    """One report as its own unit sees it, with what the unit may do now."""

    report: Report
    notice: Notice
    deadline: Deadline
    receipt: Receipt | None
    receipt_actions: frozenset[str]  # ReceiptAction names (签收 from the report page)
    can_submit: bool
    history: list[AuditEntry]
    summable: list[Report]  # 汇总上报: sub-units' accepted reports it may carry up

    @property
    def signed_for(self) -> bool:
        return self.receipt is not None and self.receipt.state == ReceiptState.ACKNOWLEDGED

    @property
    def returned(self) -> bool:
        return self.report.state == ReportState.DUE and self.report.return_reason is not None

    @property
    def waived(self) -> bool:
        """The notice was closed (办结) before this report came in: nothing is owed."""
        return self.report.state == ReportState.WAIVED


def report_for_unit(session: Session, actor: User, report_id: int, *,
                    now: dt.datetime | None = None) -> ReportPage:
    """A report of one of the actor's receiver units, or NotFound (another unit's is not shown)."""
    report = session.scalar(select(Report).where(
        Report.id == report_id, Report.unit_id.in_(receiver_units(actor))))
    if report is None:
        raise NotFound("找不到该报告，或您无权查看")
    receipt = session.scalar(select(Receipt).where(
        Receipt.notice_id == report.notice_id, Receipt.unit_id == report.unit_id))
    signed_for = receipt is not None and receipt.state == ReceiptState.ACKNOWLEDGED
    history = list(session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "report", AuditEntry.object_id == report.id)
        .order_by(AuditEntry.seq)))
    return ReportPage(
        report, report.notice, deadline(report.request.due_date, today_of(now)), receipt,
        _names(available_actions(actor, receipt)) if receipt is not None else frozenset(),
        signed_for and ReportAction.SUBMIT in available_actions(actor, report), history,
        summable_for(session, report))


def attachment_for_unit(session: Session, actor: User, attachment_id: int) -> Attachment:
    """A file attached to a report of one of the actor's receiver units, or NotFound."""
    attachment = session.scalar(
        select(Attachment).join(Report, Report.id == Attachment.report_id)
        .where(Attachment.id == attachment_id, Report.unit_id.in_(receiver_units(actor))))
    if attachment is None or attachment.storage_key is None:
        raise NotFound("找不到该附件，或您无权查看")
    return attachment

