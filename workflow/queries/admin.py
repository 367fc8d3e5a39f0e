"""The administration desk's reads, by the three duties (三员分立): the unit tree, unit groups and
users (系统管理员); every user's role grants (安全管理员); the audit trail with filters and pages
(审计管理员).

Owns: lists shaped for those pages — each a handful of statements whatever the number of rows —
and `edit_version()`, the optimistic lock of units and groups (rows without a version column).
Must not: change anything, or decide who may read (the web layer's desk check and the commands'
role checks do).
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from workflow import throttle
from workflow.db import MAX_ID, among_ids, as_utc
from workflow.deadlines import LOCAL_TZ
from workflow.errors import NotFound
from workflow.models import AuditEntry, Notice, NumberSeries, Unit, UnitGroup, User
from workflow.permissions import account_decision
from workflow.queries._paging import PageLinks, page_bounds
from workflow.states import ADMIN_ROLES, Role

PER_PAGE = 50

OBJECT_LABELS = {
    "notice": "公文", "receipt": "签收", "report": "报告", "unit": "单位", "group": "单位组",
    "user": "用户", "series": "文号系列", "policy": "登录策略",
}


def edit_version(obj: Unit | UnitGroup) -> int:
    """A number that changes whenever what an administrator edits of a unit or group changes.

    Units and groups carry no version column; the edit form sends this number back, and the command
    compares it, so that a form loaded before someone else's change gets “已被他人处理”.
    """
    if isinstance(obj, Unit):
        fields = [obj.name, obj.short_name, obj.parent_id, obj.doc_code, obj.org_code,
                  bool(obj.review_required), bool(obj.internal),
                  bool(obj.reading_needs_instruction)]
    else:
        fields = [obj.name, obj.owner_unit_id, sorted(u.id for u in obj.members)]
    return zlib.crc32(json.dumps(fields, ensure_ascii=False).encode())


# ---- units and groups (系统管理员) ---------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    short_name: str | None
    depth: int  # 0 for a unit without parent
    parent_id: int | None
    parent_name: str | None
    doc_code: str | None
    org_code: str | None
    review_required: bool
    users: int  # accounts whose home unit this is


def unit_tree(session: Session) -> list[UnitRow]:
    """Every unit in tree order (each parent before its children), with its depth."""
    units = list(session.scalars(select(Unit).order_by(Unit.id)))
    users = dict(session.execute(select(User.unit_id, func.count()).group_by(User.unit_id)).all())
    by_id = {u.id: u for u in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        # A parent that does not exist (cannot happen with the foreign key) makes a root.
        parent = unit.parent_id if unit.parent_id in by_id else None
        children.setdefault(parent, []).append(unit)

    rows: list[UnitRow] = []
    stack = [(unit, 0) for unit in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        unit, depth = stack.pop()
        if unit.id in seen:  # a cycle in the data: show each unit once
            continue
        seen.add(unit.id)
        parent = by_id.get(unit.parent_id)
        rows.append(UnitRow(unit.id, unit.name, unit.short_name, depth, unit.parent_id,
                            parent.name if parent else None, unit.doc_code, unit.org_code,
                            bool(unit.review_required), users.get(unit.id, 0)))
        stack.extend((child, depth + 1) for child in reversed(children.get(unit.id, [])))
    # Units caught in a cycle have no way down from a root: list them at the end.
    rows.extend(UnitRow(u.id, u.name, u.short_name, 0, u.parent_id,
                        by_id[u.parent_id].name if u.parent_id in by_id else None, u.doc_code,
                        u.org_code, bool(u.review_required), users.get(u.id, 0))
                for u in units if u.id not in seen)
    return rows


def get_unit(session: Session, unit_id: int) -> Unit:
    """One unit, or NotFound."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("找不到该单位")
    return unit


def groups(session: Session) -> list[UnitGroup]:
    """Every unit group with its owner and members, by owner and name."""
    return list(session.scalars(
        select(UnitGroup).options(selectinload(UnitGroup.members), selectinload(UnitGroup.owner))
        .order_by(UnitGroup.owner_unit_id, UnitGroup.id)))


