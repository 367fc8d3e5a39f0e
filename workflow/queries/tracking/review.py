"""One report on the 督办 desk: the report to review with its trail, and its files.

Owns: `report_for_review()` (what the supervisor reads and may do now: accept, return),
`report_for_supervisor()` and `attachment_for_review()` — each only on a notice of a unit in which
the actor holds the 督办 role; another unit's report or file is NotFound.
Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.errors import NotFound
from workflow.models import Attachment, AuditEntry, Notice, Report, User
from workflow.permissions import available_actions
from workflow.queries.overdue import supervised_units
from workflow.queries.receiving import Deadline, deadline, today_of
from workflow.queries.tracking.matrix import action_names
from workflow.states import REPORT_OUTSTANDING, NoticeState


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
        raise NotFound("找不到该报告，或您无权查看")
    return report


def report_for_review(session: Session, actor: User, report_id: int, *,
                      now: dt.datetime | None = None) -> ReviewPage:
    """A report on a notice of the actor's supervised units, with its trail, or NotFound."""
    report = report_for_supervisor(session, actor, report_id)
    history = list(session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "report", AuditEntry.object_id == report.id)
        .order_by(AuditEntry.seq)))
    return ReviewPage(report, report.notice, deadline(report.request.due_date, today_of(now)),
                      action_names(available_actions(actor, report)), history)


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
