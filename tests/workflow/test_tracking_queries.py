"""The 督办 desk's read side: issued notices with progress, the overdue list, and the matrix of
units × (签收, each report request) — for the issuing unit's supervisors only, and in a fixed
number of statements however many units a notice goes to."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import add_units_with_receivers, at, notice_in, receipts_of, reports_of
from tests.statements import statements_run
from workflow import commands as c
from workflow.attachments import StoredFile
from workflow.commands.tracking import set_remind_interval
from workflow.errors import NotFound
from workflow.models import Attachment, User
from workflow.queries import tracking as tracking_queries
from workflow.states import NoticeState as NS
from workflow.states import Role, Urgency

TWO_REQUESTS = [
    {"what": "统计表", "due_date": dt.date(2016, 3, 20), "to_whom": "市妇联"},
    {"what": "调研报告", "due_date": dt.date(2016, 4, 30), "to_whom": "市妇联"},
]


def _by_unit(rows):
    return {r.unit_id: r for r in rows}


def _acknowledge(w, notice, index, when=None):
    receipt = _by_unit(receipts_of(w, notice))[w.districts[index].id]
    c.acknowledge(w.session, w.users[f"receiver{index + 1}"], receipt_id=receipt.id,
                  now=when or at(1.5))


def _submit(w, notice, index, position=0, when=None):
    unit_id = w.districts[index].id
    report = [r for r in reports_of(w, notice) if r.unit_id == unit_id][position]
    c.submit_report(w.session, w.users[f"receiver{index + 1}"], report_id=report.id,
                    text="报告正文", now=when or at(2))
    return report


@pytest.fixture
def outsider(world, session):
    """A supervisor of another issuing federation."""
    unit = c.create_unit(session, None, name="另一市妇女联合会", doc_code="另妇发")
    user = c.create_user(session, None, username="outsider", display_name="外单位督办",
                         unit_id=unit.id)
    c.grant_role(session, None, user_id=user.id, role=Role.SUPERVISOR, unit_id=unit.id)
    session.commit()
    return user


# ------------------------------------------------------------------------------------------------
# The list of issued notices.


def test_the_list_holds_the_issued_notices_of_the_supervisors_unit_open_ones_first(world,
                                                                                    session):
    closed = notice_in(world, NS.CLOSED, title="关于已办结事项的通知")
    open_ = notice_in(world, NS.ISSUED, title="关于办理中事项的通知")
    notice_in(world, NS.DRAFT, title="关于草稿的通知")
    listed = tracking_queries.tracked_notices(session, world.supervisor, now=at(2))
    assert [n.id for n in listed] == [open_.id, closed.id]
    assert [n.is_open for n in listed] == [True, False]


def test_each_notice_carries_its_progress_and_what_is_late(world, session):
    notice = notice_in(world, NS.ISSUED, requests=TWO_REQUESTS)
    _acknowledge(world, notice, 0)
    _submit(world, notice, 0)
    (tracked,) = tracking_queries.tracked_notices(session, world.supervisor, now=at(20))
    p = tracked.progress
    assert (p.units, p.acknowledged, p.reports, p.reported, p.accepted) == (4, 1, 6, 1, 0)
    assert tracked.pending_receipts == 3  # two districts and the 抄送 unit
    # 2016-03-27: the 统计表 of 3-20 is late for all three districts (one submitted, not accepted).
    assert tracked.overdue_reports == 3
    assert (tracked.to_check, tracked.next_due) == (1, dt.date(2016, 4, 30))


def test_another_units_supervisor_and_a_receiver_see_no_notices(world, session, outsider):
    notice_in(world, NS.ISSUED)
    assert tracking_queries.tracked_notices(session, outsider) == []
    assert tracking_queries.tracked_notices(session, world.receiver1) == []


# ------------------------------------------------------------------------------------------------
# The matrix.


def test_the_matrix_has_a_row_per_recipient_and_a_column_per_report_request(world, session):
    notice = notice_in(world, NS.ISSUED, requests=TWO_REQUESTS)
    _acknowledge(world, notice, 0)
    _submit(world, notice, 0, position=1)
    m = tracking_queries.matrix(session, world.supervisor, notice.id, now=at(5))

    assert [c.what for c in m.columns] == ["统计表", "调研报告"]
    assert [(c.required, c.reported, c.accepted) for c in m.columns] == [(3, 0, 0), (3, 1, 0)]
    names = [r.unit_name for r in m.rows]
    assert names == [u.name for u in world.districts] + [world.cc_unit.name]  # 主送 first
    first, *_, cc = m.rows
    assert (first.receipt.state_label, first.receipt.acted_at) == ("已签收", at(1.5))
    assert [cell.state_label for cell in first.reports] == ["待上报", "已上报"]
    assert first.reports[1].submitted_at == at(2) and first.reports[1].to_check
    assert cc.kind_label == "抄送" and cc.reports == (None, None) and not cc.outstanding
    assert (m.progress.acknowledged, m.progress.units) == (1, 4)


def test_a_cell_is_overdue_once_its_due_day_has_passed_until_the_report_is_accepted(world,
                                                                                   session):
    notice = notice_in(world, NS.ISSUED, requests=TWO_REQUESTS)
    _acknowledge(world, notice, 0)
    report = _submit(world, notice, 0)
    _acknowledge(world, notice, 1)
    second = _submit(world, notice, 1)
    c.accept_report(session, world.supervisor, report_id=second.id, now=at(3))

    before = tracking_queries.matrix(session, world.supervisor, notice.id, now=at(13))  # 3-20
    assert not any(cell.overdue for row in before.rows for cell in row.reports if cell)

    after = _by_unit(tracking_queries.matrix(session, world.supervisor, notice.id,
                                             now=at(15)).rows)  # 2016-03-22
    d1, d2, d3 = (after[u.id].reports[0] for u in world.districts)
    assert (d1.state_label, d1.overdue_days) == ("已上报", 2)  # submitted, not yet accepted
    assert (d2.state_label, d2.overdue) == ("已采纳", False)
    assert (d3.state_label, d3.overdue_days) == ("待上报", 2)
    assert not after[world.districts[2].id].reports[1].overdue  # 4-30 is still ahead
    assert report.id == d1.report_id


def test_the_matrix_names_who_still_owes_and_who_closing_would_waive(world, session):
    notice = notice_in(world, NS.ISSUED)
    _acknowledge(world, notice, 0)
    accepted = _submit(world, notice, 0)
    c.accept_report(session, world.supervisor, report_id=accepted.id, now=at(3))
    m = tracking_queries.matrix(session, world.supervisor, notice.id, now=at(4))
    owing = [u.name for u in world.districts[1:]]
    assert m.waived_units == owing
    assert [r.unit_name for r in m.rows if r.outstanding] == owing
    assert m.actions == {"CLOSE"} and m.may_close and m.may_remind


def test_the_matrix_counts_reminders_per_unit(world, session):
    notice = notice_in(world, NS.ISSUED)
    c.remind(session, world.supervisor, notice_id=notice.id, now=at(3))
    c.remind(session, world.supervisor, notice_id=notice.id, unit_ids=[world.districts[1].id],
             channel="phone", now=at(4))
    rows = _by_unit(tracking_queries.matrix(session, world.supervisor, notice.id).rows)
    assert (rows[world.districts[1].id].reminders,
            rows[world.districts[1].id].last_reminded_at) == (2, at(4))
    assert rows[world.districts[0].id].reminders == 1
    assert rows[world.cc_unit.id].reminders == 0


def test_the_matrix_can_show_only_the_units_that_owe_or_are_late(world, session):
    notice = notice_in(world, NS.ISSUED, requests=TWO_REQUESTS)
    _acknowledge(world, notice, 0)
    for position in (0, 1):
        c.accept_report(session, world.supervisor,
                        report_id=_submit(world, notice, 0, position).id, now=at(3))
    outstanding = tracking_queries.matrix(session, world.supervisor, notice.id, now=at(15),
                                          show="outstanding")
    assert [r.unit_id for r in outstanding.rows] == [u.id for u in world.districts[1:]]
    assert outstanding.units == 4 and outstanding.shown == "outstanding"
    late = tracking_queries.matrix(session, world.supervisor, notice.id, now=at(15),
                                   show="overdue")
    assert [r.unit_id for r in late.rows] == [u.id for u in world.districts[1:]]
    assert late.overdue_units == 2
    unknown = tracking_queries.matrix(session, world.supervisor, notice.id, show="nonsense")
    assert unknown.shown == "all" and len(unknown.rows) == 4


def test_a_closed_notice_has_nothing_outstanding_overdue_or_to_do(world, session):
    notice = notice_in(world, NS.CLOSED)
    m = tracking_queries.matrix(session, world.supervisor, notice.id, now=at(100))
    assert m.actions == frozenset() and not m.may_remind and not m.may_close
    assert m.outstanding == [] and m.overdue_units == 0
    assert {row.reports[0].state_label for row in m.rows if row.reports[0]} == {"已免办"}


def test_only_the_issuing_units_supervisors_get_the_matrix(world, session, outsider):
    notice = notice_in(world, NS.ISSUED)
    draft = notice_in(world, NS.SIGNED)
    for actor, notice_id in ((outsider, notice.id), (world.receiver1, notice.id),
                             (world.clerk, notice.id), (world.supervisor, draft.id)):
        with pytest.raises(NotFound):
            tracking_queries.matrix(session, actor, notice_id)


def _issued_to(session, world, unit_ids, name):
    group = c.create_group(session, None, owner_unit_id=world.issuer.id, name=name,
                           member_ids=unit_ids)
    return notice_in(world, NS.ISSUED, main_group_ids=[group.id], cc_unit_ids=[],
                     requests=TWO_REQUESTS, title=f"关于{name}的通知")


def test_the_matrix_of_a_thousand_units_takes_as_many_statements_as_that_of_ten(
        world, session, engine):
    few = _issued_to(session, world, add_units_with_receivers(session, world, "小", 10), "十个单位")
    many = _issued_to(session, world, add_units_with_receivers(session, world, "大", 1000),
                      "一千个单位")
    c.remind(session, world.supervisor, notice_id=many.id, now=at(3))
    session.commit()
    supervisor_id = world.supervisor.id

    def statements(notice_id: int):
        session.rollback()  # each call begins its own transaction
        session.expunge_all()
        with statements_run(engine) as seen:
            m = tracking_queries.matrix(session, session.get(User, supervisor_id), notice_id,
                                        now=at(20))
        return len(seen), m

    (for_ten, small), (for_a_thousand, large) = statements(few.id), statements(many.id)
    assert for_ten == for_a_thousand <= 12, (for_ten, for_a_thousand)
    assert (len(small.rows), len(large.rows)) == (10, 1000)
    assert large.overdue_units == 1000 and len(large.outstanding) == 1000
    assert all(row.reminders == 1 for row in large.rows)


# ------------------------------------------------------------------------------------------------
# The overdue list.


def test_the_overdue_list_holds_late_reports_and_unsigned_receipts_of_open_notices(world,
                                                                                   session):
    notice = notice_in(world, NS.ISSUED, requests=TWO_REQUESTS)
    notice_in(world, NS.CLOSED, title="关于已办结事项的通知")
    _acknowledge(world, notice, 0)
    accepted = _submit(world, notice, 0)
    c.accept_report(session, world.supervisor, report_id=accepted.id, now=at(3))
    _acknowledge(world, notice, 1)
    _submit(world, notice, 1)

    found = tracking_queries.overdue(session, world.supervisor, now=at(15))  # 2016-03-22
    assert [(i.unit_name, i.what, i.state_label, i.label) for i in found.reports] == [
        (world.districts[1].name, "统计表", "已上报", "已逾期2天"),
        (world.districts[2].name, "统计表", "待上报", "已逾期2天")]
    assert [i.to_check for i in found.reports] == [True, False]
    # 印发 2016-03-08 (Beijing), due for signing three working days later, on 3-11; 主送 before
    # 抄送, and only 主送 can be chased: a 抄送 unit has no deadline, only the days since.
    assert [(i.unit_name, i.label, i.remindable) for i in found.receipts] == [
        (world.districts[2].name, "已逾期11天", True),
        (world.cc_unit.name, "印发后14天未签收", False)]
    assert (found.report_total, found.receipt_total, found.receipt_overdue_total) == (2, 2, 1)


def test_the_most_urgent_notice_comes_first_then_the_longest_overdue(world, session):
    normal = notice_in(world, NS.ISSUED, requests=TWO_REQUESTS, title="关于普通事项的通知")
    urgent = notice_in(world, NS.ISSUED, urgency=Urgency.VERY_URGENT, title="关于特急事项的通知",
                       requests=[{"what": "名单", "due_date": dt.date(2016, 3, 25)}])
    found = tracking_queries.overdue(session, world.supervisor, now=at(40), limit=4)
    assert [(i.notice_id, i.what) for i in found.reports] == [
        (urgent.id, "名单"), (urgent.id, "名单"), (urgent.id, "名单"), (normal.id, "统计表")]
    assert found.report_total == 6  # the 名单 ×3 and the 统计表 ×3; 4-30 is not yet due
    assert len(found.reports) == 4


def test_another_units_supervisor_has_an_empty_overdue_list(world, session, outsider):
    notice_in(world, NS.ISSUED)
    found = tracking_queries.overdue(session, outsider, now=at(100))
    assert (found.reports, found.receipts, found.report_total) == ([], [], 0)


# ------------------------------------------------------------------------------------------------
# One report, and its files.


def test_a_submitted_report_may_be_accepted_or_returned_by_the_issuers_supervisor(world,
                                                                                 session,
                                                                                 outsider):
    notice = notice_in(world, NS.ISSUED)
    _acknowledge(world, notice, 0)
    report = _submit(world, notice, 0)
    page = tracking_queries.report_for_review(session, world.supervisor, report.id, now=at(3))
    assert page.report is report and page.actions == {"ACCEPT", "RETURN"}
    assert [e.action for e in page.history] == ["report.SUBMIT"]
    for stranger in (outsider, world.receiver1):
        with pytest.raises(NotFound):
            tracking_queries.report_for_review(session, stranger, report.id)


def test_a_report_file_is_found_for_the_issuers_supervisor_only(world, session, outsider):
    notice = notice_in(world, NS.ISSUED)
    _acknowledge(world, notice, 0)
    unit_id = world.districts[0].id
    report = next(r for r in reports_of(world, notice) if r.unit_id == unit_id)
    c.submit_report(session, world.receiver1, report_id=report.id, text="", now=at(2),
                    attachments=[StoredFile("名单.pdf", "b" * 32, 10, "application/pdf")])
    attachment = session.scalars(select(Attachment).filter_by(report_id=report.id)).one()
    assert tracking_queries.attachment_for_review(session, world.supervisor,
                                                  attachment.id) is attachment
    for stranger in (outsider, world.receiver2, world.clerk):
        with pytest.raises(NotFound):
            tracking_queries.attachment_for_review(session, stranger, attachment.id)


# ------------------------------------------------------------------------------------------------
# The deadline for signing for receipt.


def test_a_main_unit_not_signed_for_past_the_deadline_is_an_overdue_row(world, session):
    notice = notice_in(world, NS.ISSUED, requests=[])  # due for signing on 2016-03-11
    _acknowledge(world, notice, 0)
    before = tracking_queries.matrix(session, world.supervisor, notice.id, now=at(4))  # 3-11
    assert before.receipt_deadline.label == "今天截止" and before.overdue_units == 0
    after = tracking_queries.matrix(session, world.supervisor, notice.id, now=at(5))
    rows = _by_unit(after.rows)
    d1, d2, _ = world.districts
    assert rows[d1.id].receipt.deadline is None  # signed for
    assert (rows[d2.id].receipt.overdue, rows[d2.id].receipt.deadline.label) == (
        True, "已逾期1天")
    assert not rows[world.cc_unit.id].receipt.overdue  # a 抄送 unit only signs
    assert after.overdue_units == 2 and [r.unit_id for r in tracking_queries.matrix(
        session, world.supervisor, notice.id, now=at(5), show="overdue").rows] == [
        u.id for u in world.districts[1:]]
    (tracked,) = tracking_queries.tracked_notices(session, world.supervisor, now=at(5))
    assert (tracked.pending_receipts, tracked.overdue_receipts) == (3, 2)


def test_the_matrix_shows_the_reminder_interval_the_tick_follows(world, session):
    notice = notice_in(world, NS.ISSUED)
    m = tracking_queries.matrix(session, world.supervisor, notice.id, now=at(2))
    assert (m.remind_every_days, m.every_days, m.may_set_interval) == (None, 2, True)
    set_remind_interval(session, world.supervisor, notice_id=notice.id, every_days=4,
                        expected_version=m.version, now=at(2))
    m = tracking_queries.matrix(session, world.supervisor, notice.id, now=at(2))
    assert (m.remind_every_days, m.every_days) == (4, 4)
