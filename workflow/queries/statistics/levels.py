"""The whole 转发 tree of a notice counted level by level, for the statistics page.

Owns: `tree_levels` — below one notice, every live notice forwarding it, those forwarding them …
(one recursive walk over `Notice.forwards_id`), and for each level of units (1: the notice's own
recipients, 2: the recipients of their 转发, …) how many 主送 units it holds, how many signed for,
have opened it (read, or signed for), owe reports, reported them all, and are overdue with
something — counted by the database in one statement grouped by depth, whatever the tree's size.
The words are those of the tracking page's tree (`workflow.queries.forwarding`), so that the
levels add up to its totals: a 抄送 unit owes nothing and is not counted; only an open (issued)
notice makes anyone overdue; a cancelled 转发 and what hangs below it are left out.

`levels_for` is who may see them: as the tree itself, the issuing unit's 督办 (the tracking desk)
with the whole notice in sight; anyone else gets no levels.
Must not: change anything, or show any unit by name (counts only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Integer, and_, case, exists, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from workflow.db import utcnow
from workflow.deadlines import local_date
from workflow.models import Notice, NoticeReading, Receipt, Report, ReportRequest, User
from workflow.permissions import Right, may, sees_whole_notice
from workflow.queries.overdue import supervised_units
from workflow.states import NoticeState, ReceiptState, RecipientKind, ReportState

_ANSWERED = (ReportState.SUBMITTED, ReportState.ACCEPTED)


@dataclass(frozen=True)
class LevelCounts:
    """One level of the tree's units (主送 only)."""

    level: int  # 1: the notice's own recipients; 2: their 转发's recipients; …
    notices: int  # the notices whose recipients these are
    units: int
    signed: int
    read: int
    owing: int  # owe at least one report
    reported: int  # answered every report they owe
    overdue: int


def tree_levels(session: Session, notice_id: int, *, now: dt.datetime | None = None
                ) -> list[LevelCounts]:
    """Each level of units below `notice_id`, counted by the database; [] for a notice that was
    sent to nobody. Levels come in order, from 1."""
    today = local_date(now or utcnow())
    down = (select(Notice.id.label("id"), literal_column("1", Integer).label("level"))
            .where(Notice.id == notice_id).cte("levels_down", recursive=True))
    child = aliased(Notice)
    down = down.union_all(select(child.id, down.c.level + 1)
                          .join(down, child.forwards_id == down.c.id)
                          .where(child.state != NoticeState.CANCELLED))
    is_open = Notice.state == NoticeState.ISSUED
    read = or_(Receipt.state == ReceiptState.ACKNOWLEDGED, exists().where(
        NoticeReading.notice_id == Receipt.notice_id, NoticeReading.unit_id == Receipt.unit_id))
    late_receipt = and_(is_open, Receipt.state == ReceiptState.PENDING,
                        Notice.receipt_due_on.is_not(None), Notice.receipt_due_on < today)
    late_report = and_(is_open, Report.state == ReportState.DUE,
                       ReportRequest.due_date.is_not(None), ReportRequest.due_date < today)
    # One row per unit of the tree (a receipt): its own facts, its reports folded in.
    per_unit = (
        select(down.c.level.label("level"), Receipt.notice_id.label("notice_id"),
               func.max(case((Receipt.state == ReceiptState.ACKNOWLEDGED, 1), else_=0))
               .label("signed"),
               func.max(case((read, 1), else_=0)).label("read"),
               func.count(Report.id).label("owed"),
               func.sum(case((Report.state.in_(_ANSWERED), 1), else_=0)).label("answered"),
               func.max(case((late_receipt, 1), (late_report, 1), else_=0)).label("late"))
        .select_from(down).join(Receipt, Receipt.notice_id == down.c.id)
        .join(Notice, Notice.id == Receipt.notice_id)
        .outerjoin(Report, and_(Report.notice_id == Receipt.notice_id,
                                Report.unit_id == Receipt.unit_id))
        .outerjoin(ReportRequest, ReportRequest.id == Report.request_id)
        .where(Receipt.kind == RecipientKind.MAIN)
        .group_by(down.c.level, Receipt.notice_id, Receipt.unit_id)).subquery()
    rows = session.execute(
        select(per_unit.c.level, func.count(func.distinct(per_unit.c.notice_id)), func.count(),
               func.sum(per_unit.c.signed), func.sum(per_unit.c.read),
               func.sum(case((per_unit.c.owed > 0, 1), else_=0)),
               func.sum(case((and_(per_unit.c.owed > 0,
                                   per_unit.c.answered == per_unit.c.owed), 1), else_=0)),
               func.sum(per_unit.c.late))
        .group_by(per_unit.c.level).order_by(per_unit.c.level))
    return [LevelCounts(int(level), int(notices), int(units), *(int(x or 0) for x in rest))
            for level, notices, units, *rest in rows]


def levels_for(session: Session, actor: User, notice: Notice, *,
               now: dt.datetime | None = None) -> list[LevelCounts]:
    """The levels of a notice's tree for the issuing unit's 督办, who see how far it went on the
    tracking desk; [] for anyone else (a 签发人 reads the notice's own figures only) and for a
    notice nobody forwarded (one level says nothing the page does not already show)."""
    if notice.issuer_unit_id not in supervised_units(actor) \
            or not may(actor, Right.VIEW_NOTICE, notice=notice) \
            or not sees_whole_notice(actor, notice):
        return []
    levels = tree_levels(session, notice.id, now=now)  # one statement, forwarded or not
    return levels if len(levels) > 1 else []
