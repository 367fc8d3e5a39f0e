"""Who may do what to which object: roles are held within a unit, and some rules go beyond roles.

Every refusal is a WorkflowError (mostly Forbidden) whose message is Chinese and says why, and a
refused command leaves the database exactly as it was.
"""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import select

from tests import factories
from tests.factories import HAN, at, notice_in, receipts_of, reports_of
from workflow import commands as c
from workflow.errors import Forbidden, InvalidInput, InvalidState, WorkflowError
from workflow.models import Notification, Receipt
from workflow.models.organisation import unit_group_member
from workflow.permissions import available_actions
from workflow.queries import drafting as drafting_queries
from workflow.states import NoticeAction as NA
from workflow.states import NoticeState as NS
from workflow.states import ReceiptAction as RA
from workflow.states import ReceiptState as RS
from workflow.states import RecipientKind, Role
from workflow.states import ReportAction as PA
from workflow.states import ReportState as PS

ADMIN_NAMES = ["admin", "security", "auditor"]


refused = partial(factories.refused, kind=Forbidden)


def second_issuer(session):
    """Another issuing unit with its own clerk, supervisor, signatory and reviewer."""
    unit = c.create_unit(session, None, name="示范市总工会", doc_code="示工发")
    users = {}
    for role in (Role.CLERK, Role.SUPERVISOR, Role.SIGNATORY, Role.REVIEWER, Role.DRAFTER):
        user = c.create_user(session, None, username=f"other_{role.name.lower()}",
                             display_name=f"总工会{role.label}", unit_id=unit.id)
        c.grant_role(session, None, user_id=user.id, role=role, unit_id=unit.id)
        users[role] = user
    session.commit()
    return unit, users


# ------------------------------------------------------------------------------------------------
# Signatories, drafters.


def test_a_signatory_may_not_sign_a_draft_they_wrote(world, session, session_factory):
    chief = c.create_user(session, None, username="chief", display_name="主席",
                          unit_id=world.issuer.id)
    c.grant_role(session, world.security, user_id=chief.id, role=Role.DRAFTER,
                 unit_id=world.issuer.id)
    c.grant_role(session, world.security, user_id=chief.id, role=Role.SIGNATORY,
                 unit_id=world.issuer.id)
    notice = c.create_draft(session, chief, title="关于召开执委会的通知", body="定于下周召开。",
                            main_group_ids=[world.group.id], now=at(0))
    c.submit(session, chief, notice_id=notice.id, now=at(0.1))
    c.pass_review(session, world.reviewer, notice_id=notice.id, now=at(0.2))

    assert NA.SIGN not in available_actions(chief, notice)
    refused(session, session_factory,
            lambda: c.sign(session, chief, notice_id=notice.id, opinion="同意", now=at(0.3)),
            containing="不能签发自己起草的公文")

    # Someone else may: the refusal was about the person, not the state.
    assert NA.SIGN in available_actions(world.signatory, notice)
    c.sign(session, world.signatory, notice_id=notice.id, opinion="同意", now=at(0.3))
    assert notice.state == NS.SIGNED


@pytest.mark.parametrize("action", ["submit", "cancel", "update"])
def test_only_the_drafter_submits_cancels_or_edits_their_own_draft(world, session,
                                                                  session_factory, action):
    notice = notice_in(world, NS.DRAFT)
    calls = {
        "submit": lambda: c.submit(session, world.drafter2, notice_id=notice.id, now=at(0.1)),
        "cancel": lambda: c.cancel(session, world.drafter2, notice_id=notice.id, now=at(0.1)),
        "update": lambda: c.update_draft(session, world.drafter2, notice_id=notice.id,
                                         title="别人改的标题", now=at(0.1)),
    }
    refused(session, session_factory, calls[action], containing="拟稿人本人")
    assert available_actions(world.drafter2, notice) == []
    assert set(available_actions(world.drafter, notice)) == {NA.SUBMIT, NA.CANCEL}


def test_only_the_drafter_withdraws_their_own_submitted_draft(world, session, session_factory):
    notice = notice_in(world, NS.IN_REVIEW)
    refused(session, session_factory,
            lambda: c.withdraw(session, world.drafter2, notice_id=notice.id, now=at(0.15)),
            containing="拟稿人本人")
    c.withdraw(session, world.drafter, notice_id=notice.id, now=at(0.15))
    assert notice.state == NS.DRAFT


