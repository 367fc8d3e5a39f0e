"""退文处理, the read side: one returned receipt as the issuing unit's clerk answers it.

Owns: `return_sheet` — the return (which unit, why, who, when), the notice, what the clerk may do
now (from the receipt's table), and the units a 改发 may name. Only the issuing unit's clerks see
it (`Right.HANDLE_RETURN`); anyone else gets NotFound, as for a receipt that does not exist.
Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from workflow.db import MAX_ID
from workflow.errors import NotFound
from workflow.models import AuditEntry, Receipt, Unit, User
from workflow.permissions import Right, available_actions, may
from workflow.states import NoticeState, ReceiptAction, ReceiptState

# More units than any office picks from a list; the command accepts any unit of the federation.
MAX_CHOICES = 1000


@dataclass(frozen=True)
class ReturnSheet:
    receipt_id: int
    version: int
    state: ReceiptState
    kind_label: str
    unit_name: str
    reason: str | None
    returned_at: dt.datetime | None
    returned_by: str | None
    notice_id: int
    doc_number: str | None
    title: str
    notice_state: NoticeState
    actions: list[ReceiptAction]
    choices: list[tuple[int, str]]  # (unit id, name) a 改发 may name
    steps: list[AuditEntry]  # what happened to the copy: the return, a 补发, the answer

    @property
    def waiting(self) -> bool:
        return self.state == ReceiptState.REJECTED


def return_sheet(session: Session, actor: User, receipt_id: int) -> ReturnSheet:
    """The returned receipt `receipt_id` for the issuing unit's clerk, or NotFound."""
    missing = NotFound("找不到该退文，或您不是发文单位的文书")
    if isinstance(receipt_id, bool) or not isinstance(receipt_id, int) \
            or not 1 <= receipt_id <= MAX_ID:
        raise missing
    receipt = session.get(Receipt, receipt_id)
    if receipt is None or not may(actor, Right.HANDLE_RETURN, notice=receipt.notice):
        raise missing
    steps = list(session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "receipt",
                                 AuditEntry.object_id == receipt.id)
        .order_by(AuditEntry.seq)))
    # A copy that was returned at some time: waiting, or answered (after a 补发 it may be pending
    # or signed for again, and an old link then shows what became of the return).
    if not any(step.action == "receipt.REJECT" for step in steps):
        raise missing
    notice = receipt.notice
    actions = available_actions(actor, receipt)
    choices = _choices(session, notice) if ReceiptAction.REDIRECT in actions else []
    return ReturnSheet(
        receipt.id, receipt.version, receipt.state, receipt.kind.label, receipt.unit.name,
        receipt.reason, receipt.acted_at,
        receipt.acted_by.display_name if receipt.acted_by is not None else None,
        notice.id, notice.doc_number, notice.title, notice.state, actions, choices, steps)


def _choices(session: Session, notice) -> list[tuple[int, str]]:
    """The units below the issuer (its own subtree, where its notices go) that are not yet
    recipients and not internal departments, by name: one statement, however large the tree."""
    down = (select(Unit.id.label("id")).where(Unit.parent_id == notice.issuer_unit_id)
            .cte("down", recursive=True))
    child = aliased(Unit)
    down = down.union_all(select(child.id).join(down, child.parent_id == down.c.id))
    taken = select(Receipt.unit_id).where(Receipt.notice_id == notice.id)
    return [(uid, name) for uid, name in session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(select(down.c.id)),
                                         Unit.id.not_in(taken), Unit.internal.is_(False))
        .order_by(Unit.name).limit(MAX_CHOICES))]
