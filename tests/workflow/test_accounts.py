"""One's own account in the engine: logging in under the throttle, logging out, changing a
password; each writes its audit entry, and the policy comes from the database.

The throttle's promises, each shown here: the same answer (and one Argon2 check) for every name;
failures counted by name and by address in the database; delays that double up to the policy's
longest; and a stranger's failures that never hold the owner back at their usual address.
"""

from __future__ import annotations

import datetime as dt

import argon2
import pytest
from sqlalchemy import select

from tests.factories import at, refused
from workflow import audit
from workflow import commands as c
from workflow.commands.accounts import REFUSED
from workflow.errors import Forbidden, InvalidInput
from workflow.models import AuditEntry, LoginThrottle
from workflow.settings import DEFAULTS, Policy, login_policy

PASSWORD = "correct-horse-9"
DESK = "10.1.2.3"  # the drafter's own workstation
STRANGER = "203.0.113.9"
ELSEWHERE = "198.51.100.7"
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def people(world, session):
    """The world, with passwords for the drafter, the reviewer and the security officer."""
    for name in ("drafter", "reviewer", "security"):
        c.set_password(session, None, user_id=world.users[name].id, password=PASSWORD)
    session.commit()
    return world


def _actions(session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def _last(session) -> AuditEntry:
    return session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()


def _log_in(session, password, *, username="drafter", now=None, defaults=None, address=DESK):
    return c.log_in(session, username=username, password=password, now=now or at(1),
                    defaults=defaults, address=address)


def _fail(session, times, *, username="drafter", address=STRANGER, start=None, every=None,
          password="wrong"):
    """`times` refused attempts, `every` apart (default: all at once); returns the last moment."""
    moment = start or at(1)
    for _ in range(times):
        with pytest.raises(Forbidden, match=f"^{REFUSED}$"):
            _log_in(session, password, username=username, now=moment, address=address)
        moment += every or dt.timedelta(0)
    return moment


# ---- the answer -----------------------------------------------------------------------------------


def test_the_right_password_returns_the_user_and_records_the_login_with_its_address(people,
                                                                                   session):
    login = _log_in(session, PASSWORD)
    assert login.user.id == people.drafter.id and login.then is None
    entry = _last(session)
    assert (entry.action, entry.actor_id, entry.object_id) == ("user.LOGIN", login.user.id,
                                                               login.user.id)
    assert entry.details == {"address": DESK, "factor": "password"}
    assert people.drafter.last_login_address == DESK


def test_a_wrong_password_is_recorded_and_refused_with_the_one_generic_message(people, session):
    with pytest.raises(Forbidden) as caught:
        _log_in(session, "wrong", address=STRANGER)
    assert str(caught.value) == "用户名或密码错误，或尝试过于频繁，请稍后再试"
    entry = _last(session)
    assert entry.action == "user.LOGIN_FAILED" and entry.actor_id is None
    assert entry.object_id == people.drafter.id
    assert entry.details == {"username": "drafter", "address": STRANGER,
                             "reason": "wrong_password"}


def test_an_unknown_name_gets_the_same_message_and_is_recorded_by_the_name_typed(people, session):
    with pytest.raises(Forbidden, match=f"^{REFUSED}$"):
        _log_in(session, PASSWORD, username="nobody", address=STRANGER)
    entry = _last(session)
    assert entry.action == "user.LOGIN_FAILED" and entry.object_id is None
    assert entry.details == {"username": "nobody", "address": STRANGER, "reason": "unknown_user"}


def test_an_unknown_name_is_delayed_exactly_like_a_real_one(people, session):
    """Whoever tries a list of names learns nothing: the same refusals, the same delays."""
    _fail(session, 6, username="drafter")
    _fail(session, 6, username="nobody")
    delays = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.LOGIN_DELAYED")
                             .order_by(AuditEntry.seq)).all()
    assert [(d.details["username"], d.details["scope"], d.details["minutes"]) for d in delays] == [
        ("drafter", "name", 1), ("nobody", "name", 1)]
    failures = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.LOGIN_FAILED")
                               .order_by(AuditEntry.seq)).all()
    assert [f.details["reason"] for f in failures] == (
        ["wrong_password"] * 5 + ["delayed"] + ["unknown_user"] * 5 + ["delayed"])


