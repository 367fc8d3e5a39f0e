"""`init-db` and `demo`: the database built by the migrations, and the demo loaded once.

Both then set up the audit key and the first anchor (`webui.cli.audit.prepare_audit`).

`init-db` is `flask --app wsgi db upgrade` with one kindness: a database whose tables were created
from the models directly (before migrations existed, or by the tests) is adopted — marked as at the
newest migration — when, and only when, its tables agree with the models.
"""

from __future__ import annotations

import os
import re

import click
import flask_migrate
import pyotp
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask.cli import with_appcontext

from webui import clock
from webui.cli._common import fail, table
from webui.cli.audit import prepare_audit
from webui.extensions import db
from workflow.db import Base, is_empty
from workflow.errors import WorkflowError

DEMO_LOGINS_FILE = "demo-logins.txt"


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Build the database, or bring it up to date, through the migrations (harmless when it is)."""
    click.echo(_upgrade())
    for done in prepare_audit():
        click.echo(done)
    click.echo(f"数据库：{db.engine.url.render_as_string(hide_password=True)}")


def _upgrade() -> str:
    """Run the migrations; adopt a database built from the models. Returns what was done."""
    tables = set(sa.inspect(db.engine).get_table_names())
    if tables and "alembic_version" not in tables:
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        if differences:
            fail("数据库中已有数据表，但并非由迁移建立，且与当前模型不一致，未作改动："
                 f"{differences[:3]}")
        flask_migrate.stamp()
        return "数据表已存在且与当前模型一致，已标记为最新迁移版本。"
    with db.engine.connect() as connection:
        before = MigrationContext.configure(connection).get_current_revision()
    flask_migrate.upgrade()
    with db.engine.connect() as connection:
        after = MigrationContext.configure(connection).get_current_revision()
    if before == after:
        return f"数据库已是最新版本（{after}），未作改动。"
    return f"数据库已由迁移从 {before or '空库'} 升级到 {after}。"


@click.command("demo")
@click.option("--print-logins", is_flag=True, help="只显示已保存的演示账号，不改动数据库。")
@click.option("--code", "code_for", metavar="USERNAME",
              help="显示演示账号此刻的两步验证码（代替手机验证器），不改动数据库。")
@with_appcontext
def demo(print_logins: bool, code_for: str | None) -> None:
    """Load the demo (the two seed notices, their units and users) into an empty database."""
    path = os.path.join(current_app.instance_path, DEMO_LOGINS_FILE)
    if print_logins:
        _print_logins_file(path)
        return
    if code_for:
        _print_code(path, code_for)
        return
    try:
        from workflow import demo as demo_data
    except ImportError:
        fail("演示数据模块 workflow.demo 尚不可用")
    click.echo(_upgrade())
    for done in prepare_audit():
        click.echo(done)
    if not is_empty(db.session):
        db.session.rollback()
        click.echo("数据库中已有数据（演示数据已载入或正在使用），未作改动。")
        if os.path.exists(path):
            _print_logins_file(path)
        return
    try:
        # Dated by the app's clock: its working life in the weeks before today.
        logins = demo_data.build(db.session, today=clock.today())
    except WorkflowError as error:
        db.session.rollback()
        fail(f"演示数据未能载入：{error}")
    db.session.commit()
    for done in _sign_demo():
        click.echo(done)
    logins_table = table(["用户名", "姓名", "单位 · 角色", "密码", "两步验证密钥"],
                         [list(row) for row in logins])
    _write_private(path, logins_table + "\n\n" + SECOND_FACTOR_HINT + "\n")
    click.echo("演示数据已载入。演示账号：")
    click.echo(logins_table)
    click.echo("\n" + SECOND_FACTOR_HINT)
    click.echo(f"\n账号、密码和密钥已保存到 {path}（仅本机用户可读）。")


def _sign_demo() -> list[str]:
    """The demo's own CA and unit certificates, and the 正式文件 of its issued notices, signed.
    Without a Chinese font the files are left to their first download."""
    from webui.extensions import attachment_store
    from webui.instance_keys import create_signing_key
    from webui.official_files import verify_url_for
    from workflow import pki
    from workflow.models import Notice
    from workflow.official import make_official

    done = []
    path = create_signing_key(current_app)
    if path:
        done.append(f"已生成签名密钥保护口令 {path}（仅本机用户可读）。")
    made = pki.init_pki(db.session, None, now=clock.now())
    db.session.commit()
    done.append(f"已建立演示用签章根证书和 {len(made) - 1} 个单位的签名证书。")
    issued = db.session.scalars(sa.select(Notice.id).where(Notice.issued_at.is_not(None))
                                .order_by(Notice.id)).all()
    for notice_id in issued:
        try:
            notice = make_official(db.session, None, notice_id=notice_id,
                                   store=attachment_store(), verify_url_for=verify_url_for,
                                   now=clock.now())
            number = notice.doc_number
            db.session.commit()
        except WorkflowError as error:
            db.session.rollback()
            done.append(f"正式文件未能生成（首次下载时再生成）：{error}")
            break
        done.append(f"已生成并签名正式文件：{number}")
    return done


SECOND_FACTOR_HINT = (
    "管理员和签发人登录时还须输入两步验证码：把上表的密钥添加到手机验证器（Microsoft "
    "Authenticator、Google 身份验证器等，选“手动输入密钥”），\n或运行 "
    "flask --app wsgi demo --code 用户名 显示此刻的验证码。")
# A row of the saved table ends with the person's second-factor secret (32 base32 letters).
_SECRET_AT_END = re.compile(r"^(?P<username>\S+)\s.*\s(?P<secret>[A-Z2-7]{32})$")


def _print_code(path: str, username: str) -> None:
    """The current code of a demo person's secret, read from the saved logins (only the demo's:
    the server never prints anyone's code from the database)."""
    if not os.path.exists(path):
        fail(f"找不到 {path}：演示数据尚未由本实例载入（运行 flask --app wsgi demo）")
    with open(path, encoding="utf-8") as file:
        for line in file:
            found = _SECRET_AT_END.match(line.strip())
            if found and found["username"] == username:
                click.echo(pyotp.TOTP(found["secret"]).now())
                return
    fail(f"演示账号中没有需要两步验证的“{username}”")


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

