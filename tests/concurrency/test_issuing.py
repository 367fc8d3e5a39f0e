"""Eight processes issuing at once in one series: every serial from 1 to 800 exactly once.

The 800 notices are signed first, in the parent; then eight workers, started together, each issue
their hundred, one transaction per issue as a request would. Meanwhile the parent keeps checking
the invariants of the live database, which must hold in every committed state.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.concurrency import assert_everything_holds
from tests.concurrency.processes import run_together
from tests.factories import at, build_world, notice_in
from workflow import commands as c
from workflow import invariants
from workflow.db import make_engine, make_session_factory
from workflow.models import Notice, NumberSeries, Receipt, VoidedNumber
from workflow.states import NoticeState as NS

WORKERS, EACH = 8, 100


def issue_each(worker, clerk_id: int, notice_ids: list[int]) -> list[tuple[int, int]]:
    """Issue the notices one by one, each in its own transaction; (notice, serial) of each."""
    issued = []
    for notice_id in notice_ids:
        with worker.sessions() as s:
            notice = c.issue(s, clerk_id, notice_id=notice_id, now=at(1))
            serial = notice.doc_serial
            s.commit()
        issued.append((notice_id, serial))
    return issued


class Watch(threading.Thread):
    """The parent's watch: the invariants of the live database, checked over and over."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.done = url, threading.Event()
        self.problems: list[str] = []
        self.rounds = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        engine = make_engine(self.url)
        sessions = make_session_factory(engine)
        try:
            while not self.done.is_set():
                with sessions() as s:
                    self.problems += invariants.check(s)
                    s.rollback()
                self.rounds += 1
                self.done.wait(2)
        except BaseException as error:
            self.error = error
        finally:
            engine.dispose()


@pytest.mark.slow
def test_eight_processes_issuing_at_once_get_every_serial_exactly_once(
        database_url, engine, session_factory):
    with session_factory() as s:
        world = build_world(s, review_required=False)
        # To one unit each: what is raced for is the number, not the distribution.
        notice_ids = [notice_in(world, NS.SIGNED, title=f"关于第{i + 1}项工作的通知",
                                main_group_ids=[], main_unit_ids=[world.districts[0].id],
                                cc_unit_ids=[], requests=[]).id
                      for i in range(WORKERS * EACH)]
        s.commit()
        clerk_id = world.clerk.id
    engine.dispose()  # the parent holds no connection while the workers write

    watch = Watch(database_url)
    watch.start()
    try:
        outcomes = run_together(database_url, issue_each,
                                [(clerk_id, notice_ids[i::WORKERS]) for i in range(WORKERS)])
    finally:
        watch.done.set()
        watch.join(timeout=120)


    issued = [pair for got in outcomes for pair in got]
    assert sorted(notice_id for notice_id, _ in issued) == sorted(notice_ids)
    assert sorted(serial for _, serial in issued) == list(range(1, WORKERS * EACH + 1))
    assert watch.error is None and watch.rounds > 1
    assert watch.problems == []
    with session_factory() as s:
        stored = dict(s.execute(select(Notice.id, Notice.doc_serial)).all())
        assert stored == dict(issued)
        assert s.scalar(select(NumberSeries.next_serial)) == WORKERS * EACH + 1
        assert s.scalar(select(func.count()).select_from(VoidedNumber)) == 0
        assert s.scalar(select(func.count()).select_from(Receipt)) == WORKERS * EACH
        s.rollback()
    assert_everything_holds(session_factory)
