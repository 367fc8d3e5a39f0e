"""催阅: whoever may send a 收文 round chases the readers who have not read it — each once a
day, told in a notification, recorded in the trail; nobody else may, and nothing is sent for a
收文 finished or a round everyone has read."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import at, instructed, refused, reports_of
from workflow import commands as c
from workflow.errors import Conflict, Forbidden, InvalidInput, InvalidState
from workflow.models import AuditEntry, Notification, User
from workflow.states import Role


@pytest.fixture
def sent_round(office, session):
    """District 1's 收文 in hand, sent by the chair to the vice chair and a second reader."""
    w = office
    w.users["reader2"] = c.create_user(session, None, username="reader2", display_name="委员",
                                       unit_id=w.districts[0].id)
    incoming = instructed(w, session)
    c.circulate(session, w.chair, incoming_id=incoming.id,
                reader_ids=[w.vice_chair.id, w.reader2.id], now=at(2.2))
    session.commit()
    return w, incoming


def chased(session, user: User) -> list[str]:
    return list(session.scalars(select(Notification.message).where(
        Notification.user_id == user.id, Notification.kind == "reminder")))


def test_the_office_chases_the_readers_who_have_not_read_it(sent_round, session):
    w, incoming = sent_round
    c.mark_read_copy(session, w.vice_chair,
                     circulation_id=next(x.id for x in incoming.circulations
                                         if x.reader_id == w.vice_chair.id), now=at(2.5))
    reminded = c.remind_readers(session, w.office_head, incoming_id=incoming.id, now=at(3))
    assert reminded == [w.reader2.id]  # the vice chair has read it
    assert chased(session, w.reader2) == [
        f"催阅：{incoming.number}《{incoming.title}》请尽快阅知"]
    assert chased(session, w.vice_chair) == []
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "circulation.REMIND"))
    assert entry.object_id == incoming.id and entry.details == {"readers": [w.reader2.id]}
    assert entry.actor_id == w.office_head.id


def test_a_second_chase_the_same_day_is_refused_and_the_next_day_goes(
        sent_round, session, session_factory):
    w, incoming = sent_round
    c.remind_readers(session, w.chair, incoming_id=incoming.id, now=at(3))
    message = refused(session, session_factory, lambda: c.remind_readers(
        session, w.office_head, incoming_id=incoming.id, now=at(3, hours=2)), Conflict)
    assert message == "今天已经催阅过，明天可再次催阅"
    assert len(c.remind_readers(session, w.chair, incoming_id=incoming.id, now=at(4))) == 2


@pytest.mark.parametrize("who", ["vice_chair", "receiver1", "stranger_proposer",
                                 "stranger_handler", "admin", "auditor", "supervisor"])
def test_only_the_units_office_leader_or_handler_chases(sent_round, session, session_factory,
                                                         who):
    w, incoming = sent_round
    refused(session, session_factory, lambda: c.remind_readers(
        session, w.users[who], incoming_id=incoming.id, now=at(3)), Forbidden)


def test_a_round_everyone_has_read_needs_no_chase(sent_round, session, session_factory):
    w, incoming = sent_round
    for copy in list(incoming.circulations):
        c.mark_read_copy(session, session.get(User, copy.reader_id), circulation_id=copy.id,
                         now=at(2.5))
    refused(session, session_factory, lambda: c.remind_readers(
        session, w.office_head, incoming_id=incoming.id, now=at(3)), InvalidInput,
        containing="没有待阅的传阅对象")


def test_a_finished_收文_is_not_chased(sent_round, session, session_factory):
    w, incoming = sent_round
    for copy in list(incoming.circulations):
        c.waive(session, w.chair, circulation_id=copy.id, reason="已当面传达", now=at(2.5))
    report = next(r for r in reports_of(w, incoming.notice) if r.unit_id == w.districts[0].id)
    c.submit_report(session, w.receiver1, report_id=report.id, text="报告", now=at(2.6))
    c.finish(session, w.propaganda, incoming_id=incoming.id, result="已办", now=at(2.7))
    refused(session, session_factory, lambda: c.remind_readers(
        session, w.office_head, incoming_id=incoming.id, now=at(3)), InvalidState,
        containing="无需催阅")


def test_the_handler_of_a_department_may_chase_too(sent_round, session):
    w, incoming = sent_round
    assert w.propaganda.holds(Role.HANDLER, w.dept.id)
    assert len(c.remind_readers(session, w.propaganda, incoming_id=incoming.id, now=at(3))) == 2
