"""Queries shared by every desk: notice lists with progress, a notice's full picture, its trail,
and who of the viewer's own unit has read it (已读).

Owns: queries shaped for the desks, the CLI and the API — each a handful of statements whatever
the number of units (grouped counts, never a query per row). Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from workflow.db import among_ids
from workflow.deadlines import days_left, local_date, local_time
from workflow.errors import NotFound
from workflow.models import (
    Attachment,
    AuditEntry,
    Notice,
    NoticeReading,
    Receipt,
    Report,
    Unit,
    User,
)
from workflow.permissions import business_unit_ids, notice_visibility, sees_whole_notice
from workflow.states import ReceiptState, RecipientKind, ReportState


@dataclass(frozen=True)
class Progress:
    units: int = 0  # receipts: every recipient unit
    acknowledged: int = 0  # signed for
    reports: int = 0  # (report request × 主送 unit)
    reported: int = 0  # submitted or accepted
    accepted: int = 0

    @property
    def acknowledged_percent(self) -> int:
        return round(100 * self.acknowledged / self.units) if self.units else 0

    @property
    def reported_percent(self) -> int:
        return round(100 * self.reported / self.reports) if self.reports else 0


@dataclass(frozen=True)
class NoticeSummary:
    id: int
    doc_number: str | None
    title: str
    state: str
    state_label: str
    issuer: str
    updated_at: dt.datetime
    progress: Progress


def progress(session: Session, notice_ids: list[int]) -> dict[int, Progress]:
    """Receipt and report counts per notice, in two grouped queries."""
    if not notice_ids:
        return {}
    receipts = {
        row.notice_id: row for row in session.execute(
            select(Receipt.notice_id, func.count().label("units"),
                   func.sum(case((Receipt.state == ReceiptState.ACKNOWLEDGED, 1), else_=0))
                   .label("acknowledged"))
            .where(among_ids(session, Receipt.notice_id, notice_ids)).group_by(Receipt.notice_id))
    }
    reports = {
        row.notice_id: row for row in session.execute(
            select(Report.notice_id, func.count().label("reports"),
                   func.sum(case((Report.state.in_((ReportState.SUBMITTED, ReportState.ACCEPTED)),
                                  1), else_=0)).label("reported"),
                   func.sum(case((Report.state == ReportState.ACCEPTED, 1), else_=0))
                   .label("accepted"))
            .where(among_ids(session, Report.notice_id, notice_ids)).group_by(Report.notice_id))
    }
    result = {}
    for nid in notice_ids:
        r, p = receipts.get(nid), reports.get(nid)
        result[nid] = Progress(
            units=r.units if r else 0, acknowledged=int(r.acknowledged or 0) if r else 0,
            reports=p.reports if p else 0, reported=int(p.reported or 0) if p else 0,
            accepted=int(p.accepted or 0) if p else 0)
    return result


def notice_summaries(session: Session, actor: User | None = None, *, limit: int = 500,
                     offset: int = 0) -> list[NoticeSummary]:
    """The notices `actor` may see, newest first, each with its progress."""
    notices = session.scalars(
        select(Notice).where(notice_visibility(actor))
        .order_by(Notice.updated_at.desc(), Notice.id.desc()).limit(limit).offset(offset)
    ).all()
    counts = progress(session, [n.id for n in notices])
    return [
        NoticeSummary(n.id, n.doc_number, n.title, n.state.name, n.state.label, n.issuer.name,
                      n.updated_at, counts[n.id])
        for n in notices
    ]


def get_notice(session: Session, notice_id: int, actor: User | None = None) -> Notice:
    """One notice the actor may see, with its requests and addressees loaded."""
    notice = session.scalar(
        select(Notice).where(Notice.id == notice_id, notice_visibility(actor))
        .options(selectinload(Notice.report_requests), selectinload(Notice.addressees)))
    if notice is None:
        raise NotFound("找不到该公文，或您无权查看")
    return notice


def notice_attachment(session: Session, actor: User | None, attachment_id: int) -> Attachment:
    """An attachment of a notice (附件) that `actor` may see: anyone who may see the notice."""
    attachment = session.scalar(
        select(Attachment).join(Notice, Notice.id == Attachment.notice_id)
        .where(Attachment.id == attachment_id, Attachment.report_id.is_(None),
               notice_visibility(actor)))
    if attachment is None:
        raise NotFound("找不到该附件，或您无权查看")
    return attachment


def receipts(session: Session, notice_id: int, actor: User | None = None) -> list[Receipt]:
    """The notice's receipts, 主送 units first; a recipient sees only its own."""
    statement = select(Receipt).where(Receipt.notice_id == notice_id).order_by(
        case((Receipt.kind == RecipientKind.MAIN, 0), else_=1), Receipt.unit_id)
    if actor is not None and not sees_whole_notice(actor, session.get(Notice, notice_id)):
        statement = statement.where(Receipt.unit_id.in_(business_unit_ids(actor)))
    return list(session.scalars(statement))


def reports(session: Session, notice_id: int, actor: User | None = None) -> list[Report]:
    """The notice's reports by request and unit; a recipient sees only its own."""
    statement = select(Report).where(Report.notice_id == notice_id).order_by(
        Report.request_id, Report.unit_id)
    if actor is not None and not sees_whole_notice(actor, session.get(Notice, notice_id)):
        statement = statement.where(Report.unit_id.in_(business_unit_ids(actor)))
    return list(session.scalars(statement))


# What a recipient unit may read of a notice's trail besides its own receipt and reports.
PUBLIC_NOTICE_ACTIONS = ("notice.ISSUE", "notice.CLOSE", "notice.REVOKE", "notice.ABOLISH",
                         "notice.ARCHIVE")
