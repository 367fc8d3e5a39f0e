"""Administration commands, split by the three separated duties (三员分立).

系统管理员 (admin): units, unit groups, users. 安全管理员 (security officer): role grants and
passwords. 审计管理员 reads the trail and changes nothing. `actor=None` is the installer (the CLI
that builds a fresh database or the demo). Must not: commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.commands._advance import clean_text, command, get_actor, get_or_404, moment
from workflow.errors import Forbidden, InvalidInput
from workflow.models import RoleGrant, Unit, UnitGroup, User
from workflow.passwords import MIN_LENGTH, hash_password
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
    now, actor = moment(now), get_actor(session, actor)
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
    now, actor = moment(now), get_actor(session, actor)
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
    now, actor = moment(now), get_actor(session, actor)
    _require(actor, Role.ADMIN)
    username, display_name = clean_text(username), clean_text(display_name)
    if not username or not display_name:
        raise InvalidInput("用户名和姓名不能为空")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidInput(f"用户名“{username}”已被使用")
    get_or_404(session, Unit, unit_id, label="单位")
    user = User(username=username, display_name=display_name, unit_id=unit_id,
                email=clean_text(email) or None, created_at=now)
    if password is not None:
        _check_password_strength(password)
        user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    _log(session, actor, "user.CREATE", "user", user.id, now, username=username)
    return user


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"密码至少{MIN_LENGTH}位")


@command
def grant_role(session: Session, actor: User | None, *, user_id: int, role: Role, unit_id: int,
               now: dt.datetime | None = None) -> RoleGrant:
    """Grant a role within a unit, keeping the three administrator duties apart from business."""
    now, actor = moment(now), get_actor(session, actor)
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
    now, actor = moment(now), get_actor(session, actor)
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
