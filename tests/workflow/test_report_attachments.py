"""A report's files while it may still be submitted: a returned report can drop the 附件 it was
first sent with (issue 15) — by its unit's 收文员 only, audited; never once it is accepted."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.factories import at, notice_in, receipts_of, refused, reports_of
from workflow import commands as c
from workflow.attachments import AttachmentStore
from workflow.errors import Forbidden, InvalidState, NotFound, WorkflowError
from workflow.models import Attachment, AuditEntry
from workflow.states import NoticeState, Role


@pytest.fixture
def returned(world, session, tmp_path):
    """District 1's report, submitted with 旧数据.txt and returned for revision; and the file."""
    w = world
    notice = notice_in(w, NoticeState.ISSUED)
    receipt = next(r for r in receipts_of(w, notice) if r.unit_id == w.districts[0].id)
    report = next(r for r in reports_of(w, notice) if r.unit_id == w.districts[0].id)
    c.acknowledge(session, w.receiver1, receipt_id=receipt.id, now=at(1.5))
    store = AttachmentStore(tmp_path / "files")
    stored = store.save(io.BytesIO("旧的统计数据".encode()), "旧数据.txt", session=session)
    c.submit_report(session, w.receiver1, report_id=report.id, text="初稿", attachments=[stored],
                    now=at(2))
    c.return_report(session, w.supervisor, report_id=report.id, reason="数据有误", now=at(3))
    session.commit()
    attachment = session.scalar(select(Attachment).where(Attachment.report_id == report.id))
    return report, attachment, notice


def test_the_units_receiver_drops_a_returned_reports_earlier_file_and_it_is_audited(
        world, session, returned):
    report, attachment, _ = returned
    c.remove_report_attachment(session, world.receiver1, report_id=report.id,
                               attachment_id=attachment.id, now=at(4))
    assert session.scalar(select(Attachment).where(Attachment.report_id == report.id)) is None
    entry = session.scalar(select(AuditEntry).where(
        AuditEntry.action == "report.REMOVE_ATTACHMENT"))
    assert (entry.object_id, entry.actor_name, entry.on_behalf_of) == (
        report.id, world.receiver1.display_name, "示范市第1区妇联")
    assert entry.details["filename"] == "旧数据.txt"
    # The report is submitted again without it.
    c.submit_report(session, world.receiver1, report_id=report.id, text="修改稿", now=at(5))


def test_nobody_else_drops_a_reports_file(world, session, session_factory, returned):
    report, attachment, _ = returned
    nobody = c.create_user(session, None, username="nobody", display_name="无角色",
                           unit_id=world.districts[0].id)
    other = c.create_unit(session, None, name="另一市妇女联合会", doc_code="另妇发")
    stranger = c.create_user(session, None, username="stranger", display_name="外单位收文",
                             unit_id=other.id)
    c.grant_role(session, None, user_id=stranger.id, role=Role.RECEIVER, unit_id=other.id)
    session.commit()
    for actor in (world.receiver2, world.supervisor, world.users["admin"], nobody, stranger):
        refused(session, session_factory, lambda actor=actor: c.remove_report_attachment(
            session, actor, report_id=report.id, attachment_id=attachment.id, now=at(4)),
            kind=Forbidden)


def test_a_file_of_another_report_or_a_notice_is_not_this_reports(world, session,
                                                                 session_factory, returned):
    report, _, notice = returned
    other = next(r for r in reports_of(world, notice) if r.unit_id == world.districts[1].id)
    for attachment_id in (987654, 2**63):
        refused(session, session_factory, lambda a=attachment_id: c.remove_report_attachment(
            session, world.receiver1, report_id=report.id, attachment_id=a), kind=NotFound)
    refused(session, session_factory, lambda: c.remove_report_attachment(
        session, world.receiver2, report_id=other.id,
        attachment_id=returned[1].id), kind=WorkflowError)


def test_an_accepted_reports_file_stays(world, session, session_factory, returned):
    report, attachment, _ = returned
    c.submit_report(session, world.receiver1, report_id=report.id, text="修改稿", now=at(4))
    c.accept_report(session, world.supervisor, report_id=report.id, now=at(5))
    session.commit()
    refused(session, session_factory, lambda: c.remove_report_attachment(
        session, world.receiver1, report_id=report.id, attachment_id=attachment.id),
        kind=InvalidState)
