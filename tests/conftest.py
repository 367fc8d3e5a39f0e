"""Shared fixtures: a real database per test (a SQLite file in WAL mode by default).

Set GONGWEN_TEST_DATABASE_URL to a PostgreSQL URL to run the same tests there (`make test` does, with
a throwaway server from scripts/test-postgres.sh): the schema is built once per run and each test
starts from emptied tables.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from tests.factories import build_world
from workflow import passwords
from workflow.db import Base, create_all, make_engine, make_session_factory

# Test accounts need no protection against offline cracking: hash with argon2's cheapest profile.
passwords.use_profile("CHEAPEST")

PG_URL = os.environ.get("GONGWEN_TEST_DATABASE_URL")


def pytest_collection_modifyitems(config, items):
    """A test of one database's own behaviour runs in that database's half of the suite only."""
    other = "sqlite_only" if PG_URL else "postgres_only"
    kept = [item for item in items if other not in item.keywords]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if other in item.keywords])
        items[:] = kept


@pytest.fixture(scope="session")
def _postgres_schema():
    """On PostgreSQL: the schema rebuilt once per run, from the models."""
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(request, tmp_path) -> str:
    """A fresh, empty database for one test."""
    if PG_URL:
        engine = request.getfixturevalue("_postgres_schema")
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return PG_URL
    return f"sqlite:///{tmp_path / 'gongwen.db'}"


@pytest.fixture
def engine(database_url):
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

