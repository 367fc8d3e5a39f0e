"""The queue of SQLite's writers: a lock file beside the database, taken before BEGIN IMMEDIATE.

Owns: `<database>.writelock`, locked with flock(LOCK_EX) by a connection when its write
transaction begins (`acquire`, called from workflow/db.py's begin event) and unlocked when that
transaction ends (the commit, rollback, reset and close events that `install` attaches).
Must not: decide who may write. SQLite's own write lock (BEGIN IMMEDIATE under busy_timeout) still
does; this lock only makes the waiting prompt and fair, and every failure to take it falls back to
SQLite's busy wait alone.

Why: a writer that finds SQLite's write lock taken does not wait on it; SQLite's busy handler
sleeps and tries again, in steps growing to 100 ms. The waiter wakes up long after the lock was
freed, and a busy writer that comes straight back for the lock takes it again first: under load
the slowest acknowledgements took 300–500 ms (bench/HISTORY.md, B4). Writers blocked in flock
queue in the kernel, which wakes one of them the moment the holder lets go.

Why flock on a file that stays, and not a file that exists only while someone writes: the kernel
drops a flock when its holder dies (SIGKILL, a crash), so no dead process can leave the queue
closed. The file is never deleted: a writer that opened the old file and one that made a new one
would not exclude each other.

flock belongs to an open file description, not to a process or a thread: each connection opens
the file itself, so that two threads of one process exclude each other like two processes do.
"""

from __future__ import annotations

import logging
import os
import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine

try:  # POSIX only. Elsewhere (Windows, not a target) writers wait in SQLite's busy handler alone.
    import fcntl
except ImportError:  # pragma: no cover - not on Linux
    fcntl = None

SUFFIX = ".writelock"
_KEY = "gongwen_writelock"  # in each pooled connection's info: its WriteLock, or None
_log = logging.getLogger(__name__)

# lock path → (pid, thread) that holds it in this process. A thread that holds the lock through
# one connection and begins writing on another would wait in flock for itself, forever; it goes
# straight to BEGIN IMMEDIATE instead, where busy_timeout ends the wait with "database is locked"
# as it did before this lock existed.
_holders: dict[str, tuple[int, int]] = {}


class WriteLock:
    """One connection's handle on the lock file: opened on its first write, kept while it lives."""

    def __init__(self, path: str):
        self.path = path
        self.fd: int | None = None
        self.pid = 0  # the process that opened fd: a forked child must open its own
        self.owner: tuple[int, int] | None = None  # (pid, thread) while held

    def acquire(self) -> None:
        """Wait for the lock, or go without it (SQLite's busy wait then decides alone)."""
        me = (os.getpid(), threading.get_ident())
        if _holders.get(self.path) == me:
            return
        try:
            if self.fd is None or self.pid != me[0]:
                # Read-only is enough for flock: any account that may read the file can queue.
                self.fd = os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
                self.pid = me[0]
            fcntl.flock(self.fd, fcntl.LOCK_EX)  # blocks in the kernel; the GIL is released
        except OSError as error:  # a read-only folder, a file system without flock
            _log.warning("SQLite writers are not queued on %s (%s): they wait in SQLite's busy "
                         "handler instead", self.path, error)
            return
        self.owner = me
        _holders[self.path] = me

    def release(self) -> None:
        if self.owner is None:
            return
        if _holders.get(self.path) == self.owner:
            del _holders[self.path]
        self.owner = None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        except OSError:  # the descriptor is gone: so is the lock
            pass

    def close(self) -> None:
        self.release()
        if self.fd is not None and self.pid == os.getpid():
            os.close(self.fd)
        self.fd = None


def lock_path(database_file: str) -> str:
    return database_file + SUFFIX


def acquire(pooled_connection) -> None:
    """Take the write lock for a SQLAlchemy connection's DBAPI connection, if it has one."""
    lock = pooled_connection.info.get(_KEY)
    if lock is not None:
        lock.acquire()


def install(engine: Engine) -> None:
    """Queue `engine`'s SQLite writers on the database's lock file (a file database only)."""
    if fcntl is None or engine.url.database in (None, "", ":memory:"):
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, record):
        # SQLite's own name for the main database: absolute, and empty for an in-memory or
        # temporary database (also when the URL is a file: URI), which no other process reaches.
        cursor = dbapi_connection.cursor()
        try:
            path = next((row[2] for row in cursor.execute("PRAGMA database_list")
                         if row[1] == "main"), "")
        finally:
            cursor.close()
        record.info[_KEY] = WriteLock(lock_path(path)) if path else None

    def _end(connection, finish: str) -> None:
        # The events fire before SQLAlchemy ends the transaction; freeing the lock then would let
        # the next writer in while SQLite's lock is still held, to sleep in the busy handler. So
        # the transaction is ended here, then the lock freed; SQLAlchemy's own commit or
        # rollback that follows finds nothing left to do. If ending fails here, SQLAlchemy's
        # own call tries again and reports the error as it always has.
        try:
            pooled = connection.connection
        except Exception:  # an invalidated connection: its close event frees the lock
            return
        lock = pooled.info.get(_KEY)
        if lock is None or lock.owner is None:
            return
        try:
            getattr(pooled.dbapi_connection, finish)()
        except Exception:  # reported by SQLAlchemy's own attempt, just after this event
            pass
        finally:
            lock.release()

    @event.listens_for(engine, "commit")
    def _on_commit(connection):
        _end(connection, "commit")

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection):
        _end(connection, "rollback")

    # A connection handed back to the pool, or closed, holds nothing any more.
    @event.listens_for(engine.pool, "reset")
    def _on_reset(_dbapi_connection, record, _state):
        lock = record.info.get(_KEY)
        if lock is not None:
            lock.release()

    @event.listens_for(engine.pool, "close")
    def _on_close(_dbapi_connection, record):
        lock = record.info.get(_KEY)
        if lock is not None:
            lock.close()
