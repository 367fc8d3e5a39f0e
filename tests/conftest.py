"""Shared fixtures: a real database per test (a SQLite file in WAL mode by default).

Set GONGWEN_TEST_DATABASE_URL to a PostgreSQL URL to run the same tests there (`make test` does, with
a throwaway server from scripts/test-postgres.sh). Each run gets a database of its own on that
server (so two runs never meet), its schema built once; each test starts from emptied tables.
"""

from __future__ import annotations

import atexit
import os

import pytest
from sqlalchemy import text

from tests.factories import AUDIT_KEY, build_world
from workflow import audit, passwords
from workflow.db import Base, create_all, make_engine, make_session_factory

# Test accounts need no protection against offline cracking: hash with argon2's cheapest profile.
passwords.use_profile("CHEAPEST")
audit.use_key(AUDIT_KEY)

PG_URL = os.environ.get("GONGWEN_TEST_DATABASE_URL")


def _run_database(url: str) -> str:
    """A database of this run's own beside the one `url` names: created now, dropped at exit."""
    from sqlalchemy.engine import make_url

    base = make_url(url)
    run = base.set(database=f"{base.database}_run{os.getpid()}")
    admin = make_engine(base, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{run.database}"'))
        conn.execute(text(f'CREATE DATABASE "{run.database}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{run.database}" WITH (FORCE)'))
        admin.dispose()

    atexit.register(drop)
    return run.render_as_string(hide_password=False)


if PG_URL:  # before any test module reads the variable, and for the processes tests start
    PG_URL = os.environ["GONGWEN_TEST_DATABASE_URL"] = _run_database(PG_URL)


def pytest_collection_modifyitems(config, items):
    """A test of one database's own behaviour runs in that database's half of the suite only."""
    other = "sqlite_only" if PG_URL else "postgres_only"
    kept = [item for item in items if other not in item.keywords]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if other in item.keywords])
        items[:] = kept


@pytest.fixture(scope="session")
def _postgres_schema():
    """On PostgreSQL: the schema built once per run, from the models; and the statement that
    empties it — DELETE, far cheaper than TRUNCATE (which makes new files) for small tables, with
    the identities started again at 1 as in a fresh SQLite file."""
    # pool_pre_ping: a test may kill and restart the server (tests/concurrency/test_crashes.py).
    engine = make_engine(PG_URL, pool_pre_ping=True)
    create_all(engine)
    tables = Base.metadata.sorted_tables
    empty = "; ".join([f'DELETE FROM "{t.name}"' for t in reversed(tables)] + [
        f'ALTER SEQUENCE IF EXISTS "{t.name}_id_seq" RESTART' for t in tables])
    yield engine, empty
    engine.dispose()


@pytest.fixture
def database_url(request, tmp_path) -> str:
    """A fresh, empty database for one test."""
    if PG_URL:
        engine, empty = request.getfixturevalue("_postgres_schema")
        with engine.begin() as conn:
            conn.execute(text(empty))
        return PG_URL
    return f"sqlite:///{tmp_path / 'gongwen.db'}"


@pytest.fixture
def engine(database_url):
    audit.use_key(AUDIT_KEY)  # whatever key an app made by an earlier test gave the process
    engine = make_engine(database_url)
    create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory):
    with session_factory() as session:
        yield session
        session.rollback()


@pytest.fixture
def world(session):
    """A federation, its district group, a 抄送 unit and one user per role, committed."""
    w = build_world(session)
    session.commit()
    return w


@pytest.fixture
def direct_world(session):
    """The same world, but the issuing unit's route skips the review step."""
    w = build_world(session, review_required=False)
    session.commit()
    return w

