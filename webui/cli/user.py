"""`user …`: what is done to accounts on the server only, by whoever runs the server.

The three administrators' accounts are not changed through the web (no administrator may take
over, stop or demote another): their passwords, their second factor, whether they may log in and
which administrator role they hold are changed here. Anyone's lost phone is handled here too.
Every command is the engine's, with the server as its actor (None): each is audited, and a reset
tells the person (a notification and its mail). Must not: hold a rule of its own.

    flask --app wsgi user reset-password USERNAME [--read]
    flask --app wsgi user reset-2fa USERNAME
    flask --app wsgi user deactivate USERNAME | activate USERNAME
    flask --app wsgi user grant USERNAME ROLE [--unit UNIT] | revoke USERNAME ROLE [--unit UNIT]
    flask --app wsgi user email USERNAME ADDRESS | --clear
"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webui import clock
from webui.cli._common import fail
from webui.extensions import db
from workflow import commands
from workflow.errors import WorkflowError
from workflow.models import Unit, User
from workflow.states import Role

user_cli = AppGroup("user", help="账号：在服务器上重置密码和两步验证、停用启用、授予撤销管理员角色。")


def _account(username: str) -> User:
    account = db.session.scalar(select(User).where(User.username == username))
    if account is None:
        fail(f"找不到用户名为“{username}”的账号")
    return account


def _role(text: str) -> Role:
    """A role by its name (ADMIN, security_officer …) or its Chinese label (安全管理员)."""
    for role in Role:
        if text.strip().upper() == role.name or text.strip() == role.label:
            return role
    fail(f"没有“{text}”这个角色；可用：" + "、".join(f"{r.name}（{r.label}）" for r in Role))


def _unit(text: str | None, account: User) -> int:
    """A unit by id or exact name; the account's own unit when not given."""
    if text is None:
        return account.unit_id
    found = db.session.scalar(select(Unit.id).where(Unit.name == text))
    if found is None and text.isdigit():
        found = db.session.scalar(select(Unit.id).where(Unit.id == int(text)))
    if found is None:
        fail(f"找不到单位“{text}”")
    return found


def _run(call, done: str) -> None:
    """Run one engine command as the server; commit and say `done`, or say why not (exit 1)."""
    try:
        call()
    except WorkflowError as error:
        db.session.rollback()
        fail(str(error))
    db.session.commit()
    click.echo(done)


@user_cli.command("reset-password")
@click.argument("username")
@click.option("--read", is_flag=True,
              help="读入一个密码（输入两次，不回显），而不是生成一次性密码。")
def reset_password(username: str, read: bool) -> None:
    """Reset a password; the holder must change it at the next login and is told."""
    account = _account(username)
    if read:
        password = click.prompt("新密码", hide_input=True, confirmation_prompt="再次输入新密码")
    else:
        password = commands.generate_password()
    name = account.display_name
    _run(lambda: commands.reset_password(db.session, None, user_id=account.id,
                                         password=password, now=clock.now()),
         f"已重置{name}（{username}）的密码，其原有登录已退出；下次登录时须设置新密码。")
    if not read:
        click.echo(f"一次性密码（只显示这一次，请当面或通过安全渠道告知本人）：{password}")


@user_cli.command("reset-2fa")
@click.argument("username")
def reset_second_factor(username: str) -> None:
    """Forget a lost phone: the next login sets up the second factor anew."""
    account = _account(username)
    name = account.display_name
    _run(lambda: commands.reset_second_factor(db.session, None, user_id=account.id, now=clock.now()),
         f"已重置{name}（{username}）的两步验证和恢复码，其原有登录已退出；下次登录时须重新设置。")


@user_cli.command("deactivate")
@click.argument("username")
def deactivate(username: str) -> None:
    """Stop an account: it can no longer log in, and its sessions end."""
    account = _account(username)
    name = account.display_name
    _run(lambda: commands.deactivate_user(db.session, None, user_id=account.id, now=clock.now()),
         f"已停用{name}（{username}）的账号，其所有登录已退出。")


@user_cli.command("activate")
@click.argument("username")
def activate(username: str) -> None:
    """Let a stopped account log in again."""
    account = _account(username)
    name = account.display_name
    _run(lambda: commands.reactivate_user(db.session, None, user_id=account.id, now=clock.now()),
         f"已启用{name}（{username}）的账号。")


@user_cli.command("grant")
@click.argument("username")
@click.argument("role")
@click.option("--unit", "unit", help="单位名称或编号；默认为该用户所在单位。")
def grant(username: str, role: str, unit: str | None) -> None:
    """Grant a role (an administrator role included) within a unit."""
    account, chosen = _account(username), _role(role)
    unit_id, name = _unit(unit, account), account.display_name
    _run(lambda: commands.grant_role(db.session, None, user_id=account.id, role=chosen,
                                     unit_id=unit_id, now=clock.now()),
         f"已授予{name}（{username}）“{chosen.label}”角色，其原有登录已退出。")


@user_cli.command("revoke")
@click.argument("username")
@click.argument("role")
@click.option("--unit", "unit", help="单位名称或编号；默认为该用户所在单位。")
def revoke(username: str, role: str, unit: str | None) -> None:
    """Revoke a role (an administrator role included) within a unit."""
    account, chosen = _account(username), _role(role)
    unit_id, name = _unit(unit, account), account.display_name
    _run(lambda: commands.revoke_role(db.session, None, user_id=account.id, role=chosen,
                                      unit_id=unit_id, now=clock.now()),
         f"已撤销{name}（{username}）的“{chosen.label}”角色，其原有登录已退出。")


@user_cli.command("email")
@click.argument("username")
@click.argument("address", required=False)
@click.option("--clear", is_flag=True, help="清除电子邮箱。")
def email(username: str, address: str | None, clear: bool) -> None:
    """Set or clear an account's e-mail address (where its mail notifications go)."""
    if clear == (address is not None):
        fail("请给出电子邮箱或 --clear，二者选一")
    account = _account(username)
    name = account.display_name
    _run(lambda: commands.set_email(db.session, None, user_id=account.id, email=address, now=clock.now()),
         f"已{'清除' if clear else '设置'}{name}（{username}）的电子邮箱。")


COMMANDS = [user_cli]
