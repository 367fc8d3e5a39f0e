"""Statistics of deadlines met: one notice's figures, and every recipient unit's over a period.

Owns: what the issuing unit's 督办 and leaders (签发人) read of how their notices are answered —
one issued notice's signed for x/N and reported y/N, the median time from issue to signing for,
and who is late; and, over the notices their units issued between two dates, each recipient
unit's notices received, items on time, late, missing and still open, and its on-time rate,
sortable by any column.

Every item is judged against its own due date: a receipt against the notice's 签收期限
(`Notice.receipt_due_on`), a report against its request's due date; an item without a due date
(及时报送, or a notice issued before receipt deadlines existed) is never late.
- on time: done by the end of the due day in Asia/Shanghai;
- late: done after it;
- missing: not done and the due day has passed — also when a supervisor closed the notice after
  the due day and so released (免办) what was still owed: closing does not erase a missed day;
- open: not done and not yet due.
A report is done once submitted (at its last submission; a returned report is owed again), and
stays done when closing releases it unaccepted. Only 主送 units are counted: 抄送 units are told,
not asked, so their signatures are shown apart and are never late. Items released before their due
day, voided (失效: the notice revoked or abolished) or returned as misdirected (退回) are owed by
nobody and are in none of on time, late, missing or open.

Everything is computed from due dates and now, never stored, in a fixed number of grouped
statements whatever the number of units or notices, and only over the notices of the units in
which the actor holds the 督办 or 签发人 role (another unit's notice is NotFound).
Split by noun: `judging` (items against due dates, in SQL, and `Tally`), `notice` (one notice's
figures), `levels` (its 转发 tree counted by level), `units` (every recipient unit over a
period). Must not: change anything.
"""

from workflow.queries.statistics.judging import STATISTICS_ROLES, Tally, statistics_units
from workflow.queries.statistics.levels import LevelCounts, levels_for, tree_levels
from workflow.queries.statistics.notice import (
    LateItem,
    LateUnit,
    NoticeStatistics,
    RequestStatistics,
    duration_label,
    notice_for_statistics,
    notice_statistics,
)
from workflow.queries.statistics.units import (
    DEFAULT_ORDER,
    DEFAULT_SORT,
    ORDERS,
    SORTS,
    NoticeLine,
    UnitLine,
    UnitStatistics,
    period,
    unit_statistics,
)

__all__ = [
    "DEFAULT_ORDER", "DEFAULT_SORT", "ORDERS", "SORTS", "STATISTICS_ROLES", "LateItem", "LateUnit",
    "LevelCounts", "NoticeLine", "NoticeStatistics", "RequestStatistics", "Tally", "UnitLine", "UnitStatistics",
    "duration_label", "notice_for_statistics", "notice_statistics", "period", "statistics_units",
    "tree_levels", "levels_for", "unit_statistics",
]
