"""B5: the inbox, the tracking list, the overdue list and the matrix on 100k notices / 1M receipts,
against the same queries on 10k notices / 100k receipts.

Two data sets are generated (bench/b5_generate.py: rows written straight into the tables, as the
commands would have left them): the newest 10,000 notices of one simulated history (about a
year), and 100,000 notices of the same history (about ten years). The newest tenth is the same
in both — the same open notices, the same units behind, the same overdue items — so each query
has the same rows to show at both sizes, and what the larger set adds is history only.

Each figure is one request's read, as the web pages make it: open a session (SQLite: a reader's
BEGIN DEFERRED), load the acting user with their role grants, run the query, close. The actors
are whom the pages serve: the receiver of the unit that receives the most notices (主送), for
`workflow.queries.inbox.inbox`; the province federation's 督办, for the inbox too, for
`tracking.tracked_notices` (the list page shows its first 200), for `overdue.overdue` (the page
shows the first 500 of each list, after counting them all) and for `tracking.matrix` of an open
notice to 489 units and of a typical open one to 13 (the matrix page shows every unit: it is not
paged). The two sizes take turns. Targets: p95 ≤ 50 ms at 100k notices; the median at 100k ≤ 2×
the median at 10k; every statement uses an index — EXPLAIN QUERY PLAN (SQLite) and EXPLAIN
(PostgreSQL) of every statement each query runs, captured by a `before_cursor_execute` listener
during one call on the large set, are written to bench/EXPLAIN.md (this module rewrites its own
database's part of that file on each run).

    .venv/bin/python bench/b5_queries.py          # both databases, full size
    B5_NOTICES=2000,20000 B5_RUNS=20 .venv/bin/python bench/b5_queries.py   # a quick look
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.b5_generate import NOW, Generated, generate  # noqa: E402
from bench.harness import (  # noqa: E402
    Database,
    Figure,
    Ratio,
    Section,
    interleaved,
    main_on_both,
    postgres_database,
    sqlite_database,
)
from workflow.db import read_only  # noqa: E402
from workflow.models import User  # noqa: E402
from workflow.queries import inbox as inbox_queries  # noqa: E402
from workflow.queries import overdue as overdue_queries  # noqa: E402
from workflow.queries import tracking as tracking_queries  # noqa: E402

TITLE = "B5 — inbox, tracking list, overdue list and matrix at 100k notices / 1M receipts"
FULL_SIZE = "10000,100000"
SMALL, LARGE = (int(n) for n in os.environ.get("B5_NOTICES", FULL_SIZE).split(","))
RUNS = int(os.environ.get("B5_RUNS", "100"))
WARMUP = 5
P95_TARGET = 0.050  # seconds
GROWTH_TARGET = 2.0
EXPLAIN = Path(__file__).resolve().parent / "EXPLAIN.md"
# Tables that grow with the history: a full scan of one of them is a miss.
GROWING = {"notice", "receipt", "report", "report_request", "report_request_party", "addressee",
           "reminder", "audit_entry", "notification", "attachment"}


# ------------------------------------------------------------------------------------------------
# The queries, as the pages call them.

Query = Callable[[object, User], object]


def _queries(made: Generated) -> list[tuple[str, int, Query]]:
    """(label, acting user, call) for each measured query on one data set."""
    return [
        (f"inbox — receiver of {made.inbox_unit}", made.inbox_receiver_id,
         lambda s, a: inbox_queries.inbox(s, a, now=NOW)),
        ("inbox — the province's 督办", made.supervisor_id,
         lambda s, a: inbox_queries.inbox(s, a, now=NOW)),
        ("tracked_notices — 督办 (the first 200)", made.supervisor_id,
         lambda s, a: tracking_queries.tracked_notices(s, a, now=NOW)),
        ("overdue — 督办 (the first 500 of each list)", made.supervisor_id,
         lambda s, a: overdue_queries.overdue(s, a, now=NOW)),
        (f"matrix — notice to {made.big_notice_units} units", made.supervisor_id,
         lambda s, a: tracking_queries.matrix(s, a, made.big_notice_id, now=NOW)),
        (f"matrix — typical notice to {made.typical_notice_units} units", made.supervisor_id,
         lambda s, a: tracking_queries.matrix(s, a, made.typical_notice_id, now=NOW)),
    ]


def _shape(result) -> str:
    """What a query showed, in numbers that must agree at both sizes (the same present)."""
    if isinstance(result, inbox_queries.Inbox):
        return f"{result.total} tasks {sorted((k, v) for k, v in result.counts.items() if v)}"
    if isinstance(result, overdue_queries.OverdueList):
        return (f"{result.report_total} late reports, {result.receipt_total} pending receipts "
                f"({result.receipt_overdue_total} overdue)")
    if isinstance(result, tracking_queries.NoticeMatrix):
        return (f"{result.units} units × {len(result.columns)} requests, "
                f"{len(result.outstanding)} outstanding, {result.overdue_units} overdue")
    if isinstance(result, list):
        return (f"{len(result)} notices, {sum(1 for n in result if n.is_open)} open, "
                f"{sum(n.pending_receipts for n in result)} pending receipts")
    return type(result).__name__


class _Side:
    """One data set in one database: its engine, its session factory, its queries."""

    def __init__(self, db: Database, made: Generated):
        self.db, self.made = db, made
        self.engine = db.engine()
        self.factory = db.session_factory(self.engine)
        self.queries = _queries(made)

    def call(self, index: int) -> Callable[[], object]:
        _, actor_id, query = self.queries[index]

        def one_request():
            with self.factory() as session:
                read_only(session)
                return query(session, session.get(User, actor_id))

        return one_request

    def statements(self, index: int) -> list[tuple[str, object]]:
        """Every SELECT the query (not the loading of the actor) runs during one call."""
        _, actor_id, query = self.queries[index]
        seen = []

        def listen(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                seen.append((statement, parameters))

        with self.factory() as session:
            read_only(session)
            actor = session.get(User, actor_id)
            actor.grants  # noqa: B018 (loaded now, not inside the capture)
            event.listen(self.engine, "before_cursor_execute", listen)
            try:
                query(session, actor)
            finally:
                event.remove(self.engine, "before_cursor_execute", listen)
        return seen

    def explain(self, statement: str, parameters) -> list[str]:
        with self.engine.connect() as conn:
            if self.db.name == "SQLite":
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                depth = {0: -1}
                lines = []
                for node, parent, _, detail in rows:
                    depth[node] = depth.get(parent, -1) + 1
                    lines.append("  " * depth[node] + detail)
                return lines
            return [row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters)]

    def dispose(self):
        self.engine.dispose()


def _scans(db_name: str, plan: list[str]) -> list[str]:
    """The plan's lines that read a whole growing table (or a whole index of one)."""
    found = []
    for line in plan:
        if db_name == "SQLite":
            m = re.match(r"\s*SCAN (\w+)", line)
        else:
            m = re.search(r"Seq Scan on (\w+)", line)
        if m and m.group(1) in GROWING:
            found.append(line.strip())
    return found