def test_a_drafter_may_withdraw_until_the_reviewer_has_passed_it(world, session,
                                                                 session_factory):
    notice = notice_in(world, NS.IN_REVIEW)
    c.pass_review(session, world.reviewer, notice_id=notice.id, now=at(0.2))
    assert NA.WITHDRAW not in available_actions(world.drafter, notice)
    message = refused(session, session_factory,
                      lambda: c.withdraw(session, world.drafter, notice_id=notice.id, now=at(0.3)),
                      kind=InvalidState)
    assert message == "已有人处理该公文，不能撤回"


def test_without_review_a_drafter_may_withdraw_until_the_signatory_acts(direct_world, session):
    notice = notice_in(direct_world, NS.AWAITING_SIGNOFF)
    assert NA.WITHDRAW in available_actions(direct_world.drafter, notice)
    c.withdraw(session, direct_world.drafter, notice_id=notice.id, now=at(0.2))
    assert notice.state == NS.DRAFT


def test_a_drafter_may_not_draft_in_the_name_of_another_unit(world, session, session_factory):
    other, _ = second_issuer(session)
    refused(session, session_factory,
            lambda: c.create_draft(session, world.drafter, title="越权", body="正文",
                                   issuer_unit_id=other.id, now=at(0)),
            containing="不是该单位的拟稿人")


def test_a_draft_belongs_to_its_drafter_but_amending_after_sign_off_is_also_the_clerks(
        world, session, session_factory):
    notice = notice_in(world, NS.SIGNED)
    refused(session, session_factory,
            lambda: c.amend(session, world.drafter2, notice_id=notice.id, reason="改",
                            title="别人改的标题", now=at(0.5)),
            containing="拟稿人本人或办公室文书")
    c.amend(session, world.clerk, notice_id=notice.id, reason="改正错字",
            title="关于开展调研工作的通知", now=at(0.5))
    assert notice.state == NS.AWAITING_SIGNOFF


# ------------------------------------------------------------------------------------------------
# Receivers act for their own unit.


def test_a_receiver_may_not_sign_for_another_units_copy(world, session, session_factory):
    notice = notice_in(world, NS.ISSUED)
    first = next(r for r in receipts_of(world, notice) if r.unit_id == world.districts[0].id)
    assert available_actions(world.receiver2, first) == []
    message = refused(
        session, session_factory,
        lambda: c.acknowledge(session, world.receiver2, receipt_id=first.id, now=at(1.5)),
        containing=world.districts[0].name)
    assert "收文员" in message
    refused(session, session_factory,
            lambda: c.reject(session, world.receiver2, receipt_id=first.id, reason="误送",
                             now=at(1.5)))
    assert set(available_actions(world.receiver1, first)) == {RA.ACKNOWLEDGE, RA.REJECT}
    c.acknowledge(session, world.receiver1, receipt_id=first.id, now=at(1.5))
    assert first.state == RS.ACKNOWLEDGED


def test_a_receiver_may_not_report_for_another_unit(world, session, session_factory):
    notice = notice_in(world, NS.ISSUED)
    for receiver, receipt in zip((world.receiver1, world.receiver2), receipts_of(world, notice)[:2], strict=True):
        c.acknowledge(session, receiver, receipt_id=receipt.id, now=at(1.5))
    first = next(r for r in reports_of(world, notice) if r.unit_id == world.districts[0].id)
    refused(session, session_factory,
            lambda: c.submit_report(session, world.receiver2, report_id=first.id, text="报告",
                                    now=at(1.6)))


def test_a_receiver_does_not_accept_reports(world, session, session_factory):
    notice = notice_in(world, NS.ISSUED)
    receipt = receipts_of(world, notice)[0]
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(1.5))
    report = reports_of(world, notice)[0]
    c.submit_report(session, world.receiver1, report_id=report.id, text="报告", now=at(1.6))
    refused(session, session_factory,
            lambda: c.accept_report(session, world.receiver1, report_id=report.id, now=at(1.7)),
            containing="督办")


