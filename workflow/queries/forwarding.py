"""The 转发 tree of a notice: how far it has travelled down the federation, and what came back.

Owns: `notice_tree` — from one notice, every notice that forwards it and forwards those, level
by level (one recursive statement over `Notice.forwards_id`), with, for each unit a notice of the
tree was sent to: its level, its receipt (signed for or not, when), whether anyone there has
opened it, its reports, its own 转发 (number, state) and the counts of the subtree below it
(units, signed for, owing reports, reported, overdue). Three more statements read the receipts,
the reports and the first readings of all the tree's notices at once, whatever its size.

`rollup` answers, for each unit that forwarded a notice, the counts of its subtree: what the
issuer's tracking page shows beside each line, read from the counters the commands keep
(`workflow.commands.forward_counts`: one row per 转发, whatever the depth — bench/b7_tree.py);
`recount` counts the same afresh from the receipts and reports, and `notice_tree(depth=N)` loads
N levels of units and takes the last level's subtrees from the counters. `tree_for` is what a
person may see: the issuing unit of a notice sees its whole tree (how far its notice went);
nobody else sees one. Must not: show a unit's internal handling (批示, 办理结果) —
only what the issuer of a notice sees of its own recipients.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, case, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from workflow.db import utcnow
from workflow.deadlines import local_date
from workflow.errors import NotFound
from workflow.loading import get_or_404
from workflow.models import (
    ForwardDue,
    ForwardTally,
    Notice,
    NoticeReading,
    Receipt,
    Report,
    ReportRequest,
    Unit,
    User,
)
from workflow.permissions import Right, may, sees_whole_notice
from workflow.states import NoticeState, ReceiptState, RecipientKind, ReportState

_OPEN = (NoticeState.ISSUED,)  # only an open notice makes anyone overdue
_ANSWERED = (ReportState.SUBMITTED, ReportState.ACCEPTED)
_SENT = (NoticeState.ISSUED, NoticeState.CLOSED, NoticeState.REVOKED, NoticeState.ABOLISHED,
         NoticeState.ARCHIVED)  # the states of a notice that has receipts


@dataclass(frozen=True)
class ForwardNotice:
    """One notice of the tree."""

    id: int
    issuer_unit_id: int
    issuer: str
    forwards_id: int | None
    doc_number: str | None
    title: str
    state: NoticeState
    level: int  # 0: the notice asked about; 1: its 转发; …

    def as_json(self) -> dict:
        return {"id": self.id, "doc_number": self.doc_number, "title": self.title,
                "issuer": self.issuer, "state": self.state.name, "state_label": self.state.label}


@dataclass
class Counts:
    """What a subtree holds: its 主送 units, how many signed for, owe reports, reported them
    all, and are overdue with something."""

    units: int = 0
    signed: int = 0
    owing: int = 0
    reported: int = 0
    overdue: int = 0

    def add(self, other: Counts) -> None:
        self.units += other.units
        self.signed += other.signed
        self.owing += other.owing
        self.reported += other.reported
        self.overdue += other.overdue

    def as_json(self) -> dict:
        return {"units": self.units, "signed": self.signed, "owing": self.owing,
                "reported": self.reported, "overdue": self.overdue}


@dataclass
class UnitNode:
    """One unit a notice of the tree was sent to, and the subtree below it."""

    unit_id: int
    unit: str
    level: int  # 1: a recipient of the notice asked about; 2: of its 转发; …
    kind: RecipientKind
    receipt_state: ReceiptState
    acted_at: dt.datetime | None
    read: bool
    reports: list[tuple[str, ReportState, dt.date | None]]
    overdue: bool
    forward: ForwardNotice | None = None
    children: list[UnitNode] = field(default_factory=list)
    below: Counts = field(default_factory=Counts)  # the subtree under its 转发, itself excluded

    @property
    def reported(self) -> bool:
        return bool(self.reports) and all(state in _ANSWERED for _, state, _ in self.reports)

    def as_json(self, *, depth: int | None = None) -> dict:
        shown = depth is None or depth > 1
        return {
            "unit": self.unit, "unit_id": self.unit_id, "level": self.level,
            "kind": self.kind.label,
            "receipt": {"state": self.receipt_state.name, "state_label": self.receipt_state.label,
                        "at": self.acted_at.isoformat() if self.acted_at else None},
            "read": self.read,
            "reports": [{"what": what, "state": state.name, "state_label": state.label,
                         "due_date": due.isoformat() if due else None}
                        for what, state, due in self.reports],
            "overdue": self.overdue,
            "forward": self.forward.as_json() if self.forward else None,
            "subtree": self.below.as_json(),
            "children": ([child.as_json(depth=None if depth is None else depth - 1)
                          for child in self.children] if shown else None),
        }


@dataclass
class NoticeTree:
    notice: ForwardNotice
    units: list[UnitNode]  # the notice's own recipients, each with its subtree
    notices: int  # how many notices the tree holds, the notice itself included
    levels: int  # how deep the units go

    @property
    def totals(self) -> Counts:
        """The whole tree: every 主送 unit of every notice in it."""
        total = Counts()
        for node in self.units:
            total.add(_own(node))
            total.add(node.below)
        return total

    def as_json(self, *, depth: int | None = None) -> dict:
        return {"notice": self.notice.as_json(), "notices": self.notices, "levels": self.levels,
                "totals": self.totals.as_json(),
                "units": [node.as_json(depth=depth) for node in self.units]}


def _own(node: UnitNode) -> Counts:
    """What one unit adds to its parent's counts (a 抄送 unit is not counted: it owes nothing)."""
    if node.kind != RecipientKind.MAIN:
        return Counts()
    return Counts(units=1, signed=int(node.receipt_state == ReceiptState.ACKNOWLEDGED),
                  owing=int(bool(node.reports)), reported=int(node.reported),
                  overdue=int(node.overdue))


