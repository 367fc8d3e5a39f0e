"""Drafting desk commands: create and edit a draft, attach files, submit, withdraw, cancel it.

Must not: commit. Field values are checked for meaning here (the forms only check shape).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit, federation
from workflow.attachments import MAX_ATTACHMENT_BYTES, StoredFile
from workflow.commands._advance import _advance
from workflow.commands.savepoint import command
from workflow.conflicts import stale
from workflow.db import as_utc
from workflow.errors import InvalidInput, InvalidState, NotFound
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import (
    Addressee,
    Attachment,
    Notice,
    ReportRequest,
    ReportRequestParty,
    Unit,
    UnitGroup,
    User,
)
from workflow.notifications import tell_role
from workflow.permissions import Right, demand
from workflow.states import Direction, NoticeAction, NoticeState, RecipientKind, Role, Urgency

# 密级 values meaning "not classified"; anything else is refused (涉密不上网).
UNCLASSIFIED = {None, "", "无", "公开", "非密", "不涉密"}
EDITABLE_FIELDS = (
    "title", "body", "kind", "urgency", "direction", "series_code", "secrecy",
    "main_unit_ids", "main_group_ids", "cc_unit_ids", "cc_group_ids", "report_requests",
)


def enum_value(enum_cls, value, field_label: str):
    """`value` as a member of `enum_cls` (by name or by its Chinese value), or InvalidInput."""
    if value is None or isinstance(value, enum_cls):
        return value
    for member in enum_cls:
        if value in (member.name, member.value):
            return member
    choices = "、".join(m.value for m in enum_cls)
    raise InvalidInput(f"{field_label}只能是：{choices}（收到“{value}”）")


def _ids(values: Iterable | None, label: str) -> list[int]:
    result = []
    for value in values or ():
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"{label}编号无效：{value!r}")
        result.append(value)
    return list(dict.fromkeys(result))


def _report_requests(values) -> list[dict]:
    requests = []
    for index, value in enumerate(values or (), start=1):
        what = clean_text(value.get("what"), label=f"第{index}项报送要求的内容", multiline=False)
        if not what:
            raise InvalidInput(f"第{index}项报送要求缺少报送内容")
        if len(what) > 200:
            raise InvalidInput(f"第{index}项报送要求的内容过长（最多200字）")
        due = value.get("due_date")
        if due is not None and (not isinstance(due, dt.date) or isinstance(due, dt.datetime)):
            raise InvalidInput(f"第{index}项报送要求的截止日期无效：{due!r}")
        to_whom = clean_text(value.get("to_whom"), label=f"第{index}项报送要求的报送对象",
                             multiline=False) or None
        source = value.get("source_request_id")
        if source is not None and (isinstance(source, bool) or not isinstance(source, int)):
            raise InvalidInput(f"第{index}项报送要求的来文要求编号无效：{source!r}")
        requests.append({
            "what": what, "due_date": due, "to_whom": to_whom, "position": index,
            "source_request_id": source,
            "from_unit_ids": _ids(value.get("from_unit_ids"), "报送单位"),
            "from_group_ids": _ids(value.get("from_group_ids"), "报送单位组"),
        })
    return requests


def _check_addressees(session: Session, issuer_unit_id: int, unit_ids: list[int],
                      group_ids: list[int], *, forwarding: bool = False) -> None:
    if unit_ids:
        found = set(session.scalars(select(Unit.id).where(Unit.id.in_(unit_ids))))
        missing = [str(i) for i in unit_ids if i not in found]
        if missing:
            raise InvalidInput(f"找不到以下单位：{'、'.join(missing)}")
        federation.require_within(session, issuer_unit_id, unit_ids)
    if group_ids:
        groups = {g.id: g for g in session.scalars(
            select(UnitGroup).where(UnitGroup.id.in_(group_ids)))}
        missing = [str(i) for i in group_ids if i not in groups]
        if missing:
            raise InvalidInput(f"找不到以下单位组：{'、'.join(missing)}")
        foreign = [g.name for g in groups.values() if g.owner_unit_id != issuer_unit_id]
        if foreign:
            raise InvalidInput(f"单位组不属于发文单位：{'、'.join(foreign)}")
    if forwarding:  # a 转发 goes down the unit's own subtree only, its groups' members too
        members = [m.id for g in session.scalars(
            select(UnitGroup).where(UnitGroup.id.in_(group_ids))) for m in g.members] \
            if group_ids else []
        federation.require_below(session, issuer_unit_id, [*unit_ids, *members])


def _check_passed_down(session: Session, notice: Notice, requests: list[dict]) -> None:
    """A request passed down in a 转发 names a request of the forwarded notice, and is due no
    later than it (the unit must still meet its own deadline upward)."""
    linked = [r for r in requests if r["source_request_id"] is not None]
    if not linked:
        return
    sources = {} if notice.forwards_id is None else {r.id: r for r in session.scalars(
        select(ReportRequest).where(ReportRequest.notice_id == notice.forwards_id))}
    for index, request in enumerate(requests, start=1):
        if request["source_request_id"] is None:
            continue
        source = sources.get(request["source_request_id"])
        if source is None:
            raise InvalidInput(f"第{index}项报送要求所承接的要求不属于被转发的公文")
        if source.due_date is not None and (request["due_date"] is None
                                            or request["due_date"] > source.due_date):
            raise InvalidInput(f"第{index}项报送要求的截止日期不能晚于来文要求的"
                               f"{source.due_date.month}月{source.due_date.day}日")


def apply_fields(session: Session, notice: Notice, fields: dict) -> list[str]:
    """Set the draft's fields from `fields` (only keys present); return the names changed."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    changed = []
    if "secrecy" in fields and clean_text(fields["secrecy"]) not in UNCLASSIFIED:
        raise InvalidInput("涉密公文不得在本系统中处理（涉密不上网）：密级只能为空")
    if "title" in fields:
        title = clean_text(fields["title"], label="标题", multiline=False)
        if not title:
            raise InvalidInput("标题不能为空")
        if len(title) > 300:
            raise InvalidInput("标题过长（最多300字）")
        fields = {**fields, "title": title}
    if "kind" in fields:
        kind = clean_text(fields["kind"], label="文种", multiline=False) or "通知"
        if len(kind) > 10:
            raise InvalidInput("文种过长（最多10字）")
        fields = {**fields, "kind": kind}
    if "series_code" in fields:
        fields = {**fields, "series_code": clean_text(fields["series_code"], label="机关代字",
                                                           multiline=False) or None}
    if "body" in fields:
        fields = {**fields, "body": (fields["body"] or "").strip("\n")}
    converters = {"urgency": (Urgency, "紧急程度"), "direction": (Direction, "行文方向")}
    for name in ("title", "body", "kind", "series_code", "urgency", "direction"):
        if name not in fields:
            continue
        value = fields[name]
        if name in converters:
            value = enum_value(*converters[name][:1], value, converters[name][1])
            if value is None:
                value = Urgency.NORMAL if name == "urgency" else Direction.DOWNWARD
        if getattr(notice, name) != value:
            setattr(notice, name, value)
            changed.append(name)

    if {"main_unit_ids", "main_group_ids", "cc_unit_ids", "cc_group_ids"} & set(fields):
        wanted = []
        for kind, units_key, groups_key in (
            (RecipientKind.MAIN, "main_unit_ids", "main_group_ids"),
            (RecipientKind.CC, "cc_unit_ids", "cc_group_ids"),
        ):
            current_units = [a.unit_id for a in notice.addressees if a.kind == kind and a.unit_id]
            current_groups = [a.group_id for a in notice.addressees if a.kind == kind and a.group_id]
            unit_ids = _ids(fields.get(units_key, current_units), "单位")
            group_ids = _ids(fields.get(groups_key, current_groups), "单位组")
            # A 转发's 主送 go down the subtree; a copy (抄送) may go up, to the source's issuer.
            _check_addressees(session, notice.issuer_unit_id, unit_ids, group_ids,
                              forwarding=notice.forwards_id is not None
                              and kind == RecipientKind.MAIN)
            wanted += [(kind, u, None) for u in unit_ids] + [(kind, None, g) for g in group_ids]
        have = [(a.kind, a.unit_id, a.group_id) for a in notice.addressees]
        if have != wanted:
            notice.addressees = [Addressee(kind=k, unit_id=u, group_id=g) for k, u, g in wanted]
            changed.append("addressees")

    if "report_requests" in fields:
        wanted = _report_requests(fields["report_requests"])
        for request in wanted:
            _check_addressees(session, notice.issuer_unit_id, request["from_unit_ids"],
                              request["from_group_ids"],
                              forwarding=notice.forwards_id is not None)
        _check_passed_down(session, notice, wanted)
        have = [{"what": r.what, "due_date": r.due_date, "to_whom": r.to_whom,
                 "position": r.position, "source_request_id": r.source_request_id,
                 "from_unit_ids": [p.unit_id for p in r.parties if p.unit_id],
                 "from_group_ids": [p.group_id for p in r.parties if p.group_id]}
                for r in notice.report_requests]
        if have != wanted:
            notice.report_requests = [
                ReportRequest(
                    what=r["what"], due_date=r["due_date"], to_whom=r["to_whom"],
                    position=r["position"], source_request_id=r["source_request_id"],
                    parties=[ReportRequestParty(unit_id=u) for u in r["from_unit_ids"]]
                    + [ReportRequestParty(group_id=g) for g in r["from_group_ids"]])
                for r in wanted
            ]
            changed.append("report_requests")
    return changed


