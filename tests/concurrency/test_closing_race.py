"""The last unit signs for a notice while its supervisor closes it by hand, at the same moment.

Signing for the last receipt closes the notice by itself; the supervisor's close locks the notice
and then the audit chain's head. Both must take their locks in one order — the receipt, the
notice, the head — or each would hold what the other waits for, and PostgreSQL would abort one of
them with a deadlock (a 500 for whoever clicked). Here both wait on the head, held by the test,
and are then let go together. Whichever takes the notice first wins, and the other is refused in
Chinese: signed for and closed by itself (the close then finds it 已办结), or closed by hand (the
签收 then finds the receipt 免办). Either way nothing fails, the notice is closed once, and the
trail verifies.

SQLite lets one writer in at a time, so there the two simply follow each other; the test holds
the head only on PostgreSQL.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.concurrency import assert_everything_holds
from tests.concurrency.test_tick import wait_until_blocked
from tests.factories import at, build_world, notice_in
from workflow import commands as c
from workflow.db import lock_for_update
from workflow.errors import WorkflowError
from workflow.models import AuditEntry, AuditHead, Receipt
from workflow.states import NoticeState, ReceiptState


def test_the_last_signature_and_a_close_by_hand_at_once_both_end_normally(session_factory):
    with session_factory() as s:
        world = build_world(s, review_required=False, districts=1)
        notice = notice_in(world, NoticeState.ISSUED, requests=[])
        receipt = s.scalar(select(Receipt).where(Receipt.notice_id == notice.id))
        notice_id, receipt_id = notice.id, receipt.id
        receiver, supervisor = world.receiver1.id, world.supervisor.id
        s.commit()

    outcomes: dict[str, object] = {}

    def run(name: str, call) -> None:
        with session_factory() as s:
            try:
                call(s)
                s.commit()
                outcomes[name] = "done"
            except WorkflowError as refusal:  # refused in Chinese: a normal end too
                s.rollback()
                outcomes[name] = refusal
            except Exception as error:  # noqa: BLE001 — the failure this test is about
                s.rollback()
                outcomes[name] = error

    sign = threading.Thread(target=run, args=("sign", lambda s: c.acknowledge(
        s, receiver, receipt_id=receipt_id, now=at(2))))
    close = threading.Thread(target=run, args=("close", lambda s: c.close(
        s, supervisor, notice_id=notice_id, reason="会议已提前召开", now=at(2))))
    with session_factory() as holder:
        on_postgres = holder.get_bind().dialect.name == "postgresql"
        if on_postgres:
            holder.execute(lock_for_update(select(AuditHead)))
        sign.start()
        close.start()
        if on_postgres:
            wait_until_blocked(holder, 2)
        holder.rollback()
    sign.join(120)
    close.join(120)

    assert not [o for o in outcomes.values() if isinstance(o, Exception)
                and not isinstance(o, WorkflowError)], outcomes  # no deadlock, no 500
    signed = outcomes["sign"] == "done"
    if signed:  # closed by the last 签收: the supervisor's close comes too late
        assert "已办结" in str(outcomes["close"]), repr(outcomes["close"])
    else:  # closed by hand first: the receipt was waived
        assert outcomes["close"] == "done"
        assert "免办" in str(outcomes["sign"]), repr(outcomes["sign"])
    with session_factory() as s:
        assert s.get(Receipt, receipt_id).state == (
            ReceiptState.ACKNOWLEDGED if signed else ReceiptState.WAIVED)
        closes = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.notice_id == notice_id, AuditEntry.action == "notice.CLOSE"))
        assert closes == 1
        s.rollback()
    assert_everything_holds(session_factory)
