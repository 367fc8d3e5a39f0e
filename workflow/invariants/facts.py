"""What the invariant checks read, loaded once per check as plain tuples, and how they name it.

Owns: `Facts` (the notices, receipts, reports, report requests and their parties, and every
notice's audit entries in order) with the names of units and notices as messages give them, and
`listed()`. Must not: judge anything (the other modules of the package do).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import (
    AuditEntry,
    Notice,
    Receipt,
    Report,
    ReportRequest,
    ReportRequestParty,
    Unit,
)

MAX_LISTED = 10  # serials or units named in one message; the rest are counted


class Facts:
    """What the checks read, loaded once as plain tuples."""

    def __init__(self, session: Session):
        self.session = session
        self.notices = {row.id: row for row in session.execute(select(
            Notice.id, Notice.state, Notice.issuer_unit_id, Notice.series_code, Notice.doc_year,
            Notice.doc_serial, Notice.doc_number, Notice.issued_at, Notice.archive_code,
            Notice.retention)).all()}
        self.receipts = defaultdict(list)
        for row in session.execute(select(
                Receipt.id, Receipt.notice_id, Receipt.unit_id, Receipt.kind, Receipt.state,
                Receipt.version, Receipt.acted_at, Receipt.acted_by_id,
                Receipt.redirected_from_id).order_by(Receipt.id)):
            self.receipts[row.notice_id].append(row)
        self.reports = defaultdict(list)
        for row in session.execute(select(
                Report.id, Report.notice_id, Report.request_id, Report.unit_id, Report.state,
                Report.version, Report.submitted_at, Report.reviewed_at).order_by(Report.id)):
            self.reports[row.notice_id].append(row)
        self.requests = defaultdict(list)
        for row in session.execute(select(ReportRequest.id, ReportRequest.notice_id,
                                          ReportRequest.what).order_by(ReportRequest.id)):
            self.requests[row.notice_id].append(row)
        self.parties = defaultdict(list)
        for request_id, unit_id, group_id in session.execute(select(
                ReportRequestParty.request_id, ReportRequestParty.unit_id,
                ReportRequestParty.group_id)):
            self.parties[request_id].append((unit_id, group_id))
        self.entries = defaultdict(list)  # notice id → its audit entries in order
        for row in session.execute(select(
                AuditEntry.seq, AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id,
                AuditEntry.notice_id, AuditEntry.state_before, AuditEntry.state_after,
                AuditEntry.details, AuditEntry.digest).where(AuditEntry.notice_id.is_not(None))
                .order_by(AuditEntry.seq)):
            self.entries[row.notice_id].append(row)
        self._unit_names: dict[int, str] = {}

    def unit_names(self, unit_ids: Iterable[int]) -> str:
        ids = sorted(set(unit_ids))
        wanted = [u for u in ids if u not in self._unit_names]
        if wanted:
            self._unit_names.update(self.session.execute(
                select(Unit.id, Unit.name).where(Unit.id.in_(wanted))).all())
        names = [self._unit_names.get(u, f"单位#{u}") for u in ids[:MAX_LISTED]]
        more = f"等 {len(ids)} 个单位" if len(ids) > MAX_LISTED else ""
        return "、".join(names) + more

    def label(self, notice_id: int) -> str:
        notice = self.notices.get(notice_id)
        if notice is not None and notice.doc_number:
            return f"公文 #{notice_id}（{notice.doc_number}）"
        return f"公文 #{notice_id}"


def listed(values: list[int]) -> str:
    shown = "、".join(str(v) for v in values[:MAX_LISTED])
    return shown + (f" 等 {len(values)} 个" if len(values) > MAX_LISTED else "")