# ------------------------------------------------------------------------------------------------
# EXPLAIN.md: one part per database, each rewritten by its own run.

_PLACEHOLDER = r"(?:\?|%\([^)]*\)s(?:::\w+)?)"
_LONG_LIST = re.compile(rf"\(({_PLACEHOLDER})(?:, {_PLACEHOLDER}){{5,}}\)")


def _compact(statement: str) -> str:
    """The statement on one line, a long IN list of placeholders shortened to its first one."""
    shown = " ".join(statement.split())
    return _LONG_LIST.sub(lambda m: f"({m.group(1)}, … {m.group(0).count(',') + 1} in all)",
                          shown)


def _shown_parameters(parameters) -> str:
    values = list(parameters.values()) if isinstance(parameters, dict) else list(parameters)
    if len(values) <= 12:
        return repr(parameters)
    return f"{values[:8]!r} … ({len(values)} in all)"


def _explain_part(db_name: str, side: _Side) -> tuple[str, list[str]]:
    lines = [f"<!-- B5:{db_name} -->", f"## {db_name}", "",
             f"On the {side.made.notices:,}-notice set ({side.made.receipts:,} receipts, "
             f"{side.made.reports:,} reports).", ""]
    misses = []
    for index, (label, _, _) in enumerate(side.queries):
        statements = side.statements(index)
        lines += [f"### {label}", "", f"{len(statements)} statements.", ""]
        for number, (statement, parameters) in enumerate(statements, start=1):
            plan = side.explain(statement, parameters)
            scans = _scans(db_name, plan)
            misses += [f"{label}, statement {number}: {scan}" for scan in scans]
            lines += [f"{number}. `{_compact(statement)}`", "",
                      f"   parameters: `{_shown_parameters(parameters)}`", "",
                      "   ```", *(f"   {line}" for line in plan), "   ```", ""]
            if scans:
                lines += [f"   **reads a whole growing table:** {'; '.join(scans)}", ""]
    lines.append(f"<!-- /B5:{db_name} -->")
    return "\n".join(lines), misses