# A recipient unit's people opening the notice: their own unit's business. The issuing unit learns
# who opened it first from the tracking matrix, not every name from the trail.
READING_ACTION = "receipt.READ"


def audit_trail(session: Session, notice_id: int, actor: User | None = None) -> list[AuditEntry]:
    """The notice's audit entries in order; a recipient sees the public steps and its own, the
    issuing unit everything but the recipients' openings."""
    statement = select(AuditEntry).where(AuditEntry.notice_id == notice_id).order_by(AuditEntry.seq)
    if actor is None:
        return list(session.scalars(statement))
    if sees_whole_notice(actor, session.get(Notice, notice_id)):
        statement = statement.where(AuditEntry.action != READING_ACTION)
    else:
        units = business_unit_ids(actor)
        own_receipts = select(Receipt.id).where(Receipt.notice_id == notice_id,
                                                Receipt.unit_id.in_(units))
        own_reports = select(Report.id).where(Report.notice_id == notice_id,
                                              Report.unit_id.in_(units))
        statement = statement.where(or_(
            AuditEntry.action.in_(PUBLIC_NOTICE_ACTIONS),
            (AuditEntry.object_type == "receipt") & AuditEntry.object_id.in_(own_receipts),
            (AuditEntry.object_type == "report") & AuditEntry.object_id.in_(own_reports),
        ))
    return list(session.scalars(statement))


def reading_due(session: Session, actor: User, notice_id: int) -> bool:
    """Whether opening the notice now is `actor`'s first open to record: they hold a business role
    in a recipient unit of it and have no reading row yet. One indexed statement, asked on every
    view of the notice page so that the page writes only on a first open."""
    units = business_unit_ids(actor) if actor.active else set()
    if not units:
        return False
    return bool(session.scalar(select(
        exists().where(Receipt.notice_id == notice_id, Receipt.unit_id.in_(units))
        & ~exists().where(NoticeReading.notice_id == notice_id,
                          NoticeReading.user_id == actor.id))))


@dataclass(frozen=True)
class UnitReaders:
    """Who of one recipient unit has opened the notice, first reader first."""

    unit_id: int
    unit_name: str
    readers: list[tuple[str, dt.datetime]]  # (display name, first opened at, naive UTC)


def own_unit_readers(session: Session, actor: User, notice_id: int) -> list[UnitReaders]:
    """For each recipient unit in which `actor` holds a business role, its people who have opened
    the notice and when. Never another unit's people; the issuing unit has its matrix instead."""
    units = business_unit_ids(actor) if actor.active else set()
    if not units:
        return []
    rows = session.execute(
        select(NoticeReading.unit_id, Unit.name, User.display_name, NoticeReading.first_read_at)
        .join(Unit, Unit.id == NoticeReading.unit_id)
        .join(User, User.id == NoticeReading.user_id)
        .where(NoticeReading.notice_id == notice_id, NoticeReading.unit_id.in_(units))
        .order_by(NoticeReading.unit_id, NoticeReading.first_read_at, NoticeReading.id))
    found: dict[int, UnitReaders] = {}
    for unit_id, unit_name, name, read_at in rows:
        found.setdefault(unit_id, UnitReaders(unit_id, unit_name, [])).readers.append(
            (name, read_at))
    return list(found.values())


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return local_time(value).isoformat(timespec="seconds")
    return value.isoformat()


def notice_detail(session: Session, notice_id: int, actor: User | None = None,
                  now: dt.datetime | None = None) -> dict:
    """A notice as plain data: its fields, state, report requests, receipts and reports."""
    n = get_notice(session, notice_id, actor)
    today = local_date(now) if now else None
    requests = {r.id: r for r in n.report_requests}
    return {
        "id": n.id,
        "doc_number": n.doc_number,
        "kind": n.kind,
        "title": n.title,
        "issuer": n.issuer.name,
        "state": n.state.name,
        "state_label": n.state.label,
        "version": n.version,
        "urgency": n.urgency.value,
        "direction": n.direction.value,
        "drafter": n.drafter.display_name,
        "signatory": n.signatory.display_name if n.signatory else None,
        "sign_opinion": n.sign_opinion,
        "signed_on": _iso(n.signed_on),
        "issued_on": _iso(n.issued_on),
        "closed_at": _iso(n.closed_at),
        "archive_code": n.archive_code,
        "void_from_start": n.void_from_start,
        "effective_until": _iso(n.effective_until),
        "main_recipients": [a.name for a in n.main_addressees],
        "cc_recipients": [a.name for a in n.cc_addressees],
        "body": n.body,
        "attachments": [a.filename for a in n.attachments],
        "report_requests": [
            {"id": r.id, "what": r.what, "due_date": _iso(r.due_date), "to_whom": r.to_whom}
            for r in n.report_requests
        ],
        "receipts": [
            {"id": r.id, "unit": r.unit.name, "kind": r.kind.value, "state": r.state.name,
             "state_label": r.state.label, "acted_at": _iso(r.acted_at), "reason": r.reason}
            for r in receipts(session, n.id, actor)
        ],
        "reports": [
            {"id": p.id, "unit": p.unit.name, "request": requests[p.request_id].what,
             "state": p.state.name, "state_label": p.state.label,
             "submitted_at": _iso(p.submitted_at), "reviewed_at": _iso(p.reviewed_at),
             "days_left": days_left(requests[p.request_id].due_date, today) if today else None}
            for p in reports(session, n.id, actor)
        ],
        "progress": asdict(progress(session, [n.id])[n.id]),
    }

