"""The counters of the 转发 tree, kept by the commands in the transaction of each change.

Owns: the rows of `ForwardTally` and `ForwardDue`. Each issued 转发 counts its subtree — its own
主送 units and those of every 转发 below it: how many there are, signed for, owe reports, have
answered them all, and (in `ForwardDue`) how many of the open notices' units still owe something
by each earliest deadline. A change to one unit's receipt or reports, or to a whole notice
(closing, revoking, archiving), is counted as the difference between that unit's (or notice's)
share before and after it, added to the notice's counters and those of every 转发 above it —
at most one row per level, so that the issuer's tracking page reads one row per 转发 instead of
counting the whole tree (bench/b7_tree.py).

How it stays right under concurrency: every counter moves by `n = n + delta` in the database,
never by a value read first, so two units of one subtree signing at once both count. A unit's
share is read before and after its change under the lock of its notice (`hold_notice_of`: every
command that changes receipts or reports takes it first), so nobody changes it in between. The
counters' rows are locked, one level after the other from the notice up, before the audit
chain's head, whenever a 转发's receipts or reports change — even when nothing moves, so that a
notice closing by itself afterwards in the same transaction takes no new lock after the head.
Lock order: notice → its receipts and reports → the counters, from the bottom up → the head.

Must not: commit; count anything but what `workflow.queries.forwarding.recount` counts (the tests
hold the two to each other).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from workflow.db import insert_or_add
from workflow.models import ForwardDue, ForwardTally, Notice, Receipt, Report, ReportRequest
from workflow.states import NoticeState, ReceiptState, RecipientKind, ReportState

_ANSWERED = (ReportState.SUBMITTED, ReportState.ACCEPTED)
# A notice has receipts from 印发 on: these states are the ones its counters follow.
_DISTRIBUTED = (NoticeState.ISSUED, NoticeState.CLOSED, NoticeState.REVOKED,
                NoticeState.ABOLISHED, NoticeState.ARCHIVED)
_TALLY = ForwardTally.__table__
_DUE = ForwardDue.__table__


@dataclass
class Share:
    """What some 主送 units of one notice add to the counters."""

    units: int = 0
    signed: int = 0
    owing: int = 0
    reported: int = 0
    due: Counter = field(default_factory=Counter)  # earliest open deadline → units

    def minus(self, other: Share) -> Share:
        due = Counter(self.due)
        due.subtract(other.due)
        return Share(self.units - other.units, self.signed - other.signed,
                     self.owing - other.owing, self.reported - other.reported,
                     Counter({day: n for day, n in due.items() if n}))


def share(session: Session, notice_id: int, unit_id: int | None = None) -> Share:
    """The share of one notice's 主送 units (or of one of them) as the database holds it now."""
    query = (select(Receipt.unit_id, Receipt.state, Notice.state, Notice.receipt_due_on,
                    Report.state, ReportRequest.due_date)
             .join(Notice, Notice.id == Receipt.notice_id)
             .outerjoin(Report, and_(Report.notice_id == Receipt.notice_id,
                                     Report.unit_id == Receipt.unit_id))
             .outerjoin(ReportRequest, ReportRequest.id == Report.request_id)
             .where(Receipt.notice_id == notice_id, Receipt.kind == RecipientKind.MAIN))
    if unit_id is not None:
        query = query.where(Receipt.unit_id == unit_id)
    units: dict[int, list] = {}
    for unit, receipt_state, notice_state, receipt_due, report_state, report_due in \
            session.execute(query):
        # per unit: signed, reports owed, reports answered, earliest open deadline
        seen = units.setdefault(unit, [receipt_state == ReceiptState.ACKNOWLEDGED, 0, 0, None])
        open_ = notice_state == NoticeState.ISSUED
        if open_ and receipt_state == ReceiptState.PENDING and receipt_due is not None:
            seen[3] = receipt_due if seen[3] is None else min(seen[3], receipt_due)
        if report_state is not None:
            seen[1] += 1
            seen[2] += report_state in _ANSWERED
            if open_ and report_state == ReportState.DUE and report_due is not None:
                seen[3] = report_due if seen[3] is None else min(seen[3], report_due)
    result = Share(units=len(units))
    for signed, owed, answered, earliest in units.values():
        result.signed += signed
        result.owing += owed > 0
        result.reported += owed > 0 and answered == owed
        if earliest is not None:
            result.due[earliest] += 1
    return result


def add(session: Session, notice_id: int, delta: Share) -> None:
    """Add `delta` to the counters of the 转发 `notice_id` and of every 转发 above it, one row
    after the other from the bottom up (each row locked until the transaction ends)."""
    node = notice_id
    while node is not None:
        parent = session.execute(
            _TALLY.update().where(_TALLY.c.notice_id == node)
            .values(units=_TALLY.c.units + delta.units, signed=_TALLY.c.signed + delta.signed,
                    owing=_TALLY.c.owing + delta.owing,
                    reported=_TALLY.c.reported + delta.reported)
            .returning(_TALLY.c.parent_id)).first()
        if parent is None:
            return
        for day, n in sorted(delta.due.items()):
            _add_due(session, node, day, n)
        node = parent[0]


def _add_due(session: Session, notice_id: int, day: dt.date, n: int) -> None:
    """ForwardDue(notice_id, day) += n, made when missing: one statement either way."""
    insert_or_add(session, _DUE, {"notice_id": notice_id, "due_on": day, "units": n},
                  conflict_columns=["notice_id", "due_on"], adding=["units"])


def opening(session: Session, notice: Notice) -> None:
    """Before a 转发 is issued (its notice locked, the audit chain's head not yet): its counters'
    row, empty, below its source's when the source is a 转发 too, and the rows above it locked."""
    if notice.forwards_id is None or notice.state != NoticeState.SIGNED:
        return  # not a 转发, or one that `_advance` will refuse to issue
    above = session.get(ForwardTally, notice.forwards_id)
    session.execute(_TALLY.insert().values(
        notice_id=notice.id, parent_id=above.notice_id if above is not None else None,
        units=0, signed=0, owing=0, reported=0))
    add(session, notice.id, Share())


def issued(session: Session, notice: Notice) -> None:
    """After a 转发's receipts and reports are written: its units counted, up the tree."""
    if notice.forwards_id is not None:
        add(session, notice.id, share(session, notice.id))


class Watch:
    """One state change of a 转发's notice, receipt or report being counted: the share before
    (`Watch.of`), then `settle()` after the change and its cascades are written."""

    def __init__(self, session: Session, notice_id: int, unit_id: int | None) -> None:
        self.session, self.notice_id, self.unit_id = session, notice_id, unit_id
        with session.no_autoflush:
            self.before = share(session, notice_id, unit_id)

    @classmethod
    def of(cls, session: Session, row) -> Watch | None:
        """A watch on `row` when its change can move a counter, else None: a notice that
        forwards nothing has no counters, a 转发 not yet issued has no units."""
        if isinstance(row, Notice):
            if row.forwards_id is None or row.state not in _DISTRIBUTED:
                return None
            return cls(session, row.id, None)
        if isinstance(row, (Receipt, Report)) and row.notice.forwards_id is not None:
            return cls(session, row.notice_id, row.unit_id)
        return None

    def settle(self) -> None:
        add(self.session, self.notice_id,
            share(self.session, self.notice_id, self.unit_id).minus(self.before))
