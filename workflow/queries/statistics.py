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
Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from dataclasses import dataclass, field

from sqlalchemy import and_, case, false, func, not_, or_, select, true
from sqlalchemy.orm import Session, selectinload

from workflow.db import as_utc
from workflow.deadlines import LOCAL_TZ, local_date
from workflow.errors import InvalidInput, NotFound
from workflow.models import Notice, Receipt, Report, ReportRequest, Unit, User
from workflow.queries.overdue import supervised_units
from workflow.queries.receiving import Deadline, deadline, today_of
from workflow.states import ReceiptState, RecipientKind, ReportState, Role, Urgency

STATISTICS_ROLES = frozenset({Role.SUPERVISOR, Role.SIGNATORY})

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

_TALLY_FIELDS = ("owed", "done", "on_time", "late", "missing", "open")


def statistics_units(actor: User) -> list[int]:
    """The issuing units whose statistics `actor` may read: those where they are 督办 or 签发人."""
    return sorted({g.unit_id for g in actor.grants if g.role in STATISTICS_ROLES})


def duration_label(hours: float | None) -> str:
    """A span in the unit a person thinks in: 40分钟, 5.5小时, 2天3小时."""
    if hours is None:
        return "—"
    if hours < 1:
        return f"{max(round(hours * 60), 0)}分钟"
    if hours < 48:
        return f"{round(hours, 1):g}小时"
    days, rest = divmod(round(hours), 24)
    return f"{days}天{rest}小时" if rest else f"{days}天"


# ------------------------------------------------------------------------------------------------
# Judging items against due dates, in SQL.


@dataclass(frozen=True)
class _Items:
    """How one kind of item (receipts, reports) reads in SQL."""

    model: type
    notice_id: object
    key: object  # what the due date hangs on: the notice (receipts) or the request (reports)
    done: object
    done_at: object
    waiting: object  # still owed by the unit
    released: object  # released (免办) by closing before it was done


# A report released while submitted (not while returned: submitting clears the return reason)
# had been done; the supervisor only did not accept it before closing.
_RELEASED_SUBMITTED = and_(Report.state == ReportState.WAIVED, Report.submitted_at.is_not(None),
                           Report.return_reason.is_(None))
RECEIPTS = _Items(Receipt, Receipt.notice_id, Receipt.notice_id,
                  Receipt.state == ReceiptState.ACKNOWLEDGED, Receipt.acted_at,
                  Receipt.state == ReceiptState.PENDING, Receipt.state == ReceiptState.WAIVED)
REPORTS = _Items(Report, Report.notice_id, Report.request_id,
                 or_(Report.state.in_((ReportState.SUBMITTED, ReportState.ACCEPTED)),
                     _RELEASED_SUBMITTED),
                 Report.submitted_at, Report.state == ReportState.DUE,
                 and_(Report.state == ReportState.WAIVED, not_(_RELEASED_SUBMITTED)))


def _day_end(due: dt.date) -> dt.datetime:
    """The first stored (naive UTC) moment after the local due day: done before it is on time."""
    start = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)
    return start.astimezone(dt.UTC).replace(tzinfo=None)


def _verdicts(items: _Items, due_by_key: dict[int, dt.date | None], today: dt.date) -> dict:
    """SQL conditions on_time / late / missing / open, for statements that join the item's
    notice. The due dates are few (one per notice or request, never per unit), so they travel
    as a CASE of cutoff moments and the list of the keys whose due day has passed."""
    cutoffs = {k: _day_end(due) for k, due in due_by_key.items() if due is not None}
    passed = [k for k, due in due_by_key.items() if due is not None and due < today]
    if cutoffs:
        cutoff = case(cutoffs, value=items.key)
        in_time = or_(items.key.not_in(list(cutoffs)), items.done_at < cutoff)
        released_late = and_(items.released, Notice.closed_at >= cutoff)
    else:
        in_time, released_late = true(), false()
    is_passed = items.key.in_(passed)
    return {
        "on_time": and_(items.done, in_time),
        "late": and_(items.done, not_(in_time)),
        "missing": or_(and_(items.waiting, is_passed), released_late),
        "open": and_(items.waiting, not_(is_passed)),
    }


def _count(condition, name: str):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(name)


def _tally_columns(items: _Items, verdicts: dict) -> list:
    return [func.count().label("owed"), _count(items.done, "done"),
            *(_count(condition, name) for name, condition in verdicts.items())]


def _grouped(session: Session, items: _Items, verdicts: dict, by, *where,
             named: bool = False) -> dict:
    """Tallies of `items` per value of `by` (a unit, a notice, a request), in one statement."""
    statement = (select(by, *_tally_columns(items, verdicts))
                 .join(Notice, Notice.id == items.notice_id).where(*where).group_by(by))
    if named:  # the unit's name travels with its counts
        statement = statement.add_columns(Unit.name).join(Unit, Unit.id == by) \
            .group_by(Unit.name)
    return {row[0]: row for row in session.execute(statement)}


