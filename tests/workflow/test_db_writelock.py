"""workflow/writelock.py in one process: which transactions take the lock file beside a SQLite
database, when they let it go, and two threads queueing for it. (Processes, and a process killed
while it holds the lock: tests/concurrency/test_write_queue.py.)"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError

from tests.writelocks import is_locked, lock_file
from workflow.db import (
    create_all,
    lock_for_update,
    make_engine,
    make_session_factory,
    read_only,
    write_from_here,
    write_late,
)
from workflow.models import Unit

pytestmark = pytest.mark.sqlite_only  # PostgreSQL queues its writers itself


@pytest.fixture
def tally(engine):
    """A table of its own to write to."""
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE tally (who TEXT)")


def test_a_write_transaction_holds_the_lock_file_beside_the_database_until_it_commits(
        database_url, session_factory, tally):
    with session_factory() as s:
        s.execute(text("INSERT INTO tally VALUES ('a')"))
        assert is_locked(lock_file(database_url))
        s.commit()
        assert not is_locked(lock_file(database_url))
    with session_factory() as s:
        assert s.scalars(text("SELECT who FROM tally")).all() == ["a"]
        s.rollback()


def test_a_write_transaction_rolled_back_or_abandoned_lets_the_lock_go(
        database_url, session_factory, tally):
    with session_factory() as s:
        s.execute(text("INSERT INTO tally VALUES ('a')"))
        s.rollback()
        assert not is_locked(lock_file(database_url))
        s.execute(text("INSERT INTO tally VALUES ('b')"))
        assert is_locked(lock_file(database_url))
    # Closed without commit or rollback.
    assert not is_locked(lock_file(database_url))


def test_a_read_only_transaction_neither_takes_the_lock_nor_waits_for_it(
        database_url, session_factory, tally):
    with session_factory() as reader:
        read_only(reader)
        assert reader.scalars(text("SELECT who FROM tally")).all() == []
        assert not is_locked(lock_file(database_url))
        reader.rollback()

    read = []

    def read_meanwhile():
        with session_factory() as reader:
            read_only(reader)
            read.append(reader.scalars(text("SELECT who FROM tally")).all())
            reader.rollback()

    with session_factory() as writer:
        writer.execute(text("INSERT INTO tally VALUES ('a')"))
        other = threading.Thread(target=read_meanwhile, daemon=True)
        other.start()
        other.join(20)  # while the writer holds the lock
        assert read == [[]]
        writer.commit()


def test_a_writer_whose_begin_fails_lets_the_lock_go(database_url, engine, tally):
    # SQLite's write lock taken outside the queue, as the sqlite3 shell would.
    outsider = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        outsider.execute("BEGIN IMMEDIATE")
        impatient = make_engine(database_url)
        event.listen(impatient, "connect",
                     lambda dbapi, _record: dbapi.execute("PRAGMA busy_timeout = 50"))
        try:
            with impatient.connect() as second:
                with pytest.raises(OperationalError, match="database is locked"):
                    second.exec_driver_sql("INSERT INTO tally VALUES ('b')")
                assert not is_locked(lock_file(database_url))  # still checked out
        finally:
            impatient.dispose()
    finally:
        outsider.close()


def test_an_in_memory_database_writes_without_any_lock_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = make_engine("sqlite://")
    try:
        create_all(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE tally (who TEXT)")
            connection.exec_driver_sql("INSERT INTO tally VALUES ('a')")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT who FROM tally").scalars().all() == ["a"]
    finally:
        engine.dispose()
    assert list(tmp_path.iterdir()) == []


def test_two_threads_of_one_process_queue_for_the_lock_before_beginning(
        database_url, engine, tally):
    """The second thread sends BEGIN only once the first has committed: it waited for the lock
    file (each connection opens its own), not inside SQLite's busy handler.

    Each thread says COMMIT just before committing, in its own code: an engine "commit" listener
    runs after the write queue's own (SQLAlchemy appends engine listeners whatever `insert` says),
    that is after the lock is let go, and a second thread woken by it could say BEGIN first."""
    said, lock = [], threading.Lock()

    def note(what):
        with lock:
            said.append((threading.current_thread().name, what))

    @event.listens_for(engine, "before_cursor_execute")
    def _begin(_connection, _cursor, statement, *_):
        if statement.startswith("BEGIN"):
            note(statement)

    sessions = make_session_factory(engine)
    first_inside, second_started = threading.Event(), threading.Event()

    def first():
        with sessions() as s:
            s.execute(text("INSERT INTO tally VALUES ('first')"))
            first_inside.set()
            second_started.wait(30)
            time.sleep(0.3)  # time for the second to reach BEGIN, if nothing held it back
            note("COMMIT")
            s.commit()

    def second():
        first_inside.wait(30)
        with sessions() as s:
            second_started.set()
            s.execute(text("INSERT INTO tally VALUES ('second')"))
            note("COMMIT")
            s.commit()

    threads = [threading.Thread(target=first, name="first"),
               threading.Thread(target=second, name="second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert said == [("first", "BEGIN IMMEDIATE"), ("first", "COMMIT"),
                    ("second", "BEGIN IMMEDIATE"), ("second", "COMMIT")]
    with engine.connect() as connection:
        assert sorted(connection.exec_driver_sql("SELECT who FROM tally").scalars()) == [
            "first", "second"]


def test_a_thread_writing_on_two_connections_at_once_is_refused_not_left_waiting_for_itself(
        database_url, tally):
    """The second connection cannot have the write lock while the first holds it: SQLite says
    "database is locked" after its busy timeout, as it did before the lock file existed."""
    engine = make_engine(database_url)
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute(
        "PRAGMA busy_timeout = 50"))
    sessions = make_session_factory(engine)
    outcome = []

    def nested():
        with sessions() as outer, sessions() as inner:
            outer.execute(text("INSERT INTO tally VALUES ('outer')"))
            try:
                inner.execute(text("INSERT INTO tally VALUES ('inner')"))
            except OperationalError as error:
                outcome.append(str(error.orig))
            outer.commit()

    thread = threading.Thread(target=nested, daemon=True)
    thread.start()
    thread.join(30)
    try:
        assert not thread.is_alive(), "the thread waited for itself"
        assert outcome == ["database is locked"]
        assert not is_locked(lock_file(database_url))
    finally:
        engine.dispose()


def test_a_writer_queued_behind_a_writer_outside_the_queue_gets_in_once_that_one_commits(
        database_url, session_factory, tally):
    """The sqlite3 shell or a restore takes SQLite's lock without the lock file: a writer that
    holds the lock file then waits in SQLite's busy handler, and neither waits for the other."""
    outsider = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    done = []

    def write():
        with session_factory() as s:
            s.execute(text("INSERT INTO tally VALUES ('queued')"))
            s.commit()
        done.append(True)

    try:
        outsider.execute("BEGIN IMMEDIATE")
        outsider.execute("INSERT INTO tally VALUES ('outsider')")
        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(0.3)
        assert done == []  # SQLite's lock still keeps it out
        outsider.execute("COMMIT")
        writer.join(20)
        assert done == [True]
    finally:
        outsider.close()
    with session_factory() as s:
        assert sorted(s.scalars(text("SELECT who FROM tally"))) == ["outsider", "queued"]
        s.rollback()