def test_every_refused_password_costs_exactly_one_argon2_check(people, session, monkeypatch):
    """The same time for every name: a known name, an unknown one, an account without a password
    and an attempt held back all run one Argon2 verification (of a hash with the same
    parameters), and nothing else that costs."""
    checks = []
    real_verify = argon2.PasswordHasher.verify

    def counting_verify(self, stored, password):
        checks.append(stored.split("$")[3])  # the parameters: m=…,t=…,p=…
        return real_verify(self, stored, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting_verify)
    cases = [("drafter", STRANGER), ("nobody", STRANGER), ("clerk", STRANGER)]
    for username, address in cases:
        checks.clear()
        with pytest.raises(Forbidden, match=f"^{REFUSED}$"):
            _log_in(session, "wrong", username=username, address=address)
        assert len(checks) == 1, username
    _fail(session, 5, address=ELSEWHERE)  # the drafter's name is now delayed
    checks.clear()
    with pytest.raises(Forbidden, match=f"^{REFUSED}$"):
        _log_in(session, PASSWORD, address=ELSEWHERE)
    assert len(checks) == 1
    assert _last(session).details["reason"] == "delayed"


@pytest.mark.slow
def test_a_known_and_an_unknown_name_take_the_same_time_with_the_production_hash(people,
                                                                                  session):
    """Measured with argon2's production parameters (the suite uses the cheapest): the medians
    of a wrong password and an unknown name differ by far less than a hash costs. The bound is
    generous — a loaded machine must not make it flake — yet a login that skipped the hash for
    an unknown name (the leak) takes a fraction of the time and fails it."""
    import time

    from workflow import passwords
    from workflow.commands import accounts

    passwords.use_profile("RFC_9106_LOW_MEMORY")
    accounts._decoy_hash.cache_clear()
    try:
        c.set_password(session, None, user_id=people.reviewer.id, password=PASSWORD)
        session.commit()  # the attempts below roll back their own writes, not this

        def median(username):
            times = []
            for i in range(7):
                began = time.perf_counter()
                with pytest.raises(Forbidden):
                    _log_in(session, "wrong", username=username, address=f"10.9.{i}.1")
                times.append(time.perf_counter() - began)
                session.rollback()
            return sorted(times)[3]

        known, unknown = median("reviewer"), median("nobody-at-all")
    finally:
        passwords.use_profile("CHEAPEST")
        accounts._decoy_hash.cache_clear()
    assert 0.5 < unknown / known < 2, (known, unknown)


# ---- the throttle ---------------------------------------------------------------------------------


def test_five_failures_delay_the_sixth_attempt_even_with_the_right_password(people, session):
    _fail(session, 5)
    assert _actions(session)[-2:] == ["user.LOGIN_FAILED", "user.LOGIN_DELAYED"]
    delay = _last(session)
    assert delay.details == {"username": "drafter", "scope": "name", "failures": 5, "minutes": 1}
    with pytest.raises(Forbidden, match=f"^{REFUSED}$"):
        _log_in(session, PASSWORD, address=ELSEWHERE, now=at(1) + 30 * dt.timedelta(seconds=1))
    assert _last(session).details["reason"] == "delayed"
    login = _log_in(session, PASSWORD, address=ELSEWHERE, now=at(1) + MINUTE)
    assert login.user.id == people.drafter.id


def test_each_further_failure_doubles_the_delay_up_to_the_policys_longest(people, session):
    strict = Policy(max_failures=3, lock_minutes=5, idle_minutes=30)
    moment = _fail(session, 2, every=MINUTE, password="wrong")
    minutes = []
    for _ in range(5):
        with pytest.raises(Forbidden):
            _log_in(session, "wrong", address=STRANGER, now=moment, defaults=strict)
        minutes.append(_last(session).details["minutes"])
        moment += dt.timedelta(minutes=minutes[-1])  # the next try comes when the delay ends
    assert minutes == [1, 2, 4, 5, 5]


