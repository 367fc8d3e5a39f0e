"""Eight processes registering 收文 at once in one unit: every 收文编号 from 1 to 200 exactly once.

Each worker registers its 25 external documents one by one, one transaction each, as the 收文员's
requests would; half the workers sign for notices instead, so that both ways of registering race
for the same counter row.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.concurrency import assert_everything_holds
from tests.concurrency.processes import run_together
from tests.factories import at, build_world, notice_in, receipts_of
from workflow import commands as c
from workflow.models import Incoming, IncomingCounter
from workflow.states import NoticeState as NS

WORKERS, EACH = 8, 25


def register_each(worker, receiver_id: int, unit_id: int, receipt_ids: list[int],
                  index: int) -> list[int]:
    """Register EACH documents (by signing for the receipts given, else by hand); the serials."""
    serials = []
    for i in range(EACH):
        with worker.sessions() as s:
            if receipt_ids:
                c.acknowledge(s, receiver_id, receipt_id=receipt_ids[i], now=at(2))
                serial = s.scalar(select(Incoming.serial).where(
                    Incoming.receipt_id == receipt_ids[i]))
            else:
                serial = c.register_external(
                    s, receiver_id, unit_id=unit_id, source_organ="示范市教育局",
                    title=f"第{index}组第{i + 1}件来文", received_on=dt.date(2016, 3, 7),
                    now=at(2)).serial
            s.commit()
        serials.append(serial)
    return serials


@pytest.mark.slow
def test_eight_processes_registering_at_once_get_every_number_exactly_once(
        database_url, engine, session_factory):
    with session_factory() as s:
        world = build_world(s, review_required=False)
        unit = world.districts[0]
        notices = [notice_in(world, NS.ISSUED, title=f"关于第{i + 1}项工作的通知",
                             main_group_ids=[], main_unit_ids=[unit.id], cc_unit_ids=[],
                             requests=[])
                   for i in range(WORKERS // 2 * EACH)]
        receipt_ids = [receipts_of(world, n)[0].id for n in notices]
        s.commit()
        receiver_id, unit_id = world.receiver1.id, unit.id
    engine.dispose()  # the parent holds no connection while the workers write

    per_worker = [(receiver_id, unit_id,
                   receipt_ids[i // 2 * EACH:(i // 2 + 1) * EACH] if i % 2 == 0 else [], i)
                  for i in range(WORKERS)]
    outcomes = run_together(database_url, register_each, per_worker)

    serials = sorted(serial for got in outcomes for serial in got)
    assert serials == list(range(1, WORKERS * EACH + 1))
    with session_factory() as s:
        stored = sorted(s.scalars(select(Incoming.serial).where(Incoming.unit_id == unit_id)))
        assert stored == serials
        assert s.scalar(select(IncomingCounter.next_serial).where(
            IncomingCounter.unit_id == unit_id)) == WORKERS * EACH + 1
        s.rollback()
    assert_everything_holds(session_factory)
