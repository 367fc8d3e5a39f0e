"""Concurrency and crashes, shown with real processes on one database (SQLite and PostgreSQL).

Every test here starts its workers through `processes`, and ends by asserting that the audit chain
verifies and that `workflow.invariants.check` finds nothing (`assert_everything_holds`).
"""

from __future__ import annotations

from workflow import audit, invariants


def assert_everything_holds(session_factory) -> None:
    """The audit chain verifies and every invariant of the database holds."""
    with session_factory() as s:
        problems = invariants.check(s)  # in one snapshot (SQLite: as a reader)
        assert problems == [], "\n".join(problems)
        report = audit.verify(s)
        assert report.ok and report.checked > 0, str(report)
        s.rollback()
