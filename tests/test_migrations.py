"""The migrations build the schema the models describe, on SQLite and on PostgreSQL alike.

A model changed without a migration (or a migration that builds something else) fails here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.webui.conftest import make_app
from webui.extensions import db
from workflow.db import Base, make_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
PG_URL = os.environ.get("GONGWEN_TEST_DATABASE_URL")


@pytest.fixture
def empty_app(tmp_path):
    """An app on a database with nothing in it (PostgreSQL: a schema of its own)."""
    if PG_URL:
        schema = f"gongwen_migrations_{os.getpid()}"
        with make_engine(PG_URL).begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
        app = make_app(PG_URL, tmp_path / "instance", SQLALCHEMY_ENGINE_OPTIONS={
            "connect_args": {"options": f"-csearch_path={schema}"}})
    else:
        schema = None
        app = make_app(f"sqlite:///{tmp_path / 'migrated.db'}", tmp_path / "instance")
    with app.app_context():
        yield app
        db.engine.dispose()
    if schema:
        with make_engine(PG_URL).begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


def differences_from_the_models() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrading_an_empty_database_builds_exactly_the_models_schema(empty_app):
    assert table_names() == set()
    flask_migrate.upgrade()
    assert table_names() == set(Base.metadata.tables)
    assert differences_from_the_models() == []


def test_downgrading_to_nothing_and_upgrading_again_gives_the_same_schema(empty_app):
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")
    assert table_names() == set()
    flask_migrate.upgrade()
    assert differences_from_the_models() == []


def test_init_db_on_an_empty_database_runs_the_migrations_and_is_harmless_twice(empty_app):
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert "由迁移从 空库 升级到" in first.output
    assert table_names() == set(Base.metadata.tables)
    second = runner.invoke(args=["init-db"])
    assert second.exit_code == 0, second.output
    assert "已是最新版本" in second.output


def test_init_db_adopts_tables_built_from_the_models_only_when_they_agree(empty_app):
    Base.metadata.create_all(db.engine)
    with db.engine.begin() as conn:  # a column the models do not have
        conn.execute(sa.text("ALTER TABLE unit ADD COLUMN stray INTEGER"))
    refused = empty_app.test_cli_runner().invoke(args=["init-db"])
    assert refused.exit_code == 1
    assert "与当前模型不一致" in refused.output
    assert "alembic_version" not in sa.inspect(db.engine).get_table_names()

    with db.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE unit DROP COLUMN stray"))
    adopted = empty_app.test_cli_runner().invoke(args=["init-db"])
    assert adopted.exit_code == 0, adopted.output
    assert "已标记为最新迁移版本" in adopted.output
    assert "alembic_version" in sa.inspect(db.engine).get_table_names()


def test_every_migration_can_be_undone_and_names_its_parent():
    files = sorted((MIGRATIONS / "versions").glob("*.py"))
    assert files, "no migrations"
    for path in files:
        source = path.read_text(encoding="utf-8")
        assert re.search(r"^def downgrade\(\)", source, re.M), path.name
        assert "down_revision" in source, path.name


def test_entries_written_before_the_audit_key_keep_their_hash_and_verify_as_such(empty_app):
    """A database from before the keyed chain: its entries are marked scheme 0 and verified the
    way they were written (a plain SHA-256 of these fields); the entries after them are keyed."""
    import datetime as dt
    import hashlib
    import json

    from workflow import audit
    from workflow import commands as c
    from workflow.db import read_only

    flask_migrate.upgrade(revision="3c5e2b7d9a10")
    prev, rows = "0" * 64, []
    for seq in (1, 2):
        row = {"seq": seq, "at": dt.datetime(2016, 3, 7, 1, seq), "actor_id": None,
               "actor_name": "系统", "on_behalf_of": None, "action": "system.BACKUP",
               "object_type": "system", "object_id": None, "notice_id": None,
               "state_before": None, "state_after": None, "note": f"第{seq}次备份",
               "details": {"kind": "sqlite"}, "prev_hash": prev}
        hashed = {**row, "at": row["at"].isoformat(timespec="microseconds")}
        row["hash"] = prev = hashlib.sha256(json.dumps(
            hashed, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        rows.append(row)
    with db.engine.begin() as conn:
        entries = sa.Table("audit_entry", sa.MetaData(), autoload_with=conn)
        head = sa.Table("audit_head", sa.MetaData(), autoload_with=conn)
        conn.execute(entries.insert(), rows)
        conn.execute(head.insert(), {"id": 1, "seq": 2, "hash": prev})

    flask_migrate.upgrade()
    assert db.session.execute(sa.text("SELECT scheme, digest FROM audit_entry")).all() == [
        (0, None), (0, None)]
    db.session.rollback()
    c.create_unit(db.session, None, name="示范市妇女联合会")
    db.session.commit()
    report = audit.verify(read_only(db.session()))
    db.session.rollback()
    assert (report.ok, report.checked, report.unkeyed) == (True, 3, 2)
    assert "其中前 2 条写于启用审计密钥之前" in str(report)


def _filled(table: sa.Table, **given) -> dict:
    """A row for `table` with `given` and a plain value in every other required column."""
    import datetime as dt
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key or column.server_default:
            continue
        kind = column.type.python_type
        row[column.name] = {bool: False, int: 1, dt.datetime: dt.datetime(2026, 12, 1)}.get(
            kind, f"{table.name}-{column.name}"[: getattr(column.type, "length", None) or 100])
    return row


def test_notification_paths_become_places_of_work_and_come_back_on_downgrade(empty_app):
    """Notifications and mail written when they held paths of the pages keep leading to the same
    task: the path becomes the place (a path of no known place becomes nothing), and back."""
    flask_migrate.upgrade(revision="0b844418b5de")
    paths = ["/signoff/12", "/drafting/7/amend", "/drafting/7", "/receiving/#sign-3",
             "/receiving/#due-3", "/dispatch/returns/41", "/tracking/reports/9", "/tracking/5",
             "/incoming/2", "/admin/audit", "/password", "/dispatch/", "/elsewhere/1", None]
    places = ["signoff:12", "amend:7", "draft:7", "sign_for:3", "report_due:3", "handle_return:41",
              "check_report:9", "track:5", "incoming:2", "audit", "password", "archive", None, None]
    with db.engine.begin() as conn:
        meta = sa.MetaData()
        unit, user, notification, mail = (sa.Table(name, meta, autoload_with=conn) for name in (
            "unit", "user_account", "notification", "mail_message"))
        conn.execute(unit.insert(), _filled(unit, id=1, name="市妇联"))
        conn.execute(user.insert(), _filled(user, id=1, unit_id=1, username="clerk"))
        conn.execute(notification.insert(), [
            _filled(notification, id=n, user_id=1, link=path) for n, path in enumerate(paths, 1)])
        conn.execute(mail.insert(), [
            _filled(mail, id=n, user_id=1, notification_id=n, link_path=path)
            for n, path in enumerate(paths, 1)])

    flask_migrate.upgrade(revision="7d3f1a9c5b26")
    with db.engine.connect() as conn:
        for table in ("notification", "mail_message"):
            assert conn.execute(sa.text(f"SELECT target FROM {table} ORDER BY id")).scalars() \
                .all() == places

    flask_migrate.downgrade(revision="0b844418b5de")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT link FROM notification ORDER BY id")).scalars() \
            .all() == paths[:-2] + [None, None]
        assert conn.execute(sa.text("SELECT link_path FROM mail_message ORDER BY id")).scalars() \
            .all() == paths[:-2] + [None, None]
