"""B7: the 转发 tree of a national notice, at national scale.

A synthetic federation written straight into the tables (through SQLAlchemy Core, in bulk): one
national federation → 31 provinces → 333 cities → 2,800 counties → 40,000 townships (43,165 units).
A national notice asks every unit for one report; it is forwarded at every level (each province
to its cities, each city to its counties, each county to its townships: 3,164 forwards), and
every forward passes the report down. States are spread by a seeded random stream: 90% of
receipts signed for, 70% of reports submitted and half of those accepted; 4% of units have not
forwarded yet (their subtree has nothing). The "4 levels" world stops at the counties (no
township forwards, 3,165 units' worth below the root fewer).

The counters of each 转发's subtree (`forward_tally`, `forward_due`) are filled as the
commands fill them when each 转发 is issued (`workflow.commands.forward_counts`: its units' share
added up the chain), forward by forward from the top; PostgreSQL is then ANALYZEd, as autovacuum
does after a load.

Measured on each database, interleaved, with the load average of the machine before and after:
- the roll-up of the national notice from the counters (`workflow.queries.forwarding.rollup`:
  what the top tracking page shows beside each province) — target p95 ≤ 50 ms on PostgreSQL —
  and everything the page reads of the tree (`rollup_of`: the 转发 below, the counters, the size
  of the tree);
- the same recounted from the receipts and reports (`recount`: what the page read before);
- the roll-up of a province's forward and of a forward of the lowest level that forwards (a
  county's; a city's in the 4-level world);
- `notice_tree` of the national notice, whole and one level at a time (`--depth 1`, `2`), and of
  a province's forward.
The two roll-ups must give the same answers (checked before timing). Every statement of every
call is written with its plan into bench/EXPLAIN.md (B7 part of each database): EXPLAIN ANALYZE
on PostgreSQL, EXPLAIN QUERY PLAN on SQLite (B7_EXPLAIN=0 leaves the file alone).

    .venv/bin/python bench/b7_tree.py             # SQLite
    .venv/bin/python bench/b7_tree.py --postgres  # SQLite, then PostgreSQL when there is one
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, insert, select, text  # noqa: E402

from bench.harness import Database, Ratio, Section, interleaved, main_on_sqlite  # noqa: E402
from workflow.commands import forward_counts  # noqa: E402
from workflow.models import (  # noqa: E402
    ForwardDue,
    ForwardTally,
    Notice,
    Receipt,
    Report,
    ReportRequest,
    Unit,
    User,
)
from workflow.queries.forwarding import notice_tree, recount, rollup, rollup_of  # noqa: E402
from workflow.states import (  # noqa: E402
    NoticeState,
    ReceiptState,
    RecipientKind,
    ReportState,
)

SEED = 20261203
FANOUT = (31, 333, 2_800, 40_000)  # units per level below the national federation
NOW = dt.datetime(2026, 4, 10, 2)  # after the national deadline for some, before for others
ISSUED = dt.datetime(2026, 3, 2, 2)
RUNS = 30
EXPLAIN = Path(__file__).resolve().parent / "EXPLAIN.md"


def _children(count: int, parents: list[int]) -> list[int]:
    """Which parent each of `count` children belongs to: as even a spread as the numbers allow."""
    return [parents[i * len(parents) // count] for i in range(count)]


def build(db: Database, *, levels: int) -> dict[str, int]:
    """The federation and the national notice's tree, `levels` deep (4: to the townships)."""
    engine = db.engine()
    rng = random.Random(SEED)
    with engine.begin() as conn:
        conn.execute(insert(Unit), [{"name": "全国妇联"}])
        root = conn.scalar(select(Unit.id))
        conn.execute(insert(User), [{"username": "bench", "display_name": "bench",
                                     "unit_id": root}])
        user = conn.scalar(select(User.id))
        tiers = [[root]]
        for depth, count in enumerate(FANOUT, start=1):
            parents = _children(count, tiers[-1])
            conn.execute(insert(Unit), [{"name": f"L{depth}-{i}", "parent_id": p}
                                        for i, p in enumerate(parents)])
            tiers.append(list(conn.scalars(select(Unit.id).where(Unit.name.like(f"L{depth}-%"))
                                           .order_by(Unit.id))))
        parent_of = dict(conn.execute(select(Unit.id, Unit.parent_id)).all())
        children_of: dict[int, list[int]] = {}
        for unit, parent in parent_of.items():
            if parent is not None:
                children_of.setdefault(parent, []).append(unit)

        serial = 0

        def issue(issuer: int, forwards: int | None, source_request: int | None,
                  due: dt.date) -> tuple[int, int]:
            nonlocal serial
            serial += 1
            notice = conn.scalar(insert(Notice).returning(Notice.id), {
                "issuer_unit_id": issuer, "drafter_id": user, "title": f"通知{serial}",
                "state": NoticeState.ISSUED, "version": 3, "forwards_id": forwards,
                "doc_number": f"B7〔2026〕{serial}号", "issued_at": ISSUED,
                "receipt_due_on": dt.date(2026, 3, 6)})
            request = conn.scalar(insert(ReportRequest).returning(ReportRequest.id), {
                "notice_id": notice, "what": "调研报告", "due_date": due,
                "source_request_id": source_request})
            return notice, request

        receipts, reports = [], []
        national, national_request = issue(root, None, None, dt.date(2026, 4, 30))
        frontier = [(national, national_request, root, dt.date(2026, 4, 30))]
        forwards_by_depth: dict[int, list[int]] = {0: [national]}
        for depth in range(1, levels + 1):
            next_frontier = []
            for notice, request, issuer, due in frontier:
                for unit in children_of.get(issuer, ()):
                    signed = rng.random() < 0.9
                    receipts.append({"notice_id": notice, "unit_id": unit,
                                     "kind": RecipientKind.MAIN, "version": 2 if signed else 1,
                                     "state": ReceiptState.ACKNOWLEDGED if signed
                                     else ReceiptState.PENDING})
                    answered = signed and rng.random() < 0.78
                    state = (ReportState.DUE if not answered else
                             ReportState.ACCEPTED if rng.random() < 0.5
                             else ReportState.SUBMITTED)
                    reports.append({"notice_id": notice, "request_id": request, "unit_id": unit,
                                    "state": state, "version": 1})
                    if depth < levels and signed and rng.random() < 0.96:
                        next_frontier.append((unit, due - dt.timedelta(days=3)))
            forwards = []
            for unit, due in next_frontier:
                parent_notice = next(n for n, _, issuer, _ in frontier
                                     if issuer == parent_of[unit])
                parent_request = next(r for n, r, _, _ in frontier if n == parent_notice)
                notice, request = issue(unit, parent_notice, parent_request, due)
                forwards.append((notice, request, unit, due))
            forwards_by_depth[depth] = [n for n, _, _, _ in forwards]
            frontier = forwards
            if len(receipts) > 20_000:
                conn.execute(insert(Receipt), receipts)
                conn.execute(insert(Report), reports)
                receipts, reports = [], []
        if receipts:
            conn.execute(insert(Receipt), receipts)
            conn.execute(insert(Report), reports)
    _count(db, engine, [n for depth in sorted(forwards_by_depth) if depth
                        for n in forwards_by_depth[depth]])
    engine.dispose()
    return {"national": national, "province": forwards_by_depth[1][0],
            "lowest": forwards_by_depth[levels - 1][0],
            "notices": serial}


