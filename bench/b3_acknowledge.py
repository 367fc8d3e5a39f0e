"""B3: acknowledge one receipt on a notice with 10, 50 and 10,000 receipts, and the same
acknowledgement as BPMN in SpiffWorkflow with its state persisted, at 50 recipients.

Gongwen (each repetition, as a request would): open a session, load the acting receiver (with
their role grants), then `workflow.commands.acknowledge` — load the receipt under lock, check the
receiver's permission for the receipt's unit, the state and the version, fire the machine, write
the versioned UPDATE, append the hash-chained audit entry (locking and moving the chain's head),
lock the notice and ask whether any 主送 unit is still outstanding (the auto-close check) —
commit. The notices carry no report request, so signing for the last receipt would close the
notice: no repetition ever signs for the last outstanding receipt of its notice, so that every
size measures the same path (a notice of 10 serves 9 repetitions, one of 50 serves 49, then the
next fresh notice takes over; the notice of 10,000 serves all). Each repetition signs for the
next fresh receipt, in receipt order. A fourth figure signs for receipts of a second notice of
10,000 all of whose other receipts are already signed for: the outstanding check near the end of
a large notice's life.

The peer: SpiffWorkflow running bench/b3_acknowledge.bpmn — a parallel multi-instance user task
签收 over the 50 recipient units, then the end (办结). Each repetition does what a server does per
request: read the serialized workflow from a table of this benchmark's own in the same database
(`bench_spiff_workflow`, one JSON text per workflow, read under a row lock), deserialize it
(BpmnWorkflowSerializer), complete one ready 签收 instance (its data set: who and when), run the
engine steps, serialize, UPDATE the row, commit — through the same SQLAlchemy engine, with Core
statements (no ORM session). It writes one JSON blob, and checks neither permission nor version
and keeps no audit trail. As on Gongwen's side a fresh workflow takes over after 49 completions,
so the last instance (which would end the process) is never completed. For reference, Spiff's own
part (deserialize, complete, serialize) is timed without the database as well.

B3' (where the difference lives): the same two sides at 500 and at 5,000 recipient units, one
notice of N receipts against one Spiff workflow of N instances, each pair taking turns. Spiff
reads, deserializes, serializes and writes the whole workflow on every step (2.3 MB at 5,000),
and its search for a ready instance walks every task, so each step costs about a second at 5,000:
a fixed sample of acknowledgements is timed per size (B3_LARGE_RUNS, default 100 at 500 and 25 at
5,000, after 3 untimed), not all N. Neither side ever takes its last instance. The load average of
the machine (shared) is written beside the figures, at the start and at the end of each size.

Targets: acknowledging is flat — the median at 10,000 receipts / the median at 10 ≤ 1.3 — and
Gongwen at 50 receipts is ≥ 10× faster than SpiffWorkflow at 50 instances (Spiff's median /
Gongwen's ≥ 10). All the figures take turns (each round starting one place further on), on
SQLite and on PostgreSQL.

    .venv/bin/python bench/b3_acknowledge.py          # B3_RUNS=30 for a short try
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from SpiffWorkflow.bpmn.parser import BpmnParser  # noqa: E402
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import (  # noqa: E402
    Column,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from bench.b1_one_action import acknowledger  # noqa: E402
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
from workflow.db import lock_for_update  # noqa: E402
from workflow.models import Notice, Receipt, User  # noqa: E402
from workflow.states import NoticeState, ReceiptState  # noqa: E402

SIZES = (10, 50, 10_000)  # receipts per notice
PEER_SIZE = 50  # recipients in the Spiff comparison
RUNS = int(os.environ.get("B3_RUNS", "300"))
WARMUP = 10
# B3': where Spiff's whole-state step shows; a sample of acknowledgements per size, not all N.
LARGE_SIZES = (500, 5_000)
_large_runs = os.environ.get("B3_LARGE_RUNS")
LARGE_RUNS = ({n: int(_large_runs) for n in LARGE_SIZES} if _large_runs
              else {500: 100, 5_000: 25})
LARGE_WARMUP = 3
FLAT = 1.3
PEER = 10.0
BPMN = Path(__file__).with_suffix(".bpmn")
PROCESS = "notice_acknowledgement"
TASK = "acknowledge"  # the id of the 签收 user task
TITLE = "B3 — acknowledge one receipt"
LATE = "late"  # the key of the turns on the nearly signed-for notice of the largest size
PEER_TITLE = "B3 — acknowledge at 50 recipients, against SpiffWorkflow"
LARGE_TITLE = "B3' — acknowledge at 500 and 5,000 recipients, against SpiffWorkflow"

spiff_table = Table(  # the peer's own table, in the benchmark's database (not Gongwen's schema)
    "bench_spiff_workflow", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("state", Text, nullable=False),
)


# -- Gongwen -----------------------------------------------------------------------------------

def _gongwen_turns(factory, needed: int, when: dt.datetime,
                   large: dict[int, int] | None = None) -> dict:
    """For each size, the (receipt, receiver) pairs to sign for, in order: the first N-1 receipts
    of as many fresh notices of N receipts (each issued to a group of N units, each unit with one
    receiver) as `needed` repetitions take (never the last one); for each size of `large`, as many
    as it maps to.

    LATE: one more notice of the largest size, all of whose receipts but the last `needed` + 1
    are marked signed for in one UPDATE (setting, not the subject: no audit entries), so that the
    outstanding check is measured near the end of a large notice's life too."""
    with factory() as s:
        w = build_world(s, districts=1)
        unit_ids = add_units_with_receivers(s, w, "B3-", max(SIZES))
        s.commit()
        receiver = dict(s.execute(select(User.unit_id, User.id)
                                  .where(User.unit_id.in_(unit_ids))).all())

        large = large or {}
        groups = {n: c.create_group(s, None, owner_unit_id=w.issuer.id, name=f"前{n}个单位",
                                    member_ids=unit_ids[:n]).id for n in (*SIZES, *large)}
        s.commit()

        def issued(n: int) -> list[tuple[int, int]]:
            notice = notice_in(w, NoticeState.ISSUED, main_group_ids=[groups[n]],
                               cc_unit_ids=[], requests=[])
            s.commit()
            receipts = s.execute(select(Receipt.id, Receipt.unit_id)
                                 .where(Receipt.notice_id == notice.id)
                                 .order_by(Receipt.id)).all()
            assert len(receipts) == n
            return [(rid, receiver[unit]) for rid, unit in receipts]

        turns = {}
        for n, count in [*((n, needed) for n in SIZES), *large.items()]:
            pairs = [pair for _ in range(-(-count // (n - 1))) for pair in issued(n)[:n - 1]]
            turns[n] = pairs[:count]
        late = issued(max(SIZES))
        signed = [rid for rid, _ in late[:-(needed + 1)]]
        s.execute(update(Receipt).where(Receipt.id.in_(signed))
                  .values(state=ReceiptState.ACKNOWLEDGED, version=Receipt.version + 1,
                          acted_at=when).execution_options(synchronize_session=False))
        s.commit()
        turns[LATE] = late[-(needed + 1):-1]
        return turns


def _gongwen_check(factory) -> None:
    """Every notice is still open: no repetition took the closing path."""
    with factory() as s:
        closed = s.scalar(select(func.count()).select_from(Notice)
                          .where(Notice.state != NoticeState.ISSUED))
    assert closed == 0, f"{closed} notices closed: a repetition signed for a last receipt"


# -- SpiffWorkflow -----------------------------------------------------------------------------

def spiff_spec():
    """The process of bench/b3_acknowledge.bpmn, checked against the BPMN 2.0 schema."""
    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_file(str(BPMN))
    return parser.get_spec(PROCESS)


def fresh_workflow(spec, units: list[int]) -> BpmnWorkflow:
    """A started workflow: the 签收 instances, one per unit, ready."""
    workflow = BpmnWorkflow(spec)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data["units"] = list(units)
    workflow.do_engine_steps()
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert len(ready) == len(units) and all(t.task_spec.bpmn_id == TASK for t in ready)
    return workflow


def _spiff_setup(engine, needed: int, size: int = PEER_SIZE) -> list[int]:
    """Fresh workflows of `size` instances, serialized into the peer's table: one row per
    `size` - 1 repetitions (the table made by the first call)."""
    spiff_table.create(engine, checkfirst=True)
    serializer = BpmnWorkflowSerializer()
    spec = spiff_spec()
    rows = -(-needed // (size - 1))
    state = serializer.serialize_json(fresh_workflow(spec, list(range(1, size + 1))))
    with engine.begin() as conn:
        ids = [conn.execute(insert(spiff_table).values(state=state)).inserted_primary_key[0]
               for _ in range(rows)]
    return [i for i in ids for _ in range(size - 1)][:needed]


def complete_one(serializer: BpmnWorkflowSerializer, state: str, stamp: str) -> str:
    """The peer's work for one 签收: deserialize, complete one ready instance, serialize."""
    workflow = serializer.deserialize_json(state)
    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    task.data["acknowledgement"] = {"unit": task.data["unit"], "by": task.data["unit"],
                                    "at": stamp}
    task.run()
    workflow.do_engine_steps()
    return serializer.serialize_json(workflow)


def _spiff_acknowledger(engine, turns: list[int], when: dt.datetime):
    """A request: the state read under a row lock, one 签收 completed, written back, committed."""
    serializer = BpmnWorkflowSerializer()
    queue = iter(turns)
    stamp = when.isoformat()

    def action() -> None:
        workflow_id = next(queue)
        with engine.begin() as conn:
            state = conn.scalar(lock_for_update(
                select(spiff_table.c.state).where(spiff_table.c.id == workflow_id)))
            conn.execute(update(spiff_table).where(spiff_table.c.id == workflow_id)
                         .values(state=complete_one(serializer, state, stamp)))

    return action


def _spiff_in_memory(when: dt.datetime, size: int = PEER_SIZE):
    """The reference: the same work on a state kept in memory (a fresh one after `size` - 1)."""
    serializer = BpmnWorkflowSerializer()
    fresh = serializer.serialize_json(fresh_workflow(spiff_spec(),
                                                     list(range(1, size + 1))))
    stamp = when.isoformat()
    held = {"state": fresh, "done": 0}

    def action() -> None:
        if held["done"] == size - 1:
            held["state"], held["done"] = fresh, 0
        held["state"] = complete_one(serializer, held["state"], stamp)
        held["done"] += 1

    return action


def _spiff_check(engine, done_expected: int, ids: list[int] | None = None) -> str:
    """What the peer's rows (those of `ids`, or all) hold afterwards: every repetition's
    acknowledgement, none finished."""
    serializer = BpmnWorkflowSerializer()
    query = select(spiff_table.c.id, spiff_table.c.state)
    if ids is not None:
        query = query.where(spiff_table.c.id.in_(sorted(set(ids))))
    with engine.connect() as conn:
        states = conn.execute(query).all()
    done = 0
    for _, state in states:
        workflow = serializer.deserialize_json(state)
        assert not workflow.completed
        done += len(workflow.get_tasks(spec_name=TASK)[0].data["acknowledgements"])
    assert done == done_expected, (done, done_expected)
    size = max(len(s) for _, s in states) if states else 0
    return f"{len(states)} Spiff workflows, {done} instances completed, largest state {size:,} B"


# -- the benchmark -----------------------------------------------------------------------------

def run(db: Database) -> list[Section]:
    passwords.use_profile("CHEAPEST")  # the set-up makes accounts; no password is timed
    engine = db.engine()
    factory = db.session_factory(engine)
    needed = WARMUP + RUNS
    when = at(2)
    large_needed = {n: LARGE_WARMUP + runs for n, runs in LARGE_RUNS.items()}
    try:
        turns = _gongwen_turns(factory, needed, when, large_needed)
        spiff_turns = _spiff_setup(engine, needed)
        large_spiff = {n: _spiff_setup(engine, k, n) for n, k in large_needed.items()}
        pairs = [(f"Gongwen: acknowledge, notice of {n:,} receipts",
                  acknowledger(factory, turns[n], when)) for n in SIZES]
        pairs.append((f"Gongwen: acknowledge, notice of {max(SIZES):,} receipts, all but the "
                      f"last {needed + 1} already signed for", acknowledger(factory, turns[LATE],
                                                                         when)))
        pairs.append((f"SpiffWorkflow: complete one 签收 of {PEER_SIZE}, state persisted",
                      _spiff_acknowledger(engine, spiff_turns, when)))
        pairs.append(("reference: SpiffWorkflow's own part (deserialize, complete, serialize; "
                      "no database)", _spiff_in_memory(when)))
        figures = interleaved(pairs, runs=RUNS, warmup=WARMUP)
        large = {n: _large_figures(factory, engine, n, turns[n], large_spiff[n], when)
                 for n in LARGE_SIZES}
        _gongwen_check(factory)
        spiff_note = _spiff_check(engine, needed, spiff_turns)
        large_notes = [f"At {n:,}: " + _spiff_check(engine, large_needed[n], large_spiff[n])
                       + f"; load average {large[n][1]}." for n in LARGE_SIZES]
    finally:
        engine.dispose()
    by_size = dict(zip(SIZES, figures, strict=False))
    late, spiff, spiff_alone = figures[len(SIZES):]
    small = by_size[min(SIZES)]
    flat = Section(
        title=f"{TITLE} — {db.name}",
        figures=[*by_size.values(), late],
        p95=True,
        notes=[
            "Each repetition: session, load the receiver, `acknowledge` the next fresh receipt, "
            "commit. Notices without report requests; never the last outstanding receipt "
            "(fresh notices of 10 and 50 after 9 and 49), so every size takes the same path. "
            "The late notice's earlier receipts were marked signed for in one UPDATE.",
        ],
    )
    for n in SIZES[1:]:
        ratio = by_size[n].median / small.median
        last = n == max(SIZES)
        flat.ratios.append(Ratio(f"at {n:,} / at {min(SIZES)}", ratio,
                                 f"≤ {FLAT:g}" if last else "—", ratio <= FLAT if last else None))
    flat.ratios.append(Ratio(f"at {max(SIZES):,} nearly all signed for / at {min(SIZES)}",
                             late.median / small.median, "—", None))
    gongwen = by_size[PEER_SIZE]
    speedup = spiff.median / gongwen.median
    peer = Section(
        title=f"{PEER_TITLE} — {db.name}",
        figures=[gongwen, spiff, spiff_alone],
        p95=True,
        ratios=[Ratio(f"SpiffWorkflow / Gongwen at {PEER_SIZE}", speedup, f"≥ {PEER:g}",
                      speedup >= PEER),
                Ratio("SpiffWorkflow's own part / Gongwen", spiff_alone.median / gongwen.median,
                      "—", None)],
        notes=[
            "Gongwen: a session, the receiver loaded with their role grants, the receipt loaded "
            "under lock, permission, state and version checked, the versioned UPDATE, a "
            "hash-chained audit entry (the chain's head locked and moved on), the notice locked "
            "and asked whether anything is outstanding, commit — through the ORM. "
            "SpiffWorkflow: one JSON text read under a row lock, deserialized, one "
            "multi-instance 签收 completed, serialized and written back, commit — through "
            "SQLAlchemy Core on the same engine; no permission, no version check, no audit. "
            "All figures take turns, each round starting one place further on.",
            spiff_note + ".",
        ],
    )
    return [flat, peer, _large_section(db, {n: figs for n, (figs, _) in large.items()},
                                       large_notes)]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def _large_figures(factory, engine, n: int, turns, spiff_turns, when) -> tuple[list, str]:
    """B3' at one size: Gongwen, Spiff persisted and Spiff in memory taking turns; with the load
    average (1, 5, 15 minutes) before and after."""
    before = _load()
    figures = interleaved([
        (f"Gongwen: acknowledge, notice of {n:,} receipts", acknowledger(factory, turns, when)),
        (f"SpiffWorkflow: complete one 签收 of {n:,}, state persisted",
         _spiff_acknowledger(engine, spiff_turns, when)),
        (f"reference: SpiffWorkflow's own part at {n:,} (no database)",
         _spiff_in_memory(when, n)),
    ], runs=LARGE_RUNS[n], warmup=LARGE_WARMUP)
    return figures, f"{before} before, {_load()} after"


def _large_section(db: Database, figures: dict[int, list], notes: list[str]) -> Section:
    section = Section(title=f"{LARGE_TITLE} — {db.name}", p95=True, notes=[
        "The same two sides as at 50, each size on its own: one notice of N receipts and one "
        "Spiff workflow of N instances, taking turns; a fixed sample of acknowledgements per "
        "size (" + ", ".join(f"{k} at {n:,}" for n, k in LARGE_RUNS.items())
        + f", after {LARGE_WARMUP} untimed), not all N. Load average: 1 / 5 / 15 minutes.",
        *notes])
    for n, (gongwen, spiff, alone) in figures.items():
        section.figures += [gongwen, spiff, alone]
        section.ratios += [
            Ratio(f"SpiffWorkflow / Gongwen at {n:,} (median)", spiff.median / gongwen.median,
                  f"≥ {PEER:g}", spiff.median / gongwen.median >= PEER),
            Ratio(f"SpiffWorkflow / Gongwen at {n:,} (p95)",
                  spiff.percentile(95) / gongwen.percentile(95), "—", None),
            Ratio(f"SpiffWorkflow's own part / Gongwen at {n:,}", alone.median / gongwen.median,
                  "—", None)]
    return section


def main() -> int:
    return main_on_both(run)


if __name__ == "__main__":
    sys.exit(main())
