"""SQLite's writers queue on the lock file beside the database (workflow/writelock.py), process
against process: two processes writing at once take turns and both commit, the second sending
BEGIN only once the first has committed; and a process killed while it holds the lock does not
keep the next writer out (the kernel lets go of a dead process's flock).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, text

from tests.concurrency.processes import Killable, run_together
from tests.writelocks import is_locked, lock_file

pytestmark = pytest.mark.sqlite_only  # PostgreSQL queues its writers itself

HOLD = 0.5  # seconds the first writer keeps its transaction open once the second is on its way


@pytest.fixture
def tally(engine):
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE tally (who TEXT)")
    engine.dispose()  # the parent holds no connection while the workers write


def write_in_turn(worker) -> dict:
    """Worker 0 begins writing, then worker 1 begins too; worker 0 commits HOLD s later.
    Returns the moments (one clock for every process) of its BEGIN and of its commit."""
    engine = worker.sessions.kw["bind"]
    moments = {}

    @event.listens_for(engine, "before_cursor_execute")
    def _begin(_connection, _cursor, statement, *_):
        if statement.startswith("BEGIN"):
            moments["begin"] = time.monotonic()

    with worker.sessions() as s:
        if worker.index == 0:
            s.execute(text("INSERT INTO tally VALUES ('first')"))
            worker.together()
            time.sleep(HOLD)
        else:
            worker.together()
            s.execute(text("INSERT INTO tally VALUES ('second')"))
        # Taken just before committing: the lock is let go inside commit(), so nobody queued on
        # it can have begun earlier (a listener on the commit event might run after the lock's
        # own, which already let go).
        moments["commit"] = time.monotonic()
        s.commit()
    return moments


def test_two_processes_writing_at_once_take_turns_and_both_commit(
        database_url, engine, session_factory, tally):
    first, second = run_together(database_url, write_in_turn, [(), ()], timeout=60)

    # The second sent BEGIN after the first began committing: it waited on the lock file, not
    # inside SQLite's busy handler (where it would have sent BEGIN at once, to sleep on it).
    assert first["begin"] < first["commit"] <= second["begin"] < second["commit"]
    with session_factory() as s:
        assert sorted(s.scalars(text("SELECT who FROM tally"))) == ["first", "second"]
        s.rollback()
    assert not is_locked(lock_file(database_url))


def hold_the_write_lock(sessions, progress) -> None:
    """Begin writing and never finish: wait to be killed inside the transaction."""
    progress.ready()
    with sessions() as s:
        s.execute(text("INSERT INTO tally VALUES ('killed')"))
        progress.begin()
        while True:
            time.sleep(1)


def write_once(worker) -> str:
    with worker.sessions() as s:
        s.execute(text("INSERT INTO tally VALUES ('next')"))
        s.commit()
    return "committed"


def test_a_writer_killed_while_holding_the_write_lock_does_not_keep_the_next_one_out(
        database_url, engine, session_factory, tally, tmp_path):
    holder = Killable(database_url, hold_the_write_lock, errors=tmp_path / "holder.txt")
    try:
        holder.wait_until_ready()
        deadline = time.monotonic() + 60
        while not holder.progress.in_transaction:
            holder.fail_on_error()
            assert time.monotonic() < deadline, "the holder never began writing"
            time.sleep(0.005)
        assert is_locked(lock_file(database_url))
        assert holder.kill()  # SIGKILL, inside its transaction
    finally:
        holder.stop()

    assert not is_locked(lock_file(database_url))
    # Well inside SQLite's busy timeout (30 s): a lock left behind would fail this, not wait it out.
    assert run_together(database_url, write_once, [()], timeout=20) == ["committed"]
    with session_factory() as s:
        assert s.scalars(text("SELECT who FROM tally")).all() == ["next"]
        s.rollback()
