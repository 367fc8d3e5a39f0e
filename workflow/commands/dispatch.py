"""Dispatch desk commands: issue (登记 + 印发 + 分发 in one transaction), open a series, void a number.

`issue` is the only place a document number is allocated. Receipts, reports and notifications are
written with bulk INSERTs: issuing to a thousand units is a handful of statements, not a loop of
ORM flushes. Must not: commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from workflow import audit, federation, numbering
from workflow.calendar import add_working_days
from workflow.commands import forward_counts
from workflow.commands._advance import _advance
from workflow.commands.savepoint import command
from workflow.db import as_utc
from workflow.deadlines import chinese_date, local_date
from workflow.digests import notice_digest
from workflow.docnumber import SERIAL_MAX
from workflow.errors import InvalidInput
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import (
    Notice,
    NumberSeries,
    Receipt,
    Report,
    ReportRequest,
    User,
    VoidedNumber,
    unit_group_member,
)
from workflow.notifications import notify, users_holding
from workflow.permissions import Right, demand, require
from workflow.settings import deadline_policy
from workflow.states import NoticeAction, ReceiptState, RecipientKind, ReportState, Role


def _expand(session: Session, entries) -> list[int]:
    """Unit ids of entries that name a unit or a unit group, in order, without duplicates."""
    entries = list(entries)
    group_ids = [e.group_id for e in entries if e.group_id is not None]
    members: dict[int, list[int]] = {}
    if group_ids:
        for group_id, unit_id in session.execute(
            select(unit_group_member.c.group_id, unit_group_member.c.unit_id)
            .where(unit_group_member.c.group_id.in_(group_ids))
            .order_by(unit_group_member.c.unit_id)
        ):
            members.setdefault(group_id, []).append(unit_id)
    units = []
    for entry in entries:
        units.extend([entry.unit_id] if entry.unit_id else members.get(entry.group_id, []))
    return list(dict.fromkeys(units))


def expand_recipients(session: Session, notice: Notice) -> tuple[list[int], list[int]]:
    """The draft's 主送 and 抄送 entries as unit ids: groups expanded, duplicates removed.

    A unit named in both lists (directly or through a group) is a 主送 unit; the issuer never
    sends to itself.
    """
    main = [u for u in _expand(session, notice.main_addressees) if u != notice.issuer_unit_id]
    main_set = set(main)
    cc = [u for u in _expand(session, notice.cc_addressees)
          if u not in main_set and u != notice.issuer_unit_id]
    return main, cc


def reporting_units(session: Session, request: ReportRequest, main: list[int]) -> list[int]:
    """The 主送 units that must answer `request`: its parties, or every 主送 unit."""
    if not request.parties:
        return main
    main_set = set(main)
    named = _expand(session, request.parties)
    strays = [u for u in named if u not in main_set]
    if strays:
        raise InvalidInput(f"报送要求“{request.what}”的报送单位必须是主送单位")
    return named


EMPTY_MAIN = "主送单位展开后为空：所选单位组中没有任何单位"


def due_date_problems(notice: Notice, today: dt.date) -> list[str]:
    """Why the report requests' due dates forbid issuing on `today` (a due date already past)."""
    return [f"报送要求“{r.what}”的截止日期{chinese_date(r.due_date)}早于印发日期{chinese_date(today)}"
            for r in notice.report_requests if r.due_date is not None and r.due_date < today]


def series_code_of(notice: Notice, series_code: str | None = None) -> str:
    """The 机关代字 to number under: the one given, the draft's own, or the issuer's default."""
    code = clean_text(series_code) or notice.series_code or notice.issuer.doc_code
    if not code:
        raise InvalidInput(f"{notice.issuer.name}尚未设置机关代字，不能编号印发")
    return code


