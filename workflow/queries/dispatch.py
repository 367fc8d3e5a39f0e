"""Queries of the dispatch desk (登记印发): signed notices waiting to be issued, ended ones waiting
to be archived, what issuing one would do (series, next number, expanded recipients), and the
register of number series with their void numbers.

Owns: the read side of dispatch, for the clerks of the issuing unit only (another unit's notice is
NotFound). Nothing here reserves a number: `numbering.peek_next` only looks. Must not: change
anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflow import numbering
from workflow.commands.dispatch import (
    EMPTY_MAIN,
    due_date_problems,
    expand_recipients,
    reporting_units,
    series_code_of,
)
from workflow.db import utcnow
from workflow.deadlines import local_date
from workflow.errors import NotFound, WorkflowError
from workflow.models import Notice, NumberSeries, ReportRequest, Unit, User, VoidedNumber
from workflow.permissions import available_actions
from workflow.states import NoticeAction, NoticeState, Role

_TO_ARCHIVE = (NoticeState.CLOSED, NoticeState.REVOKED, NoticeState.ABOLISHED)


@dataclass(frozen=True)
class DispatchRow:
    notice: Notice
    actions: list[NoticeAction]


@dataclass(frozen=True)
class DispatchDesk:
    to_issue: list[DispatchRow] = field(default_factory=list)  # 已签发, waiting for a number
    to_archive: list[DispatchRow] = field(default_factory=list)  # 已办结/已撤销/已废止


@dataclass(frozen=True)
class RequestReach:
    """How many 主送 units one report request would ask for a report."""

    request: ReportRequest
    units: int


@dataclass(frozen=True)
class IssuePreview:
    """What `issue` would do now, shown before the clerk confirms. Nothing is reserved."""

    notice: Notice
    actions: list[NoticeAction]
    code: str | None  # 机关代字 of the series
    year: int
    next_serial: int | None
    next_number: str | None  # e.g. 长妇通字〔2016〕5号
    main: list[Unit]  # expanded 主送 units, in order
    cc: list[Unit]  # expanded 抄送 units (without those already 主送)
    reach: list[RequestReach]
    problems: list[str]  # why issuing would be refused, in the engine's words
    given_number: str | None = None  # once issued: the number it got (no prediction then)

    @property
    def count(self) -> int:
        return len(self.main) + len(self.cc)


@dataclass(frozen=True)
class VoidRow:
    number: str
    serial: int
    reason: str
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class SeriesRow:
    series: NumberSeries
    next_serial: int  # what the next issue would get (void numbers skipped)
    next_number: str
    voided: list[VoidRow]


@dataclass(frozen=True)
class NumberRegister:
    units: list[Unit]  # the units the actor keeps the register for
    series: list[SeriesRow]
    year: int  # this year (Asia/Shanghai)
    unopened: list[str]  # this year's series of the units' own 机关代字 not opened yet


def clerk_units(session: Session, actor: User) -> list[Unit]:
    """The units in which the actor is a clerk (文书), in the order of the grants."""
    unit_ids = list(dict.fromkeys(g.unit_id for g in actor.grants if g.role == Role.CLERK))
    if not unit_ids:
        return []
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
    return [units[i] for i in unit_ids if i in units]


def _rows(session: Session, actor: User, unit_ids: list[int], states) -> list[DispatchRow]:
    if not unit_ids:
        return []
    notices = session.scalars(
        select(Notice).where(Notice.issuer_unit_id.in_(unit_ids), Notice.state.in_(states))
        .options(selectinload(Notice.addressees))
        .order_by(Notice.updated_at.desc(), Notice.id.desc()))
    return [DispatchRow(n, available_actions(actor, n)) for n in notices]


def dispatch_desk(session: Session, actor: User) -> DispatchDesk:
    """Signed notices of the actor's units waiting to be issued; ended ones waiting to be filed."""
    unit_ids = [u.id for u in clerk_units(session, actor)]
    return DispatchDesk(to_issue=_rows(session, actor, unit_ids, (NoticeState.SIGNED,)),
                        to_archive=_rows(session, actor, unit_ids, _TO_ARCHIVE))


