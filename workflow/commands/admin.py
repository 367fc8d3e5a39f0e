"""Administration commands, split by the three separated duties (三员分立).

系统管理员 (admin): units, unit groups, users (create, deactivate, reactivate). 安全管理员
(security officer): role grants, passwords, the login policy. 审计管理员 reads the trail and
changes nothing. Every change writes an audit entry; a change to what a user may do or to whether
they may log in (role grant or revoke, password, deactivation) bumps their session generation, so
every session they hold ends. `actor=None` is the installer (the CLI
that builds a fresh database or the demo). Must not: commit.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.commands.savepoint import command
from workflow.db import as_utc
from workflow.errors import Conflict, Forbidden, InvalidInput, InvalidState
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import LoginPolicy, RoleGrant, Unit, UnitGroup, User
from workflow.passwords import MIN_LENGTH, hash_password
from workflow.queries.admin import edit_version
from workflow.settings import BOUNDS, POLICY_ID, Policy, login_policy
from workflow.states import ADMIN_ROLES, Role


def _require(actor: User | None, role: Role) -> None:
    if actor is not None and not actor.holds(role):
        raise Forbidden(f"只有{role.label}可以办理此项")


def _log(session, actor, action, object_type, object_id, now, **details) -> None:
    audit.append(session, actor=actor, action=action, object_type=object_type,
                 object_id=object_id, at=now, details=details)


@command
def create_unit(session: Session, actor: User | None, *, name: str, short_name: str | None = None,
                parent_id: int | None = None, doc_code: str | None = None,
                org_code: str | None = None, review_required: bool = True,
                now: dt.datetime | None = None) -> Unit:
    """Add a unit to the tree."""
    now, actor = as_utc(now), get_actor(session, actor)
    _require(actor, Role.ADMIN)
    name = clean_text(name)
    if not name:
        raise InvalidInput("单位名称不能为空")
    if session.scalar(select(Unit.id).where(Unit.name == name)) is not None:
        raise InvalidInput(f"单位“{name}”已经存在")
    if parent_id is not None:
        get_or_404(session, Unit, parent_id, label="上级单位")
    unit = Unit(name=name, short_name=clean_text(short_name) or None, parent_id=parent_id,
                doc_code=clean_text(doc_code) or None, org_code=clean_text(org_code) or None,
                review_required=review_required)
    session.add(unit)
    session.flush()
    _log(session, actor, "unit.CREATE", "unit", unit.id, now, name=name)
    return unit


@command
def create_group(session: Session, actor: User | None, *, owner_unit_id: int, name: str,
                 member_ids: list[int], now: dt.datetime | None = None) -> UnitGroup:
    """Add a unit group (a collective name such as 各县（市）区妇联) with its member units."""
    now, actor = as_utc(now), get_actor(session, actor)
    _require(actor, Role.ADMIN)
    name = clean_text(name)
    if not name:
        raise InvalidInput("单位组名称不能为空")
    get_or_404(session, Unit, owner_unit_id, label="单位")
    members = list(session.scalars(select(Unit).where(Unit.id.in_(member_ids))))
    if len(members) != len(set(member_ids)):
        raise InvalidInput("单位组中有不存在的单位")
    if session.scalar(select(UnitGroup.id).where(UnitGroup.owner_unit_id == owner_unit_id,
                                                 UnitGroup.name == name)) is not None:
        raise InvalidInput(f"单位组“{name}”已经存在")
    group = UnitGroup(owner_unit_id=owner_unit_id, name=name, members=members)
    session.add(group)
    session.flush()
    _log(session, actor, "group.CREATE", "group", group.id, now, name=name,
         members=[u.name for u in members])
    return group


@command
def create_user(session: Session, actor: User | None, *, username: str, display_name: str,
                unit_id: int, password: str | None = None, email: str | None = None,
                now: dt.datetime | None = None) -> User:
    """Add a user account in a unit (roles are granted separately, by the security officer)."""
    now, actor = as_utc(now), get_actor(session, actor)
    _require(actor, Role.ADMIN)
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
    _require(actor, Role.ADMIN)
    user = get_or_404(session, User, user_id, label="用户")
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
    _require(actor, Role.SECURITY_OFFICER)
    user = get_or_404(session, User, user_id, label="用户")
    get_or_404(session, Unit, unit_id, label="单位")
    held = user.roles
    if role in ADMIN_ROLES and (held - {role}):
        raise InvalidInput("三员分立：管理员角色不能与其他角色兼任")
    if role not in ADMIN_ROLES and held & ADMIN_ROLES:
        raise InvalidInput("三员分立：管理员不能兼任业务角色")
    if user.holds(role, unit_id):
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
    """Set a user's password (the user themself, or the security officer)."""
    now, actor = as_utc(now), get_actor(session, actor)
    if actor is not None and actor.id != user_id:
        _require(actor, Role.SECURITY_OFFICER)
    user = get_or_404(session, User, user_id, label="用户")
    _check_password_strength(password)
    user.password_hash = hash_password(password)
    user.session_generation += 1  # a password change ends every existing session
    user.failed_logins, user.locked_until = 0, None
    session.flush()
    _log(session, actor, "user.SET_PASSWORD", "user", user.id, now)
    return user


def _check_version(obj, expected_version: int | None) -> None:
    if expected_version is not None and edit_version(obj) != expected_version:
        raise Conflict()