def _drafting_unit(actor: User, issuer_unit_id: int | None) -> int:
    """The unit a new draft is written for: the one asked, or the actor's first drafting unit."""
    if issuer_unit_id is None:
        units = [g.unit_id for g in actor.grants if g.role == Role.DRAFTER]
        if not units:
            demand(actor, Right.START_DRAFT)  # says why: no unit, an administrator, inactive
        issuer_unit_id = units[0]
    demand(actor, Right.START_DRAFT, unit_id=issuer_unit_id)
    return issuer_unit_id


@command
def create_draft(session: Session, actor: User, *, title: str, body: str = "",
                 issuer_unit_id: int | None = None, now: dt.datetime | None = None,
                 **fields) -> Notice:
    """Start a new draft in the drafter's unit."""
    now = as_utc(now)
    actor = get_actor(session, actor)
    unit_id = _drafting_unit(actor, issuer_unit_id)
    notice = Notice(issuer_unit_id=unit_id, drafter_id=actor.id, title="", body="",
                    state=NoticeState.DRAFT, created_at=now, updated_at=now)
    notice.issuer = session.get(Unit, unit_id)
    session.add(notice)
    apply_fields(session, notice, {"title": title, "body": body, **fields})
    session.flush()
    audit.append(session, actor=actor, action="notice.CREATE", object_type="notice",
                 object_id=notice.id, notice_id=notice.id, state_after=notice.state.name,
                 on_behalf_of=notice.issuer.name, details={"title": notice.title}, at=now)
    return notice


