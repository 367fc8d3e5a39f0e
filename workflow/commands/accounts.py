"""A person's own account: logging in (password, then the second factor or its enrolment),
logging out, changing one's password.

Owns: the login's steps and their audit entries (every login, failure, delay, enrolment, logout
and password change), the same answer for every refused attempt, and the rule of who needs a
second factor (`second_factor_step`). The throttle's counters are workflow.throttle's; the codes'
arithmetic is workflow.second_factor's. Ending sessions is bumping the user's session generation:
sessions are signed cookies that carry it, and the web layer refuses one whose generation is no
longer the user's. Must not: commit, or know HTTP.

`log_in`, `pass_second_factor` and `confirm_enrolment` are the commands whose refusals keep their
writes (the failure counts and the audit entries are the point of a refused login): they are not
wrapped in a SAVEPOINT, and their caller commits whatever the outcome.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit, throttle
from workflow import second_factor as totp
from workflow.commands.savepoint import command
from workflow.db import as_utc
from workflow.errors import Forbidden, InvalidInput, InvalidState
from workflow.loading import get_actor, get_or_404
from workflow.models import RecoveryCode, User
from workflow.passwords import MIN_LENGTH, check_password, hash_password, needs_rehash
from workflow.settings import Policy, login_policy

# One answer for every refused password step — wrong password, unknown name, an attempt held
# back by the throttle — so that the answer tells nobody which accounts exist.
REFUSED = "用户名或密码错误，或尝试过于频繁，请稍后再试"
CODE_REFUSED = "验证码不正确或已使用过，或尝试过于频繁，请稍后再试"
INACTIVE = "该账号已停用，请联系系统管理员"

ENROL, CODE = "enrol", "code"


@dataclass(frozen=True)
class Login:
    """What a correct password leads to: `then` is None when the person is logged in, CODE when
    a second-factor code is asked for next, ENROL when they must first set up their app."""

    user: User
    then: str | None = None
    recovery_codes_left: int | None = None  # after a login by recovery code


@functools.cache
def _decoy_hash() -> str:
    # A random password nobody knows, hashed with the same parameters as real ones: checking a
    # name that does not exist costs what checking one that does costs.
    return hash_password(secrets.token_urlsafe(24))


def _log(session: Session, actor: User | None, action: str, user: User | None, now: dt.datetime,
         **details) -> None:
    audit.append(session, actor=actor, action=action, object_type="user",
                 object_id=user.id if user is not None else None, at=now, details=details)


def _failed(session: Session, account: User | None, keys: throttle.Keys, policy: Policy,
            now: dt.datetime, *, username: str, address: str | None, reason: str,
            checked: bool = True) -> None:
    delays = throttle.record_failure(session, keys, policy, now, checked=checked)
    _log(session, None, "user.LOGIN_FAILED", account, now, username=username,
         address=throttle.client_key(address), reason=reason)
    for delay in delays:
        _log(session, None, "user.LOGIN_DELAYED", account, now, username=username,
             scope=delay.scope, failures=delay.failures, minutes=delay.minutes)


def second_factor_step(policy: Policy, account: User) -> str | None:
    """After the password: CODE for anyone enrolled, ENROL for one who needs a second factor
    (the three administrators, signatories, the roles the policy names) and has none yet."""
    if account.has_second_factor:
        return CODE
    return ENROL if policy.needs_second_factor(account) else None


def log_in(session: Session, *, username: str, password: str, address: str | None = None,
           defaults: Policy | None = None, now: dt.datetime | None = None) -> Login:
    """Check a username and password from a client address, under the throttle.

    Raises Forbidden with REFUSED for a wrong password, an unknown name and an attempt held back
    alike (after one Argon2 check each, so that they take the same time), or INACTIVE for the
    right password of a stopped account. A correct password of someone who needs a second factor
    gives a Login whose `then` says which; their enrolment's secret is made here.
    `defaults` is the policy while the security officer has stored none.
    """
    now = as_utc(now)
    policy = login_policy(session, defaults)
    username = (username or "").strip()[:50]
    account = session.scalar(select(User).where(User.username == username))
    keys = throttle.keys_for(username, address, account.last_login_address if account else None)
    stored = account.password_hash if account is not None else None
    if throttle.held_back(session, keys, now):
        check_password(_decoy_hash(), password or "")
        _failed(session, account, keys, policy, now, username=username, address=address,
                reason="delayed", checked=False)
        raise Forbidden(REFUSED)
    matched = check_password(stored or _decoy_hash(), password or "") and stored is not None
    if not matched:
        _failed(session, account, keys, policy, now, username=username, address=address,
                reason="unknown_user" if account is None else "wrong_password")
        raise Forbidden(REFUSED)
    if not account.active:
        _log(session, None, "user.LOGIN_FAILED", account, now, username=username,
             address=throttle.client_key(address), reason="inactive")
        raise Forbidden(INACTIVE)
    if needs_rehash(stored):
        account.password_hash = hash_password(password)
    then = second_factor_step(policy, account)
    if then == ENROL and account.totp_secret is None:
        account.totp_secret, account.totp_confirmed_at = totp.new_secret(), None
    if then is None:
        _complete(session, account, address, now, factor="password")
    session.flush()
    return Login(account, then)


def _complete(session: Session, account: User, address: str | None,
              now: dt.datetime, **details) -> None:
    """Every step passed: remember where it logged in from, forget the failures made there."""
    throttle.forget_at_usual_address(session, account.username, address)
    client = throttle.client_key(address)
    if client != throttle.UNKNOWN_ADDRESS:
        account.last_login_address = client
    session.flush()
    _log(session, account, "user.LOGIN", account, now, address=client, **details)


def _pending(session: Session, user_id: int, address: str | None, now: dt.datetime,
             defaults: Policy | None):
    """The account between its password and its second factor, its keys, the policy, and
    whether this attempt is held back."""
    account = get_or_404(session, User, user_id, label="用户")
    if not account.active:
        raise Forbidden(INACTIVE)
    policy = login_policy(session, defaults)
    keys = throttle.keys_for(account.username, address, account.last_login_address)
    return account, keys, policy, throttle.held_back(session, keys, now)


def pass_second_factor(session: Session, *, user_id: int, code: str, address: str | None = None,
                       defaults: Policy | None = None, now: dt.datetime | None = None) -> Login:
    """The second step of a login whose password was right: a TOTP code, or a recovery code.

    A wrong code, or one already used (its time step at or before the last accepted), counts
    toward the same throttle as a wrong password and is refused with CODE_REFUSED. A recovery code
    works once. The caller (the web layer) vouches that the password step passed.
    """
    now = as_utc(now)
    account, keys, policy, held = _pending(session, user_id, address, now, defaults)
    if not account.has_second_factor:
        raise InvalidState("该账号尚未设置两步验证")
    typed = "".join((code or "").split())
    fail = functools.partial(_failed, session, account, keys, policy, now,
                             username=account.username, address=address)
    if held:
        fail(reason="delayed", checked=False)
        raise Forbidden(CODE_REFUSED)
    if totp.looks_like_code(typed):
        step, reused = totp.matching_step(account.totp_secret, typed, now, account.totp_last_step)
        if step is None or reused:
            fail(reason="reused_code" if reused else "wrong_code")
            raise Forbidden(CODE_REFUSED)
        account.totp_last_step = step
        _complete(session, account, address, now, factor="totp")
        return Login(account)
    left = _spend_recovery_code(session, account, typed, now)
    if left is None:
        fail(reason="wrong_code")
        raise Forbidden(CODE_REFUSED)
    _complete(session, account, address, now, factor="recovery_code", codes_left=left)
    return Login(account, recovery_codes_left=left)


def _spend_recovery_code(session: Session, account: User, typed: str, now: dt.datetime
                         ) -> int | None:
    """Mark the matching unused recovery code used; how many are left, or None for no match."""
    raw = totp.normalised_recovery_code(typed)
    if raw is None:
        return None
    unused = list(session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == account.id, RecoveryCode.used_at.is_(None))))
    for row in unused:
        if totp.recovery_code_matches(row.code_hash, raw):
            row.used_at = now
            return len(unused) - 1
    return None


def confirm_enrolment(session: Session, *, user_id: int, code: str, address: str | None = None,
                      defaults: Policy | None = None, now: dt.datetime | None = None
                      ) -> tuple[User, list[str]]:
    """Finish setting up the second factor with the first code the app shows: the person is then
    logged in, and gets ten recovery codes (returned here, to be shown once; stored hashed).

    A wrong code counts toward the throttle. The caller vouches that the password step passed.
    """
    now = as_utc(now)
    account, keys, policy, held = _pending(session, user_id, address, now, defaults)
    if account.has_second_factor or account.totp_secret is None:
        raise InvalidState("两步验证已设置，请输入验证码登录" if account.has_second_factor
                           else "请重新登录后再设置两步验证")
    fail = functools.partial(_failed, session, account, keys, policy, now,
                             username=account.username, address=address)
    if held:
        fail(reason="delayed", checked=False)
        raise Forbidden(CODE_REFUSED)
    step, _ = totp.matching_step(account.totp_secret, "".join((code or "").split()), now, None)
    if step is None:
        fail(reason="wrong_code")
        raise Forbidden(CODE_REFUSED)
    account.totp_confirmed_at, account.totp_last_step = now, step
    codes = _new_recovery_codes(session, account, now)
    _log(session, account, "user.ENROL_SECOND_FACTOR", account, now)
    _complete(session, account, address, now, factor="totp")
    return account, codes


def _new_recovery_codes(session: Session, account: User, now: dt.datetime) -> list[str]:
    for row in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == account.id)):
        session.delete(row)
    codes = totp.new_recovery_codes()
    session.add_all(RecoveryCode(user_id=account.id, code_hash=totp.hash_recovery_code(c),
                                 created_at=now) for c in codes)
    session.flush()
    return codes


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
    """Change one's own password, proving the old one; every existing session ends. This is how
    a password someone else set (a reset, a new account) stops having to be changed."""
    now, actor = as_utc(now), get_actor(session, actor)
    if not check_password(actor.password_hash, old_password or ""):
        raise InvalidInput("原密码不正确")
    if len(new_password or "") < MIN_LENGTH:
        raise InvalidInput(f"新密码至少{MIN_LENGTH}位")
    if new_password == old_password:
        raise InvalidInput("新密码不能与原密码相同")
    actor.password_hash = hash_password(new_password)
    actor.must_change_password = False
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