def get_group(session: Session, group_id: int) -> UnitGroup:
    """One unit group with its members, or NotFound."""
    group = session.scalar(select(UnitGroup).where(UnitGroup.id == group_id)
                           .options(selectinload(UnitGroup.members)))
    if group is None:
        raise NotFound("找不到该单位组")
    return group


# ---- users and their grants (系统管理员, 安全管理员) -------------------------------------------


@dataclass(frozen=True)
class GrantRow:
    role: Role
    unit_id: int
    unit_name: str
    revocable: bool  # by the actor: a security officer, and not their own grant


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    unit_id: int
    unit_name: str
    email: str | None
    active: bool
    delayed_until: dt.datetime | None  # while failed logins under the name delay new attempts
    has_password: bool
    grants: list[GrantRow] = field(default_factory=list)
    # What the actor may do to the account now: "deactivate" or "reactivate" (系统管理员, never
    # to their own account nor an administrator's: those are done on the server).
    actions: tuple[str, ...] = ()
    administrator: bool = False  # holds one of the three administrator roles
    must_change_password: bool = False
    second_factor: bool = False  # enrolled and confirmed
    # May an administrator change this account through the web at all? Not their own, not an
    # administrator's (the rights over accounts in workflow.permissions).
    on_the_web: bool = False


USERS_PER_PAGE = 20  # a phone shows a page of account cards without an endless scroll


@dataclass(frozen=True)
class UserList(PageLinks):
    """One page of the accounts the administrators' pages list."""

    rows: list[UserRow]
    total: int  # accounts matching `search`
    page: int
    pages: int
    search: str  # part of a name, username or unit name ("": every account)


def users(session: Session, actor: User | None = None, *,
          now: dt.datetime | None = None) -> list[UserRow]:
    """Every account with its unit, state and role grants, by unit and username; with what
    `actor` may do to each (the commands check again)."""
    accounts = session.scalars(
        select(User).options(selectinload(User.grants)).order_by(User.unit_id, User.username))
    return _user_rows(session, actor, list(accounts), now)


def user_list(session: Session, actor: User | None = None, *, search: str = "", page: int = 1,
              per_page: int = USERS_PER_PAGE, now: dt.datetime | None = None) -> UserList:
    """A page of the accounts (`users`' rows and order) whose name, username or unit's name
    contains `search`, whatever its case; the page asked for kept within the pages there are."""
    search = search.strip()
    where = []
    if search:
        # Case aside, alike on SQLite and PostgreSQL (LIKE differs there); % and _ are letters.
        units = select(Unit.id).where(Unit.name.icontains(search, autoescape=True))
        where.append(or_(User.username.icontains(search, autoescape=True),
                         User.display_name.icontains(search, autoescape=True),
                         User.unit_id.in_(units)))
    total = session.scalar(select(func.count()).select_from(User).where(*where))
    page, pages, offset = page_bounds(total, page, per_page)
    accounts = session.scalars(
        select(User).where(*where).options(selectinload(User.grants))
        .order_by(User.unit_id, User.username).limit(per_page).offset(offset))
    return UserList(_user_rows(session, actor, list(accounts), now), total, page, pages, search)


