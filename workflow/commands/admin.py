"""Account administration, split by the three separated duties (三员分立).

系统管理员 (admin): users (create, e-mail, deactivate, reactivate); units and groups are
workflow.commands.units. 安全管理员 (security officer): role grants, password resets, the login
policy. 审计管理员 reads the trail and changes nothing. Every change writes an audit entry; a
change to what a user may do or to whether they may log in (role grant or revoke, password,
second factor, deactivation) bumps their session generation, so every session they hold ends.

`actor=None` is the server: the installer, the demo, and the operator's `flask --app wsgi user`
commands. Who may do which is the rights table's (`permissions.RIGHTS`): through the web no
administrator acts on an administrator's account or on their own, nor grants or revokes an
administrator role (the rights over accounts), and some things are done on the server only
(`Right.SET_PASSWORD`, `Right.RESET_SECOND_FACTOR`). A password someone else chose must be
changed at the next login, and its holder is told of a reset (a notification and its mail).
Must not: commit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit, throttle
from workflow.commands.savepoint import command
from workflow.commands.units import create_unit
from workflow.db import as_utc
from workflow.deadlines import local_time
from workflow.errors import Conflict, InvalidInput, InvalidState
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import LoginPolicy, RecoveryCode, RoleGrant, Unit, User
from workflow.notifications import notify
from workflow.passwords import MIN_LENGTH, hash_password
from workflow.permissions import Right, demand
from workflow.places import Place, Target
from workflow.settings import BOUNDS, OPTIONAL_SECOND_FACTOR, POLICY_ID, Policy, login_policy
from workflow.states import ADMIN_ROLES, Role


def _log(session, actor, action, object_type, object_id, now, **details) -> None:
    audit.append(session, actor=actor, action=action, object_type=object_type,
                 object_id=object_id, at=now, details=details)


def _tell(session: Session, actor: User | None, user: User, message: str, now: dt.datetime,
          target: Target | None = None) -> None:
    """Tell the account's holder what was done to it (a notification and its mail), never the
    actor themself."""
    notify(session, [user.id], actor=actor, notice_id=None, kind="account", message=message,
           now=now, target=target)


@command
def create_user(session: Session, actor: User | None, *, username: str, display_name: str,
                unit_id: int, password: str | None = None, email: str | None = None,
                must_change_password: bool | None = None,
                now: dt.datetime | None = None) -> User:
    """Add a user account in a unit (roles are granted separately, by the security officer).

    A password the system administrator gives (typed or generated) must be changed at the first
    login; `must_change_password` decides for the server (default: not).
    """
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_USERS)
    username, display_name = clean_text(username), clean_text(display_name)
    if not username or not display_name:
        raise InvalidInput("用户名和姓名不能为空")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidInput(f"用户名“{username}”已被使用")
    get_or_404(session, Unit, unit_id, label="单位")
    user = User(username=username, display_name=display_name, unit_id=unit_id,
                email=_clean_email(email), created_at=now)
    if password is not None:
        _check_password_strength(password)
        user.password_hash = hash_password(password)
        user.must_change_password = (actor is not None if must_change_password is None
                                     else must_change_password)
    session.add(user)
    session.flush()
    _log(session, actor, "user.CREATE", "user", user.id, now, username=username)
    return user


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _clean_email(email: str | None) -> str | None:
    """An address the mail server can take, or None for none; refused in Chinese otherwise."""
    email = clean_text(email) or None
    if email is not None and (len(email) > 200 or not _EMAIL.match(email)):
        raise InvalidInput(f"电子邮箱格式不正确：{email[:60]}")
    return email


@command
def set_email(session: Session, actor: User | None, *, user_id: int, email: str | None,
              now: dt.datetime | None = None) -> User:
    """Set or clear a user's email address (where the mail notifications go)."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_USERS)
    user = get_or_404(session, User, user_id, label="用户")
    demand(actor, Right.MANAGE_USERS, account=user, doing="修改电子邮箱")
    email = _clean_email(email)
    if email == user.email:
        raise InvalidInput(f"{user.display_name}的电子邮箱没有变化")
    user.email = email
    session.flush()
    _log(session, actor, "user.SET_EMAIL", "user", user.id, now, username=user.username,
         email=email)
    return user


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"密码至少{MIN_LENGTH}位")


