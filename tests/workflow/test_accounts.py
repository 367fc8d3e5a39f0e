"""One's own account in the engine: logging in with the lockout, logging out, changing a password;
each writes its audit entry, and the policy comes from the database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import at, refused
from workflow import audit
from workflow import commands as c
from workflow.errors import Forbidden, InvalidInput
from workflow.models import AuditEntry
from workflow.settings import DEFAULTS, Policy, login_policy

PASSWORD = "correct-horse-9"


@pytest.fixture
def people(world, session):
    """The world, with passwords for the drafter and the security officer."""
    for name in ("drafter", "security"):
        c.set_password(session, None, user_id=world.users[name].id, password=PASSWORD)
    session.commit()
    return world


def _actions(session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def _log_in(session, password, *, username="drafter", now=None, defaults=None):
    return c.log_in(session, username=username, password=password, now=now or at(1),
                    defaults=defaults)


def test_the_right_password_returns_the_user_and_records_the_login(people, session):
    user = _log_in(session, PASSWORD)
    assert user.id == people.drafter.id
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (entry.action, entry.actor_id, entry.object_id) == ("user.LOGIN", user.id, user.id)


def test_a_wrong_password_is_counted_recorded_and_refused_with_the_generic_message(people,
                                                                                   session):
    with pytest.raises(Forbidden, match="^用户名或密码错误$"):
        _log_in(session, "wrong")
    assert people.drafter.failed_logins == 1
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "user.LOGIN_FAILED" and entry.actor_id is None
    assert entry.object_id == people.drafter.id and entry.details["reason"] == "wrong_password"


def test_an_unknown_name_gets_the_same_message_and_is_recorded_by_the_name_typed(people, session):
    with pytest.raises(Forbidden, match="^用户名或密码错误$"):
        _log_in(session, PASSWORD, username="nobody")
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "user.LOGIN_FAILED" and entry.object_id is None
    assert entry.details == {"username": "nobody", "reason": "unknown_user"}


def test_five_failures_lock_the_account_and_the_lock_is_recorded(people, session):
    for _ in range(4):
        with pytest.raises(Forbidden, match="用户名或密码错误"):
            _log_in(session, "wrong")
    with pytest.raises(Forbidden, match="账号已锁定，请15分钟后再试"):
        _log_in(session, "wrong")
    assert people.drafter.locked_until == at(1) + dt.timedelta(minutes=15)
    assert _actions(session)[-2:] == ["user.LOGIN_FAILED", "user.LOCKED"]
    with pytest.raises(Forbidden, match="账号已锁定，请10分钟后再试"):
        _log_in(session, PASSWORD, now=at(1) + dt.timedelta(minutes=5))


def test_a_lock_runs_out_and_the_right_password_works_again(people, session):
    for _ in range(5):
        with pytest.raises(Forbidden):
            _log_in(session, "wrong")
    user = _log_in(session, PASSWORD, now=at(1) + dt.timedelta(minutes=16))
    assert user.failed_logins == 0 and user.locked_until is None


def test_the_stored_policy_wins_over_the_defaults_the_caller_passes(people, session):
    c.set_login_policy(session, people.security, max_failures=3, lock_minutes=60,
                       idle_minutes=20, now=at(0.5))
    session.commit()
    lenient = Policy(max_failures=10, lock_minutes=1, idle_minutes=30)
    for _ in range(2):
        with pytest.raises(Forbidden, match="用户名或密码错误"):
            _log_in(session, "wrong", defaults=lenient)
    with pytest.raises(Forbidden, match="请60分钟后再试"):
        _log_in(session, "wrong", defaults=lenient)


def test_without_a_stored_policy_the_callers_defaults_apply(people, session):
    strict = Policy(max_failures=2, lock_minutes=30, idle_minutes=30)
    with pytest.raises(Forbidden, match="用户名或密码错误"):
        _log_in(session, "wrong", defaults=strict)
    with pytest.raises(Forbidden, match="请30分钟后再试"):
        _log_in(session, "wrong", defaults=strict)
    assert login_policy(session) == DEFAULTS


def test_failures_are_counted_in_the_database_across_sessions(people, session_factory):
    for _ in range(5):
        with session_factory() as other, pytest.raises(Forbidden):
            try:
                _log_in(other, "wrong")
            finally:
                other.commit()  # as the login view does, whatever the outcome
    with session_factory() as fresh, pytest.raises(Forbidden, match="账号已锁定"):
        _log_in(fresh, PASSWORD)


def test_a_deactivated_account_cannot_log_in_even_with_the_right_password(people, session):
    c.deactivate_user(session, people.admin, user_id=people.drafter.id, now=at(0.5))
    with pytest.raises(Forbidden, match="该账号已停用"):
        _log_in(session, PASSWORD)


def test_an_account_without_a_password_cannot_log_in(world, session):
    with pytest.raises(Forbidden, match="用户名或密码错误"):
        _log_in(session, "", username="clerk")


def test_logging_out_ends_every_session_and_is_recorded(people, session):
    before = people.drafter.session_generation
    c.log_out(session, people.drafter, now=at(2))
    assert people.drafter.session_generation == before + 1
    assert _actions(session)[-1] == "user.LOGOUT"


def test_changing_ones_password_needs_the_old_one(people, session, session_factory):
    message = refused(session, session_factory, lambda: c.change_password(
        session, people.drafter, old_password="wrong", new_password="brand-new-pass"),
        InvalidInput)
    assert message == "原密码不正确"


@pytest.mark.parametrize("new, message", [("short", "新密码至少8位"),
                                          (PASSWORD, "新密码不能与原密码相同")])
def test_a_new_password_must_be_long_enough_and_new(people, session, session_factory, new,
                                                   message):
    assert refused(session, session_factory, lambda: c.change_password(
        session, people.drafter, old_password=PASSWORD, new_password=new),
        InvalidInput) == message


def test_a_password_change_ends_every_session_and_the_new_password_works(people, session):
    before = people.drafter.session_generation
    c.change_password(session, people.drafter, old_password=PASSWORD,
                      new_password="brand-new-pass", now=at(2))
    session.commit()
    assert people.drafter.session_generation == before + 1
    assert _actions(session)[-1] == "user.PASSWORD_CHANGED"
    with pytest.raises(Forbidden):
        _log_in(session, PASSWORD, now=at(3))
    assert _log_in(session, "brand-new-pass", now=at(3)).id == people.drafter.id


def test_the_login_entries_keep_the_audit_chain_whole(people, session):
    with pytest.raises(Forbidden):
        _log_in(session, "wrong")
    _log_in(session, PASSWORD)
    c.log_out(session, people.drafter, now=at(2))
    session.commit()
    assert audit.verify(session).ok


def test_a_generated_password_is_long_and_different_each_time():
    first, second = c.generate_password(), c.generate_password()
    assert len(first) >= 12 and first != second