def _walk_down(notice_id: int, deepest: int | None = None):
    """The notice (level 0) and every live notice forwarding it, theirs … with their level (to
    `deepest` at most): one recursive CTE over `notice.forwards_id` (a cancelled 转发 and what is
    below it left out)."""
    down = (select(Notice.id.label("id"), literal_column("0", Integer).label("level"))
            .where(Notice.id == notice_id).cte("down", recursive=True))
    child = aliased(Notice)
    step = (select(child.id, down.c.level + 1).join(down, child.forwards_id == down.c.id)
            .where(child.state != NoticeState.CANCELLED))
    if deepest is not None:
        step = step.where(down.c.level < deepest)
    return down.union_all(step)


def _size(session: Session, notice_id: int) -> tuple[int, int]:
    """How many notices the tree holds (the notice included) and how deep its units go (the
    deepest notice that has been sent out, plus one; 0 when not even the notice has)."""
    down = _walk_down(notice_id)
    count, deepest = session.execute(
        select(func.count(), func.max(case((Notice.state.in_(_SENT), down.c.level))))
        .select_from(down).join(Notice, Notice.id == down.c.id)).one()
    return count, 0 if deepest is None else deepest + 1


def _tree_notices(session: Session, notice_id: int, deepest: int | None = None
                  ) -> list[ForwardNotice]:
    """The notice and the notices below it in the tree (to level `deepest`), with their level
    (one statement)."""
    down = _walk_down(notice_id, deepest)
    rows = session.execute(
        select(Notice.id, Notice.issuer_unit_id, Unit.name, Notice.forwards_id,
               Notice.doc_number, Notice.title, Notice.state, down.c.level)
        .join(down, down.c.id == Notice.id).join(Unit, Unit.id == Notice.issuer_unit_id)
        .order_by(down.c.level, Notice.id))
    return [ForwardNotice(*row) for row in rows]


