"""B1: one action in a request-like path, against the bare driver doing the same writes.

The action: open a session, load the acting user, then `workflow.commands.acknowledge` (load the
receipt under lock, check permission and version, fire the machine, write the hash-chained audit
entry, look whether the notice is complete), commit. Each repetition signs for a fresh receipt of
an issued notice (to a few hundred units, each with its receiver).

The floor: the same UPDATE of a receipt (state, version, acted_at, acted_by_id, checked against
its version) and the INSERT of an audit_entry row of the same size, committed through sqlite3 /
psycopg on the same database. Target: the action ≤ 4× the floor. Engine and floor take turns.

    .venv/bin/python bench/b1_one_action.py
"""

from __future__ import annotations

import json
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
from tests.factories import add_units_with_receivers, at, build_world, notice_in  # noqa: E402
from workflow import commands as c  # noqa: E402
from workflow import passwords  # noqa: E402
from workflow.models import AuditEntry, Receipt, User  # noqa: E402
from workflow.states import NoticeState  # noqa: E402

RUNS = 300
WARMUP = 20
TARGET = 4.0
TITLE = "B1 — one action (acknowledge) in a request-like path"


def _setup(factory, units: int):
    """Two notices issued to the same `units` units: one for the engine, one for the floor."""
    with factory() as s:
        w = build_world(s, districts=1)
        unit_ids = add_units_with_receivers(s, w, "B1-", units)
        fields = dict(main_group_ids=[], main_unit_ids=unit_ids, cc_unit_ids=[])
        engine_notice = notice_in(w, NoticeState.ISSUED, **fields)
        floor_notice = notice_in(w, NoticeState.ISSUED, **fields)
        s.commit()
        receiver = dict(s.execute(select(User.unit_id, User.id)
                                  .where(User.unit_id.in_(unit_ids))).all())

        def receipts(notice):
            return [(r.id, receiver[r.unit_id]) for r in s.scalars(
                select(Receipt).where(Receipt.notice_id == notice.id).order_by(Receipt.id))]

        return receipts(engine_notice), receipts(floor_notice)


def acknowledger(factory, turns: list[tuple[int, int]], when):
    """The engine's side, as a request does it: a session, the receiver loaded, `acknowledge` of
    the next (receipt, receiver) of `turns`, commit. (B3 signs for receipts the same way.)"""
    queue = iter(turns)

    def action() -> None:
        receipt_id, user_id = next(queue)
        with factory() as s:
            actor = s.get(User, user_id)
            c.acknowledge(s, actor, receipt_id=receipt_id, now=when)
            s.commit()

    return action


def _audit_row(factory) -> dict:
    """The columns of the last acknowledgement's audit entry: the floor writes rows this size."""
    with factory() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "receipt.ACKNOWLEDGE")
                         .order_by(AuditEntry.id.desc()).limit(1))
        return {k: getattr(entry, k) for k in (
            "at", "actor_id", "actor_name", "on_behalf_of", "action", "object_type", "object_id",
            "notice_id", "state_before", "state_after", "note", "details", "digest", "scheme",
            "prev_hash", "hash")}


def run(db: Database) -> Section:
    passwords.use_profile("CHEAPEST")  # the set-up makes accounts; no password is timed
    engine = db.engine()
    factory = db.session_factory(engine)
    needed = WARMUP + RUNS
    engine_receipts, floor_receipts = _setup(factory, needed + 10)
    floor_turns = iter(floor_receipts)
    when = at(2)
    action = acknowledger(factory, engine_receipts, when)

    # One acknowledgement first, to copy the size of its audit entry into the floor's rows.
    action()
    template = _audit_row(factory)
    template["details"] = json.dumps(template["details"], ensure_ascii=False)
    conn = db.bare()
    p = db.placeholder
    update = (f"UPDATE receipt SET state = {p}, version = {p}, acted_at = {p}, acted_by_id = {p} "
              f"WHERE id = {p} AND version = {p}")
    columns = ["seq", *template]
    insert = (f"INSERT INTO audit_entry ({', '.join(columns)}) "
              f"VALUES ({', '.join([p] * len(columns))})")
    stamp = when.isoformat(sep=" ", timespec="microseconds") if db.name == "SQLite" else when
    seqs = iter(range(10_000_000, 20_000_000))

    def floor() -> None:
        receipt_id, user_id = next(floor_turns)
        db.begin(conn)
        cursor = conn.cursor()
        cursor.execute(update, ("ACKNOWLEDGED", 2, stamp, user_id, receipt_id, 1))
        if cursor.rowcount != 1:
            raise RuntimeError("the floor's UPDATE found no receipt")
        row = dict(template, at=stamp, object_id=receipt_id)
        cursor.execute(insert, (next(seqs), *row.values()))
        conn.commit()

    try:
        engine_fig, floor_fig = interleaved(
            [("engine: session + acknowledge + commit", action),
             ("floor: UPDATE + INSERT + COMMIT, bare driver", floor)],
            runs=RUNS, warmup=WARMUP)
    finally:
        conn.close()
        engine.dispose()
    ratio = engine_fig.median / floor_fig.median
    return Section(
        title=f"{TITLE} — {db.name}",
        figures=[engine_fig, floor_fig],
        ratios=[Ratio("engine / floor", ratio, f"≤ {TARGET:g}×", ratio <= TARGET)],
        notes=[f"{len(engine_receipts)} receipts per notice; each repetition a fresh receipt."],
    )


def main() -> int:
    return main_on_both(run)


if __name__ == "__main__":
    sys.exit(main())