# ------------------------------------------------------------------------------------------------
# Clerks, supervisors, signatories and reviewers act for their own issuing unit.


def test_a_clerk_of_another_issuing_unit_may_not_issue(world, session, session_factory):
    _, other = second_issuer(session)
    notice = notice_in(world, NS.SIGNED)
    assert available_actions(other[Role.CLERK], notice) == []
    refused(session, session_factory,
            lambda: c.issue(session, other[Role.CLERK], notice_id=notice.id, now=at(1)),
            containing="发文单位的文书")
    c.issue(session, world.clerk, notice_id=notice.id, now=at(1))
    assert notice.doc_number == "示妇发〔2016〕1号"


def test_a_supervisor_of_another_issuing_unit_may_not_close_accept_or_remind(
        world, session, session_factory):
    _, other = second_issuer(session)
    supervisor = other[Role.SUPERVISOR]
    notice = notice_in(world, NS.ISSUED)
    receipt = receipts_of(world, notice)[0]
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(1.5))
    report = reports_of(world, notice)[0]
    c.submit_report(session, world.receiver1, report_id=report.id, text="报告", now=at(1.6))
    refused(session, session_factory,
            lambda: c.close(session, supervisor, notice_id=notice.id, reason="办结", now=at(2)),
            containing="督办")
    refused(session, session_factory,
            lambda: c.accept_report(session, supervisor, report_id=report.id, now=at(2)))
    refused(session, session_factory,
            lambda: c.return_report(session, supervisor, report_id=report.id, reason="重写",
                                    now=at(2)))
    refused(session, session_factory,
            lambda: c.remind(session, supervisor, notice_id=notice.id, now=at(2)),
            containing="督办")


def test_a_reviewer_or_signatory_of_another_unit_may_not_handle_its_drafts(world, session,
                                                                            session_factory):
    _, other = second_issuer(session)
    notice = notice_in(world, NS.IN_REVIEW)
    refused(session, session_factory,
            lambda: c.pass_review(session, other[Role.REVIEWER], notice_id=notice.id,
                                  now=at(0.2)))
    c.pass_review(session, world.reviewer, notice_id=notice.id, now=at(0.2))
    refused(session, session_factory,
            lambda: c.sign(session, other[Role.SIGNATORY], notice_id=notice.id, opinion="同意",
                           now=at(0.3)))


def test_the_clerk_of_another_unit_may_not_manage_this_units_number_series(world, session,
                                                                            session_factory):
    _, other = second_issuer(session)
    refused(session, session_factory,
            lambda: c.open_series(session, other[Role.CLERK], issuer_unit_id=world.issuer.id,
                                  code="示妇发", year=2017, now=at(0)),
            containing="文书")
    refused(session, session_factory,
            lambda: c.void_number(session, other[Role.CLERK], issuer_unit_id=world.issuer.id,
                                  code="示妇发", year=2016, serial=5, reason="跳号",
                                  now=at(0)),
            containing="文书")


# ------------------------------------------------------------------------------------------------
# The three administrator duties do no business (三员分立).


@pytest.mark.parametrize("who", ADMIN_NAMES)
def test_an_administrator_may_not_create_a_draft(world, session, session_factory, who):
    refused(session, session_factory,
            lambda: c.create_draft(session, world.users[who], title="管理员的稿件", body="正文",
                                   main_group_ids=[world.group.id], now=at(0)))


@pytest.mark.parametrize("who", ADMIN_NAMES)
def test_an_administrator_may_not_do_business_on_a_notice(world, session, session_factory, who):
    admin = world.users[who]
    in_review = notice_in(world, NS.IN_REVIEW)
    issued = notice_in(world, NS.ISSUED)
    receipt = receipts_of(world, issued)[0]
    assert available_actions(admin, in_review) == available_actions(admin, issued) == []
    assert available_actions(admin, receipt) == []
    for call in (
        lambda: c.pass_review(session, admin, notice_id=in_review.id, now=at(2)),
        lambda: c.return_for_revision(session, admin, notice_id=in_review.id, reason="退",
                                      now=at(2)),
        lambda: c.close(session, admin, notice_id=issued.id, reason="办结", now=at(2)),
        lambda: c.revoke(session, admin, notice_id=issued.id, reason="撤销", now=at(2)),
        lambda: c.acknowledge(session, admin, receipt_id=receipt.id, now=at(2)),
        lambda: c.remind(session, admin, notice_id=issued.id, now=at(2)),
        lambda: c.open_series(session, admin, issuer_unit_id=world.issuer.id, code="示妇发",
                              year=2017, now=at(2)),
    ):
        refused(session, session_factory, call)