def notice_tree(session: Session, notice_id: int, *, now: dt.datetime | None = None,
                depth: int | None = None) -> NoticeTree:
    """The 转发 tree below `notice_id` (NotFound for no such notice): whole, or its units to
    level `depth` only — those of the last level shown with their 转发 and the counts of its
    subtree, read from the kept counters, not loaded."""
    root = get_or_404(session, Notice, notice_id, label="公文")
    today = local_date(now or utcnow())
    notices = _tree_notices(session, root.id, depth)
    by_id = {n.id: n for n in notices}
    # The receipts of the notices whose units are shown: all, or those above the last level.
    ids = [n.id for n in notices if depth is None or n.level < depth]
    forward_of = {(n.forwards_id, n.issuer_unit_id): n for n in notices if n.forwards_id}

    receipts = session.execute(
        select(Receipt.notice_id, Receipt.unit_id, Unit.name, Receipt.kind, Receipt.state,
               Receipt.acted_at, Notice.receipt_due_on, Notice.state)
        .join(Unit, Unit.id == Receipt.unit_id).join(Notice, Notice.id == Receipt.notice_id)
        .where(Receipt.notice_id.in_(ids)).order_by(Receipt.notice_id, Receipt.unit_id)).all()
    reports: dict[tuple[int, int], list] = defaultdict(list)
    for notice_id_, unit_id, what, state, due in session.execute(
            select(Report.notice_id, Report.unit_id, ReportRequest.what, Report.state,
                   ReportRequest.due_date)
            .join(ReportRequest, ReportRequest.id == Report.request_id)
            .where(Report.notice_id.in_(ids)).order_by(ReportRequest.position)):
        reports[(notice_id_, unit_id)].append((what, state, due))
    read = set(session.execute(select(NoticeReading.notice_id, NoticeReading.unit_id)
                               .where(NoticeReading.notice_id.in_(ids))).all())

    nodes_of: dict[int, list[UnitNode]] = defaultdict(list)
    for n_id, unit_id, name, kind, state, acted_at, due_on, n_state in receipts:
        owed = reports[(n_id, unit_id)]
        late = n_state in _OPEN and (
            (kind == RecipientKind.MAIN and state == ReceiptState.PENDING
             and due_on is not None and due_on < today)
            or any(s == ReportState.DUE and d is not None and d < today for _, s, d in owed))
        nodes_of[n_id].append(UnitNode(
            unit_id=unit_id, unit=name, level=by_id[n_id].level + 1, kind=kind,
            receipt_state=state, acted_at=acted_at,
            read=(n_id, unit_id) in read or state == ReceiptState.ACKNOWLEDGED,
            reports=owed, overdue=late, forward=forward_of.get((n_id, unit_id))))

    for nodes in nodes_of.values():  # 主送 before 抄送, each by unit
        nodes.sort(key=lambda n: (n.kind != RecipientKind.MAIN, n.unit_id))

    def attach(node: UnitNode) -> UnitNode:
        if node.forward is not None:
            node.children = [attach(child) for child in nodes_of[node.forward.id]]
            for child in node.children:
                node.below.add(_own(child))
                node.below.add(child.below)
        return node

    # The last level shown: its 转发's subtrees from the counters (before they are added up).
    frontier = [n for nodes in nodes_of.values() for n in nodes
                if depth is not None and n.forward is not None and n.forward.level == depth]
    if frontier:
        counted = _counted(session, [n.forward.id for n in frontier], today)
        for node in frontier:
            node.below = counted.get(node.forward.id, Counts())
    units = [attach(node) for node in nodes_of[root.id]]
    if depth is None:
        levels = max((n.level for nodes in nodes_of.values() for n in nodes), default=0)
        return NoticeTree(by_id[root.id], units, len(notices), levels)
    return NoticeTree(by_id[root.id], units, *_size(session, root.id))


def _issued_by_actors_unit(session: Session, actor: User, notice_id) -> None:
    """NotFound unless `actor`'s unit issued the notice (its staff see how far it went)."""
    notice = session.get(Notice, notice_id) if isinstance(notice_id, int) else None
    if notice is None or not may(actor, Right.VIEW_NOTICE, notice=notice) \
            or not sees_whole_notice(actor, notice):
        raise NotFound("找不到该公文，或您无权查看其转发情况")


def tree_for(session: Session, actor: User, notice_id: int, *,
             now: dt.datetime | None = None) -> NoticeTree:
    """The tree of a notice `actor`'s unit issued (its staff see how far it went), else
    NotFound: a recipient sees its own part in its own notices' trees, not its superior's."""
    _issued_by_actors_unit(session, actor, notice_id)
    return notice_tree(session, notice_id, now=now)