# ------------------------------------------------------------------------------------------------
# A late writer (a web request that changes something): the lock from its first write or command.


def test_a_late_writer_reads_without_the_lock_and_takes_it_at_its_first_write(
        database_url, session_factory, tally):
    with session_factory() as s:
        write_late(s)
        assert s.scalars(text("SELECT who FROM tally")).all() == []
        assert not is_locked(lock_file(database_url))
        s.execute(text("INSERT INTO tally VALUES ('a')"))
        assert is_locked(lock_file(database_url))
        s.commit()
        assert not is_locked(lock_file(database_url))
    with session_factory() as s:
        assert s.scalars(text("SELECT who FROM tally")).all() == ["a"]
        s.rollback()


def test_a_late_writer_reads_while_another_writer_holds_the_lock(
        database_url, session_factory, tally):
    read = []

    def read_meanwhile():
        with session_factory() as late:
            write_late(late)
            read.append(late.scalars(text("SELECT who FROM tally")).all())
            late.commit()

    with session_factory() as writer:
        writer.execute(text("INSERT INTO tally VALUES ('a')"))
        other = threading.Thread(target=read_meanwhile, daemon=True)
        other.start()
        other.join(20)
        assert read == [[]]
        writer.commit()


def test_each_read_of_a_late_writer_sees_the_latest_commit(database_url, session_factory, tally):
    """Before its first write a late writer is not one snapshot (as PostgreSQL's READ COMMITTED):
    what it relies on, its command reads again under the lock."""
    with session_factory() as late:
        write_late(late)
        assert late.scalars(text("SELECT who FROM tally")).all() == []
        with session_factory() as other:
            other.execute(text("INSERT INTO tally VALUES ('b')"))
            other.commit()
        assert late.scalars(text("SELECT who FROM tally")).all() == ["b"]
        late.rollback()


def test_a_command_takes_the_lock_where_it_starts_before_it_reads(
        database_url, session_factory, tally):
    with session_factory() as s:
        write_late(s)
        s.scalars(text("SELECT who FROM tally")).all()
        write_from_here(s)
        assert is_locked(lock_file(database_url))
        write_from_here(s)  # taken already: nothing more
        s.execute(text("INSERT INTO tally VALUES ('a')"))
        s.rollback()
        assert not is_locked(lock_file(database_url))
    with session_factory() as s:
        assert s.scalars(text("SELECT who FROM tally")).all() == []
        s.rollback()


def test_a_locking_read_of_a_late_writer_takes_the_lock(database_url, session_factory, world):
    with session_factory() as s:
        write_late(s)
        s.scalars(select(Unit.id)).all()
        assert not is_locked(lock_file(database_url))
        s.scalar(lock_for_update(select(Unit).where(Unit.id == world.issuer.id)))
        assert is_locked(lock_file(database_url))
        s.rollback()
        assert not is_locked(lock_file(database_url))


def test_a_late_writer_that_only_reads_ends_without_ever_taking_the_lock(
        database_url, session_factory, tally):
    with session_factory() as s:
        write_late(s)
        s.scalars(text("SELECT who FROM tally")).all()
        s.commit()
        assert not is_locked(lock_file(database_url))
        # The next transaction of the same session is an ordinary writer again.
        s.execute(text("INSERT INTO tally VALUES ('a')"))
        assert is_locked(lock_file(database_url))
        s.commit()