def test_business_rules_name_the_three_duties_when_an_administrator_is_refused(world, session,
                                                                               session_factory):
    notice = notice_in(world, NS.IN_REVIEW)
    refused(session, session_factory,
            lambda: c.pass_review(session, world.admin, notice_id=notice.id, now=at(0.2)),
            containing="三员分立")


def test_an_administrator_role_may_not_be_granted_to_someone_in_business(world, session,
                                                                         session_factory):
    # Administrator roles are granted on the server (actor None): through the web they are
    # refused before this (tests/workflow/test_account_rules.py); the server keeps 三员分立.
    refused(session, session_factory,
            lambda: c.grant_role(session, None, user_id=world.drafter.id,
                                 role=Role.ADMIN, unit_id=world.issuer.id),
            kind=InvalidInput, containing="三员分立")


def test_a_business_role_may_not_be_granted_to_an_administrator(world, session,
                                                                session_factory):
    for who in ADMIN_NAMES:
        refused(session, session_factory,
                lambda: c.grant_role(session, None, user_id=world.users[who].id,
                                     role=Role.DRAFTER, unit_id=world.issuer.id),
                kind=InvalidInput, containing="三员分立")


def test_two_administrator_duties_may_not_be_held_by_one_person(world, session, session_factory):
    refused(session, session_factory,
            lambda: c.grant_role(session, None, user_id=world.admin.id,
                                 role=Role.AUDITOR, unit_id=world.issuer.id),
            kind=InvalidInput, containing="三员分立")


def test_only_the_security_officer_grants_roles(world, session, session_factory):
    for who in ("admin", "auditor", "clerk"):
        refused(session, session_factory,
                lambda: c.grant_role(session, world.users[who], user_id=world.drafter2.id,
                                     role=Role.REVIEWER, unit_id=world.issuer.id),
                containing="安全管理员")


# ------------------------------------------------------------------------------------------------
# The buttons offered are exactly the actions that succeed.


def notice_call(session, action, actor, notice_id):
    n, now = notice_id, at(5)
    return {
        NA.SUBMIT: lambda: c.submit(session, actor, notice_id=n, now=now),
        NA.PASS_REVIEW: lambda: c.pass_review(session, actor, notice_id=n, now=now),
        NA.RETURN: lambda: c.return_for_revision(session, actor, notice_id=n, reason="请修改",
                                                 now=now),
        NA.WITHDRAW: lambda: c.withdraw(session, actor, notice_id=n, now=now),
        NA.CANCEL: lambda: c.cancel(session, actor, notice_id=n, now=now),
        NA.SIGN: lambda: c.sign(session, actor, notice_id=n, opinion="同意", now=now),
        NA.AMEND: lambda: c.amend(session, actor, notice_id=n, reason="改标题",
                                  title="关于开展专题调研的通知", now=now),
        NA.ISSUE: lambda: c.issue(session, actor, notice_id=n, now=now),
        NA.CLOSE: lambda: c.close(session, actor, notice_id=n, reason="办结", now=now),
        NA.ARCHIVE: lambda: c.archive(session, actor, notice_id=n, retention="Y30", now=now),
        NA.REVOKE: lambda: c.revoke(session, actor, notice_id=n, reason="撤销", now=now),
        NA.ABOLISH: lambda: c.abolish(session, actor, notice_id=n, reason="废止", now=now),
    }[action]


def succeeds(session, call) -> bool:
    """Try `call` and undo it whatever happens; a refusal must explain itself in Chinese."""
    trial = session.begin_nested()
    try:
        call()
        return True
    except WorkflowError as error:
        assert HAN.search(str(error)), error
        return False
    finally:
        trial.rollback()


