"""Judging a notice's items against their due dates, in SQL, and the tallies they add up to.

Owns: which issuing units' statistics an actor may read (those where they are 督办 or 签发人);
how receipts and reports read in SQL (`RECEIPTS`, `REPORTS`); the conditions on time, late,
missing and open for statements that join the item's notice (`verdicts`), judged by the rules in
`workflow.queries.statistics`; per-group counts in one statement (`grouped`); and `Tally`.
Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

from workflow.deadlines import LOCAL_TZ
from workflow.models import Notice, Receipt, Report, Unit, User
from workflow.states import ReceiptState, ReportState, Role

STATISTICS_ROLES = frozenset({Role.SUPERVISOR, Role.SIGNATORY})

_TALLY_FIELDS = ("owed", "done", "on_time", "late", "missing", "open")


def statistics_units(actor: User) -> list[int]:
    """The issuing units whose statistics `actor` may read: those where they are 督办 or 签发人."""
    return sorted({g.unit_id for g in actor.grants if g.role in STATISTICS_ROLES})


@dataclass(frozen=True)
class Items:
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
RECEIPTS = Items(Receipt, Receipt.notice_id, Receipt.notice_id,
                 Receipt.state == ReceiptState.ACKNOWLEDGED, Receipt.acted_at,
                 Receipt.state == ReceiptState.PENDING, Receipt.state == ReceiptState.WAIVED)
REPORTS = Items(Report, Report.notice_id, Report.request_id,
                or_(Report.state.in_((ReportState.SUBMITTED, ReportState.ACCEPTED)),
                    _RELEASED_SUBMITTED),
                Report.submitted_at, Report.state == ReportState.DUE,
                and_(Report.state == ReportState.WAIVED, not_(_RELEASED_SUBMITTED)))


def _day_end(due: dt.date) -> dt.datetime:
    """The first stored (naive UTC) moment after the local due day: done before it is on time."""
    start = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)
    return start.astimezone(dt.UTC).replace(tzinfo=None)


def verdicts(items: Items, due_by_key: dict[int, dt.date | None], today: dt.date) -> dict:
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


def _tally_columns(items: Items, judged: dict) -> list:
    return [func.count().label("owed"), _count(items.done, "done"),
            *(_count(condition, name) for name, condition in judged.items())]


def grouped(session: Session, items: Items, judged: dict, by, *where,
            named: bool = False) -> dict:
    """Tallies of `items` per value of `by` (a unit, a notice, a request), in one statement;
    `judged` is what `verdicts` made of their due dates."""
    statement = (select(by, *_tally_columns(items, judged))
                 .join(Notice, Notice.id == items.notice_id).where(*where).group_by(by))
    if named:  # the unit's name travels with its counts
        statement = statement.add_columns(Unit.name).join(Unit, Unit.id == by) \
            .group_by(Unit.name)
    return {row[0]: row for row in session.execute(statement)}


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


def sum_tallies(tallies) -> Tally:
    """Several tallies added up, field by field."""
    tallies = list(tallies)
    return Tally(*(sum(getattr(t, name) for t in tallies) for name in _TALLY_FIELDS))


def tally_of(row) -> Tally:
    """The Tally of a row of `grouped` (None: no items, all zero)."""
    return Tally() if row is None else Tally(*(int(getattr(row, name)) for name in _TALLY_FIELDS))
