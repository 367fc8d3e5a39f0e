"""workflow/db.py: the helpers that choose the dialect's SQL, on whichever database the run uses."""

from __future__ import annotations

from sqlalchemy import select

from workflow.db import among_ids
from workflow.models import Unit


def _units_among(session, ids):
    return sorted(session.scalars(select(Unit.id).where(among_ids(session, Unit.id, ids))))


def test_among_ids_finds_exactly_the_rows_listed_however_many(world, session):
    every = sorted(session.scalars(select(Unit.id)))
    assert len(every) > 3
    assert _units_among(session, every) == every
    assert _units_among(session, every[1:3]) == every[1:3]
    assert _units_among(session, [every[0]]) == [every[0]]


def test_among_ids_of_nothing_finds_nothing(world, session):
    assert _units_among(session, []) == []


def test_among_ids_ignores_ids_that_match_no_row_among_hundreds(world, session):
    first = session.scalar(select(Unit.id).order_by(Unit.id))
    asked = [first, *range(10_000_000, 10_000_300)]
    assert _units_among(session, asked) == [first]
