"""Receiving desk commands: sign for a notice, return a misdirected one, submit a report.

Receivers act only for their own unit. Acknowledging is idempotent: a second acknowledge changes
nothing and writes no second audit entry. Must not: commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from workflow import audit
from workflow.attachments import MAX_ATTACHMENT_BYTES, StoredFile
from workflow.commands._advance import _advance
from workflow.commands.incoming import next_incoming_serial, register_receipt, tell_proposers
from workflow.commands.savepoint import command
from workflow.commands.tracking import close_if_complete, hold_notice_of
from workflow.db import MAX_ID, as_utc
from workflow.deadlines import local_date
from workflow.digests import report_digest
from workflow.errors import Conflict, InvalidInput, InvalidState, NotFound
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import (
    Attachment,
    Notice,
    Receipt,
    Report,
    ReportInclusion,
    ReportRequest,
    Unit,
    User,
)
from workflow.notifications import tell_role
from workflow.permissions import available_actions, require
from workflow.places import Place, Target
from workflow.states import ReceiptAction, ReceiptState, ReportAction, ReportState, Role

# The notice's state comes in the same statement as the receipt: the guard reads whether the
# notice is still open; its number, title, urgency and issuer are what the 收文 is registered
# with (and nothing else of it: its body may run to pages).
_WITH_NOTICE = (joinedload(Receipt.notice).load_only(
    Notice.state, Notice.title, Notice.doc_number, Notice.urgency, Notice.issuer_unit_id,
    Notice.forwards_id)
    .joinedload(Notice.issuer).load_only(Unit.name),)


@command
def acknowledge(session: Session, actor: User, *, receipt_id: int,
                expected_version: int | None = None, now: dt.datetime | None = None) -> Receipt:
    """Sign for receipt (签收), recording who and when, and register the notice in the unit's
    收文登记簿 (登记) under its next 收文编号. Doing it twice changes nothing."""
    now, actor = as_utc(now), get_actor(session, actor)
    hold_notice_of(session, Receipt, receipt_id)  # the last 签收 closes the notice
    receipt = get_or_404(session, Receipt, receipt_id, lock=True, label="收文",
                         options=_WITH_NOTICE)

    def record(r: Receipt) -> None:
        r.acted_at, r.acted_by_id = now, actor.id

    # 签收即登记: a receipt still to sign for is registered first, under the next 收文编号 (taken
    # before the audit entry locks the chain's head, see next_incoming_serial), and the 签收's
    # entry names it. A refusal below undoes both with the command's SAVEPOINT.
    require(actor, receipt, ReceiptAction.ACKNOWLEDGE)  # who first, before anything is written
    registered = details = None
    if receipt.state == ReceiptState.PENDING:
        serial = next_incoming_serial(session, receipt.unit_id, local_date(now).year)
        registered = register_receipt(session, actor, receipt, now=now, serial=serial)
        details = {"incoming_id": registered[0], "incoming_number": registered[1]}
    changed = _advance(session, actor, receipt, ReceiptAction.ACKNOWLEDGE, now=now, apply=record,
                       expected_version=expected_version, on_behalf_of=receipt.unit.name,
                       details=details)
    if changed:
        tell_proposers(session, actor, registered[0], unit_id=receipt.unit_id,
                       notice_id=receipt.notice_id, number=registered[1],
                       title=receipt.notice.title, now=now)
        close_if_complete(session, receipt.notice_id, now=now)
    return receipt


@command
def reject(session: Session, actor: User, *, receipt_id: int, reason: str,
           expected_version: int | None = None, now: dt.datetime | None = None) -> Receipt:
    """Return a misdirected notice to its sender with the reason (初审退回); the issuing unit's
    clerk is given the return to answer (`commands.returns`)."""
    now, actor = as_utc(now), get_actor(session, actor)
    hold_notice_of(session, Receipt, receipt_id)  # the last return may close the notice
    receipt = get_or_404(session, Receipt, receipt_id, lock=True, label="收文")

    def record(r: Receipt) -> None:
        r.acted_at, r.acted_by_id, r.reason = now, actor.id, clean_text(reason)

    _advance(session, actor, receipt, ReceiptAction.REJECT, now=now, note=reason, apply=record,
             expected_version=expected_version, on_behalf_of=receipt.unit.name)
    tell_role(session, Role.CLERK, [receipt.notice.issuer_unit_id], actor=actor,
              notice_id=receipt.notice_id,
              kind="rejected", now=now, target=Target(Place.HANDLE_RETURN, receipt.id),
              message=f"{receipt.unit.name}退回了误送的公文 {receipt.notice.doc_number}："
                      f"{clean_text(reason)}。请改发、补发或确认退回")
    close_if_complete(session, receipt.notice_id, now=now)
    return receipt


MAX_INCLUDED = 10_000  # more than any unit's sub-units: a list beyond it is a mistake


def summable_reports(session: Session, report: Report, ids: list[int]) -> list[Report]:
    """The reports `ids` names, each an accepted report of a sub-unit on the unit's own 转发 of
    the notice, answering the request that passes `report`'s down; else InvalidInput."""
    if len(ids) > MAX_INCLUDED:
        raise InvalidInput(f"一次最多汇总{MAX_INCLUDED}份下级报告")
    bad = [i for i in ids if isinstance(i, bool) or not isinstance(i, int) or not 1 <= i <= MAX_ID]
    if bad:
        raise InvalidInput(f"下级报告编号无效：{bad[0]!r}")
    if not ids:
        return []
    found = {r.id: r for r in session.scalars(
        select(Report).join(Notice, Notice.id == Report.notice_id)
        .join(ReportRequest, ReportRequest.id == Report.request_id)
        .where(Report.id.in_(ids), Notice.forwards_id == report.notice_id,
               Notice.issuer_unit_id == report.unit_id,
               ReportRequest.source_request_id == report.request_id))}
    strangers = [i for i in ids if i not in found]
    if strangers:
        raise InvalidInput(f"只能汇总本单位转发该公文后下级单位就同一事项上报的报告（编号 {strangers[0]}）")
    waiting = [r for r in found.values() if r.state != ReportState.ACCEPTED]
    if waiting:
        raise InvalidInput(f"{waiting[0].unit.name}的报告尚未采纳，采纳后才能汇总上报")
    return [found[i] for i in ids]


