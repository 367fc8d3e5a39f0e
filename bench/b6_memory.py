"""B6: the memory of a gunicorn worker after 10,000 requests, against after 100.

One gunicorn worker (so that every request reaches it) serves Gongwen, set up as in B4
(bench/b4_http.py: the same world builder, logins, wrk script and gunicorn settings but the number
of workers; the logins are made beforehand on a server of their own, so that no password hash
runs in the measured worker). wrk sends it a mix, in turn: the inbox page (GET /inbox/ of one of
`INBOXES` receivers), a notice page (GET /notices/<id> of a notice in that inbox) and an
acknowledgement (POST …/acknowledge, each signing for a fresh receipt), over `CONNECTIONS`
connections so that the worker never waits for the load generator. wrk stops after each
checkpoint's number of responses; the worker's resident set (VmRSS of /proc/<pid>/status) is read
there, at 100, 1,000, … 10,000 requests. Target: the RSS after 10,000 requests ≤ 1.2× that after
100. The growth from 1,000 to 10,000 is shown too: the first thousand requests fill the caches
(compiled statements, templates), what grows after them would be a leak. (A run to 30,000
requests levelled off after about 10,000, some 2 MiB above the reading at 1,000: about the size of
SQLite's page cache of the worker's connection, 2 MiB by default.)

    .venv/bin/python bench/b6_memory.py                 # SQLite
    .venv/bin/python bench/b6_memory.py --postgres      # and PostgreSQL when there is one
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import b4_http as b4  # noqa: E402
from bench.harness import (  # noqa: E402
    Database,
    Figure,
    Ratio,
    Section,
    main_on_sqlite,
)

TITLE = "B6 — memory of a gunicorn worker after 10,000 requests"
CHECKPOINTS = (100, 1_000, 2_500, 5_000, 7_500, 10_000)
CONNECTIONS = 2  # one request being served, one waiting: the worker is never idle
INBOXES = 10
ACK_UNITS = 10
TARGET = 1.2


def rss_kib(pid: int) -> int:
    """The resident set of process `pid` in KiB (VmRSS of /proc/<pid>/status)."""
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def mixed_lines(world: b4.World) -> tuple[list[str], list[int]]:
    """inbox page, notice page, acknowledgement, in turn, for every receipt still to sign for."""
    inbox, notices = b4.inbox_lines(world), b4.notice_lines(world)
    receipts = b4.pending(world)
    acks = b4.ack_lines(world, receipts)
    lines, receipt_of_line = [], []
    for i, ack in enumerate(acks):
        lines += [inbox[i % len(inbox)], notices[i % len(notices)], ack]
        receipt_of_line += [0, 0, receipts[i][0]]
    return lines, receipt_of_line


def run(db: Database) -> Section:
    started = time.perf_counter()
    needed = max(CHECKPOINTS) // 3 + 100 * len(CHECKPOINTS)  # acknowledgements, with a margin
    world = b4.build(db, inbox_units=INBOXES, ack_units=ACK_UNITS, receipts=needed)
    readings: list[tuple[int, int]] = []  # (requests served, RSS in KiB)
    errors, served = 0, 0
    with tempfile.TemporaryDirectory(prefix="gongwen-b6-") as tmp:
        tmp = Path(tmp)
        env = b4.gongwen_env(db, tmp / "instance")
        # Logged in on a server of their own, with B4's two workers (each login is one Argon2
        # hash at the production profile); the sessions are signed cookies and hold on the next.
        with b4.gunicorn("wsgi:app", workers=b4.WORKERS, env=env, log=tmp / "gongwen.log",
                         probe="/login") as server:
            b4.log_in_all(server.url, world.accounts)
        with b4.gunicorn("wsgi:app", workers=1, env=env, log=tmp / "gongwen.log",
                         probe="/login") as server:
            (worker,) = server.workers()
            at_start = rss_kib(worker)
            for n, checkpoint in enumerate(CHECKPOINTS):
                lines, receipt_of_line = mixed_lines(world)
                plan = b4.write_plan(tmp, f"mixed-{n}", lines, mode="once",
                                     receipts=receipt_of_line, threads=1)
                result = b4.wrk(server, plan, seconds=600, connections=CONNECTIONS,
                                limit=checkpoint - served)
                b4.check_signed(world, plan, result, connections=CONNECTIONS)
                served += result.raw["requests"]
                errors += result.errors
                time.sleep(0.5)  # the last request answered, the worker at rest
                readings.append((served, rss_kib(worker)))
                print(f"  {served:,} requests: RSS {readings[-1][1] / 1024:.1f} MiB "
                      f"({result.describe()})", flush=True)
            if server.workers() != [worker]:
                raise RuntimeError("the worker was replaced during the run: the figures are void")
    world.close()
    return section(db, at_start, readings, errors, time.perf_counter() - started)


def section(db: Database, at_start: int, readings: list[tuple[int, int]], errors: int,
            elapsed: float) -> Section:
    base = readings[0][1]
    figures = [Figure(f"RSS after {n:,} requests", [kib / 1024]) for n, kib in readings]
    last = readings[-1][1]
    thousand = next(kib for n, kib in readings if n >= 1_000)
    ratios = [
        Ratio(f"RSS after {readings[-1][0]:,} / after {readings[0][0]:,} requests", last / base,
              f"≤ {TARGET:g}×", last / base <= TARGET),
        Ratio(f"RSS after {readings[-1][0]:,} / after 1,000 requests", last / thousand,
              "— (growth after the caches are warm)", None),
        Ratio("errors (all requests)", errors, "0", errors == 0),
    ]
    notes = [
        f"One worker (gunicorn class {b4.WORKER_CLASS}), wrk with {CONNECTIONS} connections; "
        "requests in turn: the inbox page, a notice page, an acknowledgement (a fresh receipt "
        "each).",
        f"RSS right after start-up: {at_start / 1024:.1f} MiB (the {INBOXES + ACK_UNITS} "
        "logins were made before, on another server). RSS readings: "
        + ", ".join(f"{n:,} → {kib / 1024:.1f} MiB" for n, kib in readings) + ".",
        "One reading per figure (median = min = max).",
        f"The whole benchmark took {elapsed:.0f} s.",
    ]
    return Section(title=f"{TITLE} — {db.name}", figures=figures, ratios=ratios, notes=notes,
                   unit="MiB")


def main() -> int:
    return main_on_sqlite(run, sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
