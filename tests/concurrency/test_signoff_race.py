"""A signatory signs while the drafter withdraws the same notice, twenty times over, each round
started for both at once: exactly one of them succeeds, and the other is refused with nothing of
theirs written — no audit entry, no field changed, nobody told.

How the loser is refused depends on what it sent. The desks send the version the user saw (the
form's hidden field): the loser, finding the notice changed under it, gets a Conflict that
names what the winner did ("signatory已于…签发该公文"). A caller that sends no version gets the state refusal instead ("该公文已签发，不能
撤回" or "该公文草稿，不能签发"): the notice's row lock (SQLite: the write lock) makes it wait for
the winner's commit and then read the new state, where its action no longer exists.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.concurrency import assert_everything_holds
from tests.concurrency.processes import run_together
from tests.factories import at, build_world, notice_in
from workflow import commands as c
from workflow.errors import WorkflowError
from workflow.models import AuditEntry, Notice, Notification
from workflow.states import NoticeState as NS

ROUNDS = 20


def sign_or_withdraw(worker, action: str, actor_id: int, rounds: list[tuple[int, int | None]]):
    """Take `action` on each round's notice the moment the other worker takes theirs."""
    outcomes = []
    for notice_id, expected_version in rounds:
        worker.together()
        with worker.sessions() as s:
            try:
                if action == "sign":
                    c.sign(s, actor_id, notice_id=notice_id, opinion="同意印发",
                           expected_version=expected_version, now=at(0.5))
                else:
                    c.withdraw(s, actor_id, notice_id=notice_id,
                               expected_version=expected_version, now=at(0.5))
                s.commit()
                outcomes.append(("done", ""))
            except WorkflowError as error:
                s.rollback()
                outcomes.append((type(error).__name__, str(error)))
    return outcomes


def _trail(session, notice_id: int) -> list[tuple[str, int | None]]:
    return session.execute(select(AuditEntry.action, AuditEntry.actor_id)
                           .where(AuditEntry.notice_id == notice_id)
                           .order_by(AuditEntry.seq)).all()


def _told(session, notice_id: int) -> list[tuple[int, str]]:
    return session.execute(select(Notification.user_id, Notification.message)
                           .where(Notification.notice_id == notice_id)
                           .order_by(Notification.id)).all()


@pytest.mark.slow
@pytest.mark.parametrize("with_version", [True, False],
                         ids=["with-the-version-the-desk-showed", "without-a-version"])
def test_of_signing_and_withdrawing_at_once_exactly_one_succeeds_and_the_other_writes_nothing(
        database_url, engine, session_factory, with_version):
    with session_factory() as s:
        world = build_world(s, review_required=False)
        notices = [notice_in(world, NS.AWAITING_SIGNOFF, title=f"关于第{i + 1}项工作的通知")
                   for i in range(ROUNDS)]
        s.commit()
        rounds = [(n.id, n.version if with_version else None) for n in notices]
        before = {n.id: (n.version, _trail(s, n.id), _told(s, n.id)) for n in notices}
        signatory, drafter, clerk = world.signatory.id, world.drafter.id, world.clerk.id
    engine.dispose()  # the parent holds no connection while the workers write

    signs, withdraws = run_together(database_url, sign_or_withdraw,
                                    [("sign", signatory, rounds), ("withdraw", drafter, rounds)])

    refusal = "Conflict" if with_version else "InvalidState"
    with session_factory() as s:
        for (notice_id, _), signed, withdrew in zip(rounds, signs, withdraws, strict=True):
            assert [signed[0], withdrew[0]].count("done") == 1, (signed, withdrew)
            winner, loser = ("sign", withdrew) if signed[0] == "done" else ("withdraw", signed)
            assert loser[0] == refusal, loser
            if with_version:  # told what the winner did, or (caught at the write) that it did
                done = "签发该公文" if winner == "sign" else "撤回该公文"
                assert done in loser[1] or loser[1] == "已被他人处理，请刷新后重试", loser
            else:
                assert loser[1] in ("该公文已签发，不能撤回", "该公文草稿，不能签发"), loser

            notice = s.get(Notice, notice_id)
            version, trail, told = before[notice_id]
            assert notice.version == version + 1  # one change: the winner's
            new_entries = _trail(s, notice_id)[len(trail):]
            new_told = _told(s, notice_id)[len(told):]
            assert _trail(s, notice_id)[:len(trail)] == trail
            if winner == "sign":
                assert notice.state == NS.SIGNED
                assert (notice.signatory_id, notice.sign_opinion) == (signatory, "同意印发")
                assert new_entries == [("notice.SIGN", signatory)]
                assert [user for user, _ in new_told] == [clerk]  # 待登记印发
            else:
                assert notice.state == NS.DRAFT
                assert (notice.signatory_id, notice.sign_opinion, notice.signed_at) == (
                    None, None, None)
                assert new_entries == [("notice.WITHDRAW", drafter)]
                assert new_told == []
        assert s.scalar(select(func.count()).select_from(Notice)) == ROUNDS
        s.rollback()
    assert_everything_holds(session_factory)
