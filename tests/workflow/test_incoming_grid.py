"""The full state × action grid of the 收文 and 传阅 machines, the facts written by hand: every
(state, action) pair is tried through the real commands by the person the table names; an
allowed pair reaches its target state, writes one audit entry and was offered by
`available_actions`; every other pair is refused with InvalidState and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.factories import at, refused
from workflow import commands as c
from workflow.errors import InvalidState
from workflow.models import AuditEntry, Circulation, Incoming
from workflow.permissions import available_actions
from workflow.states import CirculationAction as CA
from workflow.states import CirculationState as CS
from workflow.states import IncomingAction as IA
from workflow.states import IncomingState as IS
from workflow.states import Role

# (state, action) → the state it leads to; every pair not listed is refused.
INCOMING_FACTS = {
    (IS.REGISTERED, IA.PROPOSE): IS.PROPOSED,
    (IS.PROPOSED, IA.INSTRUCT): IS.IN_HAND,
    (IS.PROPOSED, IA.RETURN): IS.REGISTERED,
    (IS.IN_HAND, IA.FINISH): IS.DONE,
    (IS.DONE, IA.ARCHIVE): IS.ARCHIVED,
}
CIRCULATION_FACTS = {
    (CS.PENDING, CA.READ): CS.READ,
    (CS.PENDING, CA.RECALL): CS.RECALLED,
    (CS.PENDING, CA.WAIVE): CS.WAIVED,
    (CS.READ, CA.READ): CS.READ,  # marking read twice changes nothing, and is no error
}


@pytest.fixture
def unit(world, session):
    """District 1 with an office head, a chair, a department with its handler, a reader."""
    d1 = world.districts[0]
    world.dept = c.create_unit(session, None, name="第1区妇联宣传部", parent_id=d1.id,
                               internal=True)
    for username, role, where in (("office_head", Role.PROPOSER, d1),
                                  ("chair", Role.INSTRUCTOR, d1),
                                  ("handler", Role.HANDLER, world.dept)):
        user = c.create_user(session, None, username=username, display_name=username,
                             unit_id=where.id)
        c.grant_role(session, None, user_id=user.id, role=role, unit_id=where.id)
        world.users[username] = user
    world.users["reader"] = c.create_user(session, None, username="reader",
                                          display_name="读者", unit_id=d1.id)
    session.flush()
    return world


def incoming_in(w, session, state: IS) -> Incoming:
    """An external 收文 (no report owed) driven through the commands to `state`."""
    incoming = c.register_external(session, w.receiver1, unit_id=w.districts[0].id,
                                   source_organ="示范市教育局", title="关于开学的通知",
                                   received_on=dt.date(2016, 3, 7), now=at(1))
    steps = [
        (IS.PROPOSED, lambda: c.propose(session, w.office_head, incoming_id=incoming.id,
                                        kind="TO_HANDLE", lead_unit_id=w.dept.id, now=at(2))),
        (IS.IN_HAND, lambda: c.instruct(session, w.chair, incoming_id=incoming.id,
                                        instruction="同意", now=at(3))),
        (IS.DONE, lambda: c.finish(session, w.handler, incoming_id=incoming.id, result="已办",
                                   now=at(4))),
        (IS.ARCHIVED, lambda: c.archive_incoming(session, w.receiver1, incoming_id=incoming.id,
                                                 retention="Y10", now=at(5))),
    ]
    for reached, step in steps:
        if incoming.state == state:
            break
        step()
        assert incoming.state == reached
    return incoming


def fire_incoming(w, session, incoming: Incoming, action: IA):
    calls = {
        IA.PROPOSE: lambda: c.propose(session, w.office_head, incoming_id=incoming.id,
                                      kind="TO_HANDLE", lead_unit_id=w.dept.id, now=at(6)),
        IA.INSTRUCT: lambda: c.instruct(session, w.chair, incoming_id=incoming.id,
                                        instruction="请办理", now=at(6)),
        IA.RETURN: lambda: c.return_to_proposer(session, w.chair, incoming_id=incoming.id,
                                                reason="请重拟", now=at(6)),
        IA.FINISH: lambda: c.finish(session, w.handler, incoming_id=incoming.id, result="办毕",
                                    now=at(6)),
        IA.ARCHIVE: lambda: c.archive_incoming(session, w.receiver1, incoming_id=incoming.id,
                                               retention="Y30", now=at(6)),
    }
    return calls[action]


ACTORS = {IA.PROPOSE: "office_head", IA.INSTRUCT: "chair", IA.RETURN: "chair",
          IA.FINISH: "handler", IA.ARCHIVE: "receiver1"}


def audit_entries(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry))


@pytest.mark.parametrize("state", list(IS), ids=lambda s: s.name)
@pytest.mark.parametrize("action", list(IA), ids=lambda a: a.name)
def test_a_收文_action_goes_where_the_table_says_and_nowhere_else(
        unit, session, session_factory, state, action):
    w = unit
    incoming = incoming_in(w, session, state)
    offered = action in available_actions(w.users[ACTORS[action]], incoming)
    call = fire_incoming(w, session, incoming, action)
    target = INCOMING_FACTS.get((state, action))
    if target is None:
        assert not offered
        refused(session, session_factory, call, InvalidState)
        return
    assert offered
    before = audit_entries(session)
    call()
    assert incoming.state == target
    assert audit_entries(session) == before + 1


def copy_in(w, session, state: CS) -> Circulation:
    incoming = incoming_in(w, session, IS.REGISTERED)
    [copy] = c.circulate(session, w.office_head, incoming_id=incoming.id,
                         reader_ids=[w.reader.id], now=at(2))
    moves = {CS.READ: lambda: c.mark_read_copy(session, w.reader, circulation_id=copy.id,
                                               now=at(3)),
             CS.RECALLED: lambda: c.recall(session, w.office_head, circulation_id=copy.id,
                                           now=at(3)),
             CS.WAIVED: lambda: c.waive(session, w.office_head, circulation_id=copy.id,
                                        reason="出差", now=at(3))}
    if state in moves:
        moves[state]()
    assert copy.state == state
    return copy


@pytest.mark.parametrize("state", list(CS), ids=lambda s: s.name)
@pytest.mark.parametrize("action", list(CA), ids=lambda a: a.name)
def test_a_传阅_action_goes_where_the_table_says_and_nowhere_else(
        unit, session, session_factory, state, action):
    w = unit
    copy = copy_in(w, session, state)
    actor = w.reader if action == CA.READ else w.office_head
    call = {CA.READ: lambda: c.mark_read_copy(session, actor, circulation_id=copy.id, now=at(4)),
            CA.RECALL: lambda: c.recall(session, actor, circulation_id=copy.id, now=at(4)),
            CA.WAIVE: lambda: c.waive(session, actor, circulation_id=copy.id, reason="不必阅",
                                      now=at(4))}[action]
    offered = action in available_actions(actor, copy)
    target = CIRCULATION_FACTS.get((state, action))
    if target is None:
        assert not offered
        refused(session, session_factory, call, InvalidState)
        return
    before = audit_entries(session)
    call()
    assert copy.state == target
    repeated = state == target
    assert offered == (not repeated)
    assert audit_entries(session) == before + (0 if repeated else 1)


def test_a_reader_may_read_until_archived_but_copies_are_fixed_once_finished(
        unit, session, session_factory):
    w = unit
    incoming = incoming_in(w, session, IS.IN_HAND)
    late, waived = c.circulate(session, w.chair, incoming_id=incoming.id,
                               reader_ids=[w.reader.id, w.receiver1.id], required=False,
                               now=at(3))
    c.finish(session, w.handler, incoming_id=incoming.id, result="已办", now=at(4))
    refused(session, session_factory, lambda: c.recall(
        session, w.chair, circulation_id=late.id, now=at(5)), InvalidState, containing="已办结")
    c.mark_read_copy(session, w.reader, circulation_id=late.id, now=at(5))
    c.archive_incoming(session, w.receiver1, incoming_id=incoming.id, retention="Y10", now=at(6))
    refused(session, session_factory, lambda: c.mark_read_copy(
        session, w.receiver1, circulation_id=waived.id, now=at(7)), InvalidState,
        containing="已归档")