@pytest.mark.parametrize("state", [NS.DRAFT, NS.IN_REVIEW, NS.AWAITING_SIGNOFF, NS.SIGNED,
                                   NS.ISSUED, NS.CLOSED, NS.REVOKED], ids=lambda s: s.name)
def test_the_actions_offered_to_each_user_are_exactly_those_that_succeed(world, session, state):
    notice = notice_in(world, state)
    session.commit()
    offered_to_anyone = set()
    for name, user in world.users.items():
        offered = set(available_actions(user, notice))
        done = {a for a in NA if succeeds(session, notice_call(session, a, user, notice.id))}
        assert offered == done, (name, state)
        offered_to_anyone |= offered
    assert offered_to_anyone, f"nobody may do anything to a notice {state.name}"


def test_the_actions_offered_on_a_receipt_are_exactly_those_that_succeed(world, session):
    notice = notice_in(world, NS.ISSUED)
    session.commit()
    for receipt in receipts_of(world, notice):
        for name, user in world.users.items():
            offered = set(available_actions(user, receipt))
            calls = {
                RA.ACKNOWLEDGE: lambda: c.acknowledge(session, user, receipt_id=receipt.id,
                                                      now=at(2)),
                RA.REJECT: lambda: c.reject(session, user, receipt_id=receipt.id, reason="误送",
                                            now=at(2)),
            }
            done = {a for a, call in calls.items() if succeeds(session, call)}
            assert offered == done, (name, receipt.unit_id)
            holds = user.holds(Role.RECEIVER, receipt.unit_id)
            assert offered == ({RA.ACKNOWLEDGE, RA.REJECT} if holds else set())
        assert session.get(Receipt, receipt.id).state == RS.PENDING


def test_a_cc_unit_only_signs_for_the_notice(world, session):
    notice = notice_in(world, NS.ISSUED)
    cc = next(r for r in receipts_of(world, notice) if r.kind == RecipientKind.CC)
    assert not [r for r in reports_of(world, notice) if r.unit_id == cc.unit_id]
    c.acknowledge(session, world.cc_receiver, receipt_id=cc.id, now=at(1.5))
    assert cc.state == RS.ACKNOWLEDGED


def test_a_deactivated_drafter_can_neither_start_nor_edit_a_draft(world, session, session_factory):
    notice = notice_in(world, NS.DRAFT)
    c.deactivate_user(session, world.admin, user_id=world.drafter.id)
    refused(session, session_factory, lambda: c.create_draft(
        session, world.drafter, title="关于新事项的通知", body="正文"), containing="停用")
    refused(session, session_factory, lambda: c.update_draft(
        session, world.drafter, notice_id=notice.id, body="改过的正文"), containing="停用")


# ------------------------------------------------------------------------------------------------
# Reports: who judges them, and what is offered on every kind of report row.


def both_receiver_and_supervisor(session, world):
    """A person who receives for the first district and supervises for the issuer (a 督办 of the
    city who also keeps the district's incoming mail)."""
    user = c.create_user(session, None, username="both", display_name="兼任", unit_id=world.districts[0].id)
    c.grant_role(session, None, user_id=user.id, role=Role.RECEIVER, unit_id=world.districts[0].id)
    c.grant_role(session, None, user_id=user.id, role=Role.SUPERVISOR, unit_id=world.issuer.id)
    session.commit()
    return user


def submitted_by(session, world, user):
    notice = notice_in(world, NS.ISSUED)
    receipt = next(r for r in receipts_of(world, notice) if r.unit_id == world.districts[0].id)
    c.acknowledge(session, user, receipt_id=receipt.id, now=at(1.5))
    report = next(r for r in reports_of(world, notice) if r.unit_id == world.districts[0].id)
    c.submit_report(session, user, report_id=report.id, text="报告", now=at(1.6))
    session.commit()
    return report


def test_the_person_who_submitted_a_report_may_neither_accept_nor_return_it(
        world, session, session_factory):
    both = both_receiver_and_supervisor(session, world)
    report = submitted_by(session, world, both)
    assert set(available_actions(both, report)) == set()
    refused(session, session_factory, lambda: c.accept_report(
        session, both, report_id=report.id, now=at(1.7)), containing="不能审核自己上报的报告")
    refused(session, session_factory, lambda: c.return_report(
        session, both, report_id=report.id, reason="请补充", now=at(1.7)),
        containing="不能审核自己上报的报告")
    assert set(available_actions(world.supervisor, report)) == {PA.ACCEPT, PA.RETURN}
    c.accept_report(session, world.supervisor, report_id=report.id, now=at(1.8))
    assert report.state == PS.ACCEPTED


