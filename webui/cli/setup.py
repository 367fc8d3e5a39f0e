"""`init-db` and `demo`: an empty database made ready, and the demo loaded once."""

from __future__ import annotations

import os

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from webui.cli._common import fail, table
from webui.extensions import db
from workflow.db import create_all, is_empty
from workflow.errors import WorkflowError

DEMO_LOGINS_FILE = "demo-logins.txt"


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the tables that do not exist yet (harmless when they all do)."""
    created = _create_tables()
    url = db.engine.url.render_as_string(hide_password=True)
    if created:
        click.echo(f"已创建 {len(created)} 张数据表：{'、'.join(created)}")
    else:
        click.echo("数据表均已存在，未作改动。")
    click.echo(f"数据库：{url}")


def _create_tables() -> list[str]:
    before = set(sa.inspect(db.engine).get_table_names())
    create_all(db.engine)
    return sorted(set(sa.inspect(db.engine).get_table_names()) - before)


@click.command("demo")
@click.option("--print-logins", is_flag=True, help="只显示已保存的演示账号，不改动数据库。")
@with_appcontext
def demo(print_logins: bool) -> None:
    """Load the demo (the two seed notices, their units and users) into an empty database."""
    path = os.path.join(current_app.instance_path, DEMO_LOGINS_FILE)
    if print_logins:
        _print_logins_file(path)
        return
    try:
        from workflow import demo as demo_data
    except ImportError:
        fail("演示数据模块 workflow.demo 尚不可用")
    created = _create_tables()
    if created:
        click.echo(f"已创建 {len(created)} 张数据表。")
    if not is_empty(db.session):
        db.session.rollback()
        click.echo("数据库中已有数据（演示数据已载入或正在使用），未作改动。")
        if os.path.exists(path):
            _print_logins_file(path)
        return
    try:
        logins = demo_data.build(db.session)
    except WorkflowError as error:
        db.session.rollback()
        fail(f"演示数据未能载入：{error}")
    db.session.commit()
    logins_table = table(["用户名", "姓名", "单位 · 角色", "密码"], [list(row) for row in logins])
    _write_private(path, logins_table + "\n")
    click.echo("演示数据已载入。演示账号：")
    click.echo(logins_table)
    click.echo(f"\n账号和密码已保存到 {path}（仅本机用户可读）。")


def _print_logins_file(path: str) -> None:
    if not os.path.exists(path):
        fail(f"找不到 {path}：演示数据尚未由本实例载入（运行 flask --app wsgi demo）")
    with open(path, encoding="utf-8") as file:
        click.echo(file.read().rstrip("\n"))


def _write_private(path: str, text: str) -> None:
    """Write a file only its owner may read (it holds passwords)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # the file may have existed with wider permissions
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)

COMMANDS = [init_db, demo]
