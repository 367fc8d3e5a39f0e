"""A second, empty database beside a test's own, for the tests that restore a backup into one.

SQLite: another file in the test's folder. PostgreSQL: a database created on the test server for
one test and dropped after it; its name carries the process id and a random part, so that runs
at the same time never meet. Use it in a test module with
`second_database_url = second_database.second_database_url`.
"""

from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool


@pytest.fixture
def second_database_url(database_url, tmp_path) -> str:
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    url = make_url(database_url)
    name = f"gongwen_restore_{os.getpid()}_{secrets.token_hex(3)}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                           poolclass=NullPool)
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