def summable_for(session: Session, report: Report) -> list[Report]:
    """The reports `report`'s unit may carry up with it (汇总上报): its sub-units' accepted
    reports on its own 转发 of the notice, answering the request that passes `report`'s down."""
    return list(session.scalars(
        select(Report).join(Notice, Notice.id == Report.notice_id)
        .join(ReportRequest, ReportRequest.id == Report.request_id)
        .where(Notice.forwards_id == report.notice_id, Notice.issuer_unit_id == report.unit_id,
               ReportRequest.source_request_id == report.request_id,
               Report.state == ReportState.ACCEPTED)
        .order_by(Report.unit_id)))


def rollup(session: Session, notice_id: int, *, now: dt.datetime | None = None
           ) -> dict[int, Counts]:
    """For each unit that forwarded `notice_id` (and issued its 转发), the counts of the subtree
    below its 转发 — what the issuer's tracking page shows beside each unit's line — read from
    the counters the commands keep (`workflow.commands.forward_counts`): one row per 转发, and
    its overdue units as those whose earliest open deadline is before today."""
    today = local_date(now or utcnow())
    return _tallied(session, (Notice.forwards_id == notice_id,
                              Notice.state != NoticeState.CANCELLED), Notice.issuer_unit_id, today)


def _counted(session: Session, forward_ids: list[int], today: dt.date) -> dict[int, Counts]:
    """The kept counts of each of these 转发, by notice."""
    return _tallied(session, (Notice.id.in_(forward_ids),), Notice.id, today)


def _late(today: dt.date):
    """Of the 转发 on the row, its subtree's units overdue on `today`: those whose earliest open
    deadline is before it (its deadline rows read through their key)."""
    return (select(func.coalesce(func.sum(ForwardDue.units), 0))
            .where(ForwardDue.notice_id == Notice.id, ForwardDue.due_on < today)
            .correlate(Notice).scalar_subquery())


def _tallied(session: Session, where, key, today: dt.date) -> dict[int, Counts]:
    """The counters of the 转发 `where` selects, summed by `key`: one statement, reading one row
    per 转发 and its subtree's deadline rows before today."""
    return {k: Counts(int(units), int(signed), int(owing), int(reported), int(late))
            for k, units, signed, owing, reported, late in session.execute(
                select(key, func.sum(ForwardTally.units), func.sum(ForwardTally.signed),
                       func.sum(ForwardTally.owing), func.sum(ForwardTally.reported),
                       func.sum(_late(today)))
                .join(ForwardTally, ForwardTally.notice_id == Notice.id).where(*where)
                .group_by(key))}


def recount(session: Session, notice_id: int, *, now: dt.datetime | None = None
            ) -> dict[int, Counts]:
    """What `rollup` answers, counted afresh from the receipts and reports (two statements
    whatever the tree's size: one recursive walk of the forwards tagged with the unit whose 转发
    started each branch, the receipts counted per branch, the reports per branch). The tracking
    page read this until B7 measured it at national scale (204 ms at p95 on PostgreSQL); it
    stays as the measure the kept counters are held to (tests, bench/b7_tree.py)."""
    today = local_date(now or utcnow())
    first = select(Notice.id.label("id"), Notice.issuer_unit_id.label("top")).where(
        Notice.forwards_id == notice_id, Notice.state != NoticeState.CANCELLED)
    branch = first.cte("branch", recursive=True)
    child = aliased(Notice)
    branch = branch.union_all(select(child.id, branch.c.top)
                              .join(branch, child.forwards_id == branch.c.id)
                              .where(child.state != NoticeState.CANCELLED))
    open_notice = Notice.state.in_(_OPEN)
    late_receipt = and_(open_notice, Receipt.state == ReceiptState.PENDING,
                        Notice.receipt_due_on.is_not(None), Notice.receipt_due_on < today)
    counts: dict[int, Counts] = defaultdict(Counts)
    for top, units, signed in session.execute(
            select(branch.c.top, func.count(),
                   func.sum(case((Receipt.state == ReceiptState.ACKNOWLEDGED, 1), else_=0)))
            .select_from(branch).join(Receipt, Receipt.notice_id == branch.c.id)
            .where(Receipt.kind == RecipientKind.MAIN).group_by(branch.c.top)):
        counts[top].units, counts[top].signed = units, int(signed or 0)
    # Per unit of the subtree: does it owe reports, has it answered them all, is it late with
    # its receipt or a report? Then counted per branch.
    per_unit = (
        select(branch.c.top.label("top"), Receipt.notice_id, Receipt.unit_id,
               func.count(Report.id).label("owed"),
               func.sum(case((Report.state.in_(_ANSWERED), 1), else_=0)).label("answered"),
               func.max(case((and_(open_notice, Report.state == ReportState.DUE,
                                   ReportRequest.due_date < today), 1),
                             (late_receipt, 1), else_=0)).label("late"))
        .select_from(branch).join(Receipt, Receipt.notice_id == branch.c.id)
        .join(Notice, Notice.id == Receipt.notice_id)
        .outerjoin(Report, and_(Report.notice_id == Receipt.notice_id,
                                Report.unit_id == Receipt.unit_id))
        .outerjoin(ReportRequest, ReportRequest.id == Report.request_id)
        .where(Receipt.kind == RecipientKind.MAIN)
        .group_by(branch.c.top, Receipt.notice_id, Receipt.unit_id)).subquery()
    for top, owing, reported, overdue in session.execute(
            select(per_unit.c.top,
                   func.sum(case((per_unit.c.owed > 0, 1), else_=0)),
                   func.sum(case((and_(per_unit.c.owed > 0,
                                       per_unit.c.answered == per_unit.c.owed), 1), else_=0)),
                   func.sum(per_unit.c.late))
            .group_by(per_unit.c.top)):
        counts[top].owing, counts[top].reported = int(owing or 0), int(reported or 0)
        counts[top].overdue = int(overdue or 0)
    return dict(counts)


