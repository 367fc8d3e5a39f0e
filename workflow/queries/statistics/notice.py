"""Statistics of one issued notice: signed for x/N, reported y/N, the median time from issue to
signing for, who is late, and — for the issuing unit's 督办 — the 转发 tree counted by level.

Owns: `notice_statistics()` and the rows it returns, for the issuing unit's 督办 and leaders
(签发人); another unit's notice is NotFound. Items are judged by `judging`.
Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from workflow.db import as_utc
from workflow.deadlines import local_date
from workflow.errors import NotFound
from workflow.models import Notice, Receipt, Report, ReportRequest, Unit, User
from workflow.queries.overdue import supervised_units
from workflow.queries.receiving import Deadline, deadline, today_of
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
from workflow.queries.statistics.levels import LevelCounts, levels_for
from workflow.states import ReceiptState, RecipientKind, ReportState, Urgency


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
    levels: list[LevelCounts] = field(default_factory=list)  # the 转发 tree by level, for 督办

    @property
    def reports(self) -> Tally:
        """Every request's items together: reported y/N over (unit × request)."""
        return sum_tallies(r.tally for r in self.requests)

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
        raise NotFound("找不到该已印发公文，或您无权查看其统计")
    return notice


def notice_statistics(session: Session, actor: User, notice_id: int, *,
                      now: dt.datetime | None = None) -> NoticeStatistics:
    """One issued notice's figures: x/N signed for, y/N reported, the median time to sign for,
    who is late — in a fixed number of statements whatever the number of units."""
    notice = notice_for_statistics(session, actor, notice_id)
    now = as_utc(now)
    today = today_of(now)
    requests = list(notice.report_requests)
    on_receipts = verdicts(RECEIPTS, {notice.id: notice.receipt_due_on}, today)
    on_reports = verdicts(REPORTS, {r.id: r.due_date for r in requests}, today)
    this = Receipt.notice_id == notice.id

    by_kind = grouped(session, RECEIPTS, on_receipts, Receipt.kind, this)
    returned = session.scalar(select(func.count()).where(
        this, Receipt.kind == RecipientKind.MAIN,
        Receipt.state.in_((ReceiptState.REJECTED, ReceiptState.REDIRECTED,
                           ReceiptState.RETURN_CONFIRMED))))
    by_request = grouped(session, REPORTS, on_reports, Report.request_id,
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
        deadline(notice.receipt_due_on, today), tally_of(main), returned,
        cc.owed if cc else 0, int(cc.done) if cc else 0,
        [RequestStatistics(r.id, r.what, r.to_whom, deadline(r.due_date, today),
                           tally_of(by_request.get(r.id)), accepted.get(r.id, 0))
         for r in requests],
        pystats.median(hours) if hours else None,
        [LateUnit(unit_id, name, tuple(item for _, item in sorted(items, key=lambda p: p[0])))
         for unit_id, (name, items) in sorted(late.items())],
        notice.issuer_unit_id in supervised_units(actor), now,
        levels_for(session, actor, notice, now=now))