def _is_below(session: Session, unit_id: int, ancestor_id: int) -> bool:
    """Is `unit_id` the unit `ancestor_id` or somewhere below it in the tree?"""
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
    seen: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in seen:
        if current == ancestor_id:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


@command
def update_unit(session: Session, actor: User | None, *, unit_id: int, name: str,
                short_name: str | None = None, parent_id: int | None = None,
                doc_code: str | None = None, org_code: str | None = None,
                review_required: bool = True, expected_version: int | None = None,
                now: dt.datetime | None = None) -> Unit:
    """Change a unit's name, place in the tree, 机关代字, 机构代码 and route (核稿 or not)."""
    now, actor = as_utc(now), get_actor(session, actor)
    _require(actor, Role.ADMIN)
    unit = get_or_404(session, Unit, unit_id, label="单位")
    _check_version(unit, expected_version)
    name = clean_text(name)
    if not name:
        raise InvalidInput("单位名称不能为空")
    if session.scalar(select(Unit.id).where(Unit.name == name, Unit.id != unit.id)) is not None:
        raise InvalidInput(f"单位“{name}”已经存在")
    parent = None
    if parent_id is not None:
        parent = get_or_404(session, Unit, parent_id, label="上级单位")
        if _is_below(session, parent_id, unit.id):
            raise InvalidInput("上级单位不能是本单位或其下级单位")
    before = {"name": unit.name, "short_name": unit.short_name,
              "parent": unit.parent.name if unit.parent else None, "doc_code": unit.doc_code,
              "org_code": unit.org_code, "review_required": bool(unit.review_required)}
    unit.name, unit.short_name, unit.parent = name, clean_text(short_name) or None, parent
    unit.doc_code, unit.org_code = clean_text(doc_code) or None, clean_text(org_code) or None
    unit.review_required = bool(review_required)
    after = {"name": unit.name, "short_name": unit.short_name,
             "parent": parent.name if parent else None, "doc_code": unit.doc_code,
             "org_code": unit.org_code, "review_required": unit.review_required}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        raise InvalidInput("没有需要保存的修改")
    session.flush()
    _log(session, actor, "unit.UPDATE", "unit", unit.id, now, name=name, changes=changes)
    return unit


@command
def update_group_members(session: Session, actor: User | None, *, group_id: int,
                         member_ids: list[int], expected_version: int | None = None,
                         now: dt.datetime | None = None) -> UnitGroup:
    """Set the member units of a unit group (drafts name the group; issue expands it then)."""
    now, actor = as_utc(now), get_actor(session, actor)
    _require(actor, Role.ADMIN)
    group = get_or_404(session, UnitGroup, group_id, label="单位组")
    _check_version(group, expected_version)
    wanted = set(member_ids)
    members = list(session.scalars(select(Unit).where(Unit.id.in_(wanted)).order_by(Unit.id)))
    if len(members) != len(wanted):
        raise InvalidInput("单位组中有不存在的单位")
    if not members:
        raise InvalidInput("单位组至少要有一个成员单位")
    before = {u.id: u.name for u in group.members}
    added = [u.name for u in members if u.id not in before]
    removed = [name for uid, name in before.items() if uid not in wanted]
    if not added and not removed:
        raise InvalidInput("成员没有变化")
    group.members = members
    session.flush()
    _log(session, actor, "group.UPDATE_MEMBERS", "group", group.id, now, name=group.name,
         added=added, removed=removed)
    return group


def _set_active(session: Session, actor: User | None, user_id: int, active: bool,
                now: dt.datetime) -> User:
    _require(actor, Role.ADMIN)
    user = get_or_404(session, User, user_id, label="用户")
    if actor is not None and actor.id == user.id:
        raise InvalidInput("不能停用或启用自己的账号")
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
    _require(actor, Role.SECURITY_OFFICER)
    user = get_or_404(session, User, user_id, label="用户")
    if actor is not None and actor.id == user.id:
        raise InvalidInput("不能撤销自己的角色")
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
                     lock_minutes: int, idle_minutes: int, expected_version: int | None = None,
                     defaults: Policy | None = None, now: dt.datetime | None = None) -> Policy:
    """Set the login policy: failed logins before a lock, the lock's minutes, the idle timeout."""
    now, actor = as_utc(now), get_actor(session, actor)
    _require(actor, Role.SECURITY_OFFICER)
    values = {"max_failures": max_failures, "lock_minutes": lock_minutes,
              "idle_minutes": idle_minutes}
    for key, value in values.items():
        low, high, label = BOUNDS[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidInput(f"{label}应在 {low} 到 {high} 之间")
    current = login_policy(session, defaults)
    if expected_version is not None and current.version != expected_version:
        raise Conflict()
    changes = {k: [getattr(current, k), v] for k, v in values.items() if getattr(current, k) != v}
    if not changes and current.version:
        raise InvalidInput("登录策略没有变化")
    row = session.get(LoginPolicy, POLICY_ID)
    if row is None:  # the first save: the defaults become a stored policy
        row = LoginPolicy(id=POLICY_ID, **values)
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at, row.updated_by_id = now, actor.id if actor is not None else None
    session.flush()
    _log(session, actor, "policy.UPDATE", "policy", POLICY_ID, now, changes=changes)
    return login_policy(session)


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
    Every step is audited as the commands it uses are.
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
                           unit_id=unit.id, password=passwords[role], now=now)
        grant_role(session, None, user_id=user.id, role=role, unit_id=unit.id, now=now)
        users.append(user)
    return users
