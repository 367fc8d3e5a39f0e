"""The write side: what each command does, and that bad input never leaves half a change.

A refused command raises a WorkflowError whose message is Chinese, and the database is as it was
before — every table's row count and every notice, receipt and report's state and version, read
in a fresh session after the caller has committed.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.factories import (
    add_units_with_receivers,
    at,
    draft,
    full_story,
    notice_in,
    receipts_of,
    refused,
    reports_of,
)
from tests.statements import statements_run
from workflow import commands as c
from workflow.commands.tracking import AUTO_CLOSE_NOTE
from workflow.db import read_only
from workflow.errors import Conflict, InvalidInput, InvalidState, NotFound
from workflow.models import (
    AuditEntry,
    Notice,
    Notification,
    Receipt,
    Reminder,
    Report,
)
from workflow.states import NoticeState as NS
from workflow.states import ReceiptState as RS
from workflow.states import RecipientKind, Role
from workflow.states import ReportState as PS

NOWHERE = 999_999




def entries(session, **where) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).filter_by(**where).order_by(AuditEntry.seq)))


def told(session, notice_id: int, kind: str | None = None) -> set[int]:
    """Ids of the users who were sent a notification about the notice (of `kind`)."""
    query = select(Notification.user_id).where(Notification.notice_id == notice_id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return set(session.scalars(query))


def ids(*users) -> set[int]:
    return {u.id for u in users}


# ------------------------------------------------------------------------------------------------
# Unknown ids, wrong states, missing reasons.


def test_every_command_refuses_an_id_that_does_not_exist(world, session, session_factory,
                                                         subtests):
    w, s, n = world, session, NOWHERE
    calls = {
        "submit": lambda: c.submit(s, w.drafter, notice_id=n),
        "update_draft": lambda: c.update_draft(s, w.drafter, notice_id=n, title="标题"),
        "withdraw": lambda: c.withdraw(s, w.drafter, notice_id=n),
        "cancel": lambda: c.cancel(s, w.drafter, notice_id=n),
        "pass_review": lambda: c.pass_review(s, w.reviewer, notice_id=n),
        "return_for_revision": lambda: c.return_for_revision(s, w.reviewer, notice_id=n,
                                                             reason="退"),
        "sign": lambda: c.sign(s, w.signatory, notice_id=n, opinion="同意"),
        "amend": lambda: c.amend(s, w.drafter, notice_id=n, reason="改", title="新标题"),
        "issue": lambda: c.issue(s, w.clerk, notice_id=n),
        "close": lambda: c.close(s, w.supervisor, notice_id=n, reason="办结"),
        "remind": lambda: c.remind(s, w.supervisor, notice_id=n),
        "archive": lambda: c.archive(s, w.clerk, notice_id=n, retention="Y10"),
        "revoke": lambda: c.revoke(s, w.signatory, notice_id=n, reason="撤销"),
        "abolish": lambda: c.abolish(s, w.signatory, notice_id=n, reason="废止"),
        "acknowledge": lambda: c.acknowledge(s, w.receiver1, receipt_id=n),
        "reject": lambda: c.reject(s, w.receiver1, receipt_id=n, reason="误送"),
        "submit_report": lambda: c.submit_report(s, w.receiver1, report_id=n, text="报告"),
        "accept_report": lambda: c.accept_report(s, w.supervisor, report_id=n),
        "return_report": lambda: c.return_report(s, w.supervisor, report_id=n, reason="重写"),
        "grant_role": lambda: c.grant_role(s, w.security, user_id=n, role=Role.DRAFTER,
                                           unit_id=w.issuer.id),
        "acting user": lambda: c.submit(s, n, notice_id=n),
    }
    for name, call in calls.items():
        with subtests.test(command=name):
            message = refused(s, session_factory, call, kind=NotFound)
            # What was not found, in words; the id is an internal number a person cannot use.
            assert "找不到该" in message and str(n) not in message


@pytest.mark.parametrize("bad_id", ["12", None, 1.0, True])
def test_an_id_that_is_not_a_whole_number_is_not_found_rather_than_looked_up(
        world, session, session_factory, bad_id):
    refused(session, session_factory,
            lambda: c.submit(session, world.drafter, notice_id=bad_id), kind=NotFound,
            containing="找不到该")


def test_a_notice_that_does_not_exist_is_not_found_in_words_without_its_id(world, session):
    with pytest.raises(NotFound) as refusal:
        c.submit(session, world.drafter, notice_id=987654)
    assert refusal.value.message == "找不到该公文"


def test_a_draft_naming_a_unit_that_does_not_exist_is_refused(world, session, session_factory):
    refused(session, session_factory,
            lambda: c.create_draft(session, world.drafter, title="标题", body="正文",
                                   main_unit_ids=[NOWHERE], now=at(0)),
            kind=InvalidInput, containing=str(NOWHERE))


def test_a_signed_notice_cannot_be_withdrawn(world, session, session_factory):
    notice = notice_in(world, NS.SIGNED)
    message = refused(session, session_factory,
                      lambda: c.withdraw(session, world.drafter, notice_id=notice.id,
                                         now=at(0.5)),
                      kind=InvalidState)
    assert message == "该公文已签发，不能撤回"


def _ready_for_every_reason(world, session):
    """A notice in review, and an issued one whose first unit has submitted its report."""
    in_review = notice_in(world, NS.IN_REVIEW)
    issued = notice_in(world, NS.ISSUED)
    receipt = next(r for r in receipts_of(world, issued) if r.unit_id == world.districts[0].id)
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(1.5))
    report = next(r for r in reports_of(world, issued) if r.unit_id == world.districts[0].id)
    c.submit_report(session, world.receiver1, report_id=report.id, text="报告", now=at(1.6))
    second = next(r for r in receipts_of(world, issued) if r.unit_id == world.districts[1].id)
    return in_review, issued, second, report


REASONED = ["return_for_revision", "close", "revoke", "abolish", "reject", "return_report",
            "amend"]


@pytest.mark.parametrize("command", REASONED)
def test_an_action_that_needs_a_reason_is_refused_without_one(world, session, session_factory,
                                                             command):
    in_review, issued, receipt, report = _ready_for_every_reason(world, session)
    w, s = world, session
    signed = notice_in(world, NS.SIGNED) if command == "amend" else None
    for reason in ("", "   ", None):
        call = {
            "return_for_revision": lambda: c.return_for_revision(
                s, w.reviewer, notice_id=in_review.id, reason=reason, now=at(2)),
            "close": lambda: c.close(s, w.supervisor, notice_id=issued.id, reason=reason,
                                     now=at(2)),
            "revoke": lambda: c.revoke(s, w.signatory, notice_id=issued.id, reason=reason,
                                       now=at(2)),
            "abolish": lambda: c.abolish(s, w.signatory, notice_id=issued.id, reason=reason,
                                         now=at(2)),
            "reject": lambda: c.reject(s, w.receiver2, receipt_id=receipt.id, reason=reason,
                                       now=at(2)),
            "return_report": lambda: c.return_report(s, w.supervisor, report_id=report.id,
                                                     reason=reason, now=at(2)),
            "amend": lambda: c.amend(s, w.drafter, notice_id=signed.id, reason=reason,
                                     title="关于开展专题调研的通知", now=at(2)),
        }[command]
        refused(s, session_factory, call, kind=InvalidInput, containing="理由")


# ------------------------------------------------------------------------------------------------
# Recipients.


def test_a_draft_without_a_main_recipient_cannot_be_submitted(world, session, session_factory):
    notice = draft(world, main_group_ids=[], cc_unit_ids=[world.cc_unit.id])
    refused(session, session_factory,
            lambda: c.submit(session, world.drafter, notice_id=notice.id, now=at(0.1)),
            kind=InvalidState, containing="主送机关不能为空")
    bare = draft(world, main_group_ids=[], cc_unit_ids=[])
    refused(session, session_factory,
            lambda: c.submit(session, world.drafter, notice_id=bare.id, now=at(0.1)),
            kind=InvalidState, containing="主送机关不能为空")


def test_a_notice_to_a_group_without_members_cannot_be_issued(world, session, session_factory):
    empty = c.create_group(session, None, owner_unit_id=world.issuer.id, name="尚无成员的组",
                           member_ids=[])
    notice = notice_in(world, NS.SIGNED, main_group_ids=[empty.id])
    refused(session, session_factory,
            lambda: c.issue(session, world.clerk, notice_id=notice.id, now=at(1)),
            kind=InvalidInput, containing="展开后为空")


def test_a_report_due_before_the_issue_date_stops_the_issue_and_consumes_no_number(
        world, session, session_factory):
    late = notice_in(world, NS.SIGNED, requests=[
        {"what": "调研报告", "due_date": dt.date(2016, 3, 1)}])
    message = refused(session, session_factory,
                      lambda: c.issue(session, world.clerk, notice_id=late.id, now=at(1)),
                      kind=InvalidInput, containing="早于印发日期")
    assert "2016年3月1日" in message
    assert late.doc_number is None

    fine = notice_in(world, NS.ISSUED)
    assert (fine.doc_serial, fine.doc_number) == (1, "示妇发〔2016〕1号")


def test_a_report_due_on_the_issue_day_itself_is_issued_and_due_that_day(world, session):
    # at(1) is 2016-03-08 09:00 in Asia/Shanghai: the issue day, by local date.
    same_day = notice_in(world, NS.SIGNED, requests=[
        {"what": "当日报送", "due_date": dt.date(2016, 3, 8)}])
    c.issue(session, world.clerk, notice_id=same_day.id, now=at(1))
    assert same_day.state == NS.ISSUED
    assert {r.request.due_date for r in reports_of(world, same_day)} == {dt.date(2016, 3, 8)}


def test_a_report_due_the_day_before_the_issue_day_is_refused(world, session, session_factory):
    day_before = notice_in(world, NS.SIGNED, requests=[
        {"what": "前一日报送", "due_date": dt.date(2016, 3, 7)}])
    refused(session, session_factory,
            lambda: c.issue(session, world.clerk, notice_id=day_before.id, now=at(1)),
            kind=InvalidInput, containing="2016年3月7日早于印发日期2016年3月8日")


@pytest.mark.parametrize("secrecy", ["秘密", "机密", "绝密", "秘密★1年"])
def test_a_classified_document_is_refused(world, session, session_factory, secrecy):
    refused(session, session_factory,
            lambda: draft(world, secrecy=secrecy), kind=InvalidInput, containing="涉密")
    notice = draft(world)
    refused(session, session_factory,
            lambda: c.update_draft(session, world.drafter, notice_id=notice.id, secrecy=secrecy,
                                   now=at(0.1)),
            kind=InvalidInput, containing="涉密")


@pytest.mark.parametrize("secrecy", [None, "", "无", "非密"])
def test_an_unclassified_marking_is_accepted(world, session, secrecy):
    assert draft(world, secrecy=secrecy).state == NS.DRAFT


# ------------------------------------------------------------------------------------------------
# Optimistic locking.


def test_a_stale_version_is_a_conflict_naming_what_someone_else_did(world, session,
                                                                     session_factory):
    notice = notice_in(world, NS.AWAITING_SIGNOFF)
    seen = notice.version  # what the signatory's form was rendered with
    session.commit()
    c.return_for_revision(session, world.signatory, notice_id=notice.id, reason="重写",
                          expected_version=seen, now=at(0.4))
    session.commit()  # … but another signatory returned it first
    message = refused(session, session_factory,
                      lambda: c.sign(session, world.signatory, notice_id=notice.id,
                                     opinion="同意", expected_version=seen, now=at(0.5)),
                      kind=Conflict)
    # at(0.4) is 10:36 UTC on 7 March 2016: 18:36 in Beijing.
    assert message == "signatory已于3月7日 18:36退回修改该公文，请查看最新情况后再办理"


def test_a_stale_version_on_a_draft_edit_is_a_conflict(world, session, session_factory):
    notice = draft(world)
    seen = notice.version
    c.update_draft(session, world.drafter, notice_id=notice.id, title="第二稿",
                   expected_version=seen, now=at(0.1))
    refused(session, session_factory,
            lambda: c.update_draft(session, world.drafter, notice_id=notice.id, title="第三稿",
                                   expected_version=seen, now=at(0.2)),
            kind=Conflict, containing="drafter已于3月7日 11:24修改了该公文")


def test_a_stale_version_on_a_receipt_is_a_conflict(world, session, session_factory):
    notice = notice_in(world, NS.ISSUED)
    receipt = receipts_of(world, notice)[0]
    seen = receipt.version
    c.reject(session, world.receiver1, receipt_id=receipt.id, reason="误送",
             expected_version=seen, now=at(1.5))
    refused(session, session_factory,
            lambda: c.acknowledge(session, world.receiver1, receipt_id=receipt.id,
                                  expected_version=seen, now=at(1.6)),
            kind=Conflict, containing="示范市第1区妇联的receiver1已于3月8日 21:00退回（误送）该收文")


# ------------------------------------------------------------------------------------------------
# Issue: recipients, receipts, reports, notifications.


def test_issue_expands_groups_and_sends_each_unit_one_copy(world, session):
    d1, d2, d3 = world.districts
    notice = notice_in(world, NS.ISSUED, main_unit_ids=[d1.id], main_group_ids=[world.group.id],
                       cc_unit_ids=[d1.id, world.cc_unit.id], cc_group_ids=[world.group.id])
    receipts = {r.unit_id: r.kind for r in receipts_of(world, notice)}
    assert len(receipts_of(world, notice)) == 4
    assert receipts == {d1.id: RecipientKind.MAIN, d2.id: RecipientKind.MAIN,
                        d3.id: RecipientKind.MAIN, world.cc_unit.id: RecipientKind.CC}


def test_the_issuer_never_sends_a_copy_to_itself(world, session):
    notice = notice_in(world, NS.ISSUED, main_unit_ids=[world.issuer.id],
                       cc_unit_ids=[world.issuer.id])
    assert world.issuer.id not in {r.unit_id for r in receipts_of(world, notice)}


def test_issue_creates_one_report_per_request_and_main_unit_and_none_for_cc(world, session):
    notice = notice_in(world, NS.ISSUED, requests=[
        {"what": "调研报告", "due_date": dt.date(2016, 4, 30), "to_whom": "市妇联宣传部"},
        {"what": "工作总结", "due_date": None},
    ])
    reports = reports_of(world, notice)
    pairs = {(r.request.what, r.unit_id) for r in reports}
    assert len(reports) == len(pairs) == 6
    assert pairs == {(what, d.id) for what in ("调研报告", "工作总结") for d in world.districts}
    assert all(r.state == PS.DUE for r in reports)


def test_issue_registers_the_number_the_date_and_the_clerk(world, session):
    notice = notice_in(world, NS.SIGNED)
    c.issue(session, world.clerk, notice_id=notice.id, now=dt.datetime(2016, 3, 8, 16, 30))
    assert notice.doc_number == "示妇发〔2016〕1号"
    assert (notice.series_code, notice.doc_year, notice.doc_serial) == ("示妇发", 2016, 1)
    assert notice.issued_on == dt.date(2016, 3, 9)  # 00:30 in Beijing
    assert notice.issued_by_id == world.clerk.id


def test_issue_tells_the_receivers_of_every_recipient_unit(world, session):
    notice = notice_in(world, NS.ISSUED)
    assert told(session, notice.id, "task") >= ids(world.receiver1, world.receiver2,
                                                   world.receiver3, world.cc_receiver)
    receivers = list(session.scalars(select(Notification).where(
        Notification.notice_id == notice.id, Notification.message.like("待签收%"))))
    assert {n.user_id for n in receivers} == ids(world.receiver1, world.receiver2,
                                                  world.receiver3, world.cc_receiver)
    assert all(notice.doc_number in n.message for n in receivers)


def test_each_step_of_the_draft_tells_whoever_acts_next(world, session):
    w = world
    notice = draft(w)
    c.submit(session, w.drafter, notice_id=notice.id, now=at(0.1))
    assert told(session, notice.id) == ids(w.reviewer)
    c.return_for_revision(session, w.reviewer, notice_id=notice.id, reason="补充数据",
                          now=at(0.2))
    returned = session.scalar(select(Notification).where(
        Notification.notice_id == notice.id, Notification.kind == "returned"))
    assert returned.user_id == w.drafter.id and "补充数据" in returned.message
    c.submit(session, w.drafter, notice_id=notice.id, now=at(0.3))
    c.pass_review(session, w.reviewer, notice_id=notice.id, now=at(0.4))
    c.sign(session, w.signatory, notice_id=notice.id, opinion="同意", now=at(0.5))
    assert told(session, notice.id) == ids(w.reviewer, w.drafter, w.signatory, w.clerk)


def _signed_to_group(session, world, unit_ids: list[int], name: str) -> Notice:
    group = c.create_group(session, None, owner_unit_id=world.issuer.id, name=name,
                           member_ids=unit_ids)
    return notice_in(world, NS.SIGNED, main_group_ids=[group.id], cc_unit_ids=[world.cc_unit.id])


def test_issuing_to_a_thousand_units_takes_as_many_statements_as_issuing_to_ten(
        world, session, session_factory, engine):
    few = _signed_to_group(session, world, add_units_with_receivers(session, world, "小", 10),
                           "十个单位")
    many = _signed_to_group(session, world,
                            add_units_with_receivers(session, world, "大", 1000), "一千个单位")
    c.open_series(session, world.clerk, issuer_unit_id=world.issuer.id, code="示妇发",
                  year=2016, now=at(0.5))
    session.commit()

    def statements_to_issue(notice_id: int) -> int:
        with statements_run(engine) as seen, session_factory() as s:
            c.issue(s, world.clerk.id, notice_id=notice_id, now=at(1))
            s.commit()
        return len(seen)

    for_ten, for_a_thousand = statements_to_issue(few.id), statements_to_issue(many.id)
    assert for_ten == for_a_thousand < 60, (for_ten, for_a_thousand)

    with session_factory() as s:
        read_only(s)
        assert s.scalar(select(func.count()).select_from(Receipt)
                        .where(Receipt.notice_id == many.id)) == 1001
        assert s.scalar(select(func.count()).select_from(Report)
                        .where(Report.notice_id == many.id)) == 1000
        assert s.scalar(select(func.count()).select_from(Notification)
                        .where(Notification.notice_id == many.id,
                               Notification.message.like("待签收%"))) == 1001
        assert s.get(Notice, many.id).doc_serial == 2


# ------------------------------------------------------------------------------------------------
# Closing: by itself, or by a supervisor with a reason.


def _acknowledge_and_report(world, session, notice, index: int, *, accept: bool):
    unit = world.districts[index]
    receiver = world.users[f"receiver{index + 1}"]
    receipt = next(r for r in receipts_of(world, notice) if r.unit_id == unit.id)
    c.acknowledge(session, receiver, receipt_id=receipt.id, now=at(1.5))
    for report in reports_of(world, notice):
        if report.unit_id == unit.id:
            c.submit_report(session, receiver, report_id=report.id, text="报告", now=at(1.6))
            if accept:
                c.accept_report(session, world.supervisor, report_id=report.id, now=at(1.7))


def test_a_notice_closes_by_itself_when_every_main_unit_is_done(world, session):
    notice = notice_in(world, NS.ISSUED)
    _acknowledge_and_report(world, session, notice, 0, accept=True)
    _acknowledge_and_report(world, session, notice, 1, accept=True)
    _acknowledge_and_report(world, session, notice, 2, accept=False)
    assert notice.state == NS.ISSUED  # everyone signed for it, but one report awaits review

    last = next(r for r in reports_of(world, notice) if r.state == PS.SUBMITTED)
    c.accept_report(session, world.supervisor, report_id=last.id, now=at(3))

    session.refresh(notice)
    assert notice.state == NS.CLOSED and notice.closed_at == at(3)
    closing = entries(session, object_type="notice", object_id=notice.id)[-1]
    assert (closing.action, closing.actor_id, closing.actor_name, closing.note) == (
        "notice.CLOSE", None, "系统", AUTO_CLOSE_NOTE)
    # The 抄送 unit has not signed for it yet; that never holds a notice open …
    cc = next(r for r in receipts_of(world, notice) if r.kind == RecipientKind.CC)
    assert cc.state == RS.PENDING
    # … and it may still sign for it afterwards.
    c.acknowledge(session, world.cc_receiver, receipt_id=cc.id, now=at(4))
    assert cc.state == RS.ACKNOWLEDGED


def test_a_notice_without_report_requests_closes_when_every_main_unit_has_signed(world,
                                                                                 session):
    notice = notice_in(world, NS.ISSUED, requests=[])
    main = [r for r in receipts_of(world, notice) if r.kind == RecipientKind.MAIN]
    for i, receipt in enumerate(main, start=1):
        assert notice.state == NS.ISSUED
        c.acknowledge(session, world.users[f"receiver{i}"], receipt_id=receipt.id, now=at(2))
        session.refresh(notice)
    assert notice.state == NS.CLOSED


def test_a_unit_that_returned_a_misdirected_notice_owes_nothing(world, session):
    notice = notice_in(world, NS.ISSUED)
    _acknowledge_and_report(world, session, notice, 0, accept=True)
    _acknowledge_and_report(world, session, notice, 1, accept=True)
    third = next(r for r in receipts_of(world, notice) if r.unit_id == world.districts[2].id)
    c.reject(session, world.receiver3, receipt_id=third.id, reason="不属于本单位", now=at(2))
    third_report = next(r for r in reports_of(world, notice)
                        if r.unit_id == world.districts[2].id)
    assert third_report.state == PS.VOIDED
    assert told(session, notice.id, "rejected") == ids(world.clerk)
    # The return waits for the issuing clerk's answer (改发, 补发 or 确认退回): the notice stays
    # open until then, and closes by itself once the clerk agrees.
    session.refresh(notice)
    assert notice.state == NS.ISSUED
    c.confirm_return(session, world.clerk, receipt_id=third.id, now=at(2.5))
    session.refresh(notice)
    assert notice.state == NS.CLOSED


def test_a_supervisor_closing_early_waives_what_is_outstanding_and_records_who(world, session):
    notice = notice_in(world, NS.ISSUED)
    d1, d2, d3 = world.districts
    _acknowledge_and_report(world, session, notice, 0, accept=True)
    second = next(r for r in receipts_of(world, notice) if r.unit_id == d2.id)
    c.acknowledge(session, world.receiver2, receipt_id=second.id, now=at(1.5))

    c.close(session, world.supervisor, notice_id=notice.id, reason="活动取消，提前办结",
            now=at(3))

    assert notice.state == NS.CLOSED
    receipts = {r.unit_id: r.state for r in receipts_of(world, notice)}
    assert receipts == {d1.id: RS.ACKNOWLEDGED, d2.id: RS.ACKNOWLEDGED, d3.id: RS.WAIVED,
                        world.cc_unit.id: RS.PENDING}
    reports = {r.unit_id: r.state for r in reports_of(world, notice)}
    assert reports == {d1.id: PS.ACCEPTED, d2.id: PS.WAIVED, d3.id: PS.WAIVED}
    closing = entries(session, object_type="notice", object_id=notice.id)[-1]
    assert closing.note == "活动取消，提前办结" and closing.actor_id == world.supervisor.id
    assert closing.details["waived_units"] == [d2.name, d3.name]
    cascades = {x["child"]: x for x in closing.details["cascades"]}
    assert cascades["receipt"]["unit_ids"] == [d3.id]
    assert cascades["report"]["unit_ids"] == [d2.id, d3.id]


# ------------------------------------------------------------------------------------------------
# Revoke and abolish.

EVENING_UTC = dt.datetime(2016, 3, 20, 17, 0)  # 2016-03-21 01:00 in Beijing


@pytest.mark.parametrize("verb", ["revoke", "abolish"])
def test_revoke_voids_from_the_start_and_abolish_from_that_day(world, session, verb):
    notice = notice_in(world, NS.ISSUED)
    d1, d2, d3 = world.districts
    first = next(r for r in receipts_of(world, notice) if r.unit_id == d1.id)
    c.acknowledge(session, world.receiver1, receipt_id=first.id, now=at(1.5))
    report = next(r for r in reports_of(world, notice) if r.unit_id == d1.id)
    c.submit_report(session, world.receiver1, report_id=report.id, text="报告", now=at(1.6))

    command = c.revoke if verb == "revoke" else c.abolish
    command(session, world.signatory, notice_id=notice.id, reason="上级文件已调整",
            now=EVENING_UTC)

    if verb == "revoke":
        assert notice.state == NS.REVOKED
        assert (notice.void_from_start, notice.effective_until) == (True, None)
    else:
        assert notice.state == NS.ABOLISHED
        assert (notice.void_from_start, notice.effective_until) == (False, dt.date(2016, 3, 21))
    assert notice.ended_at == EVENING_UTC
    receipts = {r.unit_id: r.state for r in receipts_of(world, notice)}
    assert receipts == {d1.id: RS.ACKNOWLEDGED, d2.id: RS.VOIDED, d3.id: RS.VOIDED,
                        world.cc_unit.id: RS.VOIDED}
    assert {r.state for r in reports_of(world, notice)} == {PS.VOIDED}
    kind = "revoked" if verb == "revoke" else "abolished"
    assert told(session, notice.id, kind) == ids(world.receiver1, world.receiver2,
                                                 world.receiver3, world.cc_receiver)
    late = next(r for r in receipts_of(world, notice) if r.unit_id == d2.id)
    with pytest.raises(InvalidState):
        c.acknowledge(session, world.receiver2, receipt_id=late.id, now=EVENING_UTC)


def test_a_closed_notice_may_still_be_revoked(world, session):
    notice = notice_in(world, NS.CLOSED)
    c.revoke(session, world.signatory, notice_id=notice.id, reason="依据错误", now=at(4))
    assert notice.state == NS.REVOKED
    cc = next(r for r in receipts_of(world, notice) if r.kind == RecipientKind.CC)
    assert cc.state == RS.VOIDED  # what the 抄送 unit still had pending is void too


# ------------------------------------------------------------------------------------------------
# Sign-off and amendments after it.


def test_the_sign_off_date_is_the_day_in_beijing(world, session):
    notice = c.create_draft(session, world.drafter, title="关于认真学习贯彻会议精神的通知",
                            body="请认真学习。", main_group_ids=[world.group.id],
                            now=dt.datetime(2015, 8, 3, 2, 0))
    c.submit(session, world.drafter, notice_id=notice.id, now=dt.datetime(2015, 8, 3, 3, 0))
    c.pass_review(session, world.reviewer, notice_id=notice.id,
                  now=dt.datetime(2015, 8, 10, 9, 0))
    c.sign(session, world.signatory, notice_id=notice.id, opinion="  同意印发  ",
           now=dt.datetime(2015, 8, 10, 17, 0))
    assert notice.signed_on == dt.date(2015, 8, 11)
    assert notice.signed_at == dt.datetime(2015, 8, 10, 17, 0)
    assert (notice.signatory_id, notice.sign_opinion) == (world.signatory.id, "同意印发")


def test_a_sign_off_time_with_a_time_zone_is_understood(world, session):
    notice = notice_in(world, NS.AWAITING_SIGNOFF)
    beijing = dt.datetime(2016, 3, 8, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    c.sign(session, world.signatory, notice_id=notice.id, opinion="同意", now=beijing)
    assert notice.signed_on == dt.date(2016, 3, 8)
    assert notice.signed_at == dt.datetime(2016, 3, 7, 16, 30)


def test_a_sign_off_needs_an_opinion(world, session, session_factory):
    notice = notice_in(world, NS.AWAITING_SIGNOFF)
    refused(session, session_factory,
            lambda: c.sign(session, world.signatory, notice_id=notice.id, opinion="  ",
                           now=at(0.5)),
            kind=InvalidInput, containing="签发意见")


def test_amending_after_sign_off_sends_it_back_to_the_signatory(world, session):
    notice = notice_in(world, NS.SIGNED)
    c.amend(session, world.drafter, notice_id=notice.id, reason="补充报送要求",
            title="关于开展专题调研的通知", now=at(0.5))
    assert notice.state == NS.AWAITING_SIGNOFF
    assert notice.title == "关于开展专题调研的通知"
    assert (notice.signatory_id, notice.sign_opinion, notice.signed_at, notice.signed_on) == (
        None, None, None, None)
    entry = entries(session, object_type="notice", object_id=notice.id)[-1]
    assert (entry.action, entry.note, entry.details["changed"]) == (
        "notice.AMEND", "补充报送要求", ["title"])
    recheck = session.scalar(select(Notification).where(
        Notification.notice_id == notice.id, Notification.message.like("%复核%")))
    assert recheck.user_id == world.signatory.id
    c.sign(session, world.signatory, notice_id=notice.id, opinion="同意", now=at(0.6))
    assert notice.state == NS.SIGNED


def test_an_amendment_must_change_something(world, session, session_factory):
    notice = notice_in(world, NS.SIGNED)
    refused(session, session_factory,
            lambda: c.amend(session, world.drafter, notice_id=notice.id, reason="改", now=at(0.5)),
            kind=InvalidInput, containing="实际修改")
    refused(session, session_factory,
            lambda: c.amend(session, world.drafter, notice_id=notice.id, reason="改",
                            title=notice.title, now=at(0.5)),
            kind=InvalidInput, containing="没有修改")
    refused(session, session_factory,
            lambda: c.amend(session, world.drafter, notice_id=notice.id, reason="改",
                            title="   ", now=at(0.5)),
            kind=InvalidInput, containing="标题不能为空")


# ------------------------------------------------------------------------------------------------
# Reminders (催办).


def test_a_reminder_is_recorded_logged_and_sent_to_the_units_that_owe(world, session):
    notice = notice_in(world, NS.ISSUED)
    d1, d2, d3 = world.districts
    _acknowledge_and_report(world, session, notice, 0, accept=True)

    reminders = c.remind(session, world.supervisor, notice_id=notice.id, channel="phone",
                         now=at(10))

    assert {r.unit_id for r in reminders} == {d2.id, d3.id}
    stored = list(session.scalars(select(Reminder).where(Reminder.notice_id == notice.id)))
    assert {(r.unit_id, r.by_user_id, r.channel, r.at) for r in stored} == {
        (d2.id, world.supervisor.id, "phone", at(10)), (d3.id, world.supervisor.id, "phone",
                                                         at(10))}
    entry = entries(session, action="notice.REMIND")[-1]
    assert entry.actor_id == world.supervisor.id and entry.notice_id == notice.id
    assert entry.details == {"channel": "phone", "units": [d2.name, d3.name]}
    assert told(session, notice.id, "reminder") == ids(world.receiver2, world.receiver3)


def test_a_named_unit_that_owes_nothing_is_not_reminded(world, session, session_factory):
    notice = notice_in(world, NS.ISSUED)
    _acknowledge_and_report(world, session, notice, 0, accept=True)
    refused(session, session_factory,
            lambda: c.remind(session, world.supervisor, notice_id=notice.id,
                             unit_ids=[world.districts[0].id], now=at(10)),
            kind=InvalidInput, containing=world.districts[0].name)
    refused(session, session_factory,
            lambda: c.remind(session, world.supervisor, notice_id=notice.id, channel="fax",
                             now=at(10)),
            kind=InvalidInput, containing="催办方式")


def test_only_an_issued_notice_is_reminded_about(world, session, session_factory):
    notice = notice_in(world, NS.CLOSED)
    refused(session, session_factory,
            lambda: c.remind(session, world.supervisor, notice_id=notice.id, now=at(10)),
            kind=InvalidState, containing="不能催办")


def test_a_scheduled_reminder_is_sent_once_per_key(world, session, session_factory):
    notice = notice_in(world, NS.ISSUED)
    c.remind(session, None, notice_id=notice.id, dedupe_key="due-2016-04-30", now=at(10))
    refused(session, session_factory,
            lambda: c.remind(session, None, notice_id=notice.id, dedupe_key="due-2016-04-30",
                             now=at(10.1)),
            kind=Conflict)
    assert entries(session, action="notice.REMIND")[-1].actor_name == "系统"


# ------------------------------------------------------------------------------------------------
# Reports.


def test_a_report_needs_the_notice_signed_for_first_and_some_content(world, session,
                                                                     session_factory):
    notice = notice_in(world, NS.ISSUED)
    report = next(r for r in reports_of(world, notice) if r.unit_id == world.districts[0].id)
    refused(session, session_factory,
            lambda: c.submit_report(session, world.receiver1, report_id=report.id, text="报告",
                                    now=at(1.5)),
            kind=InvalidState, containing="请先签收")
    receipt = next(r for r in receipts_of(world, notice) if r.unit_id == world.districts[0].id)
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(1.5))
    refused(session, session_factory,
            lambda: c.submit_report(session, world.receiver1, report_id=report.id, text="  ",
                                    now=at(1.6)),
            kind=InvalidInput, containing="报告内容不能为空")


def test_a_returned_report_is_due_again_with_the_reason(world, session):
    notice = notice_in(world, NS.ISSUED)
    _acknowledge_and_report(world, session, notice, 0, accept=False)
    report = next(r for r in reports_of(world, notice) if r.unit_id == world.districts[0].id)
    c.return_report(session, world.supervisor, report_id=report.id, reason="缺少数据",
                    now=at(2))
    assert (report.state, report.return_reason) == (PS.DUE, "缺少数据")
    assert told(session, notice.id, "returned") == ids(world.receiver1)
    c.submit_report(session, world.receiver1, report_id=report.id, text="补充后的报告",
                    now=at(2.5))
    assert (report.state, report.return_reason, report.text) == (PS.SUBMITTED, None,
                                                                 "补充后的报告")


def test_the_audit_entries_of_accepting_and_returning_a_report_name_its_unit(world, session):
    full_story(world, session)
    details = dict(session.execute(
        select(AuditEntry.action, AuditEntry.details)
        .where(AuditEntry.action.in_(["report.ACCEPT", "report.RETURN"]))).all())
    assert details["report.ACCEPT"] == {"unit": "示范市第1区妇联", "request": "调研报告"}
    assert details["report.RETURN"] == {"unit": "示范市第1区妇联", "request": "调研报告"}