@command
def update_draft(session: Session, actor: User, *, notice_id: int,
                 expected_version: int | None = None, now: dt.datetime | None = None,
                 **fields) -> Notice:
    """Edit a draft (only in the 草稿 state, only by its drafter)."""
    now = as_utc(now)
    actor = get_actor(session, actor)
    notice = get_or_404(session, Notice, notice_id, lock=True, label="公文")
    demand(actor, Right.EDIT_DRAFT, notice=notice)  # who first: a stranger learns nothing more
    if expected_version is not None and notice.version != expected_version:
        raise stale(session, "notice", notice.id)
    if notice.state != NoticeState.DRAFT:
        raise InvalidState(f"该公文{notice.state.label}，不能再作为草稿修改")
    changed = apply_fields(session, notice, fields)
    if changed:
        notice.updated_at = now
        session.flush()
        audit.append(session, actor=actor, action="notice.UPDATE", object_type="notice",
                     object_id=notice.id, notice_id=notice.id, state_before=notice.state.name,
                     state_after=notice.state.name, on_behalf_of=notice.issuer.name,
                     details={"changed": changed}, at=now)
    return notice


@command
def submit(session: Session, actor: User, *, notice_id: int, expected_version: int | None = None,
           now: dt.datetime | None = None) -> Notice:
    """Send a draft on: to the office's review, or straight to sign-off if the route skips it."""
    now = as_utc(now)
    actor = get_actor(session, actor)
    notice = get_or_404(session, Notice, notice_id, lock=True, label="公文")
    _advance(session, actor, notice, NoticeAction.SUBMIT, now=now,
             expected_version=expected_version, on_behalf_of=notice.issuer.name)
    role = Role.REVIEWER if notice.state == NoticeState.IN_REVIEW else Role.SIGNATORY
    verb = "核稿" if role == Role.REVIEWER else "签发"
    tell_role(session, role, [notice.issuer_unit_id], notice_id=notice.id, kind="task",
              message=f"待{verb}：{notice.title}", now=now, actor=actor)
    return notice