def test_the_person_who_submitted_a_report_is_not_told_to_check_it(world, session):
    both = both_receiver_and_supervisor(session, world)
    submitted_by(session, world, both)
    told = session.scalars(select(Notification.user_id).where(
        Notification.message.contains("请审核"))).all()
    assert told == [world.supervisor.id]


def report_call(session, action, actor, report_id):
    return {
        PA.SUBMIT: lambda: c.submit_report(session, actor, report_id=report_id, text="报告",
                                           now=at(2)),
        PA.ACCEPT: lambda: c.accept_report(session, actor, report_id=report_id, now=at(2)),
        PA.RETURN: lambda: c.return_report(session, actor, report_id=report_id, reason="请补充",
                                           now=at(2)),
    }[action]


# What each report row offers, by hand: (the row, who) -> the actions.
def _report_rows(session, world, both):
    notice = notice_in(world, NS.ISSUED)
    reports = {r.unit_id: r for r in reports_of(world, notice)}
    receipts = {r.unit_id: r for r in receipts_of(world, notice)}
    d1, d2, d3 = (u.id for u in world.districts)
    # District 1: signed for by `both`, report submitted by them. District 2: signed for, due.
    # District 3: not signed for, due.
    c.acknowledge(session, both, receipt_id=receipts[d1].id, now=at(1.1))
    c.submit_report(session, both, report_id=reports[d1].id, text="报告", now=at(1.2))
    c.acknowledge(session, world.receiver2, receipt_id=receipts[d2].id, now=at(1.1))
    session.commit()
    return {"submitted_by_both": reports[d1], "signed_for_due": reports[d2],
            "unsigned_due": reports[d3]}


EXPECTED_REPORT_ACTIONS = {
    ("submitted_by_both", "supervisor"): {PA.ACCEPT, PA.RETURN},
    ("signed_for_due", "receiver2"): {PA.SUBMIT},
    # Not signed for: reporting waits for 签收 (a guard of the table, so no button either).
    ("unsigned_due", "receiver3"): set(),
}


def test_the_actions_offered_on_every_kind_of_report_row_are_exactly_those_that_succeed(
        world, session):
    both = both_receiver_and_supervisor(session, world)
    rows = _report_rows(session, world, both)
    people = {**world.users, "both": both}
    for row_name, report in rows.items():
        for name, user in people.items():
            offered = set(available_actions(user, report))
            done = {a for a in (PA.SUBMIT, PA.ACCEPT, PA.RETURN)
                    if succeeds(session, report_call(session, a, user, report.id))}
            assert offered == done, (row_name, name)
            assert offered == EXPECTED_REPORT_ACTIONS.get((row_name, name), set()), (row_name,
                                                                                       name)


def test_reporting_before_signing_for_is_refused_by_the_named_guard(world, session,
                                                                   session_factory):
    notice = notice_in(world, NS.ISSUED)
    report = next(r for r in reports_of(world, notice) if r.unit_id == world.districts[0].id)
    message = factories.refused(session, session_factory, lambda: c.submit_report(
        session, world.receiver1, report_id=report.id, text="报告", now=at(1.5)),
        kind=InvalidState, containing="请先签收该公文")
    assert message


# ------------------------------------------------------------------------------------------------
# Who first: a stranger learns nothing of the object, not even that it changed.


def test_a_stranger_editing_a_draft_with_a_stale_version_learns_only_that_they_may_not(
        world, session, session_factory):
    draft = notice_in(world, NS.DRAFT)
    stale = draft.version - 1
    for stranger in (world.drafter2, world.receiver1, world.admin):
        refused(session, session_factory, lambda who=stranger: c.update_draft(
            session, who, notice_id=draft.id, expected_version=stale, body="改"))


