"""我的待办: each person sees what waits for them across their roles, most urgent first."""

from __future__ import annotations

import datetime as dt

from tests.factories import at, draft, notice_in, receipts_of, reports_of
from workflow import commands as c
from workflow.queries.inbox import inbox
from workflow.states import NoticeState, Urgency
from workflow.states import NoticeState as NS


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
    # Late: the reports of districts 2 and 3, and their signatures (due 2016-03-11) — one task
    # for the two late reports and one for the two missing signatures.
    assert sorted(kinds(box)) == ["check", "overdue", "overdue"]
    assert sorted(t.reports for t in box.tasks if t.kind == "overdue") == [False, True]
    assert set(box.counts) == {"check", "overdue"}  # only the kinds a supervisor handles
    assert box.counts["overdue"] == 2


def test_a_supervisor_sees_one_task_per_notice_for_its_late_units_not_one_per_unit(world, session):
    n = notice_in(world, NoticeState.ISSUED)  # to three districts, one report each
    other = notice_in(world, NoticeState.ISSUED, title="关于另一事项的通知")
    receipt = next(r for r in receipts_of(world, n) if r.unit_id == world.districts[0].id)
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(2))
    box = inbox(session, world.supervisor, now=dt.datetime(2016, 5, 3, 2))
    late = {(t.notice_id, t.reports): t for t in box.tasks if t.kind == "overdue"}
    assert sorted(late) == sorted([(n.id, False), (n.id, True), (other.id, False),
                                   (other.id, True)])
    assert late[(n.id, False)].units == ("示范市第2区妇联", "示范市第3区妇联")
    assert late[(n.id, True)].units == ("示范市第1区妇联", "示范市第2区妇联", "示范市第3区妇联")
    assert len(late[(other.id, False)].units) == 3
    # The task leads to the notice (its tracking page), and says which request is late.
    task = late[(n.id, True)]
    assert (task.object_id, task.unit, task.overdue) == (n.id, None, True)
    assert task.what == "调研报告"


def test_very_urgent_notices_come_first(world, session):
    normal = draft(world, title="关于普通事项的通知")
    urgent = draft(world, title="关于紧急事项的通知", urgency=Urgency.VERY_URGENT)
    for n in (normal, urgent):
        c.submit(session, world.drafter, notice_id=n.id, now=at(0.5))
    assert [t.notice_id for t in inbox(session, world.reviewer, now=at(1)).tasks] == [
        urgent.id, normal.id]


def test_signing_for_receipt_has_its_deadline_for_a_main_recipient_only(world, session):
    notice_in(world, NS.ISSUED, requests=[])  # issued 2016-03-08: due for signing on 3-11
    (task,) = inbox(session, world.receiver1, now=at(1.5)).tasks
    assert (task.kind, task.due_date, task.deadline.label) == (
        "acknowledge", dt.date(2016, 3, 11), "还剩3天")
    (copy,) = inbox(session, world.cc_receiver, now=at(1.5)).tasks
    assert copy.due_date is None and not copy.overdue
    late = inbox(session, world.receiver1, now=at(5))  # 2016-03-12
    assert late.tasks[0].deadline.label == "已逾期1天" and late.counts["overdue"] == 1
    assert inbox(session, world.cc_receiver, now=at(5)).counts == {
        "acknowledge": 1, "report": 0, "overdue": 0}


def test_a_draft_not_yet_submitted_waits_for_its_own_drafter_until_it_is_submitted(world, session):
    n = draft(world, title="关于尚未提交的事项的通知")
    assert kinds(inbox(session, world.drafter, now=at(0.5))) == ["draft"]
    assert kinds(inbox(session, world.drafter2, now=at(0.5))) == []
    assert inbox(session, world.drafter, now=at(0.5)).counts["draft"] == 1
    c.submit(session, world.drafter, notice_id=n.id, now=at(0.6))
    assert kinds(inbox(session, world.drafter, now=at(0.7))) == []


def test_a_cancelled_draft_waits_for_nobody(world, session):
    notice_in(world, NS.CANCELLED)
    assert kinds(inbox(session, world.drafter, now=at(1))) == []


def test_a_closed_revoked_or_abolished_notice_waits_for_the_clerk_to_archive_it(world, session):
    closed = notice_in(world, NS.CLOSED, requests=[])
    revoked = notice_in(world, NS.REVOKED, requests=[])
    abolished = notice_in(world, NS.ABOLISHED, requests=[])
    box = inbox(session, world.clerk, now=at(4))
    assert sorted((t.kind, t.notice_id) for t in box.tasks) == sorted(
        [("archive", closed.id), ("archive", revoked.id), ("archive", abolished.id)])
    assert box.counts["archive"] == 3
    c.archive(session, world.clerk, notice_id=closed.id, retention="Y10", now=at(5))
    assert sorted(t.notice_id for t in inbox(session, world.clerk, now=at(6)).tasks) == sorted(
        [revoked.id, abolished.id])


def test_an_issued_notice_does_not_wait_for_archiving(world, session):
    notice_in(world, NS.ISSUED, requests=[])
    assert "archive" not in kinds(inbox(session, world.clerk, now=at(2)))
