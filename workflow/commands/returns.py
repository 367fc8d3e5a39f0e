"""退文处理: the issuing unit's clerk answers a notice a unit returned as misdirected.

A return (`receiving.reject`) leaves the receipt 已退回 and waits for the issuer: its clerk
either sends the notice to the unit it should have gone to (改发: that unit gets its own receipt
and, as a 主送 unit, the reports the returning unit owed), sends it again to the same unit with an
explanation (补发: the unit was right to receive it after all; what it owed is due again), or
agrees with the return (确认退回: the unit owes nothing). The unit that returned it is told the
outcome. A notice whose 主送 unit's return waits for this decision does not close by itself.

Must not: commit, or send anything out of the process.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from workflow import federation
from workflow.commands import forward_counts
from workflow.commands._advance import _advance
from workflow.commands.savepoint import command
from workflow.commands.tracking import close_if_complete, hold_notice_of
from workflow.db import MAX_ID, as_utc
from workflow.errors import InvalidInput
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import Receipt, Report, Unit, User
from workflow.notifications import notify, tell_role, users_holding
from workflow.states import (
    ReceiptAction,
    ReceiptState,
    RecipientKind,
    ReportState,
    Role,
)


def _returned(session: Session, receipt_id: int) -> Receipt:
    hold_notice_of(session, Receipt, receipt_id)  # agreeing with the last return may close it
    return get_or_404(session, Receipt, receipt_id, lock=True, label="收文")


def _tell_returning_unit(session: Session, actor: User, receipt: Receipt, outcome: str,
                         now: dt.datetime) -> None:
    notice = receipt.notice
    tell_role(session, Role.RECEIVER, [receipt.unit_id], actor=actor, notice_id=notice.id,
              kind="return_handled", now=now,
              message=f"贵单位退回的公文 {notice.doc_number}《{notice.title}》：{outcome}")


def _new_unit(session: Session, receipt: Receipt, unit_id) -> Unit:
    """The unit a 改发 names: an existing unit of the issuer's federation (below the issuer, for
    a 转发), not the issuer, and not yet a recipient of the notice."""
    if isinstance(unit_id, bool) or not isinstance(unit_id, int) or not 1 <= unit_id <= MAX_ID:
        raise InvalidInput("请选择改发的单位")
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise InvalidInput("找不到所选的改发单位")
    notice = receipt.notice
    if unit.id == notice.issuer_unit_id:
        raise InvalidInput("不能改发给发文单位自己")
    federation.require_within(session, notice.issuer_unit_id, [unit.id])
    if notice.forwards_id is not None:
        federation.require_below(session, notice.issuer_unit_id, [unit.id])
    if unit.internal:
        raise InvalidInput(f"{unit.name}是内设部门，不能作为受文单位")
    already = session.scalar(select(Receipt.state).where(
        Receipt.notice_id == notice.id, Receipt.unit_id == unit.id))
    if already is not None:
        raise InvalidInput(f"{unit.name}已在该公文的发送范围内（{already.label}），无需改发")
    return unit


@command
def redirect_return(session: Session, actor: User, *, receipt_id: int, unit_id: int,
                    note: str | None = None, expected_version: int | None = None,
                    now: dt.datetime | None = None) -> Receipt:
    """改发: send a returned notice to the unit it belongs to; returns that unit's new receipt."""
    now, actor = as_utc(now), get_actor(session, actor)
    receipt = _returned(session, receipt_id)
    owed = list(session.scalars(select(Report.request_id).where(
        Report.notice_id == receipt.notice_id, Report.unit_id == receipt.unit_id,
        Report.state == ReportState.VOIDED).order_by(Report.request_id)))
    if receipt.kind != RecipientKind.MAIN:
        owed = []
    details: dict = {"kind": receipt.kind.name, "reports": len(owed)}
    chosen: list[Unit] = []

    def choose(r: Receipt) -> None:
        # Judged after who and the state (`_advance`): a copy already answered is refused as
        # such, whatever unit is named.
        unit = _new_unit(session, r, unit_id)
        chosen.append(unit)
        details.update(to_unit_id=unit.id, to_unit=unit.name)

    _advance(session, actor, receipt, ReceiptAction.REDIRECT, now=now, note=note, apply=choose,
             expected_version=expected_version, on_behalf_of=receipt.notice.issuer.name,
             details=details)
    unit = chosen[0]
    new = Receipt(notice_id=receipt.notice_id, unit_id=unit.id, kind=receipt.kind,
                  state=ReceiptState.PENDING, redirected_from_id=receipt.id)
    session.add(new)
    session.flush()
    if receipt.kind == RecipientKind.MAIN and owed:
        session.execute(insert(Report), [
            {"notice_id": receipt.notice_id, "request_id": request_id, "unit_id": unit.id,
             "state": ReportState.DUE, "version": 1} for request_id in owed])
    notice = receipt.notice
    if notice.forwards_id is not None:  # a 转发's new unit counts up its tree (rows held already)
        forward_counts.add(session, notice.id, forward_counts.share(session, notice.id, unit.id))
    notify(session, users_holding(session, Role.RECEIVER, [unit.id]), actor=actor,
           notice_id=notice.id, kind="task", now=now,
           message=f"待签收（改发）：{notice.doc_number} {notice.title}")
    _tell_returning_unit(session, actor, receipt, f"发文单位已改发{unit.name}，贵单位无需办理", now)
    return new


@command
def resend_return(session: Session, actor: User, *, receipt_id: int, reason: str,
                  expected_version: int | None = None,
                  now: dt.datetime | None = None) -> Receipt:
    """补发: send a returned notice again to the same unit, saying why it is theirs after all;
    the unit signs for it and owes its reports again."""
    now, actor = as_utc(now), get_actor(session, actor)
    receipt = _returned(session, receipt_id)

    def reopen(r: Receipt) -> None:  # the return itself stays in the audit trail
        r.acted_at = r.acted_by_id = r.reason = None

    _advance(session, actor, receipt, ReceiptAction.RESEND, now=now, note=reason, apply=reopen,
             expected_version=expected_version, on_behalf_of=receipt.notice.issuer.name)
    notice = receipt.notice
    tell_role(session, Role.RECEIVER, [receipt.unit_id], actor=actor, notice_id=notice.id,
              kind="task", now=now,
              message=f"补发，请签收：{notice.doc_number} {notice.title}。发文单位说明：{clean_text(reason)}")
    return receipt


@command
def confirm_return(session: Session, actor: User, *, receipt_id: int, note: str | None = None,
                   expected_version: int | None = None,
                   now: dt.datetime | None = None) -> Receipt:
    """确认退回: agree that the notice was not the unit's; it owes nothing, and the notice may
    close by itself if that unit was the last thing outstanding."""
    now, actor = as_utc(now), get_actor(session, actor)
    receipt = _returned(session, receipt_id)
    _advance(session, actor, receipt, ReceiptAction.CONFIRM_RETURN, now=now, note=note,
             expected_version=expected_version, on_behalf_of=receipt.notice.issuer.name)
    _tell_returning_unit(session, actor, receipt, "发文单位已确认退回，贵单位无需办理", now)
    close_if_complete(session, receipt.notice_id, now=now)
    return receipt
