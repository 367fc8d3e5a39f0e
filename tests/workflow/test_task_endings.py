"""Loops that end somewhere: a task's notification clears itself once the task is done, whoever
did it; units whose outstanding work an early 办结 waived are told so; a stale action is told
what happened instead of "已被他人处理"."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import at, notice_in, receipts_of, refused, reports_of
from workflow import commands as c
from workflow.errors import Conflict
from workflow.models import Notification
from workflow.queries.receiving import desk, report_for_unit
from workflow.states import NoticeState as NS


def unread(session, user, kind: str | None = None) -> list[str]:
    query = select(Notification.message).where(Notification.user_id == user.id,
                                               Notification.read_at.is_(None))
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(session.scalars(query.order_by(Notification.id)))


def test_a_please_check_notification_clears_once_anyone_has_checked_the_report(world, session):
    notice = notice_in(world, NS.ISSUED)
    receipt = next(r for r in receipts_of(world, notice) if r.unit_id == world.districts[0].id)
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(1.5))
    report = next(r for r in reports_of(world, notice) if r.unit_id == world.districts[0].id)
    c.submit_report(session, world.receiver1, report_id=report.id, text="报告", now=at(1.6))
    assert unread(session, world.supervisor, "task") == ["示范市第1区妇联上报了“调研报告”，请审核"]
    c.accept_report(session, world.supervisor, report_id=report.id, now=at(1.7))
    assert unread(session, world.supervisor, "task") == []


def test_each_step_of_a_draft_clears_the_task_of_the_step_before(world, session):
    notice = notice_in(world, NS.IN_REVIEW)
    assert len(unread(session, world.reviewer, "task")) == 1
    c.pass_review(session, world.reviewer, notice_id=notice.id, now=at(0.5))
    assert unread(session, world.reviewer, "task") == []
    assert len(unread(session, world.signatory, "task")) == 1
    c.sign(session, world.signatory, notice_id=notice.id, opinion="同意", now=at(0.6))
    assert unread(session, world.signatory, "task") == []
    assert len(unread(session, world.clerk, "task")) == 1
    c.issue(session, world.clerk, notice_id=notice.id, now=at(1))
    assert unread(session, world.clerk, "task") == []


def test_signing_for_receipt_clears_the_units_to_sign_notification(world, session):
    notice = notice_in(world, NS.ISSUED)
    receipt = next(r for r in receipts_of(world, notice) if r.unit_id == world.districts[0].id)
    assert unread(session, world.receiver1, "task") == [f"待签收：{notice.doc_number} {notice.title}"]
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(1.5))
    assert unread(session, world.receiver1, "task") == []
    assert len(unread(session, world.receiver2, "task")) == 1  # another unit's is still to do


def test_an_early_close_tells_the_units_it_waived_already_closed_nothing_to_report(world,
                                                                                  session):
    notice = notice_in(world, NS.ISSUED)
    d1, d2, d3 = world.districts
    for receiver, unit in ((world.receiver1, d1), (world.receiver2, d2)):
        receipt = next(r for r in receipts_of(world, notice) if r.unit_id == unit.id)
        c.acknowledge(session, receiver, receipt_id=receipt.id, now=at(1.5))
    first = next(r for r in reports_of(world, notice) if r.unit_id == d1.id)
    c.submit_report(session, world.receiver1, report_id=first.id, text="报告", now=at(1.6))
    c.accept_report(session, world.supervisor, report_id=first.id, now=at(1.7))
    c.close(session, world.supervisor, notice_id=notice.id, reason="工作已完成", now=at(2))
    told = f"{notice.doc_number}《{notice.title}》已办结，免报：贵单位尚未办理的签收和上报不再需要。"
    assert unread(session, world.receiver2, "closed") == [told]  # signed, report still due
    assert unread(session, world.receiver3, "closed") == [told]  # had not even signed
    assert unread(session, world.receiver1, "closed") == []  # had done everything
    # Their 待签收 is no longer a task either.
    assert unread(session, world.receiver3, "task") == []
    second = next(r for r in reports_of(world, notice) if r.unit_id == d2.id)
    page = report_for_unit(session, world.receiver2, second.id, now=at(3))
    assert page.waived and not page.can_submit
    handled = {h.what: h.state_label for unit in desk(session, world.receiver2, now=at(3))
               for h in unit.handled if h.kind == "report"}
    assert handled == {"调研报告": "已办结，免报"}


def test_a_stale_action_says_who_did_what_and_when(world, session, session_factory):
    notice = notice_in(world, NS.ISSUED)
    receipt = next(r for r in receipts_of(world, notice) if r.unit_id == world.districts[0].id)
    seen = receipt.version
    c.reject(session, world.receiver1, receipt_id=receipt.id, reason="误送",
             expected_version=seen, now=at(1.5))
    message = refused(session, session_factory, lambda: c.acknowledge(
        session, world.receiver1, receipt_id=receipt.id, expected_version=seen, now=at(1.6)),
        kind=Conflict)
    assert message.startswith("示范市第1区妇联的receiver1已于")
    assert "退回（误送）该收文，请查看最新情况后再办理" in message
    assert "已被他人处理" not in message


def test_a_stale_draft_edit_names_the_drafters_withdrawal(world, session, session_factory):
    notice = notice_in(world, NS.IN_REVIEW)
    seen = notice.version
    c.withdraw(session, world.drafter, notice_id=notice.id, now=at(0.4))
    message = refused(session, session_factory, lambda: c.pass_review(
        session, world.reviewer, notice_id=notice.id, expected_version=seen, now=at(0.5)),
        kind=Conflict)
    assert message.startswith("drafter已于") and "撤回该公文" in message
