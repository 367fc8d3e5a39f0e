"""收文办理 through the engine: signing for a notice registers it under the unit's next 收文编号;
the office proposes, the leader instructs, the department handles and answers, readers read,
and the 收文 is finished and archived — and nobody outside the unit takes part."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import at, refused, reports_of, signed_for
from workflow import commands as c
from workflow.errors import Forbidden, InvalidInput, InvalidState
from workflow.models import AuditEntry, Incoming, Notification
from workflow.states import CirculationState, IncomingState

# ------------------------------------------------------------------------------------------------
# 登记


def test_signing_for_a_notice_registers_it_under_the_units_next_number(office, session):
    w = office
    first, second = signed_for(w, session), signed_for(w, session)
    assert (first.year, first.serial, first.number) == (2016, 1, "收〔2016〕1号")
    assert (second.serial, second.number) == (2, "收〔2016〕2号")
    assert first.state == IncomingState.REGISTERED
    assert first.source_organ == "示范市妇女联合会"
    assert first.source_number == first.notice.doc_number
    assert first.title == "关于开展调研的通知"
    assert first.received_on == dt.date(2016, 3, 8)  # at(1.5) is 2016-03-08 in Shanghai
    assert first.registered_by_id == w.receiver1.id
    # Another unit counts its own 收文 from 1.
    assert signed_for(w, session, unit_index=1).serial == 1


def test_registering_tells_the_office_and_is_audited(office, session):
    incoming = signed_for(office, session)
    told = session.scalars(select(Notification.user_id).where(
        Notification.target == f"incoming:{incoming.id}")).all()
    assert told == [office.office_head.id]
    # 签收即登记: the 签收's own entry names the 收文 it registered.
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "receipt.ACKNOWLEDGE"))
    assert (entry.object_id, entry.details["incoming_id"], entry.details["incoming_number"]) == (
        incoming.receipt_id, incoming.id, "收〔2016〕1号")


def test_signing_for_twice_registers_once(office, session):
    incoming = signed_for(office, session)
    c.acknowledge(session, office.receiver1, receipt_id=incoming.receipt_id, now=at(1.6))
    assert session.scalar(select(Incoming.id).where(Incoming.unit_id == incoming.unit_id)
                          .where(Incoming.id != incoming.id)) is None


def test_an_external_document_is_registered_by_the_units_receiver(office, session):
    w = office
    incoming = c.register_external(
        session, w.receiver1, unit_id=w.districts[0].id, source_organ="示范市教育局",
        source_number="示教发〔2016〕3号", title="关于做好春季开学工作的通知",
        received_on=dt.date(2016, 3, 7), urgency="URGENT", secrecy="NONE", pages=3, copies=1,
        body="各区妇联：\n请配合做好开学工作。", now=at(1))
    assert (incoming.number, incoming.external, incoming.urgency.label) == (
        "收〔2016〕1号", True, "加急")
    assert (incoming.pages, incoming.copies) == (3, 1)


@pytest.mark.parametrize("fields, message", [
    ({"source_organ": " "}, "来文机关不能为空"),
    ({"title": ""}, "标题不能为空"),
    ({"title": "标\x07题"}, "控制字符"),
    ({"title": "长" * 301}, "不能超过300个字"),
    ({"pages": 0}, "页数"),
    ({"pages": 10**12}, "页数"),
    ({"received_on": dt.date(2016, 3, 9)}, "不能晚于今天"),
    ({"urgency": "十万火急"}, "紧急程度只能是"),
])
def test_a_bad_external_registration_is_refused_in_chinese_and_changes_nothing(
        office, session, session_factory, fields, message):
    values = dict(unit_id=office.districts[0].id, source_organ="示范市教育局",
                  title="关于做好春季开学工作的通知", received_on=dt.date(2016, 3, 7))
    values.update(fields)
    refused(session, session_factory,
            lambda: c.register_external(session, office.receiver1, now=at(1), **values),
            InvalidInput, containing=message)


@pytest.mark.parametrize("who", ["receiver2", "office_head", "clerk", "admin", "vice_chair"])
def test_only_the_units_own_receiver_registers_an_external_document(
        office, session, session_factory, who):
    refused(session, session_factory, lambda: c.register_external(
        session, office.users[who], unit_id=office.districts[0].id, source_organ="示范市教育局",
        title="通知", received_on=dt.date(2016, 3, 7), now=at(1)), Forbidden)


# ------------------------------------------------------------------------------------------------
# 拟办 → 批办 → 承办 → 传阅 → 办结 → 归档


def test_the_whole_life_of_a_收文_to_handle(office, session):
    w = office
    incoming = signed_for(w, session)
    c.propose(session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=w.dept.id, deadline=dt.date(2016, 4, 25),
              proposal="拟请宣传部办理，报主席阅示", now=at(2))
    assert incoming.state == IncomingState.PROPOSED
    c.instruct(session, w.chair, incoming_id=incoming.id, instruction="请组织学习，按时上报",
               now=at(3))
    assert incoming.state == IncomingState.IN_HAND
    assert incoming.lead_unit_id == w.dept.id
    c.circulate(session, w.chair, incoming_id=incoming.id, reader_ids=[w.vice_chair.id],
                now=at(3))
    with pytest.raises(InvalidState, match="报告尚未上报|未阅"):
        c.finish(session, w.propaganda, incoming_id=incoming.id, result="已组织学习", now=at(4))
    copy = incoming.circulations[0]
    c.mark_read_copy(session, w.vice_chair, circulation_id=copy.id, opinion="同意", now=at(4))
    assert copy.state == CirculationState.READ
    report = next(r for r in reports_of(w, incoming.notice) if r.unit_id == w.districts[0].id)
    with pytest.raises(InvalidState, match="报告尚未上报"):
        c.finish(session, w.propaganda, incoming_id=incoming.id, result="已组织学习", now=at(4))
    c.submit_report(session, w.receiver1, report_id=report.id, text="调研报告正文", now=at(5))
    c.finish(session, w.propaganda, incoming_id=incoming.id, result="已组织学习并上报调研报告",
             now=at(6))
    assert incoming.state == IncomingState.DONE
    c.archive_incoming(session, w.receiver1, incoming_id=incoming.id, retention="Y10", now=at(7))
    assert incoming.state == IncomingState.ARCHIVED
    assert incoming.archive_code.startswith("2016-D10-")


def test_a_阅件_may_skip_批办_when_the_unit_says_so(office, session):
    w = office
    w.districts[0].reading_needs_instruction = False
    incoming = signed_for(w, session)
    c.propose(session, w.office_head, incoming_id=incoming.id, kind="TO_READ", now=at(2))
    assert incoming.state == IncomingState.IN_HAND
    c.finish(session, w.office_head, incoming_id=incoming.id, now=at(3))
    assert incoming.state == IncomingState.DONE


def test_a_阅件_goes_to_批办_by_default(office, session):
    incoming = signed_for(office, session)
    c.propose(session, office.office_head, incoming_id=incoming.id, kind="TO_READ", now=at(2))
    assert incoming.state == IncomingState.PROPOSED


def test_the_leader_returns_a_proposal_with_a_reason(office, session, session_factory):
    w = office
    incoming = signed_for(w, session)
    c.propose(session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=w.dept.id, now=at(2))
    refused(session, session_factory, lambda: c.return_to_proposer(
        session, w.chair, incoming_id=incoming.id, reason=" ", now=at(3)), InvalidInput)
    c.return_to_proposer(session, w.chair, incoming_id=incoming.id, reason="请改由办公室办理",
                         now=at(3))
    assert incoming.state == IncomingState.REGISTERED
    assert incoming.returned_reason == "请改由办公室办理"


def test_a_办件_needs_a_lead_department_of_the_unit_itself(office, session, session_factory):
    w = office
    incoming = signed_for(w, session)
    refused(session, session_factory, lambda: c.propose(
        session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE", now=at(2)),
        InvalidState, containing="主办部门")
    refused(session, session_factory, lambda: c.propose(
        session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
        lead_unit_id=w.other_dept.id, now=at(2)), InvalidInput, containing="内设部门")


def test_the_units_deadline_cannot_be_later_than_the_sources(office, session, session_factory):
    incoming = signed_for(office, session)
    refused(session, session_factory, lambda: c.propose(
        session, office.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
        lead_unit_id=office.dept.id, deadline=dt.date(2016, 5, 1), now=at(2)),
        InvalidState, containing="上报时限")


@pytest.mark.parametrize("who", ["stranger_proposer", "chair", "receiver1", "admin", "auditor",
                                 "vice_chair", "supervisor"])
def test_only_the_units_proposer_proposes(office, session, session_factory, who):
    incoming = signed_for(office, session)
    refused(session, session_factory, lambda: c.propose(
        session, office.users[who], incoming_id=incoming.id, kind="TO_READ", now=at(2)),
        Forbidden)


def test_only_the_lead_departments_handler_finishes(office, session, session_factory):
    w = office
    incoming = signed_for(w, session)
    c.propose(session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=w.districts[0].id, assist_unit_ids=[w.dept.id], now=at(2))
    c.instruct(session, w.chair, incoming_id=incoming.id, instruction="同意", now=at(3))
    for who in ("propaganda", "stranger_handler", "chair", "office_head"):
        refused(session, session_factory, lambda who=who: c.finish(
            session, w.users[who], incoming_id=incoming.id, result="已办", now=at(4)), Forbidden)


def test_readers_are_people_of_the_unit_and_only_they(office, session, session_factory):
    w = office
    incoming = signed_for(w, session)
    refused(session, session_factory, lambda: c.circulate(
        session, w.office_head, incoming_id=incoming.id, reader_ids=[w.receiver2.id], now=at(2)),
        InvalidInput, containing="传阅人员只能是")
    refused(session, session_factory, lambda: c.circulate(
        session, w.stranger_proposer, incoming_id=incoming.id, reader_ids=[w.vice_chair.id],
        now=at(2)), Forbidden)
    sent = c.circulate(session, w.office_head, incoming_id=incoming.id,
                       reader_ids=[w.vice_chair.id, w.propaganda.id], now=at(2))
    assert [s.reader_id for s in sent] == [w.vice_chair.id, w.propaganda.id]


def test_only_the_reader_marks_read_and_only_the_sender_recalls_or_waives(
        office, session, session_factory):
    w = office
    incoming = signed_for(w, session)
    copy, other = c.circulate(session, w.office_head, incoming_id=incoming.id,
                              reader_ids=[w.vice_chair.id, w.propaganda.id], now=at(2))
    refused(session, session_factory, lambda: c.mark_read_copy(
        session, w.office_head, circulation_id=copy.id, now=at(3)), Forbidden)
    refused(session, session_factory, lambda: c.recall(
        session, w.vice_chair, circulation_id=copy.id, now=at(3)), Forbidden)
    c.recall(session, w.office_head, circulation_id=copy.id, now=at(3))
    assert copy.state == CirculationState.RECALLED
    c.waive(session, w.office_head, circulation_id=other.id, reason="出差", now=at(3))
    assert other.state == CirculationState.WAIVED
    refused(session, session_factory, lambda: c.mark_read_copy(
        session, w.vice_chair, circulation_id=copy.id, now=at(4)), InvalidState)


def test_a_proposal_from_the_page_carries_its_version_and_a_stale_one_is_a_conflict(
        office, session, session_factory):
    from workflow.errors import Conflict

    w = office
    incoming = signed_for(w, session)
    seen = incoming.version
    refused(session, session_factory, lambda: c.propose(
        session, w.office_head, incoming_id=incoming.id, kind="TO_READ",
        expected_version=seen - 1, now=at(2)), Conflict)
    c.propose(session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=w.dept.id, expected_version=seen, now=at(2))
    c.instruct(session, w.chair, incoming_id=incoming.id, instruction="同意",
               expected_version=incoming.version, now=at(3))
    assert incoming.state == IncomingState.IN_HAND