def test_a_stranger_issuing_learns_nothing_of_the_series(world, session, session_factory):
    signed = notice_in(world, NS.SIGNED, series_code="无此代字")
    message = refused(session, session_factory, lambda: c.issue(
        session, world.receiver1, notice_id=signed.id, now=at(1)))
    assert "无此代字" not in message and "文书" in message


# ------------------------------------------------------------------------------------------------
# Federations: nothing crosses between root trees.


def another_federation(session):
    """长春: a root federation of its own with a district and a drafter and clerk."""
    root = c.create_unit(session, None, name="长春市妇女联合会", doc_code="长妇发",
                         review_required=False)
    district = c.create_unit(session, None, name="南关区妇联", parent_id=root.id)
    people = {}
    for role in (Role.DRAFTER, Role.CLERK, Role.SIGNATORY):
        user = c.create_user(session, None, username=f"cc_{role.name.lower()}",
                             display_name=f"长春{role.label}", unit_id=root.id)
        c.grant_role(session, None, user_id=user.id, role=role, unit_id=root.id)
        people[role] = user
    session.commit()
    return root, district, people


def test_a_drafter_may_not_address_units_of_another_federation(world, session, session_factory):
    root, district, people = another_federation(session)
    harbin = world.districts[0]
    for fields in ({"main_unit_ids": [harbin.id]}, {"cc_unit_ids": [world.cc_unit.id]},
                   {"main_unit_ids": [district.id], "report_requests": [
                       {"what": "报告", "from_unit_ids": [harbin.id]}]}):
        factories.refused(session, session_factory, lambda f=fields: c.create_draft(
            session, people[Role.DRAFTER], title="关于开展调研的通知", body="请开展调研。", **f),
            kind=InvalidInput, containing="不属于本系统")
    draft = c.create_draft(session, people[Role.DRAFTER], title="关于开展调研的通知",
                           body="请开展调研。", main_unit_ids=[district.id])
    factories.refused(session, session_factory, lambda: c.update_draft(
        session, people[Role.DRAFTER], notice_id=draft.id, main_unit_ids=[district.id, harbin.id]),
        kind=InvalidInput, containing=harbin.name)


def test_a_notice_is_not_issued_to_another_federation_even_through_an_old_group(
        world, session, session_factory):
    root, district, people = another_federation(session)
    group = c.create_group(session, None, owner_unit_id=root.id, name="各区妇联",
                           member_ids=[district.id])
    draft = c.create_draft(session, people[Role.DRAFTER], title="关于开展调研的通知",
                           body="请开展调研。", main_group_ids=[group.id])
    c.submit(session, people[Role.DRAFTER], notice_id=draft.id)
    c.sign(session, people[Role.SIGNATORY], notice_id=draft.id, opinion="同意")
    # A membership written before units were kept apart (straight into the table).
    session.execute(unit_group_member.insert().values(group_id=group.id,
                                                  unit_id=world.districts[0].id))
    factories.refused(session, session_factory, lambda: c.issue(
        session, people[Role.CLERK], notice_id=draft.id, now=at(1)),
        kind=InvalidInput, containing="不属于本系统")


def test_the_recipient_chooser_offers_only_the_issuers_own_federation(world, session):
    root, district, people = another_federation(session)
    choices = drafting_queries.addressee_choices(session, root.id)
    offered = {u.id for section in choices.sections for u in section.units}
    assert offered == {district.id}
    ours = drafting_queries.addressee_choices(session, world.issuer.id)
    offered = {u.id for section in ours.sections for u in section.units}
    assert root.id not in offered and district.id not in offered
    assert world.cc_unit.id in offered  # the city may copy its province


def test_a_group_may_not_gather_units_of_another_federation(world, session, session_factory):
    root, district, people = another_federation(session)
    factories.refused(session, session_factory, lambda: c.create_group(
        session, world.admin, owner_unit_id=root.id, name="混合组",
        member_ids=[district.id, world.districts[0].id]), kind=InvalidInput,
        containing="不属于本系统")
    group = c.create_group(session, world.admin, owner_unit_id=root.id, name="各区妇联",
                           member_ids=[district.id])
    factories.refused(session, session_factory, lambda: c.update_group_members(
        session, world.admin, group_id=group.id, member_ids=[district.id, world.districts[0].id]),
        kind=InvalidInput, containing="不属于本系统")
