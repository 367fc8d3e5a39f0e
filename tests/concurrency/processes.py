"""Real worker processes on the test's database: N started together, or one to be killed.

Each worker is an operating-system process with its own engine on `database_url`, as a gunicorn
worker on another host would be; nothing is shared with the parent but the database. Workers are
forked from multiprocessing's fork server, which has imported the engine once, so a start costs
milliseconds instead of a fresh interpreter's imports (the crash tests start fifty), and no
worker inherits the parent's connections or threads.

- `run_together(url, task, per_worker)`: one process per argument tuple; each connects, then
  waits at a barrier so that all begin their work at the same moment, runs
  `task(worker, *args)` and sends back its result, or its traceback, which fails the test.
  `worker.together()` is the barrier again, for tasks that race round after round.
- `Killable(url, task, *args)`: one writer for the crash tests, `task(sessions, progress, *args)`.
  It reports through shared memory (`Progress`: ready, inside a transaction, commits, errors),
  never through a pipe that a SIGKILL could leave half-written; an exception goes to a file.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tests.factories import AUDIT_KEY
from workflow import audit
from workflow.db import make_engine, make_session_factory

CONTEXT = multiprocessing.get_context("forkserver")
# Imported once in the fork server; every worker starts with them loaded.
CONTEXT.set_forkserver_preload([
    "sqlalchemy", "sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.postgresql",
    "psycopg", "workflow.commands", "workflow.queries", "workflow.invariants",
    "tests.factories", "tests.concurrency.processes",
])
BARRIER_TIMEOUT = 120  # seconds a worker waits for the others before the test fails


@dataclass
class Worker:
    """What a task of `run_together` is given: its number, sessions on the database, the barrier."""

    index: int
    sessions: sessionmaker[Session]
    barrier: object

    def together(self) -> None:
        """Wait until every worker is here (a round of a race begins for all at once)."""
        self.barrier.wait(timeout=BARRIER_TIMEOUT)


def _run(task: Callable, index: int, url: str, barrier, args: tuple, results) -> None:
    audit.use_key(AUDIT_KEY)  # a worker is configured like any process of the product
    engine = make_engine(url)
    try:
        with engine.connect():  # connected first: what starts together is the work itself
            pass
        worker = Worker(index, make_session_factory(engine), barrier)
        worker.together()
        results.put((index, task(worker, *args), None))
    except BaseException:  # report it to the parent rather than die silently
        barrier.abort()  # the others stop waiting for this one
        results.put((index, None, traceback.format_exc()))
    finally:
        engine.dispose()


def run_together(url: str, task: Callable, per_worker: list[tuple], *,
                 timeout: float = 300) -> list:
    """Run `task(worker, *args)` in one process per `args` in `per_worker`, all starting at
    once; return their results in order. Any worker's exception fails the caller's test."""
    barrier, results = CONTEXT.Barrier(len(per_worker)), CONTEXT.Queue()
    processes = [CONTEXT.Process(target=_run, args=(task, i, url, barrier, args, results),
                                 daemon=True)
                 for i, args in enumerate(per_worker)]
    outcomes: dict[int, tuple] = {}
    try:
        for process in processes:
            process.start()
        deadline = time.monotonic() + timeout
        while len(outcomes) < len(processes):
            try:
                index, result, error = results.get(timeout=1)
                outcomes[index] = (result, error)
                continue
            except queue.Empty:
                pass
            silent = [p.exitcode for i, p in enumerate(processes)
                      if i not in outcomes and p.exitcode not in (None, 0)]
            assert not silent, f"a worker died without a word (exit codes {silent})"
            assert time.monotonic() < deadline, f"the workers did not finish in {timeout} s"
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()
    errors = [error for _, error in outcomes.values() if error]
    # A worker's own failure first: the others then only report the broken barrier.
    errors.sort(key=lambda e: "BrokenBarrierError" in e)
    assert not errors, "\n".join(errors)
    return [outcomes[i][0] for i in range(len(processes))]


# ------------------------------------------------------------------------------------------------
# A writer to be killed.

class Progress:
    """A writer's state in shared memory, which a SIGKILL cannot leave half-written."""

    READY, IN_TRANSACTION, COMMITS, ERRORS = range(4)

    def __init__(self):
        self.cells = CONTEXT.RawArray("q", 4)

    def ready(self) -> None:
        self.cells[self.READY] = 1

    def begin(self) -> None:
        self.cells[self.IN_TRANSACTION] = 1

    def committed(self) -> None:
        self.cells[self.IN_TRANSACTION] = 0
        self.cells[self.COMMITS] += 1

    def rolled_back(self) -> None:
        self.cells[self.IN_TRANSACTION] = 0

    def failed(self) -> None:
        """A transaction failed for want of the database (a server that went away)."""
        self.cells[self.IN_TRANSACTION] = 0
        self.cells[self.ERRORS] += 1

    @property
    def is_ready(self) -> bool:
        return bool(self.cells[self.READY])

    @property
    def in_transaction(self) -> bool:
        return bool(self.cells[self.IN_TRANSACTION])

    @property
    def commits(self) -> int:
        return self.cells[self.COMMITS]

    @property
    def errors(self) -> int:
        return self.cells[self.ERRORS]


def _run_killable(task: Callable, url: str, progress: Progress, errors: str, args: tuple) -> None:
    audit.use_key(AUDIT_KEY)
    engine = make_engine(url)
    try:
        with engine.connect():
            pass
        task(make_session_factory(engine), progress, *args)
    except BaseException:
        Path(errors).write_text(traceback.format_exc(), encoding="utf-8")
        raise
    finally:
        engine.dispose()


class Killable:
    """One writer process running `task(sessions, progress, *args)` until it is killed."""

    def __init__(self, url: str, task: Callable, *args, errors: Path):
        self.progress = Progress()
        self.errors = errors
        self.process = CONTEXT.Process(
            target=_run_killable, args=(task, url, self.progress, str(errors), args),
            daemon=True)
        self.process.start()

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not self.progress.is_ready:
            self.fail_on_error()
            assert time.monotonic() < deadline, f"the writer was not ready in {timeout} s"
            time.sleep(0.005)

    def fail_on_error(self) -> None:
        assert not self.errors.exists(), self.errors.read_text(encoding="utf-8")
        assert self.process.exitcode in (None, 0, -signal.SIGKILL), (
            f"the writer ended with exit code {self.process.exitcode}")

    def kill(self) -> bool:
        """SIGKILL the writer; whether it was inside a transaction just before."""
        inside = self.progress.in_transaction
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(timeout=30)
        self.fail_on_error()
        return inside

    def stop(self) -> None:
        """End the writer if it is still running (after a failure of the test)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=30)