def test_attempts_during_a_delay_do_not_lengthen_it(people, session):
    """The stranger who keeps knocking keeps only their own address waiting: the name's delay
    ends on time and the owner, from a new place, gets in."""
    end = _fail(session, 5)
    _fail(session, 10, start=end + dt.timedelta(seconds=1))
    assert _log_in(session, PASSWORD, address=ELSEWHERE, now=at(1) + MINUTE).then is None


def test_a_strangers_failures_never_hold_the_owner_back_at_their_usual_address(people, session):
    _log_in(session, PASSWORD, address=DESK, now=at(0.5))  # the desk becomes the usual address
    end = _fail(session, 12, every=dt.timedelta(seconds=1))
    assert _log_in(session, PASSWORD, address=DESK, now=end).user.id == people.drafter.id
    # Elsewhere the name is still delayed: the owner's login gave the stranger no fresh guesses.
    with pytest.raises(Forbidden, match=f"^{REFUSED}$"):
        _log_in(session, PASSWORD, address=ELSEWHERE, now=end)


def test_at_the_usual_address_the_owners_own_failures_are_still_counted(people, session):
    _log_in(session, PASSWORD, address=DESK, now=at(0.5))
    _fail(session, 5, address=DESK)
    assert _actions(session)[-2:] == ["user.LOGIN_DELAYED", "user.LOGIN_DELAYED"]
    assert {e.details["scope"] for e in session.scalars(select(AuditEntry).where(
        AuditEntry.action == "user.LOGIN_DELAYED"))} == {"name", "pair"}
    with pytest.raises(Forbidden, match=f"^{REFUSED}$"):  # the pair (name, desk) is delayed
        _log_in(session, PASSWORD, address=DESK, now=at(1) + MINUTE / 2)
    assert _log_in(session, PASSWORD, address=DESK, now=at(1) + MINUTE).then is None


def test_an_address_that_fails_across_many_names_is_delayed_for_every_name(people, session):
    """Password spraying: one address, a different name each time."""
    for i in range(20):
        _fail(session, 1, username=f"guess{i}")
    assert _last(session).details == {"username": "guess19", "scope": "address",
                                      "failures": 20, "minutes": 1}
    with pytest.raises(Forbidden, match=f"^{REFUSED}$"):
        _log_in(session, PASSWORD, username="reviewer", address=STRANGER)
    assert _log_in(session, PASSWORD, username="reviewer", address=ELSEWHERE).then is None


def test_an_ipv6_client_is_counted_by_its_slash_64(people, session):
    for i in range(20):
        _fail(session, 1, username=f"guess{i}", address=f"2001:db8:1:2::{i + 1:x}")
    with pytest.raises(Forbidden, match=f"^{REFUSED}$"):
        _log_in(session, PASSWORD, username="reviewer", address="2001:db8:1:2:ffff::1")
    assert _log_in(session, PASSWORD, username="reviewer", address="2001:db8:1:3::1").then is None


def test_a_complete_login_forgets_the_owners_failures_at_that_address_only(people, session):
    _log_in(session, PASSWORD, address=DESK, now=at(0.5))
    _fail(session, 4, address=DESK)
    _log_in(session, PASSWORD, address=DESK)
    _fail(session, 4, address=DESK)
    # At the desk nothing is delayed; the name has now failed eight times, and is delayed elsewhere.
    assert [e.details["scope"] for e in session.scalars(select(AuditEntry).where(
        AuditEntry.action == "user.LOGIN_DELAYED"))] == ["name", "name", "name", "name"]
    assert _log_in(session, PASSWORD, address=DESK).then is None