@command
def grant_role(session: Session, actor: User | None, *, user_id: int, role: Role, unit_id: int,
               now: dt.datetime | None = None) -> RoleGrant:
    """Grant a role within a unit, keeping the three administrator duties apart from business."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.GRANT_ROLES)
    user = get_or_404(session, User, user_id, label="用户")
    demand(actor, Right.GRANT_ROLES, account=user, role=role, doing="授予角色")
    get_or_404(session, Unit, unit_id, label="单位")
    held = user.roles
    if role in ADMIN_ROLES and (held - {role}):
        raise InvalidInput("三员分立：管理员角色不能与其他角色兼任")
    if role not in ADMIN_ROLES and held & ADMIN_ROLES:
        raise InvalidInput("三员分立：管理员不能兼任业务角色")
    if any(g.role == role and g.unit_id == unit_id for g in user.grants):
        raise InvalidInput(f"{user.display_name}已经拥有该角色")
    grant = RoleGrant(user_id=user.id, role=role, unit_id=unit_id)
    user.grants.append(grant)
    user.session_generation += 1  # a role change ends every existing session
    session.flush()
    _log(session, actor, "user.GRANT_ROLE", "user", user.id, now, role=role.name, unit_id=unit_id)
    return grant


@command
def set_password(session: Session, actor: User | None, *, user_id: int, password: str,
                 now: dt.datetime | None = None) -> User:
    """Set a password as the installer does (the demo, a test's world): server only, nobody is
    told and nothing must be changed. A person changes their own with `change_password`; the
    security officer and the operator reset one with `reset_password`."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.SET_PASSWORD)
    user = get_or_404(session, User, user_id, label="用户")
    _check_password_strength(password)
    user.password_hash = hash_password(password)
    user.session_generation += 1  # a password change ends every existing session
    session.flush()
    _log(session, actor, "user.SET_PASSWORD", "user", user.id, now)
    return user


@command
def reset_password(session: Session, actor: User | None, *, user_id: int, password: str,
                   now: dt.datetime | None = None) -> User:
    """Reset someone's password: the security officer for a business user through the web, the
    operator for anyone on the server. The holder must change it at the next login, every
    session they hold ends, their login delays are lifted, and they are told."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.RESET_PASSWORDS)
    user = get_or_404(session, User, user_id, label="用户")
    demand(actor, Right.RESET_PASSWORDS, account=user, doing="重置密码")
    _check_password_strength(password)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_generation = User.session_generation + 1
    throttle.forget_name(session, user.username)
    session.flush()
    where = "server" if actor is None else "web"
    _log(session, actor, "user.RESET_PASSWORD", "user", user.id, now, username=user.username,
         where=where)
    who = "安全管理员" if actor is not None else "运维人员在服务器上"
    _tell(session, actor, user, f"您的登录密码已于{local_time(now):%Y-%m-%d %H:%M}由{who}重置，"
          "下次登录时须先设置新密码。如非您本人申请，请立即联系安全管理员。", now,
          target=Target(Place.PASSWORD))
    return user


@command
def reset_second_factor(session: Session, actor: User | None, *, user_id: int,
                        now: dt.datetime | None = None) -> User:
    """Forget a person's second factor (a lost or replaced phone): server only. Their recovery
    codes go too, every session ends, and the next login sets up a new one; they are told."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.RESET_SECOND_FACTOR)
    user = get_or_404(session, User, user_id, label="用户")
    if user.totp_secret is None:
        raise InvalidState(f"{user.display_name}尚未设置两步验证")
    user.totp_secret = user.totp_confirmed_at = user.totp_last_step = None
    for row in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(row)
    user.session_generation = User.session_generation + 1
    session.flush()
    _log(session, actor, "user.RESET_SECOND_FACTOR", "user", user.id, now,
         username=user.username)
    _tell(session, actor, user, f"您的两步验证已于{local_time(now):%Y-%m-%d %H:%M}在服务器上重置，"
          "下次登录时须重新设置。如非您本人申请，请立即联系安全管理员。", now)
    return user


def _set_active(session: Session, actor: User | None, user_id: int, active: bool,
                now: dt.datetime) -> User:
    demand(actor, Right.MANAGE_USERS)
    user = get_or_404(session, User, user_id, label="用户")
    demand(actor, Right.MANAGE_USERS, account=user, doing="启用" if active else "停用")
    if bool(user.active) == active:
        raise InvalidState(f"{user.display_name}的账号已经{'启用' if active else '停用'}")
    user.active = active
    user.session_generation = User.session_generation + 1  # ends every session it holds
    session.flush()
    _log(session, actor, "user.REACTIVATE" if active else "user.DEACTIVATE", "user", user.id,
         now, username=user.username)
    return user


@command
def deactivate_user(session: Session, actor: User | None, *, user_id: int,
                    now: dt.datetime | None = None) -> User:
    """Stop an account: it can no longer log in, and every session it holds ends now."""
    now, actor = as_utc(now), get_actor(session, actor)
    return _set_active(session, actor, user_id, False, now)


@command
def reactivate_user(session: Session, actor: User | None, *, user_id: int,
                    now: dt.datetime | None = None) -> User:
    """Let a stopped account log in again (with its old password and roles)."""
    now, actor = as_utc(now), get_actor(session, actor)
    return _set_active(session, actor, user_id, True, now)


@command
def revoke_role(session: Session, actor: User | None, *, user_id: int, role: Role, unit_id: int,
                now: dt.datetime | None = None) -> User:
    """Take a role within a unit away from a user; every session they hold ends."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.GRANT_ROLES)
    user = get_or_404(session, User, user_id, label="用户")
    demand(actor, Right.GRANT_ROLES, account=user, role=role, doing="撤销角色")
    grant = next((g for g in user.grants if g.role == role and g.unit_id == unit_id), None)
    if grant is None:
        raise InvalidState(f"{user.display_name}在该单位没有“{role.label}”角色")
    user.grants.remove(grant)
    user.session_generation = User.session_generation + 1  # a role change ends every session
    session.flush()
    _log(session, actor, "user.REVOKE_ROLE", "user", user.id, now, role=role.name,
         unit_id=unit_id)
    return user


@command
def set_login_policy(session: Session, actor: User | None, *, max_failures: int,
                     lock_minutes: int, idle_minutes: int,
                     second_factor_roles: Iterable[Role] | None = None,
                     expected_version: int | None = None, defaults: Policy | None = None,
                     now: dt.datetime | None = None) -> Policy:
    """Set the login policy: failed logins before attempts are delayed, the longest delay, the
    idle timeout, and the business roles that need a second factor besides the administrators
    and signatories (None keeps those named now)."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.SET_LOGIN_POLICY)
    values = {"max_failures": max_failures, "lock_minutes": lock_minutes,
              "idle_minutes": idle_minutes}
    for key, value in values.items():
        low, high, label = BOUNDS[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidInput(f"{label}应在 {low} 到 {high} 之间")
    current = login_policy(session, defaults)
    if expected_version is not None and current.version != expected_version:
        raise Conflict()
    roles = current.second_factor_roles if second_factor_roles is None \
        else frozenset(second_factor_roles)
    if roles - set(OPTIONAL_SECOND_FACTOR):
        raise InvalidInput("管理员和签发人总须两步验证，其余只能选择业务角色")
    changes = {k: [getattr(current, k), v] for k, v in values.items() if getattr(current, k) != v}
    if roles != current.second_factor_roles:
        changes["second_factor_roles"] = [_role_names(current.second_factor_roles),
                                          _role_names(roles)]
    if not changes and current.version:
        raise InvalidInput("登录策略没有变化")
    row = session.get(LoginPolicy, POLICY_ID)
    if row is None:  # the first save: the defaults become a stored policy
        row = LoginPolicy(id=POLICY_ID, **values)
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.second_factor_roles = _role_names(roles)
    row.updated_at, row.updated_by_id = now, actor.id if actor is not None else None
    session.flush()
    _log(session, actor, "policy.UPDATE", "policy", POLICY_ID, now, changes=changes)
    return login_policy(session)


def _role_names(roles) -> list[str]:
    return [r.name for r in Role if r in roles]


# The three administrator duties (三员分立) an installation starts with: username, role.
FIRST_ACCOUNTS = (("admin", Role.ADMIN), ("security", Role.SECURITY_OFFICER),
                  ("auditor", Role.AUDITOR))


@command
def install(session: Session, *, unit_name: str, short_name: str | None = None,
            doc_code: str | None = None, org_code: str | None = None,
            names: dict[Role, str], passwords: dict[Role, str],
            now: dt.datetime | None = None) -> list[User]:
    """Start an empty installation: its top unit and the three administrators, one duty each.

    Done by the installer (the engine itself, actor None), once: refused when any unit exists.
    Every step is audited as the commands it uses are. The passwords are the installer's: each
    must be changed at the first login, after the second factor is set up.
    """
    now = as_utc(now)
    if session.scalar(select(Unit.id).limit(1)) is not None:
        raise InvalidState("数据库中已有单位，安装只能在空库上进行一次")
    missing = [role.label for _, role in FIRST_ACCOUNTS if not clean_text(names.get(role))]
    if missing:
        raise InvalidInput(f"请填写{'、'.join(missing)}的姓名")
    unit = create_unit(session, None, name=unit_name, short_name=short_name, doc_code=doc_code,
                       org_code=org_code, now=now)
    users = []
    for username, role in FIRST_ACCOUNTS:
        user = create_user(session, None, username=username, display_name=names[role],
                           unit_id=unit.id, password=passwords[role],
                           must_change_password=True, now=now)
        grant_role(session, None, user_id=user.id, role=role, unit_id=unit.id, now=now)
        users.append(user)
    return users
