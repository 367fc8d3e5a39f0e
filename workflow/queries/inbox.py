"""我的待办: everything waiting for one person across their roles, with counts.

Owns: the inbox query — one statement per kind of task, scoped by the units in which the person
holds the role — and the order (most urgent first: 特急, then overdue, then the nearest due date,
then the newest). A supervisor's late units come one task per notice and report request ("18 个单位
未签收"), not one per unit: a city's notice to 40 units would otherwise bury the rest. Signing for receipt has a deadline too (`Notice.receipt_due_on`, fixed at issue,
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
from workflow.places import Place, Target, target_of
from workflow.queries import incoming as incoming_queries
from workflow.queries.receiving import Deadline
from workflow.states import (
    URGENCY_RANK,
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
    "draft": "草稿待提交",
    "returned": "退回的稿件",
    "review": "待核稿",
    "sign": "待签发",
    "issue": "待登记印发",
    "archive": "待归档",
    "misdirected": "误送退回待处理",
    "acknowledge": "待签收",
    "report": "待上报",
    "check": "待审核报告",
    "overdue": "已逾期",
    # 收文办理 inside the unit (workflow.queries.incoming): 待登记 is "acknowledge" above.
    **incoming_queries.TASK_KINDS,
}
# Where each kind of task is done.
PLACES = {
    "draft": Place.DRAFT, "returned": Place.DRAFT, "review": Place.SIGNOFF,
    "sign": Place.SIGNOFF, "issue": Place.ISSUE, "archive": Place.ARCHIVE,
    "misdirected": Place.HANDLE_RETURN, "acknowledge": Place.SIGN_FOR,
    "report": Place.WRITE_REPORT, "check": Place.CHECK_REPORT, "overdue": Place.TRACK,
    "propose": Place.INCOMING, "instruct": Place.INCOMING, "handle": Place.INCOMING,
    "read": Place.INCOMING,
}
# Who handles each kind: the inbox counts only the kinds of the person's roles.
KIND_ROLES = {
    "draft": {Role.DRAFTER}, "returned": {Role.DRAFTER}, "review": {Role.REVIEWER},
    "sign": {Role.SIGNATORY}, "issue": {Role.CLERK}, "archive": {Role.CLERK},
    "misdirected": {Role.CLERK}, "acknowledge": {Role.RECEIVER}, "report": {Role.RECEIVER},
    "check": {Role.SUPERVISOR}, "overdue": {Role.RECEIVER, Role.SUPERVISOR},
    "propose": {Role.PROPOSER}, "instruct": {Role.INSTRUCTOR}, "handle": {Role.HANDLER},
    # Anybody of the unit may be sent a 收文 to read, whatever their roles: counted only when
    # something waits to be read.
    "read": frozenset(),
}
_OPEN = (NoticeState.ISSUED,)
# A notice that has ended its working life waits for the clerk to file it (the lifecycle's
# 归档 rules start from these three states).
_TO_ARCHIVE = (NoticeState.CLOSED, NoticeState.REVOKED, NoticeState.ABOLISHED)


@dataclass(frozen=True)
class Task:
    kind: str
    notice_id: int | None  # None: a 收文 registered from outside Gongwen
    title: str
    doc_number: str | None
    urgency: Urgency
    since: dt.datetime  # when it started waiting
    object_id: int  # the notice, receipt or report to act on
    unit: str | None = None  # the unit concerned (receiving and tracking tasks)
    what: str | None = None  # the report request; None on a receipt
    due_date: dt.date | None = None
    days_left: int | None = None
    # A supervisor's task standing for several late units: their names, in the order of the units; then
    # `object_id` is the notice and `unit` is None.
    units: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def target(self) -> Target:
        """Where the task is done: the notice's desk, or the receipt, report or 收文 to act on."""
        return target_of(PLACES[self.kind], notice_id=self.notice_id, object_id=self.object_id)

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


# What a task shows of its notice: plain columns, not the ORM's Notice (its body, its issuer and
# relationships loaded for hundreds of rows only to be dropped).
_NOTICE = (Notice.id, Notice.title, Notice.doc_number, Notice.urgency)


