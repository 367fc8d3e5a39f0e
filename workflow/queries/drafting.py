"""Queries of the drafting desk (拟稿): my drafts by where they stand, one draft to edit, the units
and groups a draft may be addressed to, and a signed notice to amend.

Owns: the read side of drafting, shaped for the desk, each a handful of statements whatever the
number of units. Who may open what is the engine's answer (permissions): another unit's draft is
NotFound, a colleague's draft is Forbidden. Must not: change anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from workflow.conflicts import last_action
from workflow.errors import InvalidState, NotFound
from workflow.models import AuditEntry, Notice, Unit, UnitGroup, User
from workflow.permissions import Right, available_actions, demand, require
from workflow.queries.notices import get_notice
from workflow.states import NoticeAction, NoticeState, Role

RETURN_ACTION = f"notice.{NoticeAction.RETURN.name}"
# Notices still on the drafter's desk: being written, being reviewed or signed, signed not issued.
_ON_THE_DESK = (NoticeState.DRAFT, NoticeState.IN_REVIEW, NoticeState.AWAITING_SIGNOFF,
                NoticeState.SIGNED)


@dataclass(frozen=True)
class DraftRow:
    """One notice on the drafter's desk with what the drafter may do to it now."""

    notice: Notice
    actions: list[NoticeAction]
    returned: AuditEntry | None = None  # the latest 退回修改 entry, while it is unanswered


@dataclass(frozen=True)
class DraftingDesk:
    drafts: list[DraftRow] = field(default_factory=list)  # 草稿
    returned: list[DraftRow] = field(default_factory=list)  # 已退回, with the reason
    submitted: list[DraftRow] = field(default_factory=list)  # 核稿中 / 待签发
    signed: list[DraftRow] = field(default_factory=list)  # 已签发, waiting to be issued

    @property
    def count(self) -> int:
        return len(self.drafts) + len(self.returned) + len(self.submitted) + len(self.signed)


@dataclass(frozen=True)
class UnitSection:
    """A heading of the recipient chooser and the units under it."""

    label: str
    units: list[Unit]
    shown_open: bool  # few and often chosen (the superiors); the others are folded away


@dataclass(frozen=True)
class AddresseeChoices:
    """What a draft of `issuer` may be addressed to: its groups, and every unit in sections."""

    issuer: Unit
    groups: list[UnitGroup]
    sections: list[UnitSection]

    @property
    def unit_ids(self) -> list[int]:
        return [u.id for s in self.sections for u in s.units]

    @property
    def units_by_id(self) -> dict[int, Unit]:
        return {u.id: u for s in self.sections for u in s.units}


@dataclass(frozen=True)
class DraftPage:
    """A draft opened for editing by its drafter (or a signed notice opened to amend)."""

    notice: Notice
    actions: list[NoticeAction]
    returned: AuditEntry | None  # why it came back, while that is unanswered
    choices: AddresseeChoices
    editable = True


@dataclass(frozen=True)
class SubmittedPage:
    """The actor's own draft once it has left the 草稿 state (the back button after 提交, or a
    stale form sent again): what was submitted, read-only, and what happened to it."""

    notice: Notice
    actions: list[NoticeAction]  # 撤回, while nobody has acted on it yet
    happened: str | None  # "drafter已于3月7日 09:00提交该公文", from the audit trail
    editable = False


@dataclass(frozen=True)
class NewDraftPage:
    """A new draft: the unit it is written for, the other units the drafter may write for."""

    issuer: Unit
    units: list[Unit]
    choices: AddresseeChoices


def latest_returns(session: Session, notice_ids: list[int]) -> dict[int, AuditEntry]:
    """The latest 退回修改 audit entry of each notice that has one (its note is the reason)."""
    if not notice_ids:
        return {}
    latest = (select(func.max(AuditEntry.seq))
              .where(AuditEntry.notice_id.in_(notice_ids), AuditEntry.action == RETURN_ACTION)
              .group_by(AuditEntry.notice_id))
    entries = session.scalars(select(AuditEntry).where(AuditEntry.seq.in_(latest)))
    return {e.notice_id: e for e in entries}


def _is_returned(notice: Notice) -> bool:
    # A returned draft stays "returned" while the drafter edits it, until it is submitted again.
    return notice.state == NoticeState.DRAFT and notice.last_action == NoticeAction.RETURN


def drafting_desk(session: Session, actor: User) -> DraftingDesk:
    """The actor's own notices still on the drafting desk, newest first, sorted by where they stand."""
    notices = list(session.scalars(
        select(Notice).where(Notice.drafter_id == actor.id, Notice.state.in_(_ON_THE_DESK))
        .options(selectinload(Notice.addressees))
        .order_by(Notice.updated_at.desc(), Notice.id.desc())))
    reasons = latest_returns(session, [n.id for n in notices if _is_returned(n)])
    desk = DraftingDesk()
    for notice in notices:
        row = DraftRow(notice, available_actions(actor, notice), reasons.get(notice.id))
        if notice.state == NoticeState.DRAFT:
            (desk.returned if _is_returned(notice) else desk.drafts).append(row)
        elif notice.state == NoticeState.SIGNED:
            desk.signed.append(row)
        else:
            desk.submitted.append(row)
    return desk


