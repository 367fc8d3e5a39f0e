"""The administration commands and queries, by the three duties (三员分立): units, groups and users
(系统管理员), roles and the login policy (安全管理员), the audit trail (审计管理员)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import at, notice_in, refused
from workflow import commands as c
from workflow.errors import Conflict, Forbidden, InvalidInput, InvalidState
from workflow.models import AuditEntry
from workflow.queries import admin as admin_queries
from workflow.settings import DEFAULTS, login_policy
from workflow.states import NoticeState, Role


def _last(session) -> AuditEntry:
    return session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()


# ---- units --------------------------------------------------------------------------------------


def test_the_admin_changes_a_unit_and_the_change_is_recorded_field_by_field(world, session):
    d1 = world.districts[0]
    version = admin_queries.edit_version(d1)
    c.update_unit(session, world.admin, unit_id=d1.id, name="示范市第一区妇联", parent_id=None,
                  doc_code="示一妇发", review_required=False, expected_version=version,
                  now=at(1))
    assert (d1.name, d1.parent_id, d1.doc_code, d1.review_required) == (
        "示范市第一区妇联", None, "示一妇发", False)
    entry = _last(session)
    assert entry.action == "unit.UPDATE" and entry.object_id == d1.id
    assert entry.details["changes"] == {
        "name": ["示范市第1区妇联", "示范市第一区妇联"], "parent": ["示范市妇女联合会", None],
        "doc_code": [None, "示一妇发"], "review_required": [True, False]}


def test_a_unit_cannot_be_placed_below_itself(world, session, session_factory):
    issuer, d1 = world.issuer, world.districts[0]
    assert refused(session, session_factory, lambda: c.update_unit(
        session, world.admin, unit_id=issuer.id, name=issuer.name, parent_id=d1.id),
        InvalidInput) == "上级单位不能是本单位或其下级单位"


def test_a_unit_cannot_take_another_units_name(world, session, session_factory):
    d1 = world.districts[0]
    refused(session, session_factory, lambda: c.update_unit(
        session, world.admin, unit_id=d1.id, name="示范市第2区妇联", parent_id=world.issuer.id),
        InvalidInput, containing="已经存在")


def test_a_unit_edit_from_a_stale_page_is_already_handled(world, session, session_factory):
    d1 = world.districts[0]
    stale = admin_queries.edit_version(d1)
    c.update_unit(session, world.admin, unit_id=d1.id, name="改名一次", parent_id=world.issuer.id)
    refused(session, session_factory, lambda: c.update_unit(
        session, world.admin, unit_id=d1.id, name="改名两次", parent_id=world.issuer.id,
        expected_version=stale), Conflict, containing="已被他人处理")


@pytest.mark.parametrize("who", ["security", "auditor", "drafter"])
def test_only_the_admin_changes_units(world, session, session_factory, who):
    d1 = world.districts[0]
    refused(session, session_factory, lambda: c.update_unit(
        session, world.users[who], unit_id=d1.id, name="不该改", parent_id=world.issuer.id),
        Forbidden, containing="系统管理员")


def test_the_unit_tree_lists_parents_before_their_children_with_depth(world, session):
    rows = admin_queries.unit_tree(session)
    names = [(r.name, r.depth) for r in rows]
    assert names[0] == ("示范省妇女联合会", 0)
    assert names[1] == ("示范市妇女联合会", 1)
    assert names[2:5] == [(f"示范市第{i}区妇联", 2) for i in (1, 2, 3)]
    assert rows[2].parent_name == "示范市妇女联合会"
    assert next(r for r in rows if r.name == "示范市第1区妇联").users == 1


# ---- groups -------------------------------------------------------------------------------------


def test_the_admin_changes_a_groups_members_and_the_change_is_recorded(world, session):
    d1, d2, d3 = world.districts
    c.update_group_members(session, world.admin, group_id=world.group.id,
                           member_ids=[d1.id, d3.id, world.cc_unit.id],
                           expected_version=admin_queries.edit_version(world.group), now=at(1))
    assert [u.id for u in world.group.members] == [d1.id, d3.id, world.cc_unit.id]
    entry = _last(session)
    assert entry.action == "group.UPDATE_MEMBERS"
    assert entry.details["added"] == ["示范省妇女联合会"]
    assert entry.details["removed"] == ["示范市第2区妇联"]


def test_a_group_keeps_at_least_one_member_and_only_units_that_exist(world, session,
                                                                     session_factory):
    refused(session, session_factory, lambda: c.update_group_members(
        session, world.admin, group_id=world.group.id, member_ids=[]), InvalidInput,
        containing="至少")
    refused(session, session_factory, lambda: c.update_group_members(
        session, world.admin, group_id=world.group.id, member_ids=[999]), InvalidInput,
        containing="不存在")


def test_a_group_edit_from_a_stale_page_is_already_handled(world, session, session_factory):
    d1, d2, _ = world.districts
    stale = admin_queries.edit_version(world.group)
    c.update_group_members(session, world.admin, group_id=world.group.id, member_ids=[d1.id])
    refused(session, session_factory, lambda: c.update_group_members(
        session, world.admin, group_id=world.group.id, member_ids=[d2.id],
        expected_version=stale), Conflict)


def test_only_the_admin_changes_group_members(world, session, session_factory):
    refused(session, session_factory, lambda: c.update_group_members(
        session, world.security, group_id=world.group.id, member_ids=[world.districts[0].id]),
        Forbidden)


# ---- users --------------------------------------------------------------------------------------


def test_deactivating_a_user_ends_their_sessions_and_is_recorded(world, session):
    before = world.drafter.session_generation
    c.deactivate_user(session, world.admin, user_id=world.drafter.id, now=at(1))
    assert world.drafter.active is False
    assert world.drafter.session_generation == before + 1
    assert _last(session).action == "user.DEACTIVATE"
    c.reactivate_user(session, world.admin, user_id=world.drafter.id, now=at(2))
    assert world.drafter.active is True
    assert _last(session).action == "user.REACTIVATE"


def test_the_admin_sets_and_clears_a_users_email_and_it_is_recorded(world, session):
    c.set_email(session, world.admin, user_id=world.drafter.id, email=" liuyang@fulian.example ",
                now=at(1))
    assert world.drafter.email == "liuyang@fulian.example"
    assert _last(session).action == "user.SET_EMAIL"
    c.set_email(session, world.admin, user_id=world.drafter.id, email="", now=at(2))
    assert world.drafter.email is None


@pytest.mark.parametrize("email", ["liuyang", "liu yang@fulian.example", "a@b", "@fulian.example",
                                   "x" * 200 + "@fulian.example"])
def test_an_address_a_mail_server_cannot_take_is_refused_and_nothing_changes(
        world, session, session_factory, email):
    refused(session, session_factory,
            lambda: c.set_email(session, world.admin, user_id=world.drafter.id, email=email),
            InvalidInput, "电子邮箱格式不正确")
    assert world.drafter.email is None


def test_only_the_system_administrator_sets_an_email(world, session, session_factory):
    for person in (world.security, world.drafter):
        refused(session, session_factory,
                lambda p=person: c.set_email(session, p, user_id=world.drafter.id,
                                             email="a@fulian.example"), Forbidden)


def test_a_deactivated_user_does_no_business(world, session, session_factory):
    draft = notice_in(world, NoticeState.DRAFT)
    c.deactivate_user(session, world.admin, user_id=world.drafter.id)
    refused(session, session_factory, lambda: c.submit(session, world.drafter,
                                                       notice_id=draft.id), containing="停用")


def test_an_account_already_stopped_cannot_be_stopped_again(world, session, session_factory):
    c.deactivate_user(session, world.admin, user_id=world.drafter.id)
    refused(session, session_factory, lambda: c.deactivate_user(
        session, world.admin, user_id=world.drafter.id), InvalidState, containing="已经停用")


def test_the_admin_cannot_stop_their_own_account(world, session, session_factory):
    refused(session, session_factory, lambda: c.deactivate_user(
        session, world.admin, user_id=world.admin.id), Forbidden, containing="自己")


@pytest.mark.parametrize("who", ["security", "auditor", "supervisor"])
def test_only_the_admin_stops_accounts(world, session, session_factory, who):
    refused(session, session_factory, lambda: c.deactivate_user(
        session, world.users[who], user_id=world.drafter.id), Forbidden)


def test_the_users_list_says_what_the_admin_may_do_to_each_account(world, session):
    c.deactivate_user(session, world.admin, user_id=world.drafter.id)
    rows = {r.username: r for r in admin_queries.users(session, world.admin)}
    assert rows["drafter"].actions == ("reactivate",)
    assert rows["clerk"].actions == ("deactivate",)
    assert rows["admin"].actions == ()
    assert [g.role for g in rows["clerk"].grants] == [Role.CLERK]
    assert not rows["clerk"].grants[0].revocable  # the admin grants nothing
    security_view = {r.username: r for r in admin_queries.users(session, world.security)}
    assert security_view["clerk"].grants[0].revocable
    assert not security_view["security"].grants[0].revocable
    assert security_view["clerk"].actions == ()


def test_the_users_list_shows_a_login_delay_only_while_it_lasts(world, session):
    for _ in range(5):
        with pytest.raises(Forbidden):
            c.log_in(session, username="drafter", password="wrong", address="203.0.113.9",
                     now=at(0.5))
    rows = {r.username: r for r in admin_queries.users(session, now=at(0.5))}
    assert rows["drafter"].delayed_until == at(0.5) + dt.timedelta(minutes=1)
    assert rows["clerk"].delayed_until is None
    rows = {r.username: r for r in admin_queries.users(session, now=at(2))}
    assert rows["drafter"].delayed_until is None


# ---- roles --------------------------------------------------------------------------------------


def test_revoking_a_role_ends_the_users_sessions_and_is_recorded(world, session):
    before = world.clerk.session_generation
    c.revoke_role(session, world.security, user_id=world.clerk.id, role=Role.CLERK,
                  unit_id=world.issuer.id, now=at(1))
    assert world.clerk.roles == set()
    assert world.clerk.session_generation == before + 1
    entry = _last(session)
    assert entry.action == "user.REVOKE_ROLE"
    assert entry.details == {"role": "CLERK", "unit_id": world.issuer.id}


def test_a_role_not_held_cannot_be_revoked(world, session, session_factory):
    refused(session, session_factory, lambda: c.revoke_role(
        session, world.security, user_id=world.clerk.id, role=Role.SIGNATORY,
        unit_id=world.issuer.id), InvalidState, containing="没有")


def test_the_security_officer_cannot_revoke_their_own_role(world, session, session_factory):
    refused(session, session_factory, lambda: c.revoke_role(
        session, world.security, user_id=world.security.id, role=Role.SECURITY_OFFICER,
        unit_id=world.issuer.id), Forbidden, containing="自己")


@pytest.mark.parametrize("who", ["admin", "auditor", "clerk"])
def test_only_the_security_officer_revokes_roles(world, session, session_factory, who):
    refused(session, session_factory, lambda: c.revoke_role(
        session, world.users[who], user_id=world.drafter.id, role=Role.DRAFTER,
        unit_id=world.issuer.id), Forbidden, containing="安全管理员")


def test_granting_keeps_the_three_duties_apart_from_business(world, session, session_factory):
    refused(session, session_factory, lambda: c.grant_role(
        session, None, user_id=world.admin.id, role=Role.DRAFTER,
        unit_id=world.issuer.id), InvalidInput, containing="三员分立")
    refused(session, session_factory, lambda: c.grant_role(
        session, None, user_id=world.drafter.id, role=Role.AUDITOR,
        unit_id=world.issuer.id), InvalidInput, containing="三员分立")


# ---- the login policy ---------------------------------------------------------------------------


def test_the_security_officer_sets_the_policy_and_it_is_stored_and_recorded(world, session):
    assert login_policy(session) == DEFAULTS
    policy = c.set_login_policy(session, world.security, max_failures=3, lock_minutes=30,
                                idle_minutes=10, expected_version=0, now=at(1))
    assert (policy.max_failures, policy.lock_minutes, policy.idle_minutes) == (3, 30, 10)
    assert policy.version == 1 and login_policy(session) == policy
    entry = _last(session)
    assert entry.action == "policy.UPDATE"
    assert entry.details["changes"] == {"max_failures": [5, 3], "lock_minutes": [15, 30],
                                        "idle_minutes": [30, 10]}
    again = c.set_login_policy(session, world.security, max_failures=4, lock_minutes=30,
                               idle_minutes=10, expected_version=1, now=at(2))
    assert again.version == 2


def test_a_policy_saved_from_a_stale_page_is_already_handled(world, session, session_factory):
    c.set_login_policy(session, world.security, max_failures=3, lock_minutes=30,
                       idle_minutes=10, expected_version=0)
    refused(session, session_factory, lambda: c.set_login_policy(
        session, world.security, max_failures=6, lock_minutes=30, idle_minutes=10,
        expected_version=0), Conflict)


@pytest.mark.parametrize("values, message", [
    ({"max_failures": 1}, "连续登录失败次数应在 3 到 20 之间"),
    ({"lock_minutes": 0}, "最长等待时间（分钟）应在 1 到 1440 之间"),
    ({"idle_minutes": 100000}, "无操作自动退出时间（分钟）应在 5 到 480 之间"),
])
def test_a_policy_outside_its_bounds_is_refused(world, session, session_factory, values,
                                                message):
    arguments = {"max_failures": 5, "lock_minutes": 15, "idle_minutes": 30, **values}
    assert refused(session, session_factory, lambda: c.set_login_policy(
        session, world.security, **arguments), InvalidInput) == message


@pytest.mark.parametrize("who", ["admin", "auditor", "drafter"])
def test_only_the_security_officer_sets_the_policy(world, session, session_factory, who):
    refused(session, session_factory, lambda: c.set_login_policy(
        session, world.users[who], max_failures=5, lock_minutes=15, idle_minutes=30), Forbidden)


# ---- the audit trail ----------------------------------------------------------------------------


def test_the_trail_is_newest_first_in_pages_of_fifty(world, session):
    notice_in(world, NoticeState.ISSUED)
    for i in range(60):
        c.update_unit(session, world.admin, unit_id=world.cc_unit.id, name=f"省妇联{i}",
                      now=at(2, hours=i / 60))
    first = admin_queries.audit_page(session)
    assert len(first.rows) == 50 and first.pages > 1 and not first.has_previous
    seqs = [r.entry.seq for r in first.rows]
    assert seqs == sorted(seqs, reverse=True) and seqs[0] == first.total
    last = admin_queries.audit_page(session, page=first.pages)
    assert last.rows[-1].entry.seq == 1 and not last.has_next
    assert admin_queries.audit_page(session, page=999).page == first.pages


def test_the_trail_filters_by_local_day_actor_action_and_notice(world, session):
    issued = notice_in(world, NoticeState.ISSUED)  # drafted at(0), issued at(1) = 3月8日 09:00
    other = notice_in(world, NoticeState.DRAFT, title="另一件通知")
    Filter = admin_queries.AuditFilter

    def actions(**wanted):
        return [r.entry.action for r in admin_queries.audit_page(session, Filter(**wanted)).rows]

    assert actions(date_from=dt.date(2016, 3, 8), date_to=dt.date(2016, 3, 8),
                   notice=str(issued.id)) == ["notice.ISSUE"]
    assert actions(actor="clerk") == ["notice.ISSUE"]
    assert actions(action="notice.SIGN") == ["notice.SIGN"]
    assert actions(notice=issued.doc_number) == actions(notice=str(issued.id))
    assert "notice.CREATE" in actions(notice=str(other.id))
    assert actions(actor="无此人") == []
    assert actions(notice="100%_") == []  # wildcards are taken literally


def test_the_trail_names_each_object(world, session):
    issued = notice_in(world, NoticeState.ISSUED)
    c.grant_role(session, world.security, user_id=world.drafter2.id, role=Role.CLERK,
                 unit_id=world.issuer.id, now=at(2))
    rows = admin_queries.audit_page(session).rows
    grant = rows[0]
    assert (grant.object_label, grant.object_name) == ("用户", "drafter2（drafter2）")
    assert grant.summary == "文书；示范市妇女联合会"
    issue = next(r for r in rows if r.entry.action == "notice.ISSUE")
    assert (issue.object_label, issue.object_name, issue.notice_id) == (
        "公文", issued.doc_number, issued.id)


def test_the_trail_offers_the_actions_that_occur_in_it(world, session):
    notice_in(world, NoticeState.DRAFT)
    assert "notice.CREATE" in admin_queries.audit_actions(session)
    assert "notice.SIGN" not in admin_queries.audit_actions(session)