@command
def issue(session: Session, actor: User, *, notice_id: int, series_code: str | None = None,
          expected_version: int | None = None, now: dt.datetime | None = None) -> Notice:
    """Register and distribute a signed notice: number, receipts, reports, notifications."""
    now, actor = as_utc(now), get_actor(session, actor)
    notice = get_or_404(session, Notice, notice_id, lock=True, label="公文")
    require(actor, notice, NoticeAction.ISSUE)  # who first: a stranger learns nothing of it
    today = local_date(now)
    main, cc = expand_recipients(session, notice)
    code = series_code_of(notice, series_code)
    reporters: dict[ReportRequest, list[int]] = {}

    def register(n: Notice) -> None:
        if not main:
            raise InvalidInput(EMPTY_MAIN)
        # Groups may have changed since the draft was written: the units they name now must
        # still lie in the issuer's federation.
        federation.require_within(session, n.issuer_unit_id, main + cc)
        if n.forwards_id is not None:  # and a 转发's 主送 still below the issuer
            federation.require_below(session, n.issuer_unit_id, main)
        for problem in due_date_problems(n, today):
            raise InvalidInput(problem)
        for request in n.report_requests:
            reporters[request] = reporting_units(session, request, main)
        number = numbering.allocate(session, issuer_unit_id=n.issuer_unit_id, code=code,
                                    year=today.year)
        n.series_code, n.doc_year, n.doc_serial = number.code, number.year, number.serial
        n.doc_number = number.normalized
        n.issued_at, n.issued_on, n.issued_by_id = now, today, actor.id
        n.receipt_due_on = add_working_days(session, today,
                                            deadline_policy(session).receipt_days(n.urgency))

    forward_counts.opening(session, notice)  # a 转发: its counters, before the audit's head
    _advance(session, actor, notice, NoticeAction.ISSUE, now=now, apply=register,
             expected_version=expected_version, on_behalf_of=notice.issuer.name,
             details={"main": len(main), "cc": len(cc)},
             digest=lambda s, i: notice_digest(s, i, recipients=(main, cc)))

    receipts = [
        {"notice_id": notice.id, "unit_id": u, "kind": kind, "state": ReceiptState.PENDING,
         "version": 1}
        for kind, units in ((RecipientKind.MAIN, main), (RecipientKind.CC, cc)) for u in units
    ]
    # Through the tables, not the ORM's bulk path: thousands of rows, none of them needed as
    # objects in this transaction, and the ORM's preparation of each row cost more than the
    # INSERT itself.
    session.execute(insert(Receipt.__table__), receipts)
    reports = [
        {"notice_id": notice.id, "request_id": r.id, "unit_id": u, "state": ReportState.DUE,
         "version": 1}
        for r, units in reporters.items() for u in units
    ]
    if reports:
        session.execute(insert(Report.__table__), reports)
    forward_counts.issued(session, notice)
    notify(session, users_holding(session, Role.RECEIVER, main + cc), actor=actor,
           notice_id=notice.id,
           kind="task", message=f"待签收：{notice.doc_number} {notice.title}", now=now)
    return notice


@command
def open_series(session: Session, actor: User, *, issuer_unit_id: int, code: str, year: int,
                start_serial: int = 1, now: dt.datetime | None = None) -> NumberSeries:
    """Open a series (机关代字, year) at `start_serial` (an office migrating mid-year)."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_SERIES, unit_id=issuer_unit_id)
    code = clean_text(code)
    # The serial is checked first: max("9", 1) would raise a TypeError, not a refusal.
    if (isinstance(start_serial, bool) or not isinstance(start_serial, int)
            or not 1 <= start_serial <= SERIAL_MAX):
        raise InvalidInput(f"起始顺序号必须是 1 至 {SERIAL_MAX} 之间的整数")
    numbering.format_number(code, year, start_serial)  # validates code and year
    existing = session.scalar(
        select(NumberSeries).where(NumberSeries.code == code, NumberSeries.year == year))
    if existing is not None:
        raise InvalidInput(f"{code}〔{year}〕系列已经存在，下一个顺序号是{existing.next_serial}")
    numbering.check_code_owner(session, issuer_unit_id=issuer_unit_id, code=code)
    series = NumberSeries(issuer_unit_id=issuer_unit_id, code=code, year=year,
                          start_serial=start_serial, next_serial=start_serial)
    session.add(series)
    session.flush()
    audit.append(session, actor=actor, action="series.OPEN", object_type="series",
                 object_id=series.id, at=now, note=None,
                 details={"code": code, "year": year, "start_serial": start_serial})
    return series


@command
def void_number(session: Session, actor: User, *, issuer_unit_id: int, code: str, year: int,
                serial: int, reason: str, now: dt.datetime | None = None) -> VoidedNumber:
    """Put a serial that was never used into the void register: it will never be handed out."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_SERIES, unit_id=issuer_unit_id)
    reason = clean_text(reason)
    if not reason:
        raise InvalidInput("作废发文字号必须说明理由")
    if isinstance(serial, bool) or not isinstance(serial, int) or not 1 <= serial <= SERIAL_MAX:
        raise InvalidInput(f"顺序号必须是 1 至 {SERIAL_MAX} 之间的整数")
    series = numbering.series_for(session, issuer_unit_id=issuer_unit_id, code=clean_text(code),
                                  year=year, lock=True)
    label = numbering.format_number(series.code, year, serial)
    if serial < series.next_serial:
        raise InvalidInput(f"{label}已经使用或已作废，不能再作废")
    voided = VoidedNumber(series_id=series.id, serial=serial, reason=reason,
                          voided_by_id=actor.id, voided_at=now)
    session.add(voided)
    session.flush()
    audit.append(session, actor=actor, action="series.VOID_NUMBER", object_type="series",
                 object_id=series.id, at=now, note=reason, details={"number": label})
    return voided

