"""Database plumbing: the declarative base, UTC time, engine set-up and dialect differences.

Owns: the naming convention for constraints, `utcnow()`, the SQLite pragmas (WAL, foreign keys,
busy timeout) and the BEGIN IMMEDIATE discipline (each writer queued first on the lock file of
workflow/writelock.py; a late writer, `write_late`, takes them at its first write, and every
command at its start, `write_from_here`), and every statement that differs between SQLite and
PostgreSQL (`insert_ignore`, `insert_or_add`, `lock_for_update`, `read_only`, `read_snapshot`). Must not: know
any domain rule.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import MetaData, any_, bindparam, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from workflow import writelock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Write transactions on SQLite must take the write lock when they begin: a deferred transaction
# that reads and then writes cannot wait for a busy lock and fails with "database is locked".
# Read-only work (a GET request, a report) opts out with read_only(session).
SQLITE_BEGIN_OPTION = "gongwen_sqlite_begin"
# A late writer (write_late): its reads run on their own, each seeing the latest commit, and its
# write transaction (the lock file, then BEGIN IMMEDIATE) begins at its first write, or where a
# command starts (write_from_here). The pooled connection's info says whether it is still to come.
LATE = "LATE"
_WRITE_TO_COME = "gongwen_write_to_come"
# A SELECT that locks what it reads (lock_for_update): on SQLite it must run inside the write
# transaction, so for a late writer it begins one.
_LOCKING = "gongwen_locking"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# The largest id a row can have: ids are 32-bit integers on PostgreSQL (SERIAL). An id beyond it
# (from a URL or a form) names no row; asked for as such, it would make the driver fail instead.
MAX_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """The current time in UTC, naive (every stored time is naive UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def as_utc(moment: dt.datetime | None) -> dt.datetime:
    """A caller's `now` as naive UTC; None means the current time."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is not None:
        return moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def configure_engine(engine: Engine) -> Engine:
    """Attach the SQLite pragmas and BEGIN discipline; PostgreSQL needs nothing here."""
    if engine.dialect.name != "sqlite":
        return engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Hand transaction control to SQLAlchemy's "begin" event below (pysqlite's own
        # implicit BEGIN is deferred and happens at the wrong moment).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")
        if mode == LATE:  # no BEGIN yet: pysqlite runs each read on its own until the first write
            connection.info[_WRITE_TO_COME] = True
            return
        connection.info[_WRITE_TO_COME] = False
        # A writer first queues on the lock file (workflow/writelock.py), so that it meets
        # SQLite's write lock free instead of sleeping in the busy handler; a reader never waits.
        # Should BEGIN fail, SQLAlchemy rolls back, and the rollback event frees the lock file.
        if mode != "DEFERRED":
            writelock.acquire(connection.connection)
        connection.exec_driver_sql(f"BEGIN {mode}")

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, _cursor, statement, _parameters, context, _executemany):
        if connection.info.get(_WRITE_TO_COME) and _writes(statement, context):
            _begin_writing(connection)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection):
        connection.info[_WRITE_TO_COME] = False

    writelock.install(engine)
    return engine


def _writes(statement: str, context) -> bool:
    """Whether a statement must run inside the write transaction: all but plain reads."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete
                                or context.execution_options.get(_LOCKING)):
        return True
    return not statement.lstrip()[:6].upper().startswith(("SELECT", "WITH"))


def _begin_writing(connection) -> None:
    # The flag goes first: the BEGIN passes through the statement event above, which must not
    # take it for a write still to come. Should BEGIN fail, the error makes SQLAlchemy roll back,
    # which frees the lock file.
    connection.info[_WRITE_TO_COME] = False
    writelock.acquire(connection.connection)
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for `url` with Gongwen's settings applied."""
    return configure_engine(create_engine(url, **kwargs))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def read_only(session: Session) -> Session:
    """Begin `session`'s transaction as a reader (SQLite: BEGIN DEFERRED). Call before any query."""
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        session.connection(execution_options={SQLITE_BEGIN_OPTION: "DEFERRED"})
    return session


def write_late(session: Session) -> Session:
    """Begin `session`'s transaction as a late writer: on SQLite its reads take no lock and see
    the latest commit each, and the write lock is taken only at its first write or command (so a
    web request holds it for its command, not while it loads the user and checks the form).
    Call before any query. On PostgreSQL, where writers lock rows and not the database, a no-op."""
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        session.connection(execution_options={SQLITE_BEGIN_OPTION: LATE})
    return session


def write_from_here(session: Session) -> Session:
    """Hold the write lock from here to the end of `session`'s transaction (SQLite): what a
    command reads, it reads under the lock it writes under. Taken already, or on PostgreSQL, a
    no-op."""
    if session.get_bind().dialect.name == "sqlite":
        connection = session.connection()
        if connection.info.get(_WRITE_TO_COME):
            _begin_writing(connection)
    return session


