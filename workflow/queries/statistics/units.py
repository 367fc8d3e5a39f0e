"""Statistics of every recipient unit over a period: the notices the actor's units issued between
two dates, and each 主送 unit's notices received, items on time, late, missing and still open, and
its on-time rate, sortable by any column.

Owns: `unit_statistics()`, the period asked for (`period`), the sortable columns and the rows.
Items are judged by `judging`. Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow.db import as_utc
from workflow.errors import InvalidInput
from workflow.models import Notice, Receipt, Report, ReportRequest, User
from workflow.queries.receiving import today_of
from workflow.queries.statistics.judging import (
    RECEIPTS,
    REPORTS,
    Tally,
    grouped,
    statistics_units,
    sum_tallies,
    tally_of,
    verdicts,
)
from workflow.states import RecipientKind

# The columns of the unit table: key → (label, the order first used when the column is chosen).
SORTS: dict[str, tuple[str, str]] = {
    "unit": ("单位", "asc"),
    "received": ("收文", "desc"),
    "receipts_on_time": ("按时签收", "desc"),
    "reports_on_time": ("按时上报", "desc"),
    "late": ("逾期办理", "desc"),
    "missing": ("逾期未办", "desc"),
    "open": ("未到期", "desc"),
    "rate": ("按时率", "asc"),
}
ORDERS = {"asc": "升序", "desc": "降序"}
DEFAULT_SORT, DEFAULT_ORDER = "rate", "asc"  # the units most in need of a reminder first


@dataclass(frozen=True)
class UnitLine:
    """One recipient unit's 主送 items over the period's notices."""

    unit_id: int
    unit_name: str
    received: int  # notices sent to it as 主送
    receipts: Tally
    reports: Tally

    @property
    def receipts_on_time(self) -> int:
        return self.receipts.on_time

    @property
    def reports_on_time(self) -> int:
        return self.reports.on_time

    @property
    def on_time(self) -> int:
        return self.receipts.on_time + self.reports.on_time

    @property
    def late(self) -> int:
        return self.receipts.late + self.reports.late

    @property
    def missing(self) -> int:
        return self.receipts.missing + self.reports.missing

    @property
    def open(self) -> int:
        return self.receipts.open + self.reports.open

    @property
    def judged(self) -> int:
        return self.on_time + self.late + self.missing

    @property
    def rate(self) -> float | None:
        """On time over the items whose outcome is known; None while nothing is due yet."""
        return self.on_time / self.judged if self.judged else None

    @property
    def rate_percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


@dataclass(frozen=True)
class NoticeLine:
    """A notice of the period with its figures, for the list under the unit table."""

    notice_id: int
    doc_number: str | None
    title: str
    state: str
    state_label: str
    issued_on: dt.date
    receipts: Tally  # the 主送 units'
    reports: Tally

    @property
    def behind(self) -> int:
        """Items late or missing, signing for and reports together."""
        return (self.receipts.late + self.receipts.missing
                + self.reports.late + self.reports.missing)


@dataclass(frozen=True)
class UnitStatistics:
    start: dt.date
    end: dt.date
    sort: str
    order: str
    as_of: dt.datetime
    issuers: list[str]  # the issuing units whose notices are counted
    units: list[UnitLine]  # sorted as asked
    notices: list[NoticeLine]  # the newest first
    years: list[int] = field(default_factory=list)  # the years in which they issued notices

    @property
    def total(self) -> UnitLine:
        """Every unit together, for the table's last row."""
        return UnitLine(0, "合计", sum(u.received for u in self.units),
                        sum_tallies(u.receipts for u in self.units), sum_tallies(u.reports for u in self.units))


def period(start: dt.date | None, end: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period asked for: a missing end closes the start's year, a missing start opens the
    end's year; neither: this year."""
    if start is None and end is None:
        start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    elif start is None:
        start = dt.date(end.year, 1, 1)
    elif end is None:
        end = dt.date(start.year, 12, 31)
    if start > end:
        raise InvalidInput("开始日期不能晚于结束日期")
    return start, end


def unit_statistics(session: Session, actor: User, *, start: dt.date | None = None,
                    end: dt.date | None = None, sort: str = DEFAULT_SORT,
                    order: str = DEFAULT_ORDER, now: dt.datetime | None = None) -> UnitStatistics:
    """Each recipient unit's figures over the notices the actor's units issued from `start` to
    `end` (印发日期, both days included), sorted by `sort` in `order` — in a fixed number of
    grouped statements whatever the number of units and notices."""
    if sort not in SORTS:
        raise InvalidInput(f"无法按“{sort}”排序")
    if order not in ORDERS:
        raise InvalidInput("排序方向只能是升序或降序")
    now = as_utc(now)
    today = today_of(now)
    start, end = period(start, end, today)
    issuers = statistics_units(actor)

    first, last = session.execute(
        select(func.min(Notice.issued_on), func.max(Notice.issued_on))
        .where(Notice.issuer_unit_id.in_(issuers), Notice.issued_on.is_not(None))).one()
    notices = session.scalars(
        select(Notice).where(Notice.issuer_unit_id.in_(issuers),
                             Notice.issued_on.between(start, end))
        .order_by(Notice.issued_at.desc(), Notice.id.desc())).all()
    ids = [n.id for n in notices]
    on_receipts = verdicts(RECEIPTS, {n.id: n.receipt_due_on for n in notices}, today)
    on_reports = verdicts(REPORTS, dict(session.execute(
        select(ReportRequest.id, ReportRequest.due_date)
        .where(ReportRequest.notice_id.in_(ids))).all()), today)
    main = (Receipt.kind == RecipientKind.MAIN, Receipt.notice_id.in_(ids))
    reports = Report.notice_id.in_(ids)

    receipts_by_unit = grouped(session, RECEIPTS, on_receipts, Receipt.unit_id, *main,
                                named=True)
    reports_by_unit = grouped(session, REPORTS, on_reports, Report.unit_id, reports)
    receipts_by_notice = grouped(session, RECEIPTS, on_receipts, Receipt.notice_id, *main)
    reports_by_notice = grouped(session, REPORTS, on_reports, Report.notice_id, reports)

    units = [UnitLine(unit_id, row.name, row.owed, tally_of(row),
                      tally_of(reports_by_unit.get(unit_id)))
             for unit_id, row in receipts_by_unit.items()]
    issuer_names = sorted({(n.issuer_unit_id, n.issuer.name) for n in notices})
    return UnitStatistics(
        start, end, sort, order, now, [name for _, name in issuer_names],
        _sorted(units, sort, order),
        [NoticeLine(n.id, n.doc_number, n.title, n.state.name, n.state.label, n.issued_on,
                    tally_of(receipts_by_notice.get(n.id)), tally_of(reports_by_notice.get(n.id)))
         for n in notices],
        list(range(first.year, last.year + 1)) if first and last else [])


def _sorted(units: list[UnitLine], sort: str, order: str) -> list[UnitLine]:
    """Sorted by one column; ties keep the units' own order (by id), and a unit without a rate
    (nothing due yet) comes last whichever the direction."""
    ordered = sorted(units, key=lambda u: u.unit_id)
    if sort == "unit":
        return ordered[::-1] if order == "desc" else ordered
    rated = [u for u in ordered if getattr(u, sort) is not None]
    unrated = [u for u in ordered if getattr(u, sort) is None]
    return sorted(rated, key=lambda u: getattr(u, sort), reverse=order == "desc") + unrated
