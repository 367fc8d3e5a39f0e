"""Who is logged in: the Flask-Login user loader, the password check with its lockout, logout.

Owns: the session identity (user id and session generation, so that bumping the generation in the
database ends every session at once, on every worker — sessions are signed cookies and keep no
state on the server), the count of failed logins and the temporary lock. Must not: decide what a
user may do (workflow.permissions does) or render anything.

The engine's User stays free of Flask-Login: `Identity` wraps it, and views hand the engine
`current_user.account`, the User itself.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from webui.extensions import db, login_manager
from workflow.models import User
from workflow.passwords import check_password, hash_password, needs_rehash

WRONG_CREDENTIALS = "用户名或密码错误"
LOCKED = "账号已锁定，请{minutes}分钟后再试"
INACTIVE = "该账号已停用，请联系系统管理员"


class Identity:
    """The logged-in person as Flask-Login sees them; `account` is the engine's User."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, account: User):
        self.account = account

    @property
    def is_active(self) -> bool:
        return bool(self.account.active)

    def get_id(self) -> str:
        # What the session cookie stores: a login from before the last logout no longer matches.
        return f"{self.account.id}:{self.account.session_generation}"


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"


@login_manager.user_loader
def load_identity(session_id: str) -> Identity | None:
    """The session's user, unless inactive or the session belongs to an older generation."""
    user_id, _, generation = session_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    account = db.session.scalar(
        select(User).where(User.id == int(user_id)).options(joinedload(User.unit)))
    if account is None or not account.active or account.session_generation != int(generation):
        return None
    return Identity(account)


@dataclass(frozen=True)
class Attempt:
    """The outcome of a login attempt: the account on success, else the message to show."""

    account: User | None = None
    message: str | None = None


@functools.cache
def _decoy_hash() -> str:
    return hash_password("decoy password that matches nothing")


def attempt_login(session: Session, username: str, password: str, *, now: dt.datetime,
                  max_failures: int, lock_minutes: int) -> Attempt:
    """Check a username and password, counting failures and locking the account after too many.

    Writes the counters in the caller's transaction; the caller commits whatever the outcome.
    """
    account = session.scalar(select(User).where(User.username == username.strip()))
    if account is None:
        check_password(_decoy_hash(), password)  # the same time as for a real account
        return Attempt(message=WRONG_CREDENTIALS)
    if account.locked_until is not None:
        if account.locked_until > now:
            return Attempt(message=_locked_message(account.locked_until, now))
        account.locked_until, account.failed_logins = None, 0  # the lock has run out
    if not check_password(account.password_hash, password):
        # An increment in SQL, so that concurrent failures on several workers all count.
        account.failed_logins = User.failed_logins + 1
        session.flush()
        if account.failed_logins >= max_failures:
            account.locked_until = now + dt.timedelta(minutes=lock_minutes)
            return Attempt(message=_locked_message(account.locked_until, now))
        return Attempt(message=WRONG_CREDENTIALS)
    if not account.active:
        return Attempt(message=INACTIVE)
    account.failed_logins, account.locked_until = 0, None
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return Attempt(account=account)


def _locked_message(locked_until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return LOCKED.format(minutes=minutes)


def end_sessions(session: Session, account: User) -> None:
    """End every session of `account`, on every device, by bumping its session generation."""
    account.session_generation = User.session_generation + 1
    session.flush()