def test_failures_older_than_a_day_start_the_count_again_and_their_rows_go(people, session):
    _fail(session, 4)
    _fail(session, 4, username="nobody")
    later = at(1) + dt.timedelta(hours=25)
    _fail(session, 1, start=later)
    assert "user.LOGIN_DELAYED" not in _actions(session)
    keys = set(session.scalars(select(LoginThrottle.key)))
    assert "name:nobody" not in keys and "name:drafter" in keys


def test_the_stored_policy_wins_over_the_defaults_the_caller_passes(people, session):
    c.set_login_policy(session, people.security, max_failures=3, lock_minutes=60,
                       idle_minutes=20, now=at(0.5))
    session.commit()
    lenient = Policy(max_failures=10, lock_minutes=1, idle_minutes=30)
    for _ in range(3):
        with pytest.raises(Forbidden):
            _log_in(session, "wrong", defaults=lenient, address=STRANGER)
    assert _last(session).action == "user.LOGIN_DELAYED"


def test_without_a_stored_policy_the_callers_defaults_apply(people, session):
    strict = Policy(max_failures=2, lock_minutes=30, idle_minutes=30)
    for _ in range(2):
        with pytest.raises(Forbidden):
            _log_in(session, "wrong", defaults=strict, address=STRANGER)
    assert _last(session).action == "user.LOGIN_DELAYED"
    assert login_policy(session) == DEFAULTS


def test_failures_are_counted_in_the_database_across_sessions(people, session_factory):
    for _ in range(5):
        with session_factory() as other, pytest.raises(Forbidden):
            try:
                _log_in(other, "wrong", address=STRANGER)
            finally:
                other.commit()  # as the login view does, whatever the outcome
    with session_factory() as fresh, pytest.raises(Forbidden):
        try:
            _log_in(fresh, PASSWORD, address=ELSEWHERE)
        finally:
            fresh.commit()
    with session_factory() as fresh:
        assert _last(fresh).details["reason"] == "delayed"


# ---- the account's state --------------------------------------------------------------------------


def test_a_deactivated_account_cannot_log_in_even_with_the_right_password(people, session):
    c.deactivate_user(session, people.admin, user_id=people.drafter.id, now=at(0.5))
    with pytest.raises(Forbidden, match="该账号已停用"):
        _log_in(session, PASSWORD)


def test_an_account_without_a_password_cannot_log_in(world, session):
    with pytest.raises(Forbidden, match=f"^{REFUSED}$"):
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
    assert _log_in(session, "brand-new-pass", now=at(3)).user.id == people.drafter.id


def test_changing_a_reset_password_lifts_the_duty_to_change_it(people, session):
    c.reset_password(session, people.security, user_id=people.drafter.id,
                     password="given-by-officer", now=at(1))
    assert people.drafter.must_change_password
    c.change_password(session, people.drafter, old_password="given-by-officer",
                      new_password="my-own-secret-1", now=at(2))
    assert not people.drafter.must_change_password


def test_the_login_entries_keep_the_audit_chain_whole(people, session):
    _fail(session, 6)
    _log_in(session, PASSWORD, now=at(2))
    c.log_out(session, people.drafter, now=at(2))
    session.commit()
    assert audit.verify(session).ok


def test_a_generated_password_is_long_and_different_each_time():
    first, second = c.generate_password(), c.generate_password()
    assert len(first) >= 12 and first != second


def test_failures_made_at_the_same_moment_by_several_workers_all_count(people, session_factory):
    """Ten workers fail at once under one name: the counter says ten (the row is locked while it
    is counted), not fewer (which would let a crowd of workers guess for free)."""
    import threading

    start = threading.Barrier(10)
    lenient = Policy(max_failures=20, lock_minutes=15, idle_minutes=30)  # no delay starts here

    def fail_once(i: int) -> None:
        with session_factory() as mine:
            start.wait()
            try:
                _log_in(mine, "wrong", address=f"10.8.0.{i + 1}", defaults=lenient)
            except Forbidden:
                mine.commit()

    workers = [threading.Thread(target=fail_once, args=(i,)) for i in range(10)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    with session_factory() as fresh:
        assert fresh.get(LoginThrottle, "name:drafter").failures == 10
