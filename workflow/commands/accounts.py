"""A person's own account: logging in (with the lockout), logging out, changing one's password.

Owns: the login bookkeeping — failed logins counted in the database, the temporary lock, the
policy read from `workflow.settings` (so it holds across processes and hosts) — and the audit
entries of every login, failure, lock, logout and password change. Ending sessions is bumping the
user's session generation: sessions are signed cookies that carry it, and the web layer refuses
one whose generation is no longer the user's. Must not: commit, or know HTTP.

`log_in` is the one command whose refusal keeps its writes (the failure count, the lock and the
audit entries are the point of a refused login): it is not wrapped in a SAVEPOINT, and its caller
commits whatever the outcome.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.commands.savepoint import command
from workflow.db import as_utc
from workflow.errors import Forbidden, InvalidInput
from workflow.loading import get_actor
from workflow.models import User
from workflow.passwords import MIN_LENGTH, check_password, hash_password, needs_rehash
from workflow.settings import Policy, login_policy

WRONG_CREDENTIALS = "用户名或密码错误"
LOCKED = "账号已锁定，请{minutes}分钟后再试"
INACTIVE = "该账号已停用，请联系系统管理员"


@functools.cache
def _decoy_hash() -> str:
    return hash_password("decoy password that matches nothing")


def _log(session: Session, actor: User | None, action: str, user: User | None, now: dt.datetime,
         **details) -> None:
    audit.append(session, actor=actor, action=action, object_type="user",
                 object_id=user.id if user is not None else None, at=now, details=details)


def _locked_message(locked_until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return LOCKED.format(minutes=minutes)


def log_in(session: Session, *, username: str, password: str, defaults: Policy | None = None,
           now: dt.datetime | None = None) -> User:
    """Check a username and password; count failures and lock the account after too many.

    Returns the User, or raises Forbidden with “用户名或密码错误” (the same for an unknown name and a
    wrong password) or the lock's message. The counters and audit entries are written either way.
    `defaults` is the policy while the security officer has stored none.
    """
    now = as_utc(now)
    policy = login_policy(session, defaults)
    username = (username or "").strip()[:50]
    account = session.scalar(select(User).where(User.username == username))
    if account is None:
        check_password(_decoy_hash(), password)  # the same time as for a real account
        _log(session, None, "user.LOGIN_FAILED", None, now, username=username,
             reason="unknown_user")
        raise Forbidden(WRONG_CREDENTIALS)
    if account.locked_until is not None:
        if account.locked_until > now:
            _log(session, None, "user.LOGIN_FAILED", account, now, username=username,
                 reason="locked")
            raise Forbidden(_locked_message(account.locked_until, now))
        account.locked_until, account.failed_logins = None, 0  # the lock has run out
    if not check_password(account.password_hash, password):
        # An increment in SQL, so that concurrent failures on several workers all count.
        account.failed_logins = User.failed_logins + 1
        session.flush()
        _log(session, None, "user.LOGIN_FAILED", account, now, username=username,
             reason="wrong_password")
        if account.failed_logins >= policy.max_failures:
            account.locked_until = now + dt.timedelta(minutes=policy.lock_minutes)
            session.flush()
            _log(session, None, "user.LOCKED", account, now, username=username,
                 failures=account.failed_logins, minutes=policy.lock_minutes)
            raise Forbidden(_locked_message(account.locked_until, now))
        raise Forbidden(WRONG_CREDENTIALS)
    if not account.active:
        _log(session, None, "user.LOGIN_FAILED", account, now, username=username,
             reason="inactive")
        raise Forbidden(INACTIVE)
    account.failed_logins, account.locked_until = 0, None
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    session.flush()
    _log(session, account, "user.LOGIN", account, now)
    return account


@command
def log_out(session: Session, actor: User, *, now: dt.datetime | None = None) -> User:
    """Log out: every session of the user ends, on every device."""
    now, actor = as_utc(now), get_actor(session, actor)
    actor.session_generation = User.session_generation + 1
    session.flush()
    _log(session, actor, "user.LOGOUT", actor, now)
    return actor


@command
def change_password(session: Session, actor: User, *, old_password: str, new_password: str,
                    now: dt.datetime | None = None) -> User:
    """Change one's own password, proving the old one; every existing session ends."""
    now, actor = as_utc(now), get_actor(session, actor)
    if not check_password(actor.password_hash, old_password or ""):
        raise InvalidInput("原密码不正确")
    if len(new_password or "") < MIN_LENGTH:
        raise InvalidInput(f"新密码至少{MIN_LENGTH}位")
    if new_password == old_password:
        raise InvalidInput("新密码不能与原密码相同")
    actor.password_hash = hash_password(new_password)
    actor.failed_logins, actor.locked_until = 0, None
    actor.session_generation = User.session_generation + 1
    session.flush()
    _log(session, actor, "user.PASSWORD_CHANGED", actor, now)
    return actor


# Read aloud or copied from paper: no characters that look alike (0/O, 1/l/I).
_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def generate_password(length: int = 12) -> str:
    """A new random password (shown once to the administrator who asked for it): 12 characters
    of 55, about 69 bits."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
