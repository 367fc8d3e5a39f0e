"""我的待办: everything waiting for one person across their roles, with counts.

Owns: the inbox query — one statement per kind of task, scoped by the units in which the person
holds the role — and the order (most urgent first: 特急, then overdue, then the nearest due date,
then the newest). Signing for receipt has a deadline too (`Notice.receipt_due_on`, fixed at issue,
for 主送 units: 抄送 units only sign, and are not chased), so a receipt is overdue like a report.
Must not: change anything; overdue is computed from due dates and now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from workflow.db import utcnow
from workflow.deadlines import days_left, local_date
from workflow.models import Notice, Receipt, Report, ReportRequest, Unit, User
from workflow.queries.receiving import Deadline
from workflow.states import (
    NoticeAction,
    NoticeState,
    ReceiptState,
    RecipientKind,
    ReportState,
    Role,
    Urgency,
)

# The kinds of task, in the order the inbox shows their counts.
KINDS = {
    "returned": "退回的稿件",
    "review": "待核稿",
    "sign": "待签发",
    "issue": "待登记印发",
    "acknowledge": "待签收",
    "report": "待上报",
    "check": "待审核报告",
    "overdue": "已逾期",
}
# Who handles each kind: the inbox counts only the kinds of the person's roles.
KIND_ROLES = {
    "returned": {Role.DRAFTER}, "review": {Role.REVIEWER}, "sign": {Role.SIGNATORY},
    "issue": {Role.CLERK}, "acknowledge": {Role.RECEIVER}, "report": {Role.RECEIVER},
    "check": {Role.SUPERVISOR}, "overdue": {Role.RECEIVER, Role.SUPERVISOR},
}
_URGENCY_RANK = {Urgency.VERY_URGENT: 0, Urgency.URGENT: 1, Urgency.NORMAL: 2}
_OPEN = (NoticeState.ISSUED,)


@dataclass(frozen=True)
class Task:
    kind: str
    notice_id: int
    title: str
    doc_number: str | None
    urgency: Urgency
    since: dt.datetime  # when it started waiting
    object_id: int  # the notice, receipt or report to act on
    unit: str | None = None  # the unit concerned (receiving and tracking tasks)
    what: str | None = None  # the report request; None on a receipt
    due_date: dt.date | None = None
    days_left: int | None = None

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def deadline(self) -> Deadline:
        return Deadline(self.due_date, self.days_left)

    @property
    def reports(self) -> bool:
        """A task about a report (to submit, to check, or late), not about signing for receipt."""
        return self.what is not None


@dataclass(frozen=True)
class Inbox:
    tasks: list[Task]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.tasks)


def _units(actor: User, role: Role) -> list[int]:
    return [g.unit_id for g in actor.grants if g.role == role]


def _notice_task(kind: str, n: Notice, **extra) -> Task:
    return Task(kind, n.id, n.title, n.doc_number, n.urgency, n.updated_at, n.id, **extra)


def inbox(session: Session, actor: User, *, now: dt.datetime | None = None) -> Inbox:
    """Every task waiting for `actor` now, most urgent first, with a count per kind."""
    now = now or utcnow()
    today = local_date(now)
    tasks: list[Task] = []

    def notices(*where):
        return session.scalars(select(Notice).where(*where)).all()

    if units := _units(actor, Role.DRAFTER):
        tasks += [_notice_task("returned", n) for n in notices(
            Notice.drafter_id == actor.id, Notice.state == NoticeState.DRAFT,
            Notice.last_action == NoticeAction.RETURN, Notice.issuer_unit_id.in_(units))]
    if units := _units(actor, Role.REVIEWER):
        tasks += [_notice_task("review", n) for n in notices(
            Notice.state == NoticeState.IN_REVIEW, Notice.issuer_unit_id.in_(units))]
    if units := _units(actor, Role.SIGNATORY):
        tasks += [_notice_task("sign", n) for n in notices(
            Notice.state == NoticeState.AWAITING_SIGNOFF, Notice.issuer_unit_id.in_(units),
            Notice.drafter_id != actor.id)]
    if units := _units(actor, Role.CLERK):
        tasks += [_notice_task("issue", n) for n in notices(
            Notice.state == NoticeState.SIGNED, Notice.issuer_unit_id.in_(units))]

    if units := _units(actor, Role.RECEIVER):
        pending = session.execute(
            select(Receipt, Notice, Unit.name).join(Notice, Notice.id == Receipt.notice_id)
            .join(Unit, Unit.id == Receipt.unit_id)
            .where(Receipt.unit_id.in_(units), Receipt.state == ReceiptState.PENDING,
                   Notice.state.in_((NoticeState.ISSUED, NoticeState.CLOSED)))).all()
        tasks += [_receipt_task("acknowledge", r, n, unit, today) for r, n, unit in pending]
        tasks += _report_tasks(session, today, "report", and_(
            Report.unit_id.in_(units), Report.state == ReportState.DUE))

    if units := _units(actor, Role.SUPERVISOR):
        tasks += _report_tasks(session, today, "check", and_(
            Notice.issuer_unit_id.in_(units), Report.state == ReportState.SUBMITTED))
        tasks += [t for t in _report_tasks(session, today, "overdue", and_(
            Notice.issuer_unit_id.in_(units), Report.state == ReportState.DUE,
            ReportRequest.due_date < today))]
        late = session.execute(
            select(Receipt, Notice, Unit.name).join(Notice, Notice.id == Receipt.notice_id)
            .join(Unit, Unit.id == Receipt.unit_id)
            .where(Notice.issuer_unit_id.in_(units), Notice.state.in_(_OPEN),
                   Receipt.kind == RecipientKind.MAIN, Receipt.state == ReceiptState.PENDING,
                   Notice.receipt_due_on < today)).all()
        tasks += [_receipt_task("overdue", r, n, unit, today) for r, n, unit in late]

    tasks.sort(key=lambda t: (
        _URGENCY_RANK[t.urgency],
        not t.overdue,
        t.due_date or dt.date.max,
        -(t.since or dt.datetime.min).timestamp() if t.since else 0,
    ))
    counts = {kind: 0 for kind in KINDS if KIND_ROLES[kind] & actor.roles}
    for task in tasks:
        counts[task.kind] += 1
        if task.overdue and task.kind in ("report", "acknowledge"):
            counts["overdue"] += 1
    return Inbox(tasks, counts)


def _receipt_task(kind: str, r: Receipt, n: Notice, unit: str, today: dt.date) -> Task:
    # Only a 主送 unit has a deadline for signing for receipt; a 抄送 unit only signs.
    due = n.receipt_due_on if r.kind == RecipientKind.MAIN else None
    return Task(kind, n.id, n.title, n.doc_number, n.urgency, n.issued_at, r.id, unit=unit,
                due_date=due, days_left=days_left(due, today))


def _report_tasks(session: Session, today: dt.date, kind: str, where) -> list[Task]:
    rows = session.execute(
        select(Report, ReportRequest, Notice, Unit.name)
        .join(ReportRequest, ReportRequest.id == Report.request_id)
        .join(Notice, Notice.id == Report.notice_id)
        .join(Unit, Unit.id == Report.unit_id)
        .where(where, Notice.state.in_(_OPEN))).all()
    return [
        Task(kind, n.id, n.title, n.doc_number, n.urgency,
             p.submitted_at if kind == "check" else n.issued_at, p.id, unit=unit, what=r.what,
             due_date=r.due_date, days_left=days_left(r.due_date, today))
        for p, r, n, unit in rows
    ]