def _user_rows(session: Session, actor: User | None, accounts: list[User],
               now: dt.datetime | None) -> list[UserRow]:
    now = as_utc(now)
    unit_ids = {u.unit_id for u in accounts} | {g.unit_id for u in accounts for g in u.grants}
    names = dict(session.execute(select(Unit.id, Unit.name).where(
        among_ids(session, Unit.id, sorted(i for i in unit_ids if i is not None)))).all())
    administers = actor is not None and actor.holds(Role.ADMIN)
    grants_roles = actor is not None and actor.holds(Role.SECURITY_OFFICER)
    delayed = throttle.delayed_until(session, [u.username for u in accounts], now)
    order = list(Role)
    rows = []
    for u in accounts:
        # The web leaves alone one's own account and the administrators' (the server's work).
        on_the_web = actor is None or bool(account_decision(actor, u, None, "修改"))
        actions = ()
        if administers and on_the_web:
            actions = ("deactivate",) if u.active else ("reactivate",)
        grants = [GrantRow(g.role, g.unit_id, names.get(g.unit_id, ""),
                           grants_roles and on_the_web and g.role not in ADMIN_ROLES)
                  for g in sorted(u.grants, key=lambda g: (order.index(g.role), g.unit_id))]
        rows.append(UserRow(u.id, u.username, u.display_name, u.unit_id, names.get(u.unit_id, ""),
                            u.email, bool(u.active), delayed.get(u.username),
                            bool(u.password_hash), grants, actions,
                            administrator=bool(u.roles & ADMIN_ROLES),
                            must_change_password=bool(u.must_change_password),
                            second_factor=u.has_second_factor, on_the_web=on_the_web))
    return rows


# ---- the audit trail (审计管理员) -----------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor asks for; every part optional. Dates are Asia/Shanghai calendar days."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str = ""  # part of the actor's name
    action: str = ""  # a stored action, e.g. notice.SIGN
    notice: str = ""  # a notice id, or part of its 发文字号


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    object_label: str  # 公文 / 用户 / 单位 …
    object_name: str  # the notice's number or title, the user's or unit's name …
    notice_id: int | None  # for a link to the notice
    summary: str  # what the entry's details say, in Chinese


@dataclass(frozen=True)
class AuditPage(PageLinks):
    rows: list[AuditRow]
    total: int
    page: int
    pages: int


def _local_day_start(day: dt.date) -> dt.datetime:
    """The first moment of an Asia/Shanghai calendar day, as the naive UTC the trail stores."""
    return as_utc(dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ))


def _audit_conditions(wanted: AuditFilter) -> list:
    where = []
    if wanted.date_from is not None:
        where.append(AuditEntry.at >= _local_day_start(wanted.date_from))
    if wanted.date_to is not None:
        where.append(AuditEntry.at < _local_day_start(wanted.date_to + dt.timedelta(days=1)))
    if actor := wanted.actor.strip():
        where.append(AuditEntry.actor_name.contains(actor, autoescape=True))
    if action := wanted.action.strip():
        where.append(AuditEntry.action == action)
    if notice := wanted.notice.strip():
        by_number = select(Notice.id).where(Notice.doc_number.contains(notice, autoescape=True))
        if notice.isdecimal() and int(notice) <= MAX_ID:
            where.append(or_(AuditEntry.notice_id == int(notice),
                             AuditEntry.notice_id.in_(by_number)))
        else:
            where.append(AuditEntry.notice_id.in_(by_number))
    return where


def audit_page(session: Session, wanted: AuditFilter = AuditFilter(), *, page: int = 1,
               per_page: int = PER_PAGE) -> AuditPage:
    """One page of the audit trail, newest first, with each entry's object named."""
    where = _audit_conditions(wanted)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where))
    page, pages, offset = page_bounds(total, page, per_page)
    entries = list(session.scalars(
        select(AuditEntry).where(*where).order_by(AuditEntry.seq.desc())
        .limit(per_page).offset(offset)))
    return AuditPage(_named(session, entries), total, page, pages)


def audit_actions(session: Session) -> list[str]:
    """Every action that occurs in the trail (for the filter's choices)."""
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def _ids(entries: list[AuditEntry], object_type: str) -> set[int]:
    return {e.object_id for e in entries if e.object_type == object_type and e.object_id}