def _count(db: Database, engine, forwards: list[int]) -> None:
    """Each 转发's counters as issuing it makes them (`forward_counts.issued`: its units' share
    added up the chain), from the top down: a row below refers to the row above. Then, on
    PostgreSQL, the statistics autovacuum would gather after a load."""
    with db.session_factory(engine)() as session:
        for notice in session.scalars(select(Notice).where(Notice.id.in_(forwards))
                                      .order_by(Notice.id)):
            above = session.get(ForwardTally, notice.forwards_id)
            session.add(ForwardTally(notice_id=notice.id, units=0, signed=0, owing=0, reported=0,
                                     parent_id=above.notice_id if above is not None else None))
            session.flush()
            forward_counts.issued(session, notice)
        session.commit()
    if db.name == "PostgreSQL":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def _calls(session, ids: dict[str, int]) -> list[tuple[str, object]]:
    return [
        ("roll-up of the national notice (counters)",
         lambda: rollup(session, ids["national"], now=NOW)),
        ("the tracking page's 转发 data of the national notice (rollup_of)",
         lambda: rollup_of(session, ids["national"], now=NOW)),
        ("recount of the national roll-up (the former way)",
         lambda: recount(session, ids["national"], now=NOW)),
        ("roll-up of a province's forward", lambda: rollup(session, ids["province"], now=NOW)),
        ("roll-up of a lowest-level forward (a county's, or a city's at 4 levels)",
         lambda: rollup(session, ids["lowest"], now=NOW)),
        ("whole tree of the national notice",
         lambda: notice_tree(session, ids["national"], now=NOW)),
        ("tree of the national notice, --depth 1",
         lambda: notice_tree(session, ids["national"], now=NOW, depth=1)),
        ("tree of the national notice, --depth 2",
         lambda: notice_tree(session, ids["national"], now=NOW, depth=2)),
        ("whole tree of a province's forward",
         lambda: notice_tree(session, ids["province"], now=NOW)),
    ]


