"""The notice a 收文 was made from is read by whoever may open that 收文: the readers it was sent
to (传阅) — a vice chair with no role at all — and the people of the receiving unit's internal
departments. Written by hand: who opens the 收文 (from test_incoming's rules) is who reads the
notice, read-only, and nobody else gains anything: a recalled copy, another notice, another
unit's department and the administrators see nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import at, instructed, notice_in
from workflow import commands as c
from workflow import permissions, queries
from workflow.errors import NotFound
from workflow.models import Circulation
from workflow.permissions import Right, may
from workflow.states import NoticeState, Role


@pytest.fixture
def sent_to_the_vice_chair(office, session):
    """District 1's 收文 of an issued notice, in hand, sent to the role-less vice chair."""
    w = office
    incoming = instructed(w, session)
    c.circulate(session, w.chair, incoming_id=incoming.id, reader_ids=[w.vice_chair.id],
                now=at(2.2))
    session.commit()
    return w, incoming


def _sees(session, user, notice_id: int) -> bool:
    try:
        queries.get_notice(session, notice_id, user)
    except NotFound:
        return False
    return True


def test_a_role_less_reader_of_the_收文_reads_the_notice_it_came_from(
        sent_to_the_vice_chair, session):
    w, incoming = sent_to_the_vice_chair
    assert w.vice_chair.grants == []
    assert _sees(session, w.vice_chair, incoming.notice_id)
    assert may(w.vice_chair, Right.VIEW_NOTICE, notice=incoming.notice)
    assert [s.id for s in queries.notice_summaries(session, w.vice_chair)] == [incoming.notice_id]


def test_the_reader_sees_the_notice_read_only_no_receipt_report_or_action(
        sent_to_the_vice_chair, session):
    w, incoming = sent_to_the_vice_chair
    notice = incoming.notice
    assert queries.receipts(session, notice.id, w.vice_chair) == []
    assert queries.reports(session, notice.id, w.vice_chair) == []
    assert permissions.available_actions(w.vice_chair, notice) == []
    assert not queries.notices.reading_due(session, w.vice_chair, notice.id)


def test_a_recalled_copy_reads_nothing_any_more(sent_to_the_vice_chair, session):
    w, incoming = sent_to_the_vice_chair
    copy = session.scalar(select(Circulation).where(Circulation.reader_id == w.vice_chair.id))
    c.recall(session, w.chair, circulation_id=copy.id, now=at(2.3))
    session.commit()
    assert not _sees(session, w.vice_chair, incoming.notice_id)
    assert not may(w.vice_chair, Right.VIEW_NOTICE, notice=incoming.notice)


def test_the_reader_of_one_收文_reads_no_other_notice(sent_to_the_vice_chair, session):
    w, _incoming = sent_to_the_vice_chair
    other = notice_in(w, NoticeState.ISSUED)
    session.commit()
    assert not _sees(session, w.vice_chair, other.id)
    assert not may(w.vice_chair, Right.VIEW_NOTICE, notice=other)


def test_a_department_of_the_receiving_unit_reads_the_notice_and_a_stranger_department_does_not(
        sent_to_the_vice_chair, session):
    w, incoming = sent_to_the_vice_chair
    assert _sees(session, w.propaganda, incoming.notice_id)  # 宣传部 of district 1
    assert may(w.propaganda, Right.VIEW_NOTICE, notice=incoming.notice)
    assert not _sees(session, w.stranger_handler, incoming.notice_id)  # a department of district 2
    assert not may(w.stranger_handler, Right.VIEW_NOTICE, notice=incoming.notice)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY_OFFICER, Role.AUDITOR])
def test_an_administrator_sent_a_copy_still_reads_no_notice(sent_to_the_vice_chair, session,
                                                             role):
    w, incoming = sent_to_the_vice_chair
    c.grant_role(session, None, user_id=w.vice_chair.id, role=role, unit_id=w.issuer.id)
    session.commit()
    assert not _sees(session, w.vice_chair, incoming.notice_id)
    assert not may(w.vice_chair, Right.VIEW_NOTICE, notice=incoming.notice)
