"""Eight processes signing for the same 300 receipts at once, each trying all of them in its own
shuffled order: every receipt is signed for once — 300 acknowledgements, 300 audit entries — and
every other attempt finds it done (acknowledging is idempotent) or is refused with a
WorkflowError: nothing that a user would see as a server error. The notice, sent to those 300
units only, closes by itself exactly once, when the last of them is signed for.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import func, select

from tests.concurrency import assert_everything_holds
from tests.concurrency.processes import run_together
from tests.factories import add_units_with_receivers, at, build_world, notice_in
from workflow import commands as c
from workflow.errors import WorkflowError
from workflow.models import AuditEntry, Notice, Receipt, RoleGrant
from workflow.states import NoticeState as NS
from workflow.states import ReceiptState as RS
from workflow.states import Role

WORKERS, RECEIPTS = 8, 300


def moment_of(index: int) -> dt.datetime:
    """Each worker acts at its own moment, so that a receipt's time tells who signed for it."""
    return at(2) + dt.timedelta(seconds=index)


def acknowledge_all(worker, receipts: list[tuple[int, int]]) -> dict:
    """Sign for every receipt (as its unit's receiver), in a shuffled order of this worker's own."""
    order = list(receipts)
    random.Random(worker.index).shuffle(order)
    now = moment_of(worker.index)
    won, repeated, refused = [], 0, []
    for receipt_id, receiver_id in order:
        with worker.sessions() as s:
            try:
                receipt = c.acknowledge(s, receiver_id, receipt_id=receipt_id,
                                        expected_version=1, now=now)
                mine = receipt.acted_at == now
                s.commit()
            except WorkflowError as error:  # anything else fails the test with its traceback
                s.rollback()
                refused.append((type(error).__name__, str(error)))
                continue
        if mine:
            won.append(receipt_id)
        else:
            repeated += 1
    return {"won": won, "repeated": repeated, "refused": refused}


@pytest.mark.slow
def test_eight_processes_signing_for_the_same_300_receipts_sign_for_each_exactly_once(
        database_url, engine, session_factory):
    with session_factory() as s:
        world = build_world(s)
        units = add_units_with_receivers(s, world, "并发签收单位", RECEIPTS)
        notice = notice_in(world, NS.ISSUED, main_group_ids=[], main_unit_ids=units,
                           cc_unit_ids=[], requests=[])
        receiver_of = dict(s.execute(select(RoleGrant.unit_id, RoleGrant.user_id).where(
            RoleGrant.role == Role.RECEIVER, RoleGrant.unit_id.in_(units))).all())
        receipts = [(r.id, receiver_of[r.unit_id]) for r in s.scalars(
            select(Receipt).where(Receipt.notice_id == notice.id).order_by(Receipt.id))]
        s.commit()
        notice_id = notice.id
    assert len(receipts) == RECEIPTS
    engine.dispose()  # the parent holds no connection while the workers write

    outcomes = run_together(database_url, acknowledge_all, [(receipts,)] * WORKERS)

    won = [receipt_id for o in outcomes for receipt_id in o["won"]]
    assert sorted(won) == sorted(receipt_id for receipt_id, _ in receipts)
    attempts = sum(len(o["won"]) + o["repeated"] + len(o["refused"]) for o in outcomes)
    assert attempts == WORKERS * RECEIPTS
    winner_of = {receipt_id: i for i, o in enumerate(outcomes) for receipt_id in o["won"]}
    with session_factory() as s:
        stored = s.execute(select(Receipt.id, Receipt.state, Receipt.acted_at, Receipt.version)
                           .where(Receipt.notice_id == notice_id)).all()
        assert {state for _, state, _, _ in stored} == {RS.ACKNOWLEDGED}
        assert {version for *_, version in stored} == {2}
        assert all(acted_at == moment_of(winner_of[i]) for i, _, acted_at, _ in stored)
        entries = s.execute(select(AuditEntry.object_id, AuditEntry.at).where(
            AuditEntry.action == "receipt.ACKNOWLEDGE")).all()
        assert len(entries) == RECEIPTS
        assert {object_id: at_ for object_id, at_ in entries} == {
            receipt_id: moment_of(winner) for receipt_id, winner in winner_of.items()}
        assert s.get(Notice, notice_id).state == NS.CLOSED
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "notice.CLOSE")) == 1
        s.rollback()
    assert_everything_holds(session_factory)