@command
def withdraw(session: Session, actor: User, *, notice_id: int, expected_version: int | None = None,
             now: dt.datetime | None = None) -> Notice:
    """Take a submitted draft back, while nobody downstream has acted on it."""
    now = as_utc(now)
    actor = get_actor(session, actor)
    notice = get_or_404(session, Notice, notice_id, lock=True, label="公文")
    _advance(session, actor, notice, NoticeAction.WITHDRAW, now=now,
             expected_version=expected_version, on_behalf_of=notice.issuer.name)
    return notice


@command
def cancel(session: Session, actor: User, *, notice_id: int, reason: str | None = None,
           expected_version: int | None = None, now: dt.datetime | None = None) -> Notice:
    """Abandon a draft for good (作废草稿); it keeps no number and is never issued."""
    now = as_utc(now)
    actor = get_actor(session, actor)
    notice = get_or_404(session, Notice, notice_id, lock=True, label="公文")
    _advance(session, actor, notice, NoticeAction.CANCEL, now=now, note=reason,
             expected_version=expected_version, on_behalf_of=notice.issuer.name)
    return notice


def _own_draft(session: Session, actor: User, notice_id: int) -> Notice:
    """The actor's own notice, still a draft: attachments change only while nobody else acts."""
    notice = get_or_404(session, Notice, notice_id, lock=True, label="公文")
    demand(actor, Right.EDIT_DRAFT, notice=notice)
    if notice.state != NoticeState.DRAFT:
        raise InvalidState(f"该公文{notice.state.label}，只有草稿可以增删附件")
    return notice


@command
def add_attachment(session: Session, actor: User, *, notice_id: int, stored: StoredFile,
                   expected_version: int | None = None,
                   now: dt.datetime | None = None) -> Attachment:
    """Record a file already in the attachment store as an 附件 of the actor's own draft."""
    now, actor = as_utc(now), get_actor(session, actor)
    notice = _own_draft(session, actor, notice_id)
    if expected_version is not None and notice.version != expected_version:
        raise stale(session, "notice", notice.id)
    filename = clean_text(stored.filename)
    if not filename or not stored.storage_key:
        raise InvalidInput("附件缺少文件名")
    if stored.size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(f"附件“{filename}”超过 {MAX_ATTACHMENT_BYTES // 2**20} MB")
    attachment = Attachment(notice_id=notice.id, filename=filename,
                            storage_key=stored.storage_key, size=stored.size,
                            content_type=stored.content_type, sha256=stored.sha256,
                            uploaded_by_id=actor.id, uploaded_at=now)
    session.add(attachment)
    notice.updated_at = now  # the draft changed: its version moves, a stale page sees it
    session.flush()
    audit.append(session, actor=actor, action="notice.ADD_ATTACHMENT", object_type="notice",
                 object_id=notice.id, notice_id=notice.id, state_before=notice.state.name,
                 state_after=notice.state.name, on_behalf_of=notice.issuer.name,
                 details={"attachment_id": attachment.id, "filename": filename,
                          "size": stored.size}, at=now)
    return attachment


@command
def remove_attachment(session: Session, actor: User, *, notice_id: int, attachment_id: int,
                      expected_version: int | None = None,
                      now: dt.datetime | None = None) -> Notice:
    """Take an 附件 off the actor's own draft (the stored bytes are left for the sweeper)."""
    now, actor = as_utc(now), get_actor(session, actor)
    notice = _own_draft(session, actor, notice_id)  # who first, then which attachment
    attachment = get_or_404(session, Attachment, attachment_id, label="附件")
    if attachment.notice_id != notice_id or attachment.report_id is not None:
        raise NotFound("该公文没有这个附件")
    if expected_version is not None and notice.version != expected_version:
        raise stale(session, "notice", notice.id)
    filename = attachment.filename
    session.delete(attachment)
    notice.updated_at = now
    session.flush()
    audit.append(session, actor=actor, action="notice.REMOVE_ATTACHMENT", object_type="notice",
                 object_id=notice.id, notice_id=notice.id, state_before=notice.state.name,
                 state_after=notice.state.name, on_behalf_of=notice.issuer.name,
                 details={"attachment_id": attachment_id, "filename": filename}, at=now)
    return notice
