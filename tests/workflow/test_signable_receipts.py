"""Who may sign for an issued notice from its page (`signable_receipts`): a 收文员 of a unit whose
receipt still waits, and nobody else."""

from __future__ import annotations

from tests.factories import at, notice_in, receipts_of
from workflow import commands as c
from workflow.queries.receiving import signable_receipts
from workflow.states import NoticeState, Role


def test_only_the_receiver_of_a_unit_still_to_sign_may_sign_from_the_notice(world, session):
    w = world
    notice = notice_in(w, NoticeState.ISSUED)
    by_unit = {r.unit_id: r for r in receipts_of(w, notice)}
    first, second = by_unit[w.districts[0].id], by_unit[w.districts[1].id]
    assert signable_receipts(session, w.receiver1, notice.id) == [first]
    c.acknowledge(session, w.receiver1, receipt_id=first.id, now=at(1.5))
    assert signable_receipts(session, w.receiver1, notice.id) == []  # signed: nothing left
    assert signable_receipts(session, w.receiver2, notice.id) == [second]
    for name in ("supervisor", "clerk", "drafter", "admin", "security", "auditor"):
        assert signable_receipts(session, w.users[name], notice.id) == [], name
    nobody = c.create_user(session, None, username="nobody", display_name="无角色",
                           unit_id=w.districts[1].id)
    assert signable_receipts(session, nobody, notice.id) == []  # a unit's member, no role
    other = c.create_unit(session, None, name="另一市妇女联合会", doc_code="另妇发")
    stranger = c.create_user(session, None, username="stranger", display_name="外单位收文",
                             unit_id=other.id)
    c.grant_role(session, None, user_id=stranger.id, role=Role.RECEIVER, unit_id=other.id)
    assert signable_receipts(session, stranger, notice.id) == []  # another federation


def test_a_receipt_returned_as_misdirected_is_not_signed_from_the_notice(world, session):
    w = world
    notice = notice_in(w, NoticeState.ISSUED)
    second = next(r for r in receipts_of(w, notice) if r.unit_id == w.districts[1].id)
    c.reject(session, w.receiver2, receipt_id=second.id, reason="误送", now=at(1.5))
    assert signable_receipts(session, w.receiver2, notice.id) == []
