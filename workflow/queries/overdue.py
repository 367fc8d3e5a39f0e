"""The overdue list across notices, for the 督办 desk: what is late, most urgent first.

Owns: every report past its due day and not yet accepted, and every receipt still pending (a 主送
unit's with its deadline for signing, overdue ones first; a 抄送 unit's with the days since the
notice came), across the notices of the supervisor's units, in a fixed handful of statements.
Overdue is computed from due dates and now, never stored. Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.deadlines import local_date
from workflow.models import (
    Notice,
    Receipt,
    Report,
    ReportRequest,
    Unit,
    User,
)
from workflow.queries.receiving import Deadline, deadline, today_of
from workflow.states import (
    NoticeState,
    ReceiptState,
    RecipientKind,
    ReportState,
    Role,
    Urgency,
)

_URGENCY_RANK = {Urgency.VERY_URGENT: 0, Urgency.URGENT: 1, Urgency.NORMAL: 2}
NOT_ACCEPTED = (ReportState.DUE, ReportState.SUBMITTED)  # a report still owed or to review
# What the matrix can be narrowed to (the query string's `show`).


def supervised_units(actor: User) -> list[int]:
    """The units in which `actor` holds the 督办 role."""
    return sorted({g.unit_id for g in actor.grants if g.role == Role.SUPERVISOR})


@dataclass(frozen=True)
class OverdueItem:
    """A unit's report past its due date and not accepted, or a receipt still not signed for."""

    kind: str  # "report" or "receipt"
    notice_id: int
    doc_number: str | None
    title: str
    urgency: Urgency
    issued_at: dt.datetime | None
    unit_id: int
    unit_name: str
    recipient_kind: RecipientKind
    state: str
    state_label: str
    days: int  # days past the due date (reports) or since the notice was issued (receipts)
    what: str | None = None
    due_date: dt.date | None = None
    report_id: int | None = None
    deadline: Deadline | None = None  # a receipt's deadline for signing (主送 units only)

    @property
    def to_check(self) -> bool:
        """A report submitted (late or not) that waits for the supervisor, not for the unit."""
        return self.state == ReportState.SUBMITTED.name

    @property
    def remindable(self) -> bool:
        """Only 主送 units owe anything; a 抄送 unit's missing signature is shown, not chased."""
        return self.recipient_kind == RecipientKind.MAIN

    @property
    def overdue(self) -> bool:
        return self.kind == "report" or (self.deadline is not None and self.deadline.overdue)

    @property
    def label(self) -> str:
        if self.kind == "report":
            return f"已逾期{self.days}天"
        if self.deadline is not None:
            return self.deadline.label
        return f"印发后{self.days}天未签收" if self.days else "今天印发，尚未签收"


@dataclass(frozen=True)
class OverdueList:
    reports: list[OverdueItem]  # the most urgent first, at most `limit`
    receipts: list[OverdueItem]
    report_total: int  # before the limit
    receipt_total: int
    receipt_overdue_total: int = 0  # pending receipts past their deadline, before the limit


def _most_urgent_first(item: OverdueItem) -> tuple:
    # 特急 before 加急 before 普通; 主送 before 抄送; past a deadline before within it, the
    # nearest deadline first; then the longest waiting; the newest notice.
    issued = item.issued_at.timestamp() if item.issued_at else 0
    left = item.deadline.days_left if item.deadline is not None else 0
    return (_URGENCY_RANK[item.urgency], not item.remindable, left, -item.days, -issued,
            item.notice_id, item.unit_id)


def overdue(session: Session, actor: User, *, now: dt.datetime | None = None,
            limit: int = 500) -> OverdueList:
    """Across the open notices of the actor's units: every (unit × report request) past its due
    date and not accepted, and every receipt still pending; each list most urgent first.
    """
    units = supervised_units(actor)
    if not units:
        return OverdueList([], [], 0, 0)
    today = today_of(now)
    mine = (Notice.issuer_unit_id.in_(units), Notice.state == NoticeState.ISSUED)
    reports = [
        OverdueItem("report", notice_id, number, title, urgency, issued_at, unit_id, unit,
                    RecipientKind.MAIN, state.name, state.label, (today - due).days, what, due,
                    report_id)
        for (report_id, state, unit_id, unit, what, due, notice_id, number, title, urgency,
             issued_at) in session.execute(
            select(Report.id, Report.state, Report.unit_id, Unit.name, ReportRequest.what,
                   ReportRequest.due_date, Notice.id, Notice.doc_number, Notice.title,
                   Notice.urgency, Notice.issued_at)
            .join(ReportRequest, ReportRequest.id == Report.request_id)
            .join(Notice, Notice.id == Report.notice_id)
            .join(Unit, Unit.id == Report.unit_id)
            .where(*mine, Report.state.in_(NOT_ACCEPTED), ReportRequest.due_date < today))
    ]
    receipts = []
    for (unit_id, kind, unit, notice_id, number, title, urgency, issued_at,
         due) in session.execute(
            select(Receipt.unit_id, Receipt.kind, Unit.name, Notice.id, Notice.doc_number,
                   Notice.title, Notice.urgency, Notice.issued_at, Notice.receipt_due_on)
            .join(Notice, Notice.id == Receipt.notice_id)
            .join(Unit, Unit.id == Receipt.unit_id)
            .where(*mine, Receipt.state == ReceiptState.PENDING)):
        # Only a 主送 unit has a deadline for signing; a 抄送 unit only signs.
        due = due if kind == RecipientKind.MAIN else None
        receipts.append(OverdueItem(
            "receipt", notice_id, number, title, urgency, issued_at, unit_id, unit, kind,
            ReceiptState.PENDING.name, ReceiptState.PENDING.label,
            max((today - local_date(issued_at)).days, 0) if issued_at else 0,
            due_date=due, deadline=deadline(due, today) if due is not None else None))
    reports.sort(key=_most_urgent_first)
    receipts.sort(key=_most_urgent_first)
    return OverdueList(reports[:limit], receipts[:limit], len(reports), len(receipts),
                       sum(1 for item in receipts if item.overdue))


# ------------------------------------------------------------------------------------------------
# One notice's matrix: units × (签收, each report request).
