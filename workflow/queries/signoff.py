"""Queries of the review and sign-off desk (核稿签发): what waits for the actor's review or
signature, the issued notices a signatory may revoke or abolish, and one draft as an approval
sheet (发文稿纸) with the opinions given on it so far.

Owns: the read side of review and sign-off. A sheet is internal to the issuing unit: only its
reviewers and signatories may open one; anyone else gets NotFound. Must not: change anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflow.errors import InvalidState, NotFound
from workflow.models import AuditEntry, Notice, Receipt, Report, User
from workflow.permissions import available_actions
from workflow.states import REPORT_OUTSTANDING, NoticeAction, NoticeState, ReceiptState, Role

# The steps of a notice's way through the office that a sheet shows with their opinions.
SHEET_STEPS = tuple(f"notice.{a.name}" for a in (
    NoticeAction.SUBMIT, NoticeAction.WITHDRAW, NoticeAction.PASS_REVIEW, NoticeAction.RETURN,
    NoticeAction.SIGN, NoticeAction.AMEND, NoticeAction.ISSUE, NoticeAction.REVOKE,
    NoticeAction.ABOLISH))
# Frequent opinions (常用意见), offered on the sheet; the free text takes precedence.
FREQUENT_OPINIONS = ("同意印发", "同意", "请修改后再报", "请补充材料")
# How many issued notices the signatory's list shows (newest first).
ISSUED_LIMIT = 50


@dataclass(frozen=True)
class SheetRow:
    notice: Notice
    actions: list[NoticeAction]


@dataclass(frozen=True)
class SignoffDesk:
    to_review: list[SheetRow] = field(default_factory=list)  # 待核稿 (for reviewers)
    to_sign: list[SheetRow] = field(default_factory=list)  # 待签发 (for signatories)
    issued: list[SheetRow] = field(default_factory=list)  # 已印发/已办结: may be revoked, abolished
    reviews: bool = False  # the actor reviews for some unit
    signs: bool = False  # the actor signs for some unit


@dataclass(frozen=True)
class ApprovalSheet:
    """A notice as its 发文稿纸: the fields, the current round's review and sign-off, the history."""

    notice: Notice
    actions: list[NoticeAction]
    review: AuditEntry | None  # 核稿 of the current round
    signoff: AuditEntry | None  # 签发 of the current round
    history: list[AuditEntry]  # every step with its opinion, oldest first


def _units_where(actor: User, role: Role) -> set[int]:
    return {g.unit_id for g in actor.grants if g.role == role}


def _rows(session: Session, actor: User, unit_ids: set[int], states, *, limit=None):
    if not unit_ids:
        return []
    statement = (select(Notice)
                 .where(Notice.issuer_unit_id.in_(unit_ids), Notice.state.in_(states))
                 .options(selectinload(Notice.addressees))
                 .order_by(Notice.updated_at.desc(), Notice.id.desc()))
    if limit is not None:
        statement = statement.limit(limit)
    return [SheetRow(n, available_actions(actor, n)) for n in session.scalars(statement)]


def signoff_desk(session: Session, actor: User) -> SignoffDesk:
    """Drafts waiting for the actor's review or signature in the actor's units, and the notices
    they signed for their units that are out (issued or closed), newest first."""
    reviewing = _units_where(actor, Role.REVIEWER)
    signing = _units_where(actor, Role.SIGNATORY)
    return SignoffDesk(
        to_review=_rows(session, actor, reviewing, (NoticeState.IN_REVIEW,)),
        to_sign=_rows(session, actor, signing, (NoticeState.AWAITING_SIGNOFF,)),
        issued=_rows(session, actor, signing, (NoticeState.ISSUED, NoticeState.CLOSED),
                     limit=ISSUED_LIMIT),
        reviews=bool(reviewing), signs=bool(signing))


def approval_sheet(session: Session, actor: User, notice_id: int) -> ApprovalSheet:
    """The 发文稿纸 of a notice, for a reviewer or signatory of its issuing unit only."""
    notice = session.scalar(
        select(Notice).where(Notice.id == notice_id)
        .options(selectinload(Notice.addressees), selectinload(Notice.report_requests)))
    units = _units_where(actor, Role.REVIEWER) | _units_where(actor, Role.SIGNATORY)
    if notice is None or notice.issuer_unit_id not in units:
        raise NotFound("找不到该发文稿纸，或您无权查看")
    history = list(session.scalars(
        select(AuditEntry).where(AuditEntry.notice_id == notice.id,
                                 AuditEntry.object_type == "notice",
                                 AuditEntry.action.in_(SHEET_STEPS))
        .order_by(AuditEntry.seq)))
    review = signoff = None
    for entry in history:
        if entry.action in ("notice.SUBMIT", "notice.WITHDRAW", "notice.RETURN"):
            review = signoff = None  # the draft went back: a new round begins
        elif entry.action == "notice.PASS_REVIEW":
            review = entry
        elif entry.action == "notice.AMEND":
            signoff = None  # the sign-off no longer covers the text
        elif entry.action == "notice.SIGN":
            signoff = entry
    return ApprovalSheet(notice, available_actions(actor, notice), review, signoff, history)


@dataclass(frozen=True)
class EndingPreview:
    """What 撤销 or 废止 would do, said before it is done: how many units' tasks become void."""

    notice: Notice
    action: NoticeAction
    units: int  # recipient units with something still to do (签收 or a report)
    receipts: int  # 签收 still pending
    reports: int  # reports still due or not yet accepted

    @property
    def effect(self) -> str:
        if not self.units:
            return "各受文单位均已办理完毕，没有待办事项作废"
        return f"{self.units} 个单位的待办将作废（待签收 {self.receipts} 项、待上报或待审核的报告 {self.reports} 项）"


def ending_preview(session: Session, actor: User, notice_id: int,
                   action: NoticeAction) -> EndingPreview:
    """What ending the notice by `action` (撤销 or 废止) would void, for a signatory who may do it
    now; NotFound for anyone who may not see the sheet, InvalidState when it cannot be ended."""
    sheet = approval_sheet(session, actor, notice_id)
    notice = sheet.notice
    if action not in sheet.actions:
        raise InvalidState(f"该公文{notice.state.label}，现在不能{action.label}")
    pending = set(session.scalars(select(Receipt.unit_id).where(
        Receipt.notice_id == notice.id, Receipt.state == ReceiptState.PENDING)))
    owed = list(session.scalars(select(Report.unit_id).where(
        Report.notice_id == notice.id, Report.state.in_(REPORT_OUTSTANDING))))
    return EndingPreview(notice, action, len(pending | set(owed)), len(pending), len(owed))
