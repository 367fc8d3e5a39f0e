"""已读: the first time each person of a recipient unit opens an issued notice is recorded once,
with one audit entry; the issuer's people, the administrators, role-less accounts and other units
record nothing. The issuer's matrix shows per unit 未阅 / 已阅未签收 / 已签收 with the first
reader; a recipient sees only its own unit's readers, in the page and in the trail."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.concurrency import assert_everything_holds
from tests.concurrency.processes import run_together
from tests.factories import at, build_world, notice_in, receipts_of, refused
from workflow import commands as c
from workflow import queries
from workflow.db import read_only
from workflow.errors import Forbidden, NotFound
from workflow.models import AuditEntry, NoticeReading, Notification, User
from workflow.queries import tracking as tracking_queries
from workflow.states import NoticeState as NS
from workflow.states import Role


def _readings(session, notice_id):
    return session.execute(
        select(NoticeReading.user_id, NoticeReading.unit_id, NoticeReading.first_read_at)
        .where(NoticeReading.notice_id == notice_id).order_by(NoticeReading.id)).all()


def _reading_entries(session, notice_id):
    return session.execute(
        select(AuditEntry.actor_id, AuditEntry.object_type, AuditEntry.object_id,
               AuditEntry.on_behalf_of, AuditEntry.at)
        .where(AuditEntry.notice_id == notice_id, AuditEntry.action == "receipt.READ")
        .order_by(AuditEntry.seq)).all()


def _receipt_of(w, notice, unit):
    return next(r for r in receipts_of(w, notice) if r.unit_id == unit.id)


def _person(session, w, username, role, unit):
    user = c.create_user(session, None, username=username, display_name=username,
                         unit_id=unit.id)
    if role is not None:
        c.grant_role(session, None, user_id=user.id, role=role, unit_id=unit.id)
    return user


@pytest.fixture
def issued(world, session):
    notice = notice_in(world, NS.ISSUED)
    session.commit()
    return notice


# ------------------------------------------------------------------------------------------------
# Recording.


def test_a_recipients_first_open_is_recorded_once_with_one_audit_entry(world, session, issued):
    w, d1 = world, world.districts[0]
    reading = c.record_reading(session, w.receiver1, notice_id=issued.id, now=at(1.5))
    session.commit()
    assert (reading.user_id, reading.unit_id) == (w.receiver1.id, d1.id)
    assert _readings(session, issued.id) == [(w.receiver1.id, d1.id, at(1.5))]
    receipt = _receipt_of(w, issued, d1)
    assert _reading_entries(session, issued.id) == [
        (w.receiver1.id, "receipt", receipt.id, "示范市第1区妇联", at(1.5))]

    again = c.record_reading(session, w.receiver1, notice_id=issued.id, now=at(3))
    session.commit()
    assert again is None
    assert _readings(session, issued.id) == [(w.receiver1.id, d1.id, at(1.5))]
    assert len(_reading_entries(session, issued.id)) == 1


def test_reading_changes_no_receipt_and_tells_nobody(world, session, issued):
    before = [(r.state, r.version) for r in receipts_of(world, issued)]
    told = session.scalar(select(func.count(Notification.id)))
    c.record_reading(session, world.receiver2, notice_id=issued.id, now=at(1.5))
    session.commit()
    assert [(r.state, r.version) for r in receipts_of(world, issued)] == before
    assert session.scalar(select(func.count(Notification.id))) == told


def test_the_issuing_units_own_people_record_nothing(world, session, issued):
    for person in (world.clerk, world.supervisor, world.drafter, world.signatory):
        assert c.record_reading(session, person, notice_id=issued.id, now=at(1.5)) is None
    session.commit()
    assert _readings(session, issued.id) == []
    assert _reading_entries(session, issued.id) == []


@pytest.mark.parametrize("who", ["admin", "security", "auditor"])
def test_an_administrator_is_refused_and_records_nothing(world, session, session_factory,
                                                         issued, who):
    refused(session, session_factory,
            lambda: c.record_reading(session, world.users[who], notice_id=issued.id,
                                     now=at(1.5)), Forbidden)


def test_a_roleless_account_is_refused_even_in_a_recipient_unit(world, session, session_factory,
                                                                issued):
    nobody = _person(session, world, "nobody", None, world.districts[0])
    refused(session, session_factory,
            lambda: c.record_reading(session, nobody, notice_id=issued.id, now=at(1.5)),
            Forbidden, "无权查看")


def test_another_units_receiver_is_refused_and_records_nothing(world, session, session_factory):
    only_first = notice_in(world, NS.ISSUED, main_group_ids=[],
                           main_unit_ids=[world.districts[0].id], cc_unit_ids=[])
    refused(session, session_factory,
            lambda: c.record_reading(session, world.receiver2, notice_id=only_first.id,
                                     now=at(1.5)), Forbidden)


def test_a_deactivated_receiver_is_refused(world, session, session_factory, issued):
    c.deactivate_user(session, None, user_id=world.receiver1.id, now=at(1))
    refused(session, session_factory,
            lambda: c.record_reading(session, world.receiver1, notice_id=issued.id,
                                     now=at(1.5)), Forbidden, "停用")


def test_a_draft_has_no_recipients_to_record(world, session, session_factory):
    draft = notice_in(world, NS.DRAFT)
    refused(session, session_factory,
            lambda: c.record_reading(session, world.receiver1, notice_id=draft.id, now=at(1)),
            Forbidden)


@pytest.mark.parametrize("notice_id", [0, -1, 2**31, 2**63, "1", True, None])
def test_a_notice_id_no_row_can_have_is_not_found(world, session, session_factory, issued,
                                                   notice_id):
    refused(session, session_factory,
            lambda: c.record_reading(session, world.receiver1, notice_id=notice_id, now=at(1)),
            NotFound)


def test_a_person_in_two_recipient_units_is_recorded_once_under_the_first(world, session,
                                                                          issued):
    d1, d2 = world.districts[:2]
    c.grant_role(session, None, user_id=world.receiver2.id, role=Role.RECEIVER, unit_id=d1.id)
    session.commit()
    session.refresh(world.receiver2)
    c.record_reading(session, world.receiver2, notice_id=issued.id, now=at(1.5))
    session.commit()
    assert d1.id < d2.id
    assert _readings(session, issued.id) == [(world.receiver2.id, d1.id, at(1.5))]


def test_an_open_that_lost_the_race_writes_nothing(world, session, session_factory, issued):
    """The page asks first and writes after: both tabs may be told 'write', one row results."""
    with session_factory() as other:
        reader = read_only(other).get(User, world.receiver1.id)
        assert queries.notices.reading_due(other, reader, issued.id)
        assert queries.notices.reading_due(read_only(session), world.receiver1, issued.id)
        session.commit()  # each tab ends its reader, then writes
        c.record_reading(session, world.receiver1, notice_id=issued.id, now=at(1.5))
        session.commit()
        other.commit()
        assert c.record_reading(other, reader, notice_id=issued.id, now=at(1.6)) is None
        other.commit()
    assert _readings(session, issued.id) == [(world.receiver1.id, world.districts[0].id,
                                              at(1.5))]
    assert len(_reading_entries(session, issued.id)) == 1


def _open_at_once(worker, receiver_id: int, notice_id: int) -> bool:
    worker.together()
    with worker.sessions() as s:
        wrote = c.record_reading(s, receiver_id, notice_id=notice_id, now=at(1.5)) is not None
        s.commit()
    return wrote


@pytest.mark.slow
def test_four_processes_opening_at_once_write_one_row_and_one_entry(database_url, engine,
                                                                     session_factory):
    with session_factory() as s:
        w = build_world(s)
        notice = notice_in(w, NS.ISSUED)
        s.commit()
        receiver_id, notice_id = w.receiver1.id, notice.id
    engine.dispose()

    wrote = run_together(database_url, _open_at_once, [(receiver_id, notice_id)] * 4)

    assert sorted(wrote) == [False, False, False, True]
    with session_factory() as s:
        assert len(_readings(s, notice_id)) == 1
        assert len(_reading_entries(s, notice_id)) == 1
    assert_everything_holds(session_factory)


# ------------------------------------------------------------------------------------------------
# What each side sees.


def test_reading_is_due_only_for_a_recipient_who_has_not_opened_it(world, session, issued):
    due = queries.notices.reading_due
    assert due(session, world.receiver1, issued.id) is True
    assert due(session, world.cc_receiver, issued.id) is True
    assert due(session, world.clerk, issued.id) is False
    assert due(session, world.admin, issued.id) is False
    c.record_reading(session, world.receiver1, notice_id=issued.id, now=at(1.5))
    session.commit()
    assert due(session, world.receiver1, issued.id) is False
    assert due(session, world.receiver2, issued.id) is True


def test_a_recipient_sees_only_its_own_units_readers(world, session, issued):
    d1 = world.districts[0]
    colleague = _person(session, world, "colleague1", Role.RECEIVER, d1)
    session.commit()
    c.record_reading(session, colleague, notice_id=issued.id, now=at(1.2))
    c.record_reading(session, world.receiver1, notice_id=issued.id, now=at(1.5))
    c.record_reading(session, world.receiver2, notice_id=issued.id, now=at(1.1))
    session.commit()
    seen = queries.notices.own_unit_readers(session, world.receiver1, issued.id)
    assert [(u.unit_name, u.readers) for u in seen] == [
        ("示范市第1区妇联", [("colleague1", at(1.2)), ("receiver1", at(1.5))])]
    assert [(u.unit_name, u.readers) for u in queries.notices.own_unit_readers(
        session, world.receiver2, issued.id)] == [("示范市第2区妇联", [("receiver2", at(1.1))])]
    assert queries.notices.own_unit_readers(session, world.receiver3, issued.id) == []
    assert queries.notices.own_unit_readers(session, world.supervisor, issued.id) == []


def test_the_trail_shows_a_recipient_its_own_openings_and_the_issuer_none(world, session,
                                                                           issued):
    c.record_reading(session, world.receiver1, notice_id=issued.id, now=at(1.5))
    c.record_reading(session, world.receiver2, notice_id=issued.id, now=at(1.6))
    session.commit()

    def openings(actor):
        return [e.actor_name for e in queries.audit_trail(session, issued.id, actor)
                if e.action == "receipt.READ"]

    assert openings(world.receiver1) == ["receiver1"]
    assert openings(world.receiver2) == ["receiver2"]
    assert openings(world.supervisor) == []
    assert openings(None) == ["receiver1", "receiver2"]  # the server's own trail keeps all


def test_the_matrix_shows_unread_read_and_signed_with_the_first_reader(world, session, issued):
    w = world
    d1, d2, d3 = w.districts
    late = _person(session, w, "late1", Role.RECEIVER, d1)
    session.commit()
    c.record_reading(session, w.receiver1, notice_id=issued.id, now=at(1.2))
    c.record_reading(session, late, notice_id=issued.id, now=at(1.3))
    c.acknowledge(session, w.receiver1, receipt_id=_receipt_of(w, issued, d1).id, now=at(1.4))
    c.record_reading(session, w.receiver2, notice_id=issued.id, now=at(1.25))
    session.commit()

    m = tracking_queries.matrix(session, w.supervisor, issued.id, now=at(2))
    rows = {row.unit_name: row for row in m.rows}
    assert rows["示范市第1区妇联"].reading == ("ACKNOWLEDGED", "已签收")
    assert (rows["示范市第1区妇联"].first_reading.reader,
            rows["示范市第1区妇联"].first_reading.at) == ("receiver1", at(1.2))
    assert rows["示范市第2区妇联"].reading == ("READ_NOT_SIGNED", "已阅未签收")
    assert (rows["示范市第2区妇联"].first_reading.reader,
            rows["示范市第2区妇联"].first_reading.at) == ("receiver2", at(1.25))
    assert rows["示范市第3区妇联"].reading == ("UNREAD", "未阅")
    assert rows["示范市第3区妇联"].first_reading is None
    assert rows["示范省妇女联合会"].reading == ("UNREAD", "未阅")


def test_a_unit_that_signed_without_opening_the_page_reads_as_signed(world, session, issued):
    d3 = world.districts[2]
    c.acknowledge(session, world.receiver3, receipt_id=_receipt_of(world, issued, d3).id,
                  now=at(1.4))
    session.commit()
    m = tracking_queries.matrix(session, world.supervisor, issued.id, now=at(2))
    row = next(r for r in m.rows if r.unit_id == d3.id)
    assert (row.reading, row.first_reading) == (("ACKNOWLEDGED", "已签收"), None)


def test_a_unit_that_returned_the_notice_after_opening_it_reads_as_read(world, session, issued):
    d2 = world.districts[1]
    c.record_reading(session, world.receiver2, notice_id=issued.id, now=at(1.2))
    c.reject(session, world.receiver2, receipt_id=_receipt_of(world, issued, d2).id,
             reason="误送", now=at(1.3))
    session.commit()
    m = tracking_queries.matrix(session, world.supervisor, issued.id, now=at(2))
    row = next(r for r in m.rows if r.unit_id == d2.id)
    assert (row.receipt.state_label, row.reading) == ("已退回", ("READ", "已阅"))


def test_openings_leave_the_trail_and_every_invariant_whole(world, session, session_factory,
                                                            issued):
    d1 = world.districts[0]
    c.record_reading(session, world.receiver1, notice_id=issued.id, now=at(1.2))
    c.acknowledge(session, world.receiver1, receipt_id=_receipt_of(world, issued, d1).id,
                  now=at(1.3))
    c.record_reading(session, world.cc_receiver, notice_id=issued.id, now=at(1.4))
    session.commit()
    assert_everything_holds(session_factory)
