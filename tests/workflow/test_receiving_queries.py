"""The 收文 desk's read side: what a receiver's units must sign for and report, read against now."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import at, notice_in, receipts_of, reports_of
from tests.statements import statements_run
from workflow import commands as c
from workflow.attachments import StoredFile
from workflow.errors import NotFound
from workflow.models import Attachment, User
from workflow.queries import receiving as receiving_queries
from workflow.states import NoticeState as NS
from workflow.states import Role, Urgency


def _receipt(w, notice, unit):
    return next(r for r in receipts_of(w, notice) if r.unit_id == unit.id)


def _report(w, notice, unit):
    return next(r for r in reports_of(w, notice) if r.unit_id == unit.id)


def _only(desks):
    assert len(desks) == 1
    return desks[0]


@pytest.mark.parametrize(("due", "now", "label", "tone"), [
    (None, at(1), "无固定期限（及时报送）", "none"),
    (dt.date(2016, 3, 20), at(1), "还剩12天", "open"),
    (dt.date(2016, 3, 10), at(1), "还剩2天", "soon"),
    (dt.date(2016, 3, 8), at(1), "今天截止", "today"),
    (dt.date(2016, 3, 7), at(1), "已逾期1天", "overdue"),
    # 2016-03-08 16:30 UTC is already 2016-03-09 00:30 in Beijing: the due day has passed.
    (dt.date(2016, 3, 8), dt.datetime(2016, 3, 8, 16, 30), "已逾期1天", "overdue"),
])
def test_a_deadline_reads_as_days_left_today_or_overdue_in_beijing_time(due, now, label, tone):
    deadline = receiving_queries.deadline(due, receiving_queries.today_of(now))
    assert (deadline.label, deadline.tone) == (label, tone)
    assert deadline.overdue == (tone == "overdue")


def test_the_desk_lists_a_notice_to_sign_for_with_what_the_engine_allows(world, session):
    notice = notice_in(world, NS.ISSUED)
    desk = _only(receiving_queries.desk(session, world.receiver1, now=at(1.5)))
    assert desk.unit_name == world.districts[0].name
    (item,) = desk.to_sign
    assert (item.notice_id, item.title, item.doc_number) == (notice.id, notice.title,
                                                             notice.doc_number)
    assert item.receipt_id == _receipt(world, notice, world.districts[0]).id
    assert item.actions == {"ACKNOWLEDGE", "REJECT"}
    assert (item.kind_label, item.reports) == ("主送", 1)


def test_a_copy_recipient_only_signs_for_it(world, session):
    notice_in(world, NS.ISSUED)
    desk = _only(receiving_queries.desk(session, world.cc_receiver, now=at(1.5)))
    (item,) = desk.to_sign
    assert (item.kind_label, item.reports) == ("抄送", 0)
    assert desk.due == []


def test_a_closed_notice_may_still_be_signed_for_but_not_returned(world, session):
    notice_in(world, NS.CLOSED)
    desk = _only(receiving_queries.desk(session, world.cc_receiver, now=at(3)))
    assert [i.actions for i in desk.to_sign] == [{"ACKNOWLEDGE"}]


def test_a_report_is_due_with_its_deadline_but_needs_the_signature_first(world, session):
    notice = notice_in(world, NS.ISSUED)
    (due,) = _only(receiving_queries.desk(session, world.receiver1, now=at(1.5))).due
    assert (due.what, due.to_whom, due.deadline.due_date) == ("调研报告", "市妇联",
                                                             dt.date(2016, 4, 30))
    assert due.deadline.label == "还剩53天"
    assert (due.signed_for, due.can_submit) == (False, False)

    c.acknowledge(session, world.receiver1,
                  receipt_id=_receipt(world, notice, world.districts[0]).id, now=at(1.5))
    desk = _only(receiving_queries.desk(session, world.receiver1, now=at(1.6)))
    assert desk.to_sign == []
    assert [(d.signed_for, d.can_submit) for d in desk.due] == [(True, True)]


def test_overdue_reports_come_first_and_a_returned_one_says_why(world, session):
    later = notice_in(world, NS.ISSUED, title="关于较晚截止的通知")
    sooner = notice_in(world, NS.ISSUED, title="关于较早截止的通知", requests=[
        {"what": "统计表", "due_date": dt.date(2016, 3, 20), "to_whom": "市妇联"}])
    d1 = world.districts[0]
    for notice in (later, sooner):
        c.acknowledge(session, world.receiver1, receipt_id=_receipt(world, notice, d1).id,
                      now=at(1.5))
    report = _report(world, sooner, d1)
    c.submit_report(session, world.receiver1, report_id=report.id, text="初稿", now=at(2))
    c.return_report(session, world.supervisor, report_id=report.id, reason="请补充数据",
                    now=at(3))

    desk = _only(receiving_queries.desk(session, world.receiver1, now=at(20)))  # 2016-03-27
    assert [d.what for d in desk.due] == ["统计表", "调研报告"]
    first = desk.due[0]
    assert (first.deadline.label, first.returned, first.return_reason) == (
        "已逾期7天", True, "请补充数据")
    assert (desk.overdue, desk.returned) == (1, 1)


def test_recently_handled_lists_signatures_and_reports_newest_first(world, session):
    notice = notice_in(world, NS.ISSUED)
    d1 = world.districts[0]
    c.acknowledge(session, world.receiver1, receipt_id=_receipt(world, notice, d1).id,
                  now=at(1.5))
    c.submit_report(session, world.receiver1, report_id=_report(world, notice, d1).id,
                    text="报告", now=at(2))
    other = notice_in(world, NS.ISSUED, title="关于误送的通知")
    c.reject(session, world.receiver1, receipt_id=_receipt(world, other, d1).id,
             reason="非本单位业务", now=at(3))

    handled = _only(receiving_queries.desk(session, world.receiver1, now=at(4))).handled
    assert [(h.kind, h.state_label, h.at) for h in handled] == [
        ("receipt", "已退回", at(3)), ("report", "已上报", at(2)), ("receipt", "已签收", at(1.5))]
    assert handled[0].note == "非本单位业务"


def test_a_receiver_of_two_units_sees_each_units_desk(world, session):
    notice_in(world, NS.ISSUED)
    c.grant_role(session, None, user_id=world.receiver1.id, role=Role.RECEIVER,
                 unit_id=world.districts[1].id)
    desks = receiving_queries.desk(session, world.receiver1, now=at(1.5))
    assert [d.unit_id for d in desks] == [world.districts[0].id, world.districts[1].id]
    assert [len(d.to_sign) for d in desks] == [1, 1]


def test_someone_without_the_receiver_role_has_no_desk(world, session):
    notice_in(world, NS.ISSUED)
    assert receiving_queries.desk(session, world.supervisor) == []


def count_statements(engine, session, call) -> int:
    """How many SQL statements `call` runs on a fresh session state."""
    session.rollback()  # each call begins its own transaction
    session.expunge_all()
    with statements_run(engine) as seen:
        call()
    return len(seen)


def test_the_desk_takes_the_same_statements_for_one_notice_as_for_five(world, session, engine):
    receiver = world.receiver1.id

    def desk():
        receiving_queries.desk(session, session.get(User, receiver), now=at(1.5))

    notice_in(world, NS.ISSUED, urgency=Urgency.URGENT)
    session.commit()
    one = count_statements(engine, session, desk)
    for i in range(4):
        notice_in(world, NS.ISSUED, title=f"关于第{i}次调研的通知")
    session.commit()
    five = count_statements(engine, session, desk)
    assert one == five <= 10, (one, five)


def test_a_report_of_another_unit_is_not_found(world, session):
    notice = notice_in(world, NS.ISSUED)
    report = _report(world, notice, world.districts[0])
    assert receiving_queries.report_for_unit(session, world.receiver1, report.id).report is report
    with pytest.raises(NotFound, match="无权查看"):
        receiving_queries.report_for_unit(session, world.receiver2, report.id)
    receipt = _receipt(world, notice, world.districts[0])
    with pytest.raises(NotFound, match="无权办理"):
        receiving_queries.receipt_title_for_unit(session, world.receiver2, receipt.id)
    assert receiving_queries.receipt_title_for_unit(session, world.receiver1,
                                                    receipt.id) == notice.title


def test_the_report_page_offers_submitting_only_once_signed_for(world, session):
    notice = notice_in(world, NS.ISSUED)
    d1 = world.districts[0]
    report = _report(world, notice, d1)
    page = receiving_queries.report_for_unit(session, world.receiver1, report.id, now=at(1.5))
    assert (page.signed_for, page.can_submit, page.receipt_actions) == (
        False, False, {"ACKNOWLEDGE", "REJECT"})
    c.acknowledge(session, world.receiver1, receipt_id=_receipt(world, notice, d1).id,
                  now=at(1.5))
    page = receiving_queries.report_for_unit(session, world.receiver1, report.id, now=at(1.6))
    assert (page.signed_for, page.can_submit, page.deadline.label) == (True, True, "还剩53天")


def test_a_report_file_is_found_only_for_its_own_unit(world, session):
    notice = notice_in(world, NS.ISSUED)
    d1 = world.districts[0]
    c.acknowledge(session, world.receiver1, receipt_id=_receipt(world, notice, d1).id,
                  now=at(1.5))
    report = c.submit_report(session, world.receiver1, report_id=_report(world, notice, d1).id,
                             text="", now=at(2), attachments=[
                                 StoredFile("统计表.xlsx", "a" * 32, 10, "application/vnd.ms-excel")])
    attachment = session.query(Attachment).filter_by(report_id=report.id).one()
    assert receiving_queries.attachment_for_unit(session, world.receiver1,
                                                 attachment.id) is attachment
    for stranger in (world.receiver2, world.supervisor):
        with pytest.raises(NotFound):
            receiving_queries.attachment_for_unit(session, stranger, attachment.id)


# ------------------------------------------------------------------------------------------------
# The deadline for signing for receipt.


def test_a_main_recipient_signs_by_the_deadline_fixed_at_issue_a_copy_recipient_has_none(
        world, session):
    notice_in(world, NS.ISSUED)  # issued 2016-03-08, three working days: due 3-11
    (item,) = _only(receiving_queries.desk(session, world.receiver1, now=at(1.5))).to_sign
    assert (item.deadline.due_date, item.deadline.label) == (dt.date(2016, 3, 11), "还剩3天")
    (copy,) = _only(receiving_queries.desk(session, world.cc_receiver, now=at(1.5))).to_sign
    assert copy.deadline is None and not copy.overdue


def test_a_receipt_past_its_deadline_is_overdue_and_comes_first(world, session):
    urgent = notice_in(world, NS.ISSUED, title="关于特急事项的通知", urgency=Urgency.VERY_URGENT)
    normal = notice_in(world, NS.ISSUED, title="关于普通事项的通知")  # issued at the same moment
    desk = _only(receiving_queries.desk(session, world.receiver1, now=at(3)))  # 2016-03-10
    assert [(i.notice_id, i.deadline.due_date, i.deadline.label) for i in desk.to_sign] == [
        (urgent.id, dt.date(2016, 3, 9), "已逾期1天"), (normal.id, dt.date(2016, 3, 11), "还剩1天")]
    assert (desk.overdue_receipts, desk.overdue_reports, desk.overdue) == (1, 0, 1)


def test_a_closed_notice_has_no_deadline_for_signing(world, session):
    notice_in(world, NS.CLOSED)
    (item,) = _only(receiving_queries.desk(session, world.cc_receiver, now=at(30))).to_sign
    assert item.deadline is None
