"""Who may touch which account (findings 3 and 4 of the security review).

Through the web no administrator disables, reactivates, edits, resets or changes the roles of
another administrator or of themself, nor grants or revokes an administrator role: each such
call is refused in the engine with a Chinese message and changes nothing. The server (actor
None, `flask --app wsgi user …`) does these, audited. Any reset password must be changed at the
next login, and its holder is told — never the one who did it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import at, refused
from workflow import commands as c
from workflow.errors import Forbidden
from workflow.models import AuditEntry, MailMessage, Notification
from workflow.states import Role

ADMINS = ("admin", "security", "auditor")
NEW_PASSWORD = "given-password-1"


def _last(session) -> AuditEntry:
    return session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()


# Each web action on an account, done by the duty that may do it to a business user.
WEB_ACTIONS = {
    "deactivate": ("admin", lambda s, actor, target, w: c.deactivate_user(
        s, actor, user_id=target.id)),
    "reactivate": ("admin", lambda s, actor, target, w: c.reactivate_user(
        s, actor, user_id=target.id)),
    "set email": ("admin", lambda s, actor, target, w: c.set_email(
        s, actor, user_id=target.id, email="someone@example.org")),
    "reset password": ("security", lambda s, actor, target, w: c.reset_password(
        s, actor, user_id=target.id, password=NEW_PASSWORD)),
    "grant a business role": ("security", lambda s, actor, target, w: c.grant_role(
        s, actor, user_id=target.id, role=Role.CLERK, unit_id=w.issuer.id)),
    "revoke a role": ("security", lambda s, actor, target, w: c.revoke_role(
        s, actor, user_id=target.id, role=next(iter(target.roles)), unit_id=w.issuer.id)),
}


@pytest.mark.parametrize("target", ADMINS)
@pytest.mark.parametrize("action", sorted(WEB_ACTIONS))
def test_no_administrator_acts_on_an_administrators_account_or_their_own_through_the_web(
        world, session, session_factory, action, target):
    duty, call = WEB_ACTIONS[action]
    if action == "reactivate":  # something to reactivate: stopped on the server first
        c.deactivate_user(session, None, user_id=world.users[target].id)
    message = refused(session, session_factory,
                      lambda: call(session, world.users[duty], world.users[target], world),
                      Forbidden)
    if action == "reactivate" and duty == target:
        assert "停用" in message  # a stopped account does nothing, itself included
    else:
        assert ("自己" if duty == target else "服务器") in message


@pytest.mark.parametrize("action", sorted(WEB_ACTIONS))
def test_the_same_actions_on_a_business_user_are_done_by_their_duty(world, session, action):
    duty, call = WEB_ACTIONS[action]
    if action == "reactivate":
        c.deactivate_user(session, None, user_id=world.drafter.id)
    call(session, world.users[duty], world.drafter, world)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY_OFFICER, Role.AUDITOR])
def test_an_administrator_role_is_granted_only_on_the_server(world, session, session_factory,
                                                             role):
    newcomer = c.create_user(session, None, username="newcomer", display_name="新人",
                             unit_id=world.issuer.id)
    refused(session, session_factory, lambda: c.grant_role(
        session, world.security, user_id=newcomer.id, role=role, unit_id=world.issuer.id),
        Forbidden, containing="服务器")
    c.grant_role(session, None, user_id=newcomer.id, role=role, unit_id=world.issuer.id,
                 now=at(1))
    assert newcomer.roles == {role}
    assert (_last(session).action, _last(session).actor_id) == ("user.GRANT_ROLE", None)


def test_an_administrator_role_is_revoked_only_on_the_server(world, session, session_factory):
    refused(session, session_factory, lambda: c.revoke_role(
        session, world.security, user_id=world.auditor.id, role=Role.AUDITOR,
        unit_id=world.issuer.id), Forbidden, containing="服务器")
    c.revoke_role(session, None, user_id=world.auditor.id, role=Role.AUDITOR,
                  unit_id=world.issuer.id, now=at(1))
    assert world.auditor.roles == set()


def test_the_server_stops_and_restarts_an_administrators_account(world, session):
    c.deactivate_user(session, None, user_id=world.auditor.id, now=at(1))
    assert not world.auditor.active and _last(session).actor_id is None
    c.reactivate_user(session, None, user_id=world.auditor.id, now=at(2))
    assert world.auditor.active


@pytest.mark.parametrize("who", ["security", "admin", "drafter"])
def test_nobody_sets_a_password_directly_through_the_web(world, session, session_factory, who):
    refused(session, session_factory, lambda: c.set_password(
        session, world.users[who], user_id=world.clerk.id, password=NEW_PASSWORD), Forbidden,
        containing="服务器")


# ---- resets: changed at the next login, and the holder is told --------------------------------


def test_a_web_reset_of_a_business_user_must_be_changed_ends_sessions_and_tells_them(
        world, session):
    c.set_email(session, None, user_id=world.drafter.id, email="liu@example.org")
    before = world.drafter.session_generation
    c.reset_password(session, world.security, user_id=world.drafter.id, password=NEW_PASSWORD,
                     now=at(1))
    assert world.drafter.must_change_password
    assert world.drafter.session_generation == before + 1
    entry = _last(session)
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "user.RESET_PASSWORD", world.security.id, world.drafter.id)
    assert entry.details == {"username": "drafter", "where": "web"}
    told = session.scalars(select(Notification)).all()
    assert [(n.user_id, n.kind, n.target) for n in told] == [(world.drafter.id, "account",
                                                               "password")]
    assert "2016-03-08 09:00" in told[0].message and "安全管理员" in told[0].message
    mail = session.scalars(select(MailMessage)).one()
    assert (mail.user_id, mail.to_addr) == (world.drafter.id, "liu@example.org")
    assert mail.subject.startswith("【公文流转】您的登录密码已于")


def test_the_server_resets_an_administrators_password_audited_and_told(world, session):
    c.set_email(session, None, user_id=world.auditor.id, email="zhao@example.org")
    c.reset_password(session, None, user_id=world.auditor.id, password=NEW_PASSWORD, now=at(1))
    assert world.auditor.must_change_password
    entry = _last(session)
    assert (entry.action, entry.actor_id, entry.actor_name, entry.details["where"]) == (
        "user.RESET_PASSWORD", None, "系统", "server")
    assert session.scalars(select(Notification.user_id)).all() == [world.auditor.id]
    assert session.scalars(select(MailMessage.to_addr)).all() == ["zhao@example.org"]


def test_a_reset_password_logs_in_and_the_login_still_must_change_it(world, session):
    c.reset_password(session, world.security, user_id=world.drafter.id, password=NEW_PASSWORD,
                     now=at(1))
    login = c.log_in(session, username="drafter", password=NEW_PASSWORD, now=at(2))
    assert login.then is None and login.user.must_change_password


def test_a_reset_lifts_the_delays_on_the_name(world, session):
    for _ in range(6):
        with pytest.raises(Forbidden):
            c.log_in(session, username="drafter", password="wrong", address="203.0.113.9",
                     now=at(1))
    c.reset_password(session, world.security, user_id=world.drafter.id, password=NEW_PASSWORD,
                     now=at(1))
    assert c.log_in(session, username="drafter", password=NEW_PASSWORD, address="198.51.100.7",
                    now=at(1)).then is None


def test_a_password_the_system_administrator_gives_a_new_account_must_be_changed(world,
                                                                                  session):
    made = c.create_user(session, world.admin, username="wangwu", display_name="王五",
                         unit_id=world.issuer.id, password=NEW_PASSWORD)
    assert made.must_change_password
    built = c.create_user(session, None, username="zhaoliu", display_name="赵六",
                          unit_id=world.issuer.id, password=NEW_PASSWORD)
    assert not built.must_change_password  # the demo's and the tests' own accounts


def test_the_installers_three_accounts_must_change_their_printed_passwords(session):
    users = c.install(session, unit_name="某市妇女联合会",
                      names={Role.ADMIN: "甲", Role.SECURITY_OFFICER: "乙", Role.AUDITOR: "丙"},
                      passwords={r: NEW_PASSWORD for r in (Role.ADMIN, Role.SECURITY_OFFICER,
                                                           Role.AUDITOR)})
    assert [u.must_change_password for u in users] == [True, True, True]
