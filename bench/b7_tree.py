"""B7: the 转发 tree of a national notice, at national scale.

A synthetic federation written straight into the tables (through SQLAlchemy Core, in bulk): one
national federation → 31 provinces → 333 cities → 2,800 counties → 40,000 townships (43,165 units).
A national notice asks every unit for one report; it is forwarded at every level (each province
to its cities, each city to its counties, each county to its townships: 3,164 forwards), and
every forward passes the report down. States are spread by a seeded random stream: 90% of
receipts signed for, 70% of reports submitted and half of those accepted; 4% of units have not
forwarded yet (their subtree has nothing). The "4 levels" world stops at the counties (no
township forwards, 3,165 units' worth below the root fewer).

Measured on each database, interleaved:
- the roll-up of the national notice (`workflow.queries.forwarding.rollup`: what the top
  tracking page shows beside each province) — target p95 ≤ 50 ms on PostgreSQL;
- the same for a province's forward and for a forward of the lowest level that forwards (a
  county's; a city's in the 4-level world);
- the whole `notice_tree` of the national notice (what `flask notice tree` and 转发情况 load), and
  of a province's forward.

    .venv/bin/python bench/b7_tree.py             # SQLite
    .venv/bin/python bench/b7_tree.py --postgres  # SQLite, then PostgreSQL when there is one
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from bench.harness import Database, Ratio, Section, interleaved, main_on_sqlite  # noqa: E402
from workflow.models import (  # noqa: E402
    Notice,
    Receipt,
    Report,
    ReportRequest,
    Unit,
    User,
)
from workflow.queries.forwarding import notice_tree, rollup  # noqa: E402
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
    engine.dispose()
    return {"national": national, "province": forwards_by_depth[1][0],
            "lowest": forwards_by_depth[levels - 1][0],
            "notices": serial}


def _calls(session, ids: dict[str, int]) -> list[tuple[str, object]]:
    return [
        ("roll-up of the national notice", lambda: rollup(session, ids["national"], now=NOW)),
        ("roll-up of a province's forward", lambda: rollup(session, ids["province"], now=NOW)),
        ("roll-up of a lowest-level forward (a county's, or a city's at 4 levels)",
         lambda: rollup(session, ids["lowest"], now=NOW)),
        ("whole tree of the national notice",
         lambda: notice_tree(session, ids["national"], now=NOW)),
        ("whole tree of a province's forward",
         lambda: notice_tree(session, ids["province"], now=NOW)),
    ]


def run(db: Database) -> list[Section]:
    sections = []
    for levels in (4, 3):
        started = time.perf_counter()
        ids = build(db, levels=levels)
        built = time.perf_counter() - started
        engine = db.engine()
        factory = db.session_factory(engine)
        session = factory()
        calls = _calls(session, ids)
        figures = interleaved(calls, runs=RUNS, warmup=2)
        session.close()
        engine.dispose()
        depth = "5 levels (to the townships)" if levels == 4 else "4 levels (to the counties)"
        section = Section(f"B7 — the 转发 tree at national scale, {depth} — {db.name}",
                          figures=figures, p95=True)
        national = figures[0]
        section.ratios.append(Ratio("national roll-up: p95 / 50 ms",
                                    national.percentile(95) / 0.050, "≤ 1 (PostgreSQL)",
                                    national.percentile(95) <= 0.050
                                    if db.name == "PostgreSQL" else None))
        section.notes += [f"{ids['notices']:,} notices in the tree; built in {built:.0f} s.",
                          f"{RUNS} interleaved runs of each after 2 warm-ups."]
        sections.append(section)
        _empty(db)
    return sections


def _empty(db: Database) -> None:
    """Clear the tables for the next world (the harness made the schema once)."""
    engine = db.engine()
    with engine.begin() as conn:
        for model in (Report, Receipt, ReportRequest, Notice, User, Unit):
            if model is Unit:
                conn.execute(Unit.__table__.update().values(parent_id=None))
            conn.execute(model.__table__.delete())
    engine.dispose()


if __name__ == "__main__":
    sys.exit(main_on_sqlite(run, sys.argv[1:]))