def _named(session: Session, entries: list[AuditEntry]) -> list[AuditRow]:
    """Name every entry's object with one query per kind of object on the page."""
    notice_ids = {e.notice_id for e in entries if e.notice_id} | _ids(entries, "notice")
    unit_ids = _ids(entries, "unit") | {
        e.details.get("unit_id") for e in entries
        if isinstance(e.details, dict) and isinstance(e.details.get("unit_id"), int)}
    notices = {row.id: row.doc_number or row.title for row in session.execute(
        select(Notice.id, Notice.doc_number, Notice.title).where(Notice.id.in_(notice_ids)))}
    units = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all())
    groups_ = dict(session.execute(select(UnitGroup.id, UnitGroup.name)
                                   .where(UnitGroup.id.in_(_ids(entries, "group")))).all())
    people = {row.id: f"{row.display_name}（{row.username}）" for row in session.execute(
        select(User.id, User.display_name, User.username)
        .where(User.id.in_(_ids(entries, "user"))))}
    series = {row.id: f"{row.code}〔{row.year}〕" for row in session.execute(
        select(NumberSeries.id, NumberSeries.code, NumberSeries.year)
        .where(NumberSeries.id.in_(_ids(entries, "series"))))}
    names = {"unit": units, "group": groups_, "user": people, "series": series}

    rows = []
    for e in entries:
        label = OBJECT_LABELS.get(e.object_type, e.object_type)
        if e.notice_id is not None:
            name = notices.get(e.notice_id, f"#{e.notice_id}")
        elif e.object_id is not None:
            name = names.get(e.object_type, {}).get(e.object_id, f"#{e.object_id}")
        else:
            name = ""
        rows.append(AuditRow(e, label, name, e.notice_id, _summary(e, units)))
    return rows


_FIELD_LABELS = {
    "name": "名称", "short_name": "简称", "parent": "上级单位", "doc_code": "机关代字",
    "org_code": "机构代码", "review_required": "核稿", "max_failures": "失败次数",
    "lock_minutes": "最长等待分钟", "idle_minutes": "闲置分钟",
    "second_factor_roles": "须两步验证的角色",
}
_REASONS = {"unknown_user": "用户名不存在", "wrong_password": "密码错误",
            "locked": "账号锁定中", "inactive": "账号已停用", "delayed": "延时中，未核对",
            "wrong_code": "验证码错误", "reused_code": "验证码已用过"}
_SCOPES = {"name": "按用户名", "address": "按地址", "pair": "按用户名与常用地址"}
_FACTORS = {"password": "密码", "totp": "密码＋验证码", "recovery_code": "密码＋恢复码"}


def _summary(entry: AuditEntry, units: dict[int, str]) -> str:
    """A short Chinese reading of the details the administration and login entries carry."""
    d = entry.details if isinstance(entry.details, dict) else {}
    parts = []
    if "role" in d and d["role"] in Role.__members__:
        parts.append(Role[d["role"]].label)
    if isinstance(d.get("unit_id"), int) and entry.object_type != "unit":
        parts.append(units.get(d["unit_id"], f"单位#{d['unit_id']}"))
    if "username" in d:
        parts.append(f"用户名 {d['username']}")
    if d.get("reason") in _REASONS:
        parts.append(_REASONS[d["reason"]])
    if d.get("factor") in _FACTORS:
        parts.append(_FACTORS[d["factor"]])
    if isinstance(d.get("address"), str):
        parts.append(f"地址 {d['address']}")
    if d.get("scope") in _SCOPES and isinstance(d.get("minutes"), int):
        parts.append(f"{_SCOPES[d['scope']]}延时{d['minutes']}分钟")
    if d.get("where") == "server":
        parts.append("在服务器上")
    if isinstance(d.get("changes"), dict):
        parts.extend(f"{_FIELD_LABELS.get(k, k)}：{_plain(v[0])} → {_plain(v[1])}"
                     for k, v in d["changes"].items() if isinstance(v, list) and len(v) == 2)
    if d.get("added"):
        parts.append("加入：" + "、".join(map(str, d["added"])))
    if d.get("removed"):
        parts.append("移出：" + "、".join(map(str, d["removed"])))
    if d.get("members") and entry.action == "group.CREATE":
        parts.append("成员：" + "、".join(map(str, d["members"])))
    return "；".join(parts)


def _plain(value) -> str:
    if value is None or value == "":
        return "无"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):  # role names, e.g. the roles that need a second factor
        return "、".join(Role[v].label if v in Role.__members__ else str(v) for v in value) or "无"
    return str(value)
