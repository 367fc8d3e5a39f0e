"""B2: `workflow.commands.issue` to 100, 1,000 and 10,000 units, against a bulk insert.

Each repetition issues a fresh signed notice (one report request, as the reference notices carry)
to a unit group of N units, each unit with one receiver: the command allocates the number, writes
N receipts, N reports and N notifications, and the audit entry; the session commits.

The floor: a bulk INSERT of N receipt rows (executemany through sqlite3 / psycopg, no COPY),
committed, on the same database. A second reference inserts every row issue writes (receipts,
reports, notifications) the same way. Targets: issue ≤ 2× the floor at 10,000, and cost linear in N
(the time per unit at 10,000 no more than 1.5× that at 1,000). Engine and floors take turns.

The world is built with tests/factories.py (the same builders the tests use, all through the real
commands but for the bulk of units and receivers).

    .venv/bin/python bench/b2_issue.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from bench.harness import (  # noqa: E402
    Database,
    Ratio,
    Section,
    interleaved,
    main_on_both,
)
from tests.factories import add_units_with_receivers, at, build_world, draft, notice_in  # noqa: E402
from workflow import commands as c  # noqa: E402
from workflow import passwords  # noqa: E402
from workflow.models import ReportRequest, User  # noqa: E402
from workflow.states import NoticeState  # noqa: E402

SIZES = {100: (15, 2), 1_000: (7, 1), 10_000: (5, 1)}  # N: (runs, warm-up)
TARGET = 2.0
LINEAR = 1.5
TITLE = "B2 — issue to N units"


def _setup(factory):
    """Units with receivers, a group per size, and for each size the signed notices the engine
    issues and the drafts the floors hang their rows on."""
    plan = {}
    with factory() as s:
        w = build_world(s, districts=1)
        unit_ids = add_units_with_receivers(s, w, "B2-", max(SIZES))
        s.commit()
        for n, (runs, warmup) in SIZES.items():
            group = c.create_group(s, None, owner_unit_id=w.issuer.id, name=f"前{n}个单位",
                                   member_ids=unit_ids[:n])
            fields = dict(main_group_ids=[group.id], cc_unit_ids=[])
            signed = [notice_in(w, NoticeState.SIGNED, **fields).id for _ in range(runs + warmup)]
            drafts = [draft(w, **fields) for _ in range(2 * (runs + warmup))]
            s.flush()
            hooks = [(d.id, s.scalar(select(ReportRequest.id).where(ReportRequest.notice_id == d.id)))
                     for d in drafts]
            plan[n] = (unit_ids[:n], signed, hooks)
            s.commit()
        receivers = dict(s.execute(select(User.unit_id, User.id)
                                   .where(User.unit_id.in_(unit_ids))).all())
        return w.clerk.id, receivers, plan


def run(db: Database) -> Section:
    passwords.use_profile("CHEAPEST")  # the set-up makes accounts; no password is timed
    engine = db.engine()
    factory = db.session_factory(engine)
    clerk_id, receivers, plan = _setup(factory)
    conn = db.bare()
    p = db.placeholder
    when = at(1)
    stamp = when.isoformat(sep=" ", timespec="microseconds") if db.name == "SQLite" else when
    receipt_sql = (f"INSERT INTO receipt (notice_id, unit_id, kind, state, version) "
                   f"VALUES ({p}, {p}, {p}, {p}, {p})")
    report_sql = (f"INSERT INTO report (notice_id, request_id, unit_id, state, version) "
                  f"VALUES ({p}, {p}, {p}, {p}, {p})")
    notification_sql = (f"INSERT INTO notification (user_id, notice_id, kind, message, created_at)"
                        f" VALUES ({p}, {p}, {p}, {p}, {p})")
    message = "待签收：示妇发〔2016〕1号 关于开展调研的通知"
    section = Section(title=f"{TITLE} — {db.name}", unit="s")
    per_unit = {}
    try:
        for n, (runs, warmup) in SIZES.items():
            units, signed, hooks = plan[n]
            signed_turns, hook_turns = iter(signed), iter(hooks)

            def issue(signed_turns=signed_turns) -> None:
                with factory() as s:
                    c.issue(s, s.get(User, clerk_id), notice_id=next(signed_turns), now=when)
                    s.commit()

            def floor(units=units, hook_turns=hook_turns) -> None:
                notice_id, _ = next(hook_turns)
                db.begin(conn)
                conn.cursor().executemany(
                    receipt_sql, [(notice_id, u, "MAIN", "PENDING", 1) for u in units])
                conn.commit()

            def every_row(units=units, hook_turns=hook_turns) -> None:
                notice_id, request_id = next(hook_turns)
                db.begin(conn)
                cursor = conn.cursor()
                cursor.executemany(
                    receipt_sql, [(notice_id, u, "MAIN", "PENDING", 1) for u in units])
                cursor.executemany(
                    report_sql, [(notice_id, request_id, u, "DUE", 1) for u in units])
                cursor.executemany(notification_sql, [
                    (receivers[u], notice_id, "task", message, stamp) for u in units])
                conn.commit()

            engine_fig, floor_fig, every_fig = interleaved(
                [(f"issue to {n:,} units", issue),
                 (f"floor: {n:,} receipt rows, bare executemany", floor),
                 (f"reference: {3 * n:,} rows (receipts, reports, notifications)", every_row)],
                runs=runs, warmup=warmup)
            section.figures += [engine_fig, floor_fig, every_fig]
            per_unit[n] = engine_fig.median / n
            ratio = engine_fig.median / floor_fig.median
            target = f"≤ {TARGET:g}×" if n == max(SIZES) else "—"
            section.ratios.append(Ratio(f"issue / floor at {n:,}", ratio, target,
                                        ratio <= TARGET if n == max(SIZES) else None))
            section.ratios.append(Ratio(f"issue / every-row reference at {n:,}",
                                        engine_fig.median / every_fig.median, "—", None))
    finally:
        conn.close()
        engine.dispose()
    sizes = sorted(per_unit)
    section.notes.append("time per unit: " + ", ".join(
        f"{per_unit[n] * 1e6:.1f} µs at {n:,}" for n in sizes))
    growth = per_unit[sizes[-1]] / per_unit[sizes[-2]]
    section.ratios.append(Ratio(f"time per unit at {sizes[-1]:,} / at {sizes[-2]:,}", growth,
                                f"≤ {LINEAR:g} (linear ≈ 1)", growth <= LINEAR))
    return section


def main() -> int:
    return main_on_both(run)


if __name__ == "__main__":
    sys.exit(main())