def draft_for_editing(session: Session, actor: User, notice_id: int) -> DraftPage:
    """The actor's own draft: NotFound for another unit's, Forbidden for a colleague's,
    InvalidState once it has left the 草稿 state."""
    notice = get_notice(session, notice_id, actor)
    demand(actor, Right.EDIT_DRAFT, notice=notice)
    if notice.state != NoticeState.DRAFT:
        raise InvalidState(f"该公文{notice.state.label}，不能再作为草稿修改")
    returned = latest_returns(session, [notice.id]).get(notice.id) if _is_returned(notice) else None
    return DraftPage(notice, available_actions(actor, notice), returned,
                     addressee_choices(session, notice.issuer_unit_id,
                                       forwarding=notice.forwards_id is not None))


def draft_or_submitted(session: Session, actor: User, notice_id: int
                       ) -> DraftPage | SubmittedPage:
    """The actor's own draft to edit or, once it has left the 草稿 state, what was submitted
    (never a refusal: going back to the page of a draft one has submitted is no conflict).
    NotFound for another unit's, Forbidden for a colleague's."""
    notice = get_notice(session, notice_id, actor)
    demand(actor, Right.EDIT_DRAFT, notice=notice)
    if notice.state != NoticeState.DRAFT:
        return SubmittedPage(notice, available_actions(actor, notice),
                             last_action(session, "notice", notice.id))
    return draft_for_editing(session, actor, notice_id)


def notice_to_amend(session: Session, actor: User, notice_id: int) -> DraftPage:
    """A signed notice the actor may change after sign-off (签发后修改): its drafter or a clerk
    of its unit. NotFound for another unit's notice, Forbidden or InvalidState otherwise."""
    notice = get_notice(session, notice_id, actor)
    require(actor, notice, NoticeAction.AMEND)
    if NoticeAction.AMEND not in available_actions(actor, notice):
        raise InvalidState(f"该公文{notice.state.label}，只有已签发、尚未印发的公文可以签发后修改")
    return DraftPage(notice, available_actions(actor, notice), None,
                     addressee_choices(session, notice.issuer_unit_id,
                                       forwarding=notice.forwards_id is not None))


def drafting_units(session: Session, actor: User) -> list[Unit]:
    """The units in whose name the actor may draft; issuing units (with a 机关代字) first."""
    unit_ids = [g.unit_id for g in actor.grants if g.role == Role.DRAFTER]
    if not unit_ids:
        return []
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
    ordered = [units[i] for i in dict.fromkeys(unit_ids) if i in units]
    return sorted(ordered, key=lambda u: u.doc_code is None)


def new_draft(session: Session, actor: User, unit_id: int | None = None) -> NewDraftPage:
    """A new draft for `unit_id` (default: the first of drafting_units), with its choices."""
    units = drafting_units(session, actor)
    if unit_id is None and units:
        unit_id = units[0].id
    demand(actor, Right.START_DRAFT, unit_id=unit_id)
    issuer = next(u for u in units if u.id == unit_id)
    return NewDraftPage(issuer, units, addressee_choices(session, issuer.id))


def addressee_choices(session: Session, issuer_unit_id: int, *,
                      forwarding: bool = False) -> AddresseeChoices:
    """The issuer's unit groups, then the other units of its federation in sections: the members
    of each group, the issuer's other subordinates, its superiors, and the rest of its tree. A
    转发 (`forwarding`) is offered the units below the issuer only (and its superiors, to copy):
    it goes nowhere else (federation.require_below)."""
    units = list(session.scalars(select(Unit).order_by(Unit.id)))
    by_id = {u.id: u for u in units}
    if issuer_unit_id not in by_id:
        raise NotFound("找不到该单位")
    issuer = by_id[issuer_unit_id]
    groups = list(session.scalars(
        select(UnitGroup).where(UnitGroup.owner_unit_id == issuer_unit_id)
        .options(selectinload(UnitGroup.members)).order_by(UnitGroup.id)))

    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def tree(root: Unit) -> list[Unit]:
        found, stack = [], [root]
        while stack:
            unit = stack.pop()
            found.append(unit)
            stack.extend(reversed(children.get(unit.id, [])))
        return found

    root = issuer
    while root.parent is not None:
        root = root.parent
    federation = {u.id for u in tree(root)}
    shown = {issuer.id}
    sections = []
    for group in groups:
        members = [u for u in group.members if u.id not in shown and u.id in federation]
        shown.update(u.id for u in members)
        if members:
            sections.append(UnitSection(f"{group.name}：各单位", members, False))
    below = {u.id for u in tree(issuer) if not u.internal}
    if forwarding:  # only the units below remain, few enough to show unfolded
        sections = [UnitSection(section.label, [u for u in section.units if u.id in below], True)
                    for section in sections]
        sections = [section for section in sections if section.units]
    others_below = [u for u in tree(issuer) if u.id not in shown
                    and (u.id in below or not forwarding)]
    shown.update(u.id for u in others_below)
    if others_below:
        sections.append(UnitSection("其他下属单位", others_below, forwarding))
    superiors, parent = [], issuer.parent
    while parent is not None and parent.id not in shown:
        superiors.append(parent)
        shown.add(parent.id)
        parent = parent.parent
    if superiors:
        sections.append(UnitSection("上级单位", superiors, True))
    # The rest of the issuer's own federation; nothing of another federation is offered (the
    # engine refuses it too: federation.require_within).
    rest = [u for u in tree(root) if u.id not in shown]
    if rest and not forwarding:
        sections.append(UnitSection(f"{root.name}系统", rest, False))
    return AddresseeChoices(issuer, groups, sections)