@dataclass(frozen=True)
class Rollup:
    """What the issuer's tracking page shows of the 转发 below its notice: each forwarding
    unit's own 转发 and its subtree's counts, and the size of the whole tree."""

    forwards: dict[int, ForwardNotice]  # recipient unit → its 转发 of the notice
    below: dict[int, Counts]  # recipient unit → the counts of its subtree
    notices: int  # the notices of the tree below the notice (its 转发, theirs …)
    levels: int  # how many levels of units the tree reaches (1: no 转发 at all)

    def line(self, unit_id: int) -> tuple[ForwardNotice, Counts] | None:
        forward = self.forwards.get(unit_id)
        return None if forward is None else (forward, self.below.get(unit_id, Counts()))


def rollup_for(session: Session, actor: User, notice_id: int, *,
               now: dt.datetime | None = None) -> Rollup:
    """The roll-up of a notice the actor's unit issued (else NotFound, as `tree_for`)."""
    _issued_by_actors_unit(session, actor, notice_id)
    return rollup_of(session, notice_id, now=now)


def rollup_of(session: Session, notice_id: int, *, now: dt.datetime | None = None) -> Rollup:
    """What the tracking page reads of the 转发 below a notice: its 转发 with their counters (one
    statement), and the size of the whole tree (one walk down, counting)."""
    today = local_date(now or utcnow())
    direct: dict[int, ForwardNotice] = {}
    below: dict[int, Counts] = {}
    for *row, units, signed, owing, reported, late in session.execute(
            select(Notice.id, Notice.issuer_unit_id, Unit.name, Notice.forwards_id,
                   Notice.doc_number, Notice.title, Notice.state, ForwardTally.units,
                   ForwardTally.signed, ForwardTally.owing, ForwardTally.reported, _late(today))
            .join(Unit, Unit.id == Notice.issuer_unit_id)
            .outerjoin(ForwardTally, ForwardTally.notice_id == Notice.id)
            .where(Notice.forwards_id == notice_id, Notice.state != NoticeState.CANCELLED)):
        forward = ForwardNotice(*row, 1)
        direct[forward.issuer_unit_id] = forward
        if units is not None:  # issued: it has counters (a draft has no units yet)
            below.setdefault(forward.issuer_unit_id, Counts()).add(
                Counts(units, signed, owing, reported, int(late)))
    down = _walk_down(notice_id)
    count, deepest = session.execute(select(func.count(), func.max(down.c.level))).one()
    return Rollup(direct, below, count - 1, deepest + 1)  # the notice itself not counted
