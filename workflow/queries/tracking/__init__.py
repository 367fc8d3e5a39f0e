"""The 督办 desk's read side: issued notices with progress, the overdue list, the matrix.

Owns: what a supervisor sees of the notices of the units in which they hold the 督办 role — the
list with progress bars, every overdue item across notices, one notice's matrix of units ×
(已读, 签收, each report request), one report to review and its files. Every query filters by the
actor's supervised units (another unit's notice, report or file is NotFound) and takes a fixed
handful of grouped statements whatever the number of units (a notice may go to 1,000). The rows
are plain dataclasses for the templates. Overdue is computed from due dates and now, never stored.

Split by noun: `notices` (the list), `matrix` (one notice's units × items), `review` (one report
and its files); the overdue list is `workflow.queries.overdue`, re-exported here as part of this
desk. Must not: change anything.
"""

from workflow.queries.overdue import OverdueItem, OverdueList, overdue, supervised_units
from workflow.queries.tracking.matrix import (
    FILTERS,
    Column,
    FirstReading,
    NoticeMatrix,
    ReceiptCell,
    ReportCell,
    UnitRow,
    matrix,
    notice_for_supervisor,
)
from workflow.queries.tracking.notices import TrackedNotice, tracked_notices
from workflow.queries.tracking.review import (
    ReviewPage,
    attachment_for_review,
    report_for_review,
    report_for_supervisor,
)

__all__ = [
    "FILTERS", "Column", "FirstReading", "NoticeMatrix", "OverdueItem", "OverdueList", "ReceiptCell",
    "ReportCell", "ReviewPage", "TrackedNotice", "UnitRow", "attachment_for_review", "matrix",
    "notice_for_supervisor", "overdue", "report_for_review", "report_for_supervisor",
    "supervised_units", "tracked_notices",
]
