"""The 督办 desk's list of issued notices, with progress.

Owns: `tracked_notices()` — the issued notices of the units in which the actor holds the 督办
role, open ones first, each with its progress bar, the units not yet signed for, the reports
overdue and the nearest due date still ahead, in a fixed handful of statements whatever the
number of notices and units. Overdue is computed from due dates and now, never stored.
Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from workflow.models import Notice, Receipt, Report, ReportRequest, Unit, User
from workflow.queries.notices import Progress, progress
from workflow.queries.overdue import supervised_units
from workflow.queries.receiving import Deadline, receipt_deadline, today_of
from workflow.queries.tracking.matrix import SHOWN
from workflow.states import REPORT_OUTSTANDING, NoticeState, ReceiptState, RecipientKind, Urgency


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
            n.id, n.doc_number, n.title, *SHOWN[n.state], n.urgency, n.issuer,
            n.issued_at, n.closed_at, counts[n.id],
            pending.get(n.id, 0) if n.id in open_ else 0,
            late_counts.get(n.id, 0) if n.id in open_ else 0,
            next_due.get(n.id) if n.id in open_ else None,
            late_receipts.get(n.id, 0) if n.id in open_ else 0,
            receipt_deadline(n, RecipientKind.MAIN, today))
        for n in notices
    ]
