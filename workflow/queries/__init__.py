"""The read side of the engine, one module per desk; the shared notice queries are re-exported.

Must not: change anything. Each query is a handful of statements whatever the number of units.
Desk modules are imported by name: `from workflow.queries import receiving`.
"""

from workflow.queries.notices import (
    NoticeSummary,
    Progress,
    audit_trail,
    get_notice,
    notice_detail,
    notice_summaries,
    progress,
    receipts,
    reports,
)

__all__ = [
    "NoticeSummary", "Progress", "audit_trail", "get_notice", "notice_detail", "notice_summaries",
    "progress", "receipts", "reports",
]
