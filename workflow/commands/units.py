"""The 系统管理员's organisation commands: units (the tree, 机关代字, 机构代码, the 核稿 route)
and unit groups (the collective names of a 主送 line) with their members.

Owns: their checks (unique names, no unit under itself, the optimistic edit version) and their
audit entries. `actor=None` is the installer (the CLI that builds a fresh database, or the demo).
Must not: commit, or touch accounts (workflow.commands.admin does).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit, federation
from workflow.commands.savepoint import command
from workflow.db import as_utc
from workflow.errors import Conflict, InvalidInput
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import Unit, UnitGroup, User
from workflow.permissions import Right, demand
from workflow.queries.admin import edit_version


def _log(session, actor, action, object_type, object_id, now, **details) -> None:
    audit.append(session, actor=actor, action=action, object_type=object_type,
                 object_id=object_id, at=now, details=details)


@command
def create_unit(session: Session, actor: User | None, *, name: str, short_name: str | None = None,
                parent_id: int | None = None, doc_code: str | None = None,
                org_code: str | None = None, review_required: bool = True,
                internal: bool = False, reading_needs_instruction: bool = True,
                now: dt.datetime | None = None) -> Unit:
    """Add a unit to the tree (`internal`: a department of its parent, which must be given)."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_UNITS)
    name = clean_text(name)
    if not name:
        raise InvalidInput("单位名称不能为空")
    if session.scalar(select(Unit.id).where(Unit.name == name)) is not None:
        raise InvalidInput(f"单位“{name}”已经存在")
    if parent_id is not None:
        get_or_404(session, Unit, parent_id, label="上级单位")
    elif internal:
        raise InvalidInput("内设部门必须有所属单位")
    unit = Unit(name=name, short_name=clean_text(short_name) or None, parent_id=parent_id,
                doc_code=clean_text(doc_code) or None, org_code=clean_text(org_code) or None,
                review_required=review_required, internal=bool(internal),
                reading_needs_instruction=bool(reading_needs_instruction))
    session.add(unit)
    session.flush()
    _log(session, actor, "unit.CREATE", "unit", unit.id, now, name=name)
    return unit


@command
def create_group(session: Session, actor: User | None, *, owner_unit_id: int, name: str,
                 member_ids: list[int], now: dt.datetime | None = None) -> UnitGroup:
    """Add a unit group (a collective name such as 各县（市）区妇联) with its member units."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_UNITS)
    name = clean_text(name)
    if not name:
        raise InvalidInput("单位组名称不能为空")
    get_or_404(session, Unit, owner_unit_id, label="单位")
    members = list(session.scalars(select(Unit).where(Unit.id.in_(member_ids))))
    if len(members) != len(set(member_ids)):
        raise InvalidInput("单位组中有不存在的单位")
    federation.require_within(session, owner_unit_id, [u.id for u in members])
    if session.scalar(select(UnitGroup.id).where(UnitGroup.owner_unit_id == owner_unit_id,
                                                 UnitGroup.name == name)) is not None:
        raise InvalidInput(f"单位组“{name}”已经存在")
    group = UnitGroup(owner_unit_id=owner_unit_id, name=name, members=members)
    session.add(group)
    session.flush()
    _log(session, actor, "group.CREATE", "group", group.id, now, name=name,
         members=[u.name for u in members])
    return group


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
                review_required: bool = True, internal: bool | None = None,
                reading_needs_instruction: bool | None = None,
                expected_version: int | None = None, now: dt.datetime | None = None) -> Unit:
    """Change a unit's name, place in the tree, 机关代字, 机构代码 and routes (核稿 or not; whether
    its 阅件 go to 批办); whether it is an internal department (None: as it was)."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_UNITS)
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
    if internal and parent is None:
        raise InvalidInput("内设部门必须有所属单位")
    before = {"name": unit.name, "short_name": unit.short_name,
              "parent": unit.parent.name if unit.parent else None, "doc_code": unit.doc_code,
              "org_code": unit.org_code, "review_required": bool(unit.review_required),
              "internal": bool(unit.internal),
              "reading_needs_instruction": bool(unit.reading_needs_instruction)}
    unit.name, unit.short_name, unit.parent = name, clean_text(short_name) or None, parent
    unit.doc_code, unit.org_code = clean_text(doc_code) or None, clean_text(org_code) or None
    unit.review_required = bool(review_required)
    if internal is not None:
        unit.internal = bool(internal)
    if reading_needs_instruction is not None:
        unit.reading_needs_instruction = bool(reading_needs_instruction)
    after = {"name": unit.name, "short_name": unit.short_name,
             "parent": parent.name if parent else None, "doc_code": unit.doc_code,
             "org_code": unit.org_code, "review_required": unit.review_required,
             "internal": unit.internal,
             "reading_needs_instruction": unit.reading_needs_instruction}
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
    demand(actor, Right.MANAGE_UNITS)
    group = get_or_404(session, UnitGroup, group_id, label="单位组")
    _check_version(group, expected_version)
    wanted = set(member_ids)
    members = list(session.scalars(select(Unit).where(Unit.id.in_(wanted)).order_by(Unit.id)))
    if len(members) != len(wanted):
        raise InvalidInput("单位组中有不存在的单位")
    if not members:
        raise InvalidInput("单位组至少要有一个成员单位")
    federation.require_within(session, group.owner_unit_id, [u.id for u in members])
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


