"""转发: a unit passes a notice it received down to its own units, as a 发文 of its own.

From a 收文 being handled (办理中, or 办结 and not yet filed) the unit's 拟稿人 starts a draft in the
unit, linked to the notice it forwards (`Notice.forwards_id`): titled by the convention
("[本机关]关于转发《[来文标题]》的通知"; a 转发 of a 转发 names the original document, never "…的通知的
通知"), opened with the standard sentence the drafter edits, and carrying, for every report the
source asks of this unit, a request of its own to its units — the same what, due a number of
working days earlier (default 3, never after the source's deadline, never before today), to the
unit itself — linked to the source's request so that the reports can be summed up into it.

The draft then goes through the unit's own 核稿, 签发 and 印发 with its own 发文字号; its 主送 lie
below the unit (drafting.py and dispatch.py refuse anything else). Must not: commit, copy the
source's body into the draft (the source is linked and printed as the 附件), or forward what
did not come through Gongwen.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.calendar import WorkingCalendar
from workflow.commands.drafting import apply_fields
from workflow.commands.savepoint import command
from workflow.db import as_utc
from workflow.deadlines import local_date
from workflow.errors import InvalidInput, InvalidState
from workflow.loading import get_actor, get_or_404
from workflow.models import Incoming, Notice, Report, ReportRequest, Unit, User
from workflow.permissions import Right, demand
from workflow.states import IncomingState, NoticeState

DEFAULT_LEAD_DAYS = 3  # working days the unit keeps for itself before the source's deadline
MAX_LEAD_DAYS = 30
TITLE_LIMIT = 300
# A forward still counts while it lives: a cancelled draft (or a notice repealed from the
# start) may be forwarded again.
_GONE = (NoticeState.CANCELLED,)


def original_of(notice: Notice) -> Notice:
    """The document a chain of 转发 started from (the notice itself when it forwards nothing)."""
    seen = {notice.id}
    while notice.forwards is not None and notice.forwards.id not in seen:
        notice = notice.forwards
        seen.add(notice.id)
    return notice


def forward_title(unit: Unit, source: Notice) -> str:
    """"[本机关]关于转发《[来文标题]》的通知", naming the original document of a chain of 转发."""
    name = unit.short_name or unit.name
    title = original_of(source).title
    room = TITLE_LIMIT - len(f"{name}关于转发《》的通知")
    if len(title) > room:
        title = title[:room - 1] + "…"
    return f"{name}关于转发《{title}》的通知"


def opening(source: Notice) -> str:
    """The standard opening the drafter edits: the source named with its 发文字号."""
    number = f"（{source.doc_number}）" if source.doc_number else ""
    return f"现将《{source.title}》{number}转发给你们，请结合实际认真贯彻落实。"


def earlier_due(calendar: WorkingCalendar, due: dt.date | None, lead_days: int,
                today: dt.date) -> dt.date | None:
    """`lead_days` working days before the source's `due`, but not before today (and never after
    `due`: a source due today leaves the unit's units today too)."""
    if due is None:
        return None
    return min(due, max(today, calendar.subtract_working_days(due, lead_days)))


@command
def forward(session: Session, actor: User, *, incoming_id: int,
            lead_days: int = DEFAULT_LEAD_DAYS, now: dt.datetime | None = None) -> Notice:
    """Start the unit's 转发 of the notice its 收文 `incoming_id` registered; returns the draft."""
    now, actor = as_utc(now), get_actor(session, actor)
    incoming = get_or_404(session, Incoming, incoming_id, lock=True, label="收文")
    demand(actor, Right.FORWARD, unit_id=incoming.unit_id)
    if incoming.notice_id is None:
        raise InvalidInput("外来公文不是通过本系统收到的，不能在系统内转发；请直接拟稿，并在正文中写明来文")
    if incoming.state not in (IncomingState.IN_HAND, IncomingState.DONE):
        raise InvalidState(f"该收文{incoming.state.label}，拟办、批办后方可转发")
    if isinstance(lead_days, bool) or not isinstance(lead_days, int) \
            or not 0 <= lead_days <= MAX_LEAD_DAYS:
        raise InvalidInput(f"提前天数应为0至{MAX_LEAD_DAYS}之间的整数（工作日）")
    source, unit = incoming.notice, incoming.unit
    earlier = session.scalar(select(Notice).where(
        Notice.forwards_id == source.id, Notice.issuer_unit_id == unit.id,
        Notice.state.not_in(_GONE)))
    if earlier is not None:
        raise InvalidState(f"本单位已转发该公文（{earlier.doc_number or '草稿：' + earlier.title}）")

    today, calendar = local_date(now), WorkingCalendar(session)
    owed = session.scalars(select(ReportRequest).join(Report, Report.request_id == ReportRequest.id)
                           .where(Report.notice_id == source.id, Report.unit_id == unit.id)
                           .order_by(ReportRequest.position)).all()
    to_whom = unit.short_name or unit.name
    requests = [{"what": r.what, "due_date": earlier_due(calendar, r.due_date, lead_days, today),
                 "to_whom": to_whom, "source_request_id": r.id} for r in owed]
    body = opening(source) + "".join(
        f"\n请于{r['due_date'].month}月{r['due_date'].day}日前将{r['what']}报送{to_whom}。"
        if r["due_date"] is not None else f"\n请及时将{r['what']}报送{to_whom}。"
        for r in requests)

    notice = Notice(issuer_unit_id=unit.id, drafter_id=actor.id, title="", body="",
                    state=NoticeState.DRAFT, created_at=now, updated_at=now,
                    forwards_id=source.id, urgency=source.urgency)
    notice.issuer, notice.forwards = unit, source
    session.add(notice)
    apply_fields(session, notice, {"title": forward_title(unit, source), "body": body,
                                   "report_requests": requests})
    session.flush()
    audit.append(session, actor=actor, action="notice.CREATE", object_type="notice",
                 object_id=notice.id, notice_id=notice.id, state_after=notice.state.name,
                 on_behalf_of=unit.name,
                 details={"title": notice.title, "forwards": source.id,
                          "forwards_number": source.doc_number, "incoming_id": incoming.id,
                          "lead_days": lead_days}, at=now)
    return notice