def read_snapshot(session: Session) -> Session:
    """Begin `session`'s transaction as a reader that sees one snapshot from its first query to
    its end, whatever commits meanwhile. Call before any query.

    For reads that compare many tables while others write (the invariant check): under
    PostgreSQL's default READ COMMITTED each statement would see a newer state than the one
    before, so it asks for REPEATABLE READ; a SQLite reader in WAL mode (BEGIN DEFERRED) already
    keeps the snapshot of its first read.
    """
    if session.in_transaction():
        return session
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return session
    return read_only(session)


def insert_ignore(session: Session, table, rows: list[dict], *, conflict_columns: list[str],
                  returning=None):
    """INSERT the rows, skipping those whose `conflict_columns` already exist; with `returning`
    (a column), the result yields that column of the rows written, and of no row skipped."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).on_conflict_do_nothing(index_elements=conflict_columns)
    if returning is not None:
        # One statement for all the rows (not executemany): RETURNING then reports each row
        # written, and the skipped ones not at all, on both databases.
        return session.execute(statement.values(rows).returning(returning))
    return session.execute(statement, rows)


def insert_or_add(session: Session, table, row: dict, *, conflict_columns: list[str],
                  adding: list[str]) -> None:
    """INSERT `row`, or, when its `conflict_columns` exist already, add its `adding` columns to
    that row's (`n = n + excluded.n`: one statement, no value read first, safe against a
    concurrent writer of the same row)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(**row)
    session.execute(statement.on_conflict_do_update(
        index_elements=conflict_columns,
        set_={name: table.c[name] + statement.excluded[name] for name in adding}))


def insert_or_replace(session: Session, table, row: dict, *, conflict_columns: list[str],
                      replacing: list[str]) -> None:
    """INSERT `row`, or, when its `conflict_columns` exist already, set that row's `replacing`
    columns to `row`'s (one statement: two first writers of the same key cannot both insert)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(**row)
    session.execute(statement.on_conflict_do_update(
        index_elements=conflict_columns,
        set_={name: statement.excluded[name] for name in replacing}))


def insert_once(session: Session, table, row: dict, *, key_column: str = "dedupe_key") -> bool:
    """Insert `row` unless its key exists; True when this transaction wrote it. Of several
    transactions racing with the same key exactly one gets True."""
    # Ask the driver to count the rows inserted: psycopg reports no count by default, and the
    # count is how the loser of a race (ON CONFLICT DO NOTHING) knows it lost. The option stays
    # on the session's connection for the rest of its transaction, harmlessly.
    session.connection().execution_options(preserve_rowcount=True)
    return insert_ignore(session, table, [row], conflict_columns=[key_column]).rowcount == 1


def among_ids(session: Session, column, ids: list[int]):
    """`column IN ids`, for a list of ids that may run to hundreds.

    On PostgreSQL it is `column = ANY(%s)` with the ids as one array: the statement's text is the
    same whatever the count, so it is neither rendered afresh nor parsed afresh by the server on
    every call (an IN list of 200 made a 5 KB statement each time). Elsewhere a plain IN.
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, list(ids), type_=ARRAY(column.type)))
    return column.in_(ids)


def takes_row_locks(session: Session) -> bool:
    """Whether the database locks rows (PostgreSQL). SQLite has one writer at a time: a
    transaction that writes holds the whole database, so the order of row locks means nothing."""
    return session.get_bind().dialect.name == "postgresql"


def lock_for_update(statement):
    """Add a row lock to a SELECT (FOR NO KEY UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already
    holds the database write lock, so the clause is a no-op there).

    Only the rows of the statement's first entity are locked (FOR UPDATE OF its table): a model
    loads some relationships with outer joins, and PostgreSQL refuses to lock the nullable side
    of one — nor should a notice's lock hold its issuing unit.

    The locked rows are read afresh into the session (populate_existing): a session kept across
    transactions may still hold an older copy of the row, and a counter counted on from that copy
    would hand out a number that another process has taken meanwhile.
    """
    entity = statement.column_descriptions[0].get("entity")
    of = {"of": entity} if entity is not None else {}
    # FOR NO KEY UPDATE: the locked rows are changed, never their keys, so a row that merely
    # refers to them (a new 收文 naming its notice, a notification naming its user: PostgreSQL
    # takes KEY SHARE on what a foreign key points at) must not wait for the lock, nor make a
    # holder of the audit chain's head wait for it (eight 签收 at once deadlocked so).
    return statement.with_for_update(key_share=True, **of).execution_options(
        populate_existing=True, **{_LOCKING: True})


def lock_skip_locked(statement):
    """Lock the rows a SELECT finds, passing over rows another transaction has locked (FOR UPDATE
    SKIP LOCKED on PostgreSQL, so that workers running at once each take different rows; on SQLite
    a no-op: BEGIN IMMEDIATE lets one writer in at a time)."""
    return statement.with_for_update(skip_locked=True).execution_options(**{_LOCKING: True})


def create_all(engine: Engine) -> None:
    """Create every table (import the models first so they are registered)."""
    from workflow import models  # noqa: F401  (registers the tables)

    Base.metadata.create_all(engine)


def is_empty(session: Session) -> bool:
    from workflow.models import Unit

    return session.scalar(select(Unit.id).limit(1)) is None
