"""承办 by name: 拟办 or 批办 may name the one 承办人 of the 主办 department who handles a 收文.

Then that person alone finishes it, alone has it in 我的待办, alone is told and reminded; a person
who is not an active 承办人 of the 主办 department cannot be named; and should the named person
leave, the department's other 承办人 take it over rather than leave it stranded."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import at, refused, reports_of, signed_for
from workflow import commands as c
from workflow import tick
from workflow.errors import Forbidden, InvalidInput
from workflow.models import IncomingReminder, Notification
from workflow.queries.incoming import tasks
from workflow.states import IncomingState, Role


@pytest.fixture
def two_handlers(office, session):
    """The 宣传部 of district 1 has a second 承办人, 钱敏, beside `propaganda`."""
    second = c.create_user(session, None, username="qianmin", display_name="钱敏",
                           unit_id=office.dept.id)
    c.grant_role(session, None, user_id=second.id, role=Role.HANDLER, unit_id=office.dept.id)
    office.users["qianmin"] = second
    session.flush()
    return office


def named_to(w, session, person) -> object:
    """A 收文 of district 1, proposed to the 宣传部 with `person` named, and instructed."""
    incoming = signed_for(w, session)
    c.propose(session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=w.dept.id, lead_person_id=person.id, now=at(2))
    c.instruct(session, w.chair, incoming_id=incoming.id, instruction="请钱敏同志办理",
               now=at(3))
    return incoming


def task_ids(session, user) -> list[int]:
    return [t.incoming_id for t in tasks(session, user) if t.kind == "handle"]


def told(session, user, incoming) -> list[str]:
    return list(session.scalars(select(Notification.message).where(
        Notification.user_id == user.id, Notification.target == f"incoming:{incoming.id}")))


def test_the_named_handler_alone_finishes_it(two_handlers, session, session_factory):
    w = two_handlers
    incoming = named_to(w, session, w.qianmin)
    assert incoming.lead_person_id == w.qianmin.id
    message = refused(session, session_factory, lambda: c.finish(
        session, w.propaganda, incoming_id=incoming.id, result="已办", now=at(4)), Forbidden)
    assert message == "该收文指定由钱敏承办，只有本人可以办结"
    report = next(r for r in reports_of(w, incoming.notice) if r.unit_id == w.districts[0].id)
    c.submit_report(session, w.receiver1, report_id=report.id, text="报告", now=at(4))
    c.finish(session, w.qianmin, incoming_id=incoming.id, result="已组织学习", now=at(5))
    assert incoming.state == IncomingState.DONE


def test_the_named_handler_alone_has_it_to_do_and_is_told(two_handlers, session):
    w = two_handlers
    incoming = named_to(w, session, w.qianmin)
    assert task_ids(session, w.qianmin) == [incoming.id]
    assert task_ids(session, w.propaganda) == []
    assert told(session, w.qianmin, incoming) == [f"收文待承办：{incoming.number} {incoming.title}"]
    assert told(session, w.propaganda, incoming) == []


def test_without_a_name_every_handler_of_the_department_has_it(two_handlers, session):
    w = two_handlers
    incoming = signed_for(w, session)
    c.propose(session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=w.dept.id, now=at(2))
    c.instruct(session, w.chair, incoming_id=incoming.id, instruction="同意", now=at(3))
    assert incoming.lead_person_id is None
    assert task_ids(session, w.qianmin) == task_ids(session, w.propaganda) == [incoming.id]


def test_the_leader_names_another_handler_at_批办(two_handlers, session):
    w = two_handlers
    incoming = signed_for(w, session)
    c.propose(session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=w.dept.id, lead_person_id=w.propaganda.id, now=at(2))
    c.instruct(session, w.chair, incoming_id=incoming.id, instruction="改由钱敏办理",
               change_handlers=True, lead_unit_id=w.dept.id, lead_person_id=w.qianmin.id,
               now=at(3))
    assert incoming.lead_person_id == w.qianmin.id
    assert task_ids(session, w.propaganda) == []


@pytest.mark.parametrize(("who", "lead", "expected"), [
    ("stranger_handler", "dept", "承办人须是主办部门（示范市第1区妇联宣传部）在职的承办人"),
    ("vice_chair", "dept", "承办人须是主办部门（示范市第1区妇联宣传部）在职的承办人"),
    ("office_head", "dept", "承办人须是主办部门（示范市第1区妇联宣传部）在职的承办人"),
    # a 承办人 of the 宣传部 is not one of the 主办 when the 主办 is the unit itself
    ("qianmin", "unit", "承办人须是主办部门（示范市第1区妇联）在职的承办人"),
    ("qianmin", None, "指定承办人前请先选择主办部门"),
])
def test_only_an_active_handler_of_the_lead_department_can_be_named(
        two_handlers, session, session_factory, who, lead, expected):
    w = two_handlers
    incoming = signed_for(w, session)
    lead_unit_id = {"dept": w.dept.id, "unit": w.districts[0].id, None: None}[lead]
    message = refused(session, session_factory, lambda: c.propose(
        session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
        lead_unit_id=lead_unit_id, lead_person_id=w.users[who].id, now=at(2)), InvalidInput)
    assert message.startswith(expected)


@pytest.mark.parametrize("person_id", [0, -1, 2**63, True, "1", 10**6])
def test_a_forged_person_id_is_refused_in_chinese(two_handlers, session, session_factory,
                                                   person_id):
    w = two_handlers
    incoming = signed_for(w, session)
    refused(session, session_factory, lambda: c.propose(
        session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
        lead_unit_id=w.dept.id, lead_person_id=person_id, now=at(2)), InvalidInput,
        containing="在职的承办人")


def test_a_deactivated_handler_cannot_be_named(two_handlers, session, session_factory):
    w = two_handlers
    c.deactivate_user(session, None, user_id=w.qianmin.id)
    incoming = signed_for(w, session)
    refused(session, session_factory, lambda: c.propose(
        session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
        lead_unit_id=w.dept.id, lead_person_id=w.qianmin.id, now=at(2)), InvalidInput,
        containing="在职的承办人")


def test_when_the_named_handler_leaves_the_departments_others_take_it_over(
        two_handlers, session):
    w = two_handlers
    incoming = named_to(w, session, w.qianmin)
    c.deactivate_user(session, None, user_id=w.qianmin.id)
    assert task_ids(session, w.propaganda) == [incoming.id]
    report = next(r for r in reports_of(w, incoming.notice) if r.unit_id == w.districts[0].id)
    c.submit_report(session, w.receiver1, report_id=report.id, text="报告", now=at(4))
    c.finish(session, w.propaganda, incoming_id=incoming.id, result="已接手办结", now=at(5))
    assert incoming.state == IncomingState.DONE


def test_the_tick_reminds_the_named_handler_only(two_handlers, session):
    w = two_handlers
    incoming = c.register_external(session, w.receiver1, unit_id=w.districts[0].id,
                                   source_organ="示范市教育局", title="关于开学的通知",
                                   received_on=dt.date(2016, 3, 7),
                                   now=dt.datetime(2016, 3, 7, 2))
    c.propose(session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=w.dept.id, lead_person_id=w.qianmin.id,
              deadline=dt.date(2016, 3, 18), now=dt.datetime(2016, 3, 7, 2))
    c.instruct(session, w.chair, incoming_id=incoming.id, instruction="请办理",
               now=dt.datetime(2016, 3, 7, 3))
    session.commit()
    tick.run(session, now=dt.datetime(2016, 3, 15, 2))  # three working days before, in Beijing
    reminded = session.scalars(select(IncomingReminder.user_id).where(
        IncomingReminder.incoming_id == incoming.id)).all()
    assert reminded == [w.qianmin.id]
