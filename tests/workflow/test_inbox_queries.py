"""我的待办: each person sees what waits for them across their roles, most urgent first."""

from __future__ import annotations

import datetime as dt

from tests.factories import at, draft, notice_in, receipts_of, reports_of
from workflow import commands as c
from workflow.queries.inbox import inbox
from workflow.states import NoticeState, Urgency


def kinds(box) -> list[str]:
    return [t.kind for t in box.tasks]


def test_a_returned_draft_waits_for_its_drafter_and_only_them(world, session):
    n = notice_in(world, NoticeState.IN_REVIEW)
    c.return_for_revision(session, world.reviewer, notice_id=n.id, reason="请补充数据", now=at(1))
    assert kinds(inbox(session, world.drafter, now=at(2))) == ["returned"]
    assert kinds(inbox(session, world.drafter2, now=at(2))) == []


def test_each_desk_sees_the_notices_waiting_at_its_step(world, session):
    notice_in(world, NoticeState.IN_REVIEW)
    notice_in(world, NoticeState.AWAITING_SIGNOFF)
    notice_in(world, NoticeState.SIGNED)
    assert kinds(inbox(session, world.reviewer, now=at(2))) == ["review"]
    assert kinds(inbox(session, world.signatory, now=at(2))) == ["sign"]
    assert kinds(inbox(session, world.clerk, now=at(2))) == ["issue"]


def test_a_receiver_is_asked_to_sign_for_then_to_report_and_is_told_when_it_is_late(world, session):
    n = notice_in(world, NoticeState.ISSUED)
    assert sorted(kinds(inbox(session, world.receiver1, now=at(2)))) == ["acknowledge", "report"]
    receipt = next(r for r in receipts_of(world, n) if r.unit_id == world.districts[0].id)
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(2))
    late = inbox(session, world.receiver1, now=dt.datetime(2016, 5, 3, 2))
    [task] = late.tasks
    assert (task.kind, task.days_left, task.overdue) == ("report", -3, True)
    assert late.counts["overdue"] == 1


def test_a_supervisor_is_asked_to_check_submitted_reports_and_sees_overdue_ones(world, session):
    n = notice_in(world, NoticeState.ISSUED)
    first = next(r for r in reports_of(world, n) if r.unit_id == world.districts[0].id)
    receipt = next(r for r in receipts_of(world, n) if r.unit_id == world.districts[0].id)
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(2))
    c.submit_report(session, world.receiver1, report_id=first.id, text="报告", now=at(3))
    box = inbox(session, world.supervisor, now=dt.datetime(2016, 5, 3, 2))
    assert sorted(kinds(box)) == ["check", "overdue", "overdue"]
    assert set(box.counts) == {"check", "overdue"}  # only the kinds a supervisor handles


def test_very_urgent_notices_come_first(world, session):
    normal = draft(world, title="关于普通事项的通知")
    urgent = draft(world, title="关于紧急事项的通知", urgency=Urgency.VERY_URGENT)
    for n in (normal, urgent):
        c.submit(session, world.drafter, notice_id=n.id, now=at(0.5))
    assert [t.notice_id for t in inbox(session, world.reviewer, now=at(1)).tasks] == [
        urgent.id, normal.id]