@click.command("install")
@click.argument("unit_name")
@click.option("--short-name", help="单位简称，如 省妇联。")
@click.option("--doc-code", help="机关代字，如 某妇发。")
@click.option("--org-code", help="机构代码（档号用），如 MMFL。")
@click.option("--admin", "admin_name", required=True, help="系统管理员的姓名。")
@click.option("--security", "security_name", required=True, help="安全管理员的姓名。")
@click.option("--auditor", "auditor_name", required=True, help="审计管理员的姓名。")
@with_appcontext
def install(unit_name, short_name, doc_code, org_code, admin_name, security_name,
            auditor_name) -> None:
    """Start an empty installation: the top unit and the three administrators (三员分立).

    Prints each account's generated password once; the holder sets up the second factor and
    must change the password at the first login.
    """
    from workflow import commands
    from workflow.states import Role

    names = {Role.ADMIN: admin_name, Role.SECURITY_OFFICER: security_name,
             Role.AUDITOR: auditor_name}
    passwords = {role: commands.generate_password() for role in names}
    try:
        users = commands.install(db.session, unit_name=unit_name, short_name=short_name,
                                 doc_code=doc_code, org_code=org_code, names=names,
                                 passwords=passwords, now=clock.now())
    except WorkflowError as error:
        db.session.rollback()
        fail(f"未能安装：{error}")
    db.session.commit()
    click.echo(f"已建立“{unit_name}”及三员账号（密码只显示这一次，请交给本人；首次登录时须先设置"
               "两步验证，再把密码改为只有本人知道的新密码）：")
    click.echo(table(["用户名", "姓名", "职责", "密码"], [
        [u.username, u.display_name, role.label, passwords[role]]
        for u, role in zip(users, names, strict=True)]))


COMMANDS = [init_db, demo, install]
