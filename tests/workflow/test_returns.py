"""退文处理: a notice a unit returned as misdirected is a task for the issuing unit's clerk, who
sends it to the right unit (改发), sends it again to the same unit (补发), or agrees (确认退回);
the unit that returned it is told what became of it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import at, notice_in, receipts_of, refused, reports_of
from workflow import commands as c
from workflow.errors import Forbidden, InvalidInput, InvalidState, NotFound
from workflow.invariants import check as check_invariants
from workflow.models import AuditEntry, Notification
from workflow.queries.inbox import inbox
from workflow.queries.returns import return_sheet
from workflow.states import NoticeState as NS
from workflow.states import ReceiptAction as RA
from workflow.states import ReceiptState as RS
from workflow.states import RecipientKind, Role
from workflow.states import ReportState as PS


def _to_two_districts(world):
    """A notice to the first two districts only (the third is where a 改发 may go), with one
    report request; the second district returns it."""
    d1, d2, d3 = world.districts
    notice = notice_in(world, NS.ISSUED, main_group_ids=[], main_unit_ids=[d1.id, d2.id])
    receipt = next(r for r in receipts_of(world, notice) if r.unit_id == d2.id)
    c.reject(world.session, world.receiver2, receipt_id=receipt.id, reason="本区不承担该项工作",
             now=at(1.5))
    return notice, receipt


def _messages(session, user, notice_id):
    return [n.message for n in session.scalars(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.notice_id == notice_id)
        .order_by(Notification.id))]


def test_a_return_is_a_task_in_the_issuing_clerks_inbox_with_three_answers(world, session):
    notice, receipt = _to_two_districts(world)
    tasks = [t for t in inbox(session, world.clerk, now=at(2)).tasks if t.kind == "misdirected"]
    assert [(t.notice_id, t.object_id, t.unit) for t in tasks] == [
        (notice.id, receipt.id, "示范市第2区妇联")]
    sheet = return_sheet(session, world.clerk, receipt.id)
    assert sheet.actions == [RA.REDIRECT, RA.RESEND, RA.CONFIRM_RETURN]
    assert sheet.reason == "本区不承担该项工作"
    assert sheet.choices == [(world.districts[2].id, "示范市第3区妇联")]


def test_redirecting_gives_the_right_unit_its_own_receipt_and_reports(world, session):
    notice, receipt = _to_two_districts(world)
    d3 = world.districts[2]
    new = c.redirect_return(session, world.clerk, receipt_id=receipt.id, unit_id=d3.id,
                            note="应由第3区承办", now=at(2))
    session.refresh(receipt)
    assert receipt.state == RS.REDIRECTED
    assert (new.unit_id, new.kind, new.state) == (d3.id, RecipientKind.MAIN, RS.PENDING)
    third = [r for r in reports_of(world, notice) if r.unit_id == d3.id]
    assert [(r.request.what, r.state) for r in third] == [("调研报告", PS.DUE)]
    # The new unit signs for it and reports like any other.
    c.acknowledge(session, world.receiver3, receipt_id=new.id, now=at(2.1))
    c.submit_report(session, world.receiver3, report_id=third[0].id, text="调研报告", now=at(2.2))
    assert "待签收（改发）" in _messages(session, world.receiver3, notice.id)[0]
    assert _messages(session, world.receiver2, notice.id)[-1].endswith(
        "发文单位已改发示范市第3区妇联，贵单位无需办理")
    entry = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "receipt.REDIRECT")).one()
    assert (entry.object_id, entry.details["to_unit"], entry.note) == (
        receipt.id, "示范市第3区妇联", "应由第3区承办")
    assert check_invariants(session) == []


def test_resending_to_the_same_unit_makes_it_sign_and_report_again(world, session,
                                                                  session_factory):
    notice, receipt = _to_two_districts(world)
    refused(session, session_factory, lambda: c.resend_return(
        session, world.clerk, receipt_id=receipt.id, reason="  ", now=at(2)),
        kind=InvalidInput, containing="理由")
    c.resend_return(session, world.clerk, receipt_id=receipt.id,
                    reason="通知第二条明确由各区承办", now=at(2))
    session.refresh(receipt)
    assert (receipt.state, receipt.reason, receipt.acted_at) == (RS.PENDING, None, None)
    report = next(r for r in reports_of(world, notice) if r.unit_id == world.districts[1].id)
    assert report.state == PS.DUE
    assert "发文单位说明：通知第二条明确由各区承办" in _messages(
        session, world.receiver2, notice.id)[-1]
    c.acknowledge(session, world.receiver2, receipt_id=receipt.id, now=at(2.5))
    assert check_invariants(session) == []


def test_confirming_the_return_closes_the_units_obligations_and_may_close_the_notice(
        world, session):
    notice, receipt = _to_two_districts(world)
    first = next(r for r in receipts_of(world, notice) if r.unit_id == world.districts[0].id)
    c.acknowledge(session, world.receiver1, receipt_id=first.id, now=at(1.6))
    report = next(r for r in reports_of(world, notice) if r.unit_id == world.districts[0].id)
    c.submit_report(session, world.receiver1, report_id=report.id, text="报告", now=at(1.7))
    c.accept_report(session, world.supervisor, report_id=report.id, now=at(1.8))
    session.refresh(notice)
    assert notice.state == NS.ISSUED  # the return still waits for the clerk
    c.confirm_return(session, world.clerk, receipt_id=receipt.id, now=at(2))
    session.refresh(receipt), session.refresh(notice)
    assert (receipt.state, notice.state) == (RS.RETURN_CONFIRMED, NS.CLOSED)
    assert _messages(session, world.receiver2, notice.id)[-1].endswith(
        "发文单位已确认退回，贵单位无需办理")
    assert [t for t in inbox(session, world.clerk, now=at(3)).tasks
            if t.kind == "misdirected"] == []
    assert check_invariants(session) == []


def test_only_the_issuing_units_clerk_may_answer_a_return(world, session, session_factory):
    _, receipt = _to_two_districts(world)
    from tests.workflow.test_permissions import another_federation
    _, _, foreign = another_federation(session)
    roleless = c.create_user(session, None, username="nobody", display_name="无角色",
                             unit_id=world.issuer.id)
    session.commit()
    strangers = [world.receiver2, world.receiver1, world.supervisor, world.signatory,
                 world.admin, foreign[Role.CLERK], roleless]
    for who in strangers:
        for call in (
            lambda: c.redirect_return(session, who, receipt_id=receipt.id,
                                      unit_id=world.districts[2].id, now=at(2)),
            lambda: c.resend_return(session, who, receipt_id=receipt.id, reason="确属贵单位",
                                    now=at(2)),
            lambda: c.confirm_return(session, who, receipt_id=receipt.id, now=at(2)),
        ):
            refused(session, session_factory, call, kind=Forbidden)
        with pytest.raises(NotFound):
            return_sheet(session, who, receipt.id)


def test_a_redirect_goes_only_to_a_unit_of_the_issuers_federation_not_yet_sent_to(
        world, session, session_factory):
    from tests.workflow.test_permissions import another_federation
    _, district, _ = another_federation(session)
    _, receipt = _to_two_districts(world)
    cases = [(district.id, "不属于本系统"), (world.districts[0].id, "已在该公文的发送范围内"),
             (world.districts[1].id, "已在该公文的发送范围内"), (world.issuer.id, "发文单位自己"),
             (10**9, "找不到"), (10**30, "请选择"), (True, "请选择"), ("3", "请选择")]
    for unit_id, says in cases:
        refused(session, session_factory, lambda u=unit_id: c.redirect_return(
            session, world.clerk, receipt_id=receipt.id, unit_id=u, now=at(2)),
            kind=InvalidInput, containing=says)


def test_a_return_answered_once_cannot_be_answered_again(world, session, session_factory):
    _, receipt = _to_two_districts(world)
    c.confirm_return(session, world.clerk, receipt_id=receipt.id, now=at(2))
    for call in (
        lambda: c.redirect_return(session, world.clerk, receipt_id=receipt.id,
                                  unit_id=world.districts[2].id, now=at(3)),
        lambda: c.resend_return(session, world.clerk, receipt_id=receipt.id, reason="确属贵单位",
                                now=at(3)),
        lambda: c.confirm_return(session, world.clerk, receipt_id=receipt.id, now=at(3)),
    ):
        refused(session, session_factory, call, kind=InvalidState, containing="已确认退回")


def test_after_an_early_close_the_clerk_may_still_agree_but_not_send_it_on(world, session,
                                                                          session_factory):
    notice, receipt = _to_two_districts(world)
    c.close(session, world.supervisor, notice_id=notice.id, reason="工作已完成", now=at(2))
    refused(session, session_factory, lambda: c.redirect_return(
        session, world.clerk, receipt_id=receipt.id, unit_id=world.districts[2].id, now=at(3)),
        kind=InvalidState)
    assert return_sheet(session, world.clerk, receipt.id).actions == [RA.CONFIRM_RETURN]
    c.confirm_return(session, world.clerk, receipt_id=receipt.id, now=at(3))


def test_the_clerks_notification_of_the_return_clears_once_answered(world, session):
    notice, receipt = _to_two_districts(world)
    unread = select(Notification).where(Notification.user_id == world.clerk.id,
                                        Notification.kind == "rejected",
                                        Notification.read_at.is_(None))
    assert [n.target for n in session.scalars(unread)] == [f"handle_return:{receipt.id}"]
    c.redirect_return(session, world.clerk, receipt_id=receipt.id,
                      unit_id=world.districts[2].id, now=at(2))
    assert list(session.scalars(unread)) == []


def test_a_control_character_in_an_explanation_is_refused_and_nothing_is_sent(
        world, session, session_factory):
    _, receipt = _to_two_districts(world)
    for call in (
        lambda: c.resend_return(session, world.clerk, receipt_id=receipt.id,
                                reason="确属贵单位\x00", now=at(2)),
        lambda: c.confirm_return(session, world.clerk, receipt_id=receipt.id,
                                 note="同意\x1b[31m", now=at(2)),
        lambda: c.redirect_return(session, world.clerk, receipt_id=receipt.id,
                                  unit_id=world.districts[2].id, note="\x07", now=at(2)),
    ):
        refused(session, session_factory, call, kind=InvalidInput, containing="控制字符")