def _clerks_notice(session: Session, actor: User, notice_id: int) -> Notice:
    notice = session.scalar(
        select(Notice).where(Notice.id == notice_id)
        .options(selectinload(Notice.addressees), selectinload(Notice.report_requests)))
    if notice is None or not actor.holds(Role.CLERK, notice.issuer_unit_id):
        raise NotFound("找不到该公文，或您无权登记印发")
    return notice


def issue_preview(session: Session, actor: User, notice_id: int,
                  now: dt.datetime | None = None) -> IssuePreview:
    """The series, the next number and the expanded recipients that issuing would use now."""
    notice = _clerks_notice(session, actor, notice_id)
    today = local_date(now or utcnow())
    year = today.year
    main_ids, cc_ids = expand_recipients(session, notice)
    problems = [] if main_ids else [EMPTY_MAIN]
    problems += due_date_problems(notice, today)
    if notice.doc_number:
        # Issued already (the page reopened, the back button): what it got, never what the
        # next notice would get.
        return IssuePreview(
            notice=notice, actions=available_actions(actor, notice), code=None, year=year,
            next_serial=None, next_number=None, main=[], cc=[], reach=[], problems=[],
            given_number=notice.doc_number)
    try:
        code = series_code_of(notice)
        serial = numbering.peek_next(session, issuer_unit_id=notice.issuer_unit_id, code=code,
                                     year=year)
        number = numbering.format_number(code, year, serial)
    except WorkflowError as refusal:
        code = serial = number = None
        problems.append(refusal.message)
    reach = []
    for request in notice.report_requests:
        try:
            reach.append(RequestReach(request, len(reporting_units(session, request, main_ids))))
        except WorkflowError as refusal:
            problems.append(refusal.message)
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(main_ids + cc_ids)))}
    return IssuePreview(
        notice=notice, actions=available_actions(actor, notice), code=code, year=year,
        next_serial=serial, next_number=number, main=[units[i] for i in main_ids],
        cc=[units[i] for i in cc_ids], reach=reach, problems=problems)


def number_register(session: Session, actor: User,
                    now: dt.datetime | None = None) -> NumberRegister:
    """The series of the actor's units, newest year first, each with its next serial and its
    void numbers (who voided which serial, when and why)."""
    year = local_date(now or utcnow()).year
    units = clerk_units(session, actor)
    unit_ids = [u.id for u in units]
    series = list(session.scalars(
        select(NumberSeries).where(NumberSeries.issuer_unit_id.in_(unit_ids))
        .options(selectinload(NumberSeries.voided))
        .order_by(NumberSeries.year.desc(), NumberSeries.code))) if unit_ids else []
    voider_ids = {v.voided_by_id for s in series for v in s.voided}
    names = {row.id: row.display_name for row in session.execute(
        select(User.id, User.display_name).where(User.id.in_(voider_ids)))} if voider_ids else {}
    rows = []
    for s in series:
        serial = numbering.peek_next(session, issuer_unit_id=s.issuer_unit_id, code=s.code,
                                     year=s.year)
        rows.append(SeriesRow(
            series=s, next_serial=serial,
            next_number=numbering.format_number(s.code, s.year, serial),
            voided=[_void_row(s, v, names) for v in s.voided]))
    opened = {(s.code, s.year) for s in series}
    unopened = [f"{u.doc_code}〔{year}〕" for u in units
                if u.doc_code and (u.doc_code, year) not in opened]
    return NumberRegister(units=units, series=rows, year=year, unopened=unopened)


def _void_row(series: NumberSeries, voided: VoidedNumber, names: dict[int, str]) -> VoidRow:
    return VoidRow(number=numbering.format_number(series.code, series.year, voided.serial),
                   serial=voided.serial, reason=voided.reason,
                   by=names.get(voided.voided_by_id, ""), at=voided.voided_at)
