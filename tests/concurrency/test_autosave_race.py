"""Two first keepings of the same form at once (two tabs of one person, a request retried while
the first is still running) both succeed: the later one replaces the earlier, neither meets the
(person, form) key as a duplicate."""

from __future__ import annotations

from sqlalchemy import select

from tests.concurrency.processes import run_together
from tests.factories import build_world
from workflow import commands as c
from workflow.models import Autosave

ROUNDS = 20


def keep_each_form_once(worker, user_id: int) -> int:
    """Each round every worker keeps its own text as the first input of a new form."""
    for round_ in range(ROUNDS):
        worker.together()
        with worker.sessions() as session:
            c.keep_typed(session, user_id, key=f"draft:{round_}",
                         fields={"title": f"第{worker.index + 1}个窗口"})
            session.commit()
    return ROUNDS


def test_two_first_keepings_of_one_form_at_once_both_succeed(session, database_url):
    world = build_world(session)
    session.commit()
    drafter_id = world.drafter.id

    assert run_together(database_url, keep_each_form_once,
                        [(drafter_id,), (drafter_id,)]) == [ROUNDS, ROUNDS]

    session.expire_all()
    rows = session.scalars(select(Autosave).order_by(Autosave.id)).all()
    assert sorted(row.form_key for row in rows) == sorted(f"draft:{n}" for n in range(ROUNDS))
    assert {row.fields for row in rows} <= {'{"title":["第1个窗口"]}', '{"title":["第2个窗口"]}'}