# ------------------------------------------------------------------------------------------------
# One notice.


@dataclass(frozen=True)
class Tally:
    """A set of items judged against their due dates. `owed` counts every item, also those
    released, voided or returned, which are in none of on time, late, missing or open."""

    owed: int = 0
    done: int = 0  # signed for; submitted (or accepted)
    on_time: int = 0
    late: int = 0
    missing: int = 0
    open: int = 0

    @property
    def judged(self) -> int:
        """The items whose outcome is known: done, or due and not done."""
        return self.on_time + self.late + self.missing

    @property
    def rate_percent(self) -> int | None:
        return round(100 * self.on_time / self.judged) if self.judged else None


def _sum(tallies) -> Tally:
    tallies = list(tallies)
    return Tally(*(sum(getattr(t, name) for t in tallies) for name in _TALLY_FIELDS))


def _tally(row) -> Tally:
    return Tally() if row is None else Tally(*(int(getattr(row, name)) for name in _TALLY_FIELDS))


@dataclass(frozen=True)
class RequestStatistics:
    request_id: int
    what: str
    to_whom: str | None
    deadline: Deadline
    tally: Tally  # owed: the units asked (the request's parties); done: reported
    accepted: int


@dataclass(frozen=True)
class LateItem:
    """One item of a unit done after its due day, or not done and past it."""

    what: str  # 签收, or what the request asks
    due_date: dt.date
    done_at: dt.datetime | None  # None: not done
    days: int  # days past the due day: when it was done, else today (or the closing day)
    released: bool = False  # not done when the notice was closed (免办)

    @property
    def label(self) -> str:
        if self.done_at is not None:
            return f"逾期{self.days}天办理"
        if self.released:
            return f"逾期{self.days}天未办，办结时免办"
        return f"逾期{self.days}天未办"


@dataclass(frozen=True)
class LateUnit:
    unit_id: int
    unit_name: str
    items: tuple[LateItem, ...]


@dataclass(frozen=True)
class NoticeStatistics:
    notice_id: int
    doc_number: str | None
    title: str
    state: str
    state_label: str
    urgency: Urgency
    issuer: str
    issued_at: dt.datetime
    receipt_deadline: Deadline
    receipts: Tally  # the 主送 units: owed = N, done = signed for
    returned: int  # 主送 units that returned it as misdirected
    cc_units: int  # 抄送: told, not asked; shown apart, never late
    cc_signed: int
    requests: list[RequestStatistics]
    median_hours: float | None  # issue → signing for, over the 主送 units that signed
    late_units: list[LateUnit]
    may_export_matrix: bool  # the matrix is the 督办 desk's: is the actor its supervisor?
    as_of: dt.datetime

    @property
    def reports(self) -> Tally:
        """Every request's items together: reported y/N over (unit × request)."""
        return _sum(r.tally for r in self.requests)

    @property
    def median_label(self) -> str:
        return duration_label(self.median_hours)


def notice_for_statistics(session: Session, actor: User, notice_id: int) -> Notice:
    """An issued notice of a unit whose statistics the actor may read, or NotFound."""
    notice = session.scalar(
        select(Notice).where(Notice.id == notice_id,
                             Notice.issuer_unit_id.in_(statistics_units(actor)),
                             Notice.issued_at.is_not(None))
        .options(selectinload(Notice.report_requests).lazyload(ReportRequest.parties)))
    if notice is None:
        raise NotFound(f"找不到编号为 {notice_id} 的已印发公文，或您无权查看其统计")
    return notice


