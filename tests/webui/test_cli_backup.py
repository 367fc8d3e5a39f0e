"""`flask backup PATH` and `flask restore PATH`, through Flask's CLI runner on real databases: the
app's own (SQLite or PostgreSQL) and a second one to restore into."""

from __future__ import annotations

import glob
import shutil
from pathlib import Path

import pytest
from sqlalchemy import inspect, make_url, select

from tests import second_database
from tests.factories import build_world, notice_in, table_rows
from tests.system_parts import require
from tests.webui.conftest import make_app
from webui.extensions import db
from workflow import commands as c
from workflow.db import create_all, make_session_factory
from workflow.models import AuditEntry, Notice, User
from workflow.states import NoticeState

second_database_url = second_database.second_database_url


@pytest.fixture(autouse=True)
def _postgresql_clients(database_url):
    """On PostgreSQL every test here needs pg_dump and pg_restore."""
    if database_url.startswith("postgresql"):
        require(bool(shutil.which("pg_dump") or glob.glob("/usr/lib/postgresql/*/bin/pg_dump")),
                "pg_dump is not installed (apt-get install postgresql-client)")


@pytest.fixture
def other_app(second_database_url, tmp_path):
    """A second app, on the second (empty) database: where the backups are restored."""
    app = make_app(second_database_url, tmp_path / "other-instance")
    yield app
    with app.app_context():
        db.engine.dispose()


def fill(app, title: str) -> None:
    """Tables, and a world with one issued notice of its own."""
    with app.app_context():
        create_all(db.engine)
        notice_in(build_world(db.session), NoticeState.ISSUED, title=title)
        db.session.commit()


def rows(app) -> dict:
    with app.app_context():
        return table_rows(make_session_factory(db.engine))


def titles(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(Notice.title)))


def last_action(app) -> str:
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq.desc())).first()


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 16):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_backup_writes_the_file_and_says_what_it_holds_and_how_it_checked(app, world, tmp_path):
    path = tmp_path / "gongwen.backup"
    result = app.test_cli_runner().invoke(args=["backup", str(path)])

    assert result.exit_code == 0, result.output
    assert path.exists() and Path(f"{path}.sha256").exists()
    out = result.output
    assert f"已备份到 {path}" in out and f"{path.stat().st_size:,} 字节" in out
    assert "公文 3 件" in out and "签收记录 5 条" in out  # the world: 4 + 1 receipts
    assert "完整性检查：通过" in out and "审计链校验：OK" in out
    assert str(tmp_path / "instance" / "attachments") in out  # files are copied apart
    assert last_action(app) == "system.BACKUP"
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_backup_refuses_an_existing_file_unless_forced(app, world, tmp_path):
    path = tmp_path / "gongwen.backup"
    path.write_text("旧的备份")
    runner = app.test_cli_runner()

    refused = runner.invoke(args=["backup", str(path)])
    assert refused.exit_code == 1
    assert "已存在" in refused.stderr and "--force" in refused.stderr
    assert path.read_text() == "旧的备份"

    forced = runner.invoke(args=["backup", str(path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert path.read_bytes() != "旧的备份".encode()


def test_backup_refuses_a_folder_that_does_not_exist(app, world, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "无此目录" / "b")])
    assert result.exit_code == 1
    assert "不存在" in result.stderr and result.stdout == ""
    assert last_action(app) != "system.BACKUP"


def test_restore_asks_first_and_no_leaves_the_database_as_it_was(app, world, other_app,
                                                                 tmp_path):
    path = tmp_path / "b"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    fill(other_app, "目标库自己的通知")
    before = rows(other_app)

    result = other_app.test_cli_runner().invoke(args=["restore", str(path)], input="n\n")

    assert result.exit_code == 1
    assert "确定恢复吗" in result.output and "已取消" in result.stderr
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert "备份内容：公文 3 件" in result.output  # the backup was opened and counted
    else:
        assert "pg_dump 归档" in result.output  # an archive is described by its header
    assert "目标数据库现有：公文 1 件" in result.output
    assert rows(other_app) == before


def test_restore_cancelled_before_an_empty_database_leaves_it_empty(app, world, other_app,
                                                                   second_database_url, tmp_path):
    path = tmp_path / "b"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0

    result = other_app.test_cli_runner().invoke(args=["restore", str(path)], input="\n")

    assert result.exit_code == 1 and "已取消" in result.stderr  # no answer is a no
    assert "目标数据库现有：尚无数据表" in result.output
    if second_database_url.startswith("sqlite"):
        assert not Path(make_url(second_database_url).database).exists()  # not even created
    else:
        with other_app.app_context():
            assert inspect(db.engine).get_table_names() == []


def test_restore_with_yes_replaces_the_data_and_prints_both_checks(app, world, other_app,
                                                                   tmp_path):
    path = tmp_path / "b"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0

    result = other_app.test_cli_runner().invoke(args=["restore", str(path), "--yes"])

    assert result.exit_code == 0, result.output
    assert "确定恢复吗" not in result.output
    assert "目标数据库现有：尚无数据表" in result.output
    assert "恢复后：公文 3 件" in result.output
    assert "完整性检查：通过" in result.output and "审计链校验：OK" in result.output
    assert titles(other_app) == titles(app)
    assert last_action(other_app) == "system.RESTORE"
    assert other_app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_restore_into_the_database_the_app_is_using_takes_it_back_to_the_backup(
        other_app, tmp_path):
    fill(other_app, "备份之前的通知")
    path = tmp_path / "b"
    runner = other_app.test_cli_runner()
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    with other_app.app_context():  # work done after the backup, which the restore takes away
        drafter = db.session.scalar(select(User).where(User.username == "drafter"))
        c.create_draft(db.session, drafter, title="备份之后的草稿", body="……")
        db.session.commit()

    result = runner.invoke(args=["restore", str(path)], input="y\n")

    assert result.exit_code == 0, result.output
    assert titles(other_app) == ["备份之前的通知"]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_restore_of_a_damaged_backup_exits_1_and_leaves_the_database_as_it_was(
        app, world, other_app, tmp_path):
    path = tmp_path / "b"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    fill(other_app, "目标库自己的通知")
    before = rows(other_app)
    flip(path)

    result = other_app.test_cli_runner().invoke(args=["restore", str(path), "--yes"])

    assert result.exit_code == 1
    assert "已损坏或被改动" in result.stderr
    assert rows(other_app) == before


def test_restore_of_a_missing_file_exits_1_in_chinese(other_app, tmp_path):
    result = other_app.test_cli_runner().invoke(args=["restore", str(tmp_path / "无"), "--yes"])
    assert result.exit_code == 1
    assert "找不到备份文件" in result.stderr