def _same_answers(session, ids: dict[str, int]) -> None:
    """The counters answer what a fresh count answers, at each notice measured, on three days."""
    for key in ("national", "province", "lowest"):
        for day in (NOW, dt.datetime(2026, 3, 1, 2), dt.datetime(2026, 5, 30, 2)):
            kept = rollup(session, ids[key], now=day)
            assert kept == recount(session, ids[key], now=day), (key, day)
    whole = notice_tree(session, ids["national"], now=NOW)
    for depth in (1, 2):
        assert notice_tree(session, ids["national"], now=NOW, depth=depth).totals == whole.totals
    session.rollback()


def _load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def run(db: Database) -> list[Section]:
    sections, plans = [], []
    for levels in (4, 3):
        started = time.perf_counter()
        ids = build(db, levels=levels)
        built = time.perf_counter() - started
        engine = db.engine()
        factory = db.session_factory(engine)
        session = factory()
        _same_answers(session, ids)
        calls = _calls(session, ids)
        load_before = _load()
        figures = interleaved(calls, runs=RUNS, warmup=2)
        load_after = _load()
        depth = "5 levels (to the townships)" if levels == 4 else "4 levels (to the counties)"
        plans.append(_plans(db, engine, session, depth, calls))
        session.close()
        engine.dispose()
        section = Section(f"B7 — the 转发 tree at national scale, {depth} — {db.name}",
                          figures=figures, p95=True)
        national, page, before = figures[0], figures[1], figures[2]
        for label, figure in (("national roll-up", national), ("tracking page's 转发 data", page)):
            section.ratios.append(Ratio(f"{label}: p95 / 50 ms", figure.percentile(95) / 0.050,
                                        "≤ 1 (PostgreSQL)", figure.percentile(95) <= 0.050
                                        if db.name == "PostgreSQL" else None))
        section.ratios.append(Ratio("recount / counters, p95", before.percentile(95)
                                    / national.percentile(95), "—", None))
        section.notes += [f"{ids['notices']:,} notices in the tree; built (counters included) "
                          f"in {built:.0f} s.",
                          f"{RUNS} interleaved runs of each after 2 warm-ups; load average "
                          f"(1, 5, 15 min) {load_before} before, {load_after} after.",
                          "the counters and a fresh recount gave the same answers at every "
                          "notice measured, on three days."]
        sections.append(section)
        _empty(db)
    if os.environ.get("B7_EXPLAIN", "1") != "0":
        _write_explain(db.name, plans)
    return sections