def inbox(session: Session, actor: User, *, now: dt.datetime | None = None) -> Inbox:
    """Every task waiting for `actor` now, most urgent first, with a count per kind."""
    now = now or utcnow()
    today = local_date(now)
    tasks: list[Task] = []

    def notice_tasks(kind: str, *where) -> list[Task]:
        return [Task(kind, nid, title, number, urgency, updated_at, nid)
                for nid, title, number, urgency, updated_at in session.execute(
                    select(*_NOTICE, Notice.updated_at).where(*where))]

    if units := _units(actor, Role.DRAFTER):
        # A draft of one's own not yet submitted is work waiting too; one sent back is "returned".
        tasks += notice_tasks(
            "draft", Notice.drafter_id == actor.id, Notice.state == NoticeState.DRAFT,
            Notice.last_action.is_distinct_from(NoticeAction.RETURN),
            Notice.issuer_unit_id.in_(units))
        tasks += notice_tasks(
            "returned", Notice.drafter_id == actor.id, Notice.state == NoticeState.DRAFT,
            Notice.last_action == NoticeAction.RETURN, Notice.issuer_unit_id.in_(units))
    if units := _units(actor, Role.REVIEWER):
        tasks += notice_tasks(
            "review", Notice.state == NoticeState.IN_REVIEW, Notice.issuer_unit_id.in_(units))
    if units := _units(actor, Role.SIGNATORY):
        tasks += notice_tasks(
            "sign", Notice.state == NoticeState.AWAITING_SIGNOFF, Notice.issuer_unit_id.in_(units),
            Notice.drafter_id != actor.id)
    if units := _units(actor, Role.CLERK):
        tasks += notice_tasks(
            "issue", Notice.state == NoticeState.SIGNED, Notice.issuer_unit_id.in_(units))
        tasks += notice_tasks(
            "archive", Notice.state.in_(_TO_ARCHIVE), Notice.issuer_unit_id.in_(units))
        # 退文处理: a unit's return waits for the issuing clerk (改发, 补发 or 确认退回).
        tasks += [Task("misdirected", t.notice_id, t.title, t.doc_number, t.urgency,
                       t.since, t.object_id, unit=t.unit)
                  for t in _receipt_tasks(session, today, "misdirected", and_(
                      Notice.issuer_unit_id.in_(units), Receipt.state == ReceiptState.REJECTED,
                      Notice.state.in_((NoticeState.ISSUED, NoticeState.CLOSED))))]

    if units := _units(actor, Role.RECEIVER):
        tasks += _receipt_tasks(session, today, "acknowledge", and_(
            Receipt.unit_id.in_(units), Receipt.state == ReceiptState.PENDING,
            Notice.state.in_((NoticeState.ISSUED, NoticeState.CLOSED))))
        tasks += _report_tasks(session, today, "report", and_(
            Report.unit_id.in_(units), Report.state == ReportState.DUE))

    if units := _units(actor, Role.SUPERVISOR):
        tasks += _report_tasks(session, today, "check", and_(
            Notice.issuer_unit_id.in_(units), Report.state == ReportState.SUBMITTED))
        late = _report_tasks(session, today, "overdue", and_(
            Notice.issuer_unit_id.in_(units), Report.state == ReportState.DUE,
            ReportRequest.due_date < today))
        late += _receipt_tasks(session, today, "overdue", and_(
            Notice.issuer_unit_id.in_(units), Notice.state.in_(_OPEN),
            Receipt.kind == RecipientKind.MAIN, Receipt.state == ReceiptState.PENDING,
            Notice.receipt_due_on < today))
        tasks += _by_notice(late)

    tasks += [Task(t.kind, t.notice_id, t.title, t.number, t.urgency, t.since, t.incoming_id,
                   unit=t.unit, due_date=t.deadline, days_left=days_left(t.deadline, today))
              for t in incoming_queries.tasks(session, actor)]

    tasks.sort(key=lambda t: (
        URGENCY_RANK[t.urgency],
        not t.overdue,
        t.due_date or dt.date.max,
        -(t.since or dt.datetime.min).timestamp() if t.since else 0,
    ))
    counts = {kind: 0 for kind in KINDS if KIND_ROLES[kind] & actor.roles}
    for task in tasks:
        counts[task.kind] = counts.get(task.kind, 0) + 1
        if task.overdue and task.kind in ("report", "acknowledge"):
            counts["overdue"] += 1
    return Inbox(tasks, counts)


def _by_notice(late: list[Task]) -> list[Task]:
    """One task per notice and report request (or the notice's receipt) for the late units."""
    groups: dict[tuple, list[Task]] = {}
    for task in late:  # a request is known by its words and its day (a receipt: no words)
        groups.setdefault((task.notice_id, task.what, task.due_date), []).append(task)
    grouped = []
    for (notice_id, what, _due), members in groups.items():
        first = members[0]
        grouped.append(Task(first.kind, notice_id, first.title, first.doc_number, first.urgency,
                            first.since, notice_id, what=what, due_date=first.due_date,
                            days_left=first.days_left,
                            units=tuple(t.unit for t in members if t.unit)))
    return grouped


def _receipt_tasks(session: Session, today: dt.date, kind: str, where) -> list[Task]:
    rows = session.execute(
        select(Receipt.id, Receipt.kind, *_NOTICE, Notice.issued_at, Notice.receipt_due_on,
               Unit.name)
        .join(Notice, Notice.id == Receipt.notice_id)
        .join(Unit, Unit.id == Receipt.unit_id)
        .where(where).order_by(Unit.id))
    tasks = []
    for receipt_id, recipient, nid, title, number, urgency, issued_at, receipt_due, unit in rows:
        # Only a 主送 unit has a deadline for signing for receipt; a 抄送 unit only signs.
        due = receipt_due if recipient == RecipientKind.MAIN else None
        tasks.append(Task(kind, nid, title, number, urgency, issued_at, receipt_id, unit=unit,
                          due_date=due, days_left=days_left(due, today)))
    return tasks


def _report_tasks(session: Session, today: dt.date, kind: str, where) -> list[Task]:
    rows = session.execute(
        select(Report.id, Report.submitted_at, ReportRequest.what, ReportRequest.due_date,
               *_NOTICE, Notice.issued_at, Unit.name)
        .join(ReportRequest, ReportRequest.id == Report.request_id)
        .join(Notice, Notice.id == Report.notice_id)
        .join(Unit, Unit.id == Report.unit_id)
        .where(where, Notice.state.in_(_OPEN)).order_by(Unit.id))
    return [
        Task(kind, nid, title, number, urgency, submitted_at if kind == "check" else issued_at,
             report_id, unit=unit, what=what, due_date=due, days_left=days_left(due, today))
        for (report_id, submitted_at, what, due, nid, title, number, urgency, issued_at,
             unit) in rows
    ]