def _write_explain(db_name: str, part: str) -> None:
    head = ("# B5 — the query plans\n\n"
            "Written by `bench/b5_queries.py` (do not edit by hand): every statement that each "
            "B5 query runs during one call on the large data set, captured by a SQLAlchemy "
            "`before_cursor_execute` listener, with its parameters and its plan — EXPLAIN QUERY "
            "PLAN on SQLite (no ANALYZE statistics: the application never gathers them), EXPLAIN "
            "on PostgreSQL (after VACUUM ANALYZE, as autovacuum does after a load; the plan "
            "shown is the one planned for these parameters). The loading of the "
            "acting user is not shown. A full scan of a table that grows with the history is "
            "marked.\n\n")
    old = EXPLAIN.read_text(encoding="utf-8") if EXPLAIN.exists() else ""
    parts = old[old.find("<!-- B5:"):] if "<!-- B5:" in old else ""
    pattern = re.compile(rf"<!-- B5:{db_name} -->.*?<!-- /B5:{db_name} -->", re.S)
    if pattern.search(parts):
        parts = pattern.sub(lambda _: part, parts)
    else:
        parts = (parts.rstrip() + "\n\n" + part).lstrip()
    EXPLAIN.write_text(head + parts.rstrip() + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------------------------
# The second database, for the small set.

@contextlib.contextmanager
def _beside(db: Database) -> Iterator[Database]:
    """A fresh empty database of the same kind beside `db`, dropped afterwards."""
    if db.name == "SQLite":
        with sqlite_database() as small:
            yield small
        return
    with postgres_database(db.url, f"{make_url(db.url).database}_small") as small:
        yield small


# ------------------------------------------------------------------------------------------------

def run(db: Database) -> Section:
    started = time.perf_counter()
    section = Section(title=f"{TITLE} — {db.name}", p95=True)
    section.notes.append(
        f"each figure: one request's read — a fresh session (SQLite: BEGIN DEFERRED), the acting "
        f"user and their role grants loaded, the query — {RUNS} times, the two sizes taking "
        f"turns; the same {SMALL:,} newest notices in both sets, the larger adding older history.")
    with _beside(db) as small_db:
        small_made = generate(small_db, SMALL)
        large_made = generate(db, LARGE)
        small, large = _Side(small_db, small_made), _Side(db, large_made)
        try:
            for made in (small_made, large_made):
                section.notes.append(
                    f"generated {made.notices:,} notices ({made.receipts:,} receipts, "
                    f"{made.reports:,} reports; {made.rows:,} rows in all) in "
                    f"{made.seconds:.1f} s; states: "
                    + ", ".join(f"{k} {v:,}" for k, v in sorted(made.states.items())))
            section.notes.append(
                f"the 督办's unit has {large_made.open_notices} open notices at both sizes "
                f"({small_made.open_notices} in the small set).")
            misses = _measure(section, small, large)
            part, scans = _explain_part(db.name, large)
            full = (SMALL, LARGE) == tuple(int(n) for n in FULL_SIZE.split(","))
            if full:  # a quick look at smaller sets leaves the recorded plans alone
                _write_explain(db.name, part)
            _, small_scans = _explain_part(db.name, small)
            misses += scans
            section.notes.append(
                (f"EXPLAIN of every statement: bench/EXPLAIN.md ({db.name} part). " if full else
                 "EXPLAIN.md not rewritten (reduced sizes). ")
                + ("Every statement reads growing tables through an index only."
                   if not scans else f"Full scans of growing tables at {LARGE:,}: "
                   + " | ".join(scans))
                + ("" if not small_scans or small_scans == scans else
                   f" (at {SMALL:,}: {' | '.join(small_scans)})"))
            if misses:
                section.notes.append("Misses: " + " | ".join(misses))
        finally:
            small.dispose()
            large.dispose()
    section.notes.append(f"the whole B5 run on {db.name} (generation included) took "
                         f"{time.perf_counter() - started:.0f} s.")
    return section


def _measure(section: Section, small: _Side, large: _Side) -> list[str]:
    misses = []
    for index, (label, _, _) in enumerate(large.queries):
        shapes = [_shape(side.call(index)()) for side in (small, large)]
        fig_small, fig_large = interleaved(
            [(f"{label} — {SMALL // 1000}k notices", small.call(index)),
             (f"{label} — {LARGE // 1000}k notices", large.call(index))],
            runs=RUNS, warmup=WARMUP)
        section.figures += [fig_small, fig_large]
        p95 = fig_large.percentile(95)
        growth = fig_large.median / fig_small.median
        section.ratios.append(Ratio(f"{label}: p95 at {LARGE // 1000}k, ms", p95 * 1000,
                                    f"≤ {P95_TARGET * 1000:g} ms", p95 <= P95_TARGET))
        section.ratios.append(Ratio(f"{label}: median {LARGE // 1000}k / {SMALL // 1000}k",
                                    growth, f"≤ {GROWTH_TARGET:g}×", growth <= GROWTH_TARGET))
        same = "same at both sizes" if shapes[0] == shapes[1] else f"at {SMALL:,}: {shapes[0]}"
        section.notes.append(f"{label}: shows {shapes[1]} ({same}).")
        if p95 > P95_TARGET or growth > GROWTH_TARGET:
            misses.append(f"{label} ({_ms(fig_large)})")
    return misses


def _ms(figure: Figure) -> str:
    return f"median {figure.median * 1000:.1f} ms, p95 {figure.percentile(95) * 1000:.1f} ms"


def main() -> int:
    return main_on_both(run)


if __name__ == "__main__":
    sys.exit(main())