# ------------------------------------------------------------------------------------------------
# EXPLAIN.md: the B7 part of each database, rewritten by its own run.

def _plans(db: Database, engine, session, depth: str, calls) -> list[str]:
    lines = [f"## {depth}", ""]
    for label, call in calls:
        seen: list[tuple[str, object]] = []

        def listen(_conn, _cursor, statement, parameters, _context, _many, seen=seen):
            seen.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", listen)
        try:
            call()
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        session.rollback()
        lines += [f"### {label}", "", f"{len(seen)} statements.", ""]
        for number, (statement, parameters) in enumerate(seen, start=1):
            lines += [f"{number}. `{_compact(statement)}`", "",
                      f"   parameters: `{_shown(parameters)}`", "", "   ```",
                      *(f"   {line}" for line in _explain(db, engine, statement, parameters)),
                      "   ```", ""]
    return lines


def _explain(db: Database, engine, statement: str, parameters) -> list[str]:
    with engine.connect() as conn:
        if db.name == "SQLite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            depth, lines = {0: -1}, []
            for node, parent, _, detail in rows:
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            return lines
        return [row[0] for row in conn.exec_driver_sql("EXPLAIN ANALYZE " + statement,
                                                       parameters)]


_PLACEHOLDER = r"(?:\?|%\([^)]*\)s(?:::\w+)?)"
_LONG_LIST = re.compile(rf"\(({_PLACEHOLDER})(?:, {_PLACEHOLDER}){{5,}}\)")


def _compact(statement: str) -> str:
    """One line, a long IN list of placeholders shortened to its first one."""
    return _LONG_LIST.sub(lambda m: f"({m.group(1)}, … {m.group(0).count(',') + 1} in all)",
                          " ".join(statement.split()))


def _shown(parameters) -> str:
    values = list(parameters.values()) if isinstance(parameters, dict) else list(parameters)
    return repr(parameters) if len(values) <= 12 else f"{values[:8]!r} … ({len(values)} in all)"


def _write_explain(db_name: str, plans: list[list[str]]) -> None:
    """Replace this database's B7 part of EXPLAIN.md, kept after the B5 parts (b5_queries.py
    rewrites its own and keeps what follows them)."""
    part = "\n".join([
        f"<!-- B7:{db_name} -->", f"# B7 — the 转发 tree's plans — {db_name}", "",
        "Written by `bench/b7_tree.py` (do not edit by hand): every statement of each B7 call, "
        "captured as it runs, with its plan — " + (
            "EXPLAIN QUERY PLAN." if db_name == "SQLite" else
            "EXPLAIN ANALYZE (after ANALYZE of the freshly loaded tables; its times are one "
            "execution's, on a shared machine)."), "",
        *[line for depth in plans for line in depth], f"<!-- /B7:{db_name} -->"])
    old = EXPLAIN.read_text(encoding="utf-8") if EXPLAIN.exists() else ""
    pattern = re.compile(rf"<!-- B7:{db_name} -->.*?<!-- /B7:{db_name} -->", re.S)
    new = (pattern.sub(lambda _: part, old) if pattern.search(old)
           else old.rstrip() + "\n\n" + part)
    EXPLAIN.write_text(new.rstrip() + "\n", encoding="utf-8")


def _empty(db: Database) -> None:
    """Clear the tables for the next world (the harness made the schema once)."""
    engine = db.engine()
    with engine.begin() as conn:
        for model in (ForwardDue, ForwardTally, Report, Receipt, ReportRequest, Notice, User,
                      Unit):
            if model is Unit:
                conn.execute(Unit.__table__.update().values(parent_id=None))
            if model is ForwardTally:
                conn.execute(ForwardTally.__table__.update().values(parent_id=None))
            conn.execute(model.__table__.delete())
    engine.dispose()


if __name__ == "__main__":
    sys.exit(main_on_sqlite(run, sys.argv[1:]))