@command
def submit_report(session: Session, actor: User, *, report_id: int, text: str,
                  attachments: list[StoredFile] = (), included_report_ids: Iterable[int] = (),
                  expected_version: int | None = None,
                  now: dt.datetime | None = None) -> Report:
    """Submit the unit's report (text, optional attachments) for one report request; with
    `included_report_ids` it carries its sub-units' accepted reports on the unit's 转发 of the
    notice, by reference (汇总上报)."""
    now, actor = as_utc(now), get_actor(session, actor)
    text = clean_text(text)
    included_ids = list(dict.fromkeys(included_report_ids or ()))
    if not text and not attachments and not included_ids:
        raise InvalidInput("报告内容不能为空：请填写报告正文或上传附件")
    # The notice first, as accepting and returning do: a 转发's counters read the unit's
    # reports before and after, and nobody may change another of them in between.
    hold_notice_of(session, Report, report_id)
    report = get_or_404(session, Report, report_id, lock=True, label="报告")
    for stored in attachments:
        if not clean_text(stored.filename):
            raise InvalidInput("附件缺少文件名")
        if stored.size > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(f"附件“{stored.filename}”超过 {MAX_ATTACHMENT_BYTES // 2**20} MB")

    def record(r: Report) -> None:  # signed for first: a guard of the report table
        r.text, r.submitted_at, r.submitted_by_id, r.return_reason = text, now, actor.id, None

    # The files first: the digest that 上报 records covers them.
    for stored in attachments:
        session.add(Attachment(notice_id=report.notice_id, report_id=report.id,
                               filename=clean_text(stored.filename), storage_key=stored.storage_key,
                               size=stored.size, content_type=stored.content_type,
                               sha256=stored.sha256, uploaded_by_id=actor.id, uploaded_at=now))
    require(actor, report, ReportAction.SUBMIT)  # who first, before the sub-units' are judged
    included = summable_reports(session, report, included_ids)
    if report.inclusions:  # a returned report's earlier choice goes before the new one is written
        report.inclusions.clear()
        session.flush()
    report.inclusions = [ReportInclusion(included_id=r.id) for r in included]
    details = {"attachments": [s.filename for s in attachments]}
    if included:
        details["included"] = [{"report_id": r.id, "unit": r.unit.name} for r in included]
    _advance(session, actor, report, ReportAction.SUBMIT, now=now, apply=record,
             expected_version=expected_version, on_behalf_of=report.unit.name,
             details=details, digest=report_digest)
    tell_role(session, Role.SUPERVISOR, [report.notice.issuer_unit_id], actor=actor,
              notice_id=report.notice_id,
              kind="task", now=now, target=Target(Place.CHECK_REPORT, report.id),
              message=f"{report.unit.name}上报了“{report.request.what}”，请审核")
    return report


@command
def remove_report_attachment(session: Session, actor: User, *, report_id: int,
                             attachment_id: int, expected_version: int | None = None,
                             now: dt.datetime | None = None) -> Report:
    """Take a file off the unit's report while it may still be submitted (a returned report's
    earlier 附件 among them): whoever may 上报 it now may change what it carries. The stored bytes
    are left for the sweeper; the audit entry names the file."""
    now, actor = as_utc(now), get_actor(session, actor)
    report = get_or_404(session, Report, report_id, lock=True, label="报告")
    require(actor, report, ReportAction.SUBMIT)  # who first, then when, then which file
    if ReportAction.SUBMIT not in available_actions(actor, report):
        raise InvalidState(f"该报告{report.state.label}，不能再修改附件")
    attachment = get_or_404(session, Attachment, attachment_id, label="附件")
    if attachment.report_id != report.id:
        raise NotFound("该报告没有这个附件")
    if expected_version is not None and report.version != expected_version:
        raise Conflict()
    filename = attachment.filename
    session.delete(attachment)
    session.flush()
    audit.append(session, actor=actor, action="report.REMOVE_ATTACHMENT", object_type="report",
                 object_id=report.id, notice_id=report.notice_id, state_before=report.state.name,
                 state_after=report.state.name, on_behalf_of=report.unit.name,
                 details={"attachment_id": attachment_id, "filename": filename}, at=now)
    return report