def notice_statistics(session: Session, actor: User, notice_id: int, *,
                      now: dt.datetime | None = None) -> NoticeStatistics:
    """One issued notice's figures: x/N signed for, y/N reported, the median time to sign for,
    who is late — in a fixed number of statements whatever the number of units."""
    notice = notice_for_statistics(session, actor, notice_id)
    now = as_utc(now)
    today = today_of(now)
    requests = list(notice.report_requests)
    on_receipts = _verdicts(RECEIPTS, {notice.id: notice.receipt_due_on}, today)
    on_reports = _verdicts(REPORTS, {r.id: r.due_date for r in requests}, today)
    this = Receipt.notice_id == notice.id

    by_kind = _grouped(session, RECEIPTS, on_receipts, Receipt.kind, this)
    returned = session.scalar(select(func.count()).where(
        this, Receipt.kind == RecipientKind.MAIN, Receipt.state == ReceiptState.REJECTED))
    by_request = _grouped(session, REPORTS, on_reports, Report.request_id,
                          Report.notice_id == notice.id)
    accepted = dict(session.execute(
        select(Report.request_id, func.count())
        .where(Report.notice_id == notice.id, Report.state == ReportState.ACCEPTED)
        .group_by(Report.request_id)).all())
    signed_at = session.scalars(select(Receipt.acted_at).where(
        this, Receipt.kind == RecipientKind.MAIN,
        Receipt.state == ReceiptState.ACKNOWLEDGED)).all()
    hours = [(moment - notice.issued_at).total_seconds() / 3600 for moment in signed_at]

    # Who is late: (unit, name, request or None for 签收, done at, released).
    late_receipts = session.execute(
        select(Receipt.unit_id, Unit.name, case((RECEIPTS.done, Receipt.acted_at)),
               RECEIPTS.released)
        .join(Unit, Unit.id == Receipt.unit_id).join(Notice, Notice.id == Receipt.notice_id)
        .where(this, Receipt.kind == RecipientKind.MAIN,
               or_(on_receipts["late"], on_receipts["missing"])))
    behind = [(unit_id, name, None, done_at, released)
              for unit_id, name, done_at, released in late_receipts]
    behind += session.execute(
        select(Report.unit_id, Unit.name, Report.request_id,
               case((REPORTS.done, Report.submitted_at)), REPORTS.released)
        .join(Unit, Unit.id == Report.unit_id).join(Notice, Notice.id == Report.notice_id)
        .where(Report.notice_id == notice.id, or_(on_reports["late"], on_reports["missing"])))
    by_id = {r.id: (i, r.what, r.due_date) for i, r in enumerate(requests)}
    late: dict[int, tuple[str, list]] = {}
    for unit_id, name, request_id, done_at, released in behind:
        position, what, due = by_id.get(request_id, (-1, "签收", notice.receipt_due_on))
        until = (local_date(done_at) if done_at is not None
                 else local_date(notice.closed_at) if released else today)
        item = LateItem(what, due, done_at, (until - due).days, bool(released))
        late.setdefault(unit_id, (name, []))[1].append((position, item))

    main, cc = by_kind.get(RecipientKind.MAIN), by_kind.get(RecipientKind.CC)
    return NoticeStatistics(
        notice.id, notice.doc_number, notice.title, notice.state.name, notice.state.label,
        notice.urgency, notice.issuer.name, notice.issued_at,
        deadline(notice.receipt_due_on, today), _tally(main), returned,
        cc.owed if cc else 0, int(cc.done) if cc else 0,
        [RequestStatistics(r.id, r.what, r.to_whom, deadline(r.due_date, today),
                           _tally(by_request.get(r.id)), accepted.get(r.id, 0))
         for r in requests],
        pystats.median(hours) if hours else None,
        [LateUnit(unit_id, name, tuple(item for _, item in sorted(items, key=lambda p: p[0])))
         for unit_id, (name, items) in sorted(late.items())],
        notice.issuer_unit_id in supervised_units(actor), now)


# ------------------------------------------------------------------------------------------------
# Every recipient unit over a period.


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
                        _sum(u.receipts for u in self.units), _sum(u.reports for u in self.units))


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
    on_receipts = _verdicts(RECEIPTS, {n.id: n.receipt_due_on for n in notices}, today)
    on_reports = _verdicts(REPORTS, dict(session.execute(
        select(ReportRequest.id, ReportRequest.due_date)
        .where(ReportRequest.notice_id.in_(ids))).all()), today)
    main = (Receipt.kind == RecipientKind.MAIN, Receipt.notice_id.in_(ids))
    reports = Report.notice_id.in_(ids)

    receipts_by_unit = _grouped(session, RECEIPTS, on_receipts, Receipt.unit_id, *main,
                                named=True)
    reports_by_unit = _grouped(session, REPORTS, on_reports, Report.unit_id, reports)
    receipts_by_notice = _grouped(session, RECEIPTS, on_receipts, Receipt.notice_id, *main)
    reports_by_notice = _grouped(session, REPORTS, on_reports, Report.notice_id, reports)

    units = [UnitLine(unit_id, row.name, row.owed, _tally(row),
                      _tally(reports_by_unit.get(unit_id)))
             for unit_id, row in receipts_by_unit.items()]
    issuer_names = sorted({(n.issuer_unit_id, n.issuer.name) for n in notices})
    return UnitStatistics(
        start, end, sort, order, now, [name for _, name in issuer_names],
        _sorted(units, sort, order),
        [NoticeLine(n.id, n.doc_number, n.title, n.state.name, n.state.label, n.issued_on,
                    _tally(receipts_by_notice.get(n.id)), _tally(reports_by_notice.get(n.id)))
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
