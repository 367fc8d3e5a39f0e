"""The second factor in the engine: who needs one, enrolment with the first code, TOTP codes that
work once, recovery codes, wrong codes under the login throttle, and the server's reset.

Codes are computed here with pyotp from the secret the engine made — what an authenticator app
does — at moments the tests choose, so nothing depends on the clock.
"""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from sqlalchemy import select

from tests.factories import at, refused
from workflow import commands as c
from workflow.commands.accounts import CODE, CODE_REFUSED, ENROL, REFUSED
from workflow.errors import Forbidden, InvalidState
from workflow.models import AuditEntry, MailMessage, Notification, RecoveryCode
from workflow.settings import Policy
from workflow.states import Role

PASSWORD = "correct-horse-9"
DESK = "10.1.2.3"
STRANGER = "203.0.113.9"
STEP = dt.timedelta(seconds=30)


@pytest.fixture
def people(world, session):
    for name in ("signatory", "admin", "security", "auditor", "drafter", "clerk"):
        c.set_password(session, None, user_id=world.users[name].id, password=PASSWORD)
    session.commit()
    return world


def code(secret: str, moment: dt.datetime) -> str:
    """What the person's app shows at `moment` (naive UTC)."""
    return pyotp.TOTP(secret).at(moment.replace(tzinfo=dt.UTC))


def _last(session) -> AuditEntry:
    return session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()


def _log_in(session, username="signatory", *, now=None, address=DESK, password=PASSWORD,
            defaults=None):
    return c.log_in(session, username=username, password=password, now=now or at(1),
                    address=address, defaults=defaults)


def enrolled(session, username="signatory", *, now=None) -> tuple[str, list[str]]:
    """Log in, enrol with the app's first code; returns the secret and the recovery codes."""
    now = now or at(1)
    login = _log_in(session, username, now=now)
    assert login.then == ENROL
    secret = login.user.totp_secret
    _, codes = c.confirm_enrolment(session, user_id=login.user.id, code=code(secret, now),
                                   address=DESK, now=now)
    session.commit()
    return secret, codes


# ---- who needs a second factor --------------------------------------------------------------------


@pytest.mark.parametrize("username", ["signatory", "admin", "security", "auditor"])
def test_administrators_and_signatories_are_sent_to_enrolment_after_the_password(people, session,
                                                                                 username):
    login = _log_in(session, username)
    assert login.then == ENROL
    assert len(login.user.totp_secret) == 32 and login.user.totp_confirmed_at is None
    assert "user.LOGIN" not in set(session.scalars(select(AuditEntry.action)))


@pytest.mark.parametrize("username", ["drafter", "clerk"])
def test_other_business_roles_log_in_with_the_password_alone(people, session, username):
    assert _log_in(session, username).then is None


def test_a_role_the_security_officer_names_in_the_policy_needs_a_second_factor(people, session):
    c.set_login_policy(session, people.security, max_failures=5, lock_minutes=15,
                       idle_minutes=30, second_factor_roles=[Role.DRAFTER], now=at(0.5))
    assert _log_in(session, "drafter").then == ENROL
    assert _log_in(session, "clerk").then is None
    changes = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "policy.UPDATE")).one().details["changes"]
    assert changes["second_factor_roles"] == [[], ["DRAFTER"]]


def test_the_policy_cannot_name_an_administrator_role_or_make_signatories_optional(
        people, session, session_factory):
    refused(session, session_factory, lambda: c.set_login_policy(
        session, people.security, max_failures=5, lock_minutes=15, idle_minutes=30,
        second_factor_roles=[Role.AUDITOR]), containing="业务角色")


def test_the_enrolment_secret_stays_the_same_until_it_is_confirmed(people, session):
    first = _log_in(session, now=at(1)).user.totp_secret
    second = _log_in(session, now=at(2)).user.totp_secret
    assert first == second  # the QR code scanned on the first try still works


# ---- enrolment ------------------------------------------------------------------------------------


def test_enrolment_with_the_first_code_logs_in_and_gives_ten_recovery_codes_stored_hashed(
        people, session):
    secret, codes = enrolled(session)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(x) == 11 and x[5] == "-" for x in codes)
    stored = session.scalars(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == people.signatory.id)).all()
    assert len(stored) == 10 and not any(x.replace("-", "") in h for x in codes for h in stored)
    actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions[-2:] == ["user.ENROL_SECOND_FACTOR", "user.LOGIN"]
    assert _last(session).details == {"address": DESK, "factor": "totp"}
    assert people.signatory.has_second_factor


def test_a_wrong_first_code_does_not_enrol_and_counts_toward_the_throttle(people, session):
    login = _log_in(session)
    with pytest.raises(Forbidden, match=f"^{CODE_REFUSED}$"):
        c.confirm_enrolment(session, user_id=login.user.id, code="000000", address=STRANGER,
                            now=at(1))
    assert not people.signatory.has_second_factor
    assert _last(session).details["reason"] == "wrong_code"


def test_enrolling_twice_is_refused(people, session, session_factory):
    secret, _ = enrolled(session)
    refused(session, session_factory, lambda: c.confirm_enrolment(
        session, user_id=people.signatory.id, code=code(secret, at(2)), now=at(2)),
        InvalidState, containing="已设置")


# ---- codes ----------------------------------------------------------------------------------------


def test_an_enrolled_person_gives_a_code_after_the_password_and_is_then_logged_in(people,
                                                                                session):
    secret, _ = enrolled(session)
    later = at(2)
    assert _log_in(session, now=later).then == CODE
    login = c.pass_second_factor(session, user_id=people.signatory.id,
                                 code=code(secret, later), address=DESK, now=later)
    assert login.user.id == people.signatory.id and login.then is None
    assert _last(session).action == "user.LOGIN"


def test_a_code_is_refused_the_second_time_within_its_window(people, session):
    secret, _ = enrolled(session)
    later = at(2)
    c.pass_second_factor(session, user_id=people.signatory.id, code=code(secret, later),
                         address=DESK, now=later)
    with pytest.raises(Forbidden, match=f"^{CODE_REFUSED}$"):
        c.pass_second_factor(session, user_id=people.signatory.id, code=code(secret, later),
                             address=DESK, now=later + dt.timedelta(seconds=10))
    assert _last(session).details["reason"] == "reused_code"
    # The next step's code is a new one, and works.
    c.pass_second_factor(session, user_id=people.signatory.id, code=code(secret, later + STEP),
                         address=DESK, now=later + STEP)


def test_a_code_from_the_step_before_is_accepted_for_a_clock_that_drifts(people, session):
    secret, _ = enrolled(session)
    later = at(2)
    c.pass_second_factor(session, user_id=people.signatory.id, code=code(secret, later - STEP),
                         address=DESK, now=later)


def test_a_code_from_two_steps_before_is_refused(people, session):
    secret, _ = enrolled(session)
    later = at(2)
    with pytest.raises(Forbidden, match=f"^{CODE_REFUSED}$"):
        c.pass_second_factor(session, user_id=people.signatory.id,
                             code=code(secret, later - 2 * STEP), address=DESK, now=later)
    assert _last(session).details["reason"] == "wrong_code"


def test_a_recovery_code_works_once(people, session):
    _, codes = enrolled(session)
    login = c.pass_second_factor(session, user_id=people.signatory.id,
                                 code=codes[3].lower().replace("-", " "), address=DESK,
                                 now=at(2))
    assert login.recovery_codes_left == 9
    assert _last(session).details == {"address": DESK, "factor": "recovery_code",
                                      "codes_left": 9}
    with pytest.raises(Forbidden, match=f"^{CODE_REFUSED}$"):
        c.pass_second_factor(session, user_id=people.signatory.id, code=codes[3],
                             address=DESK, now=at(3))


def test_wrong_codes_count_toward_the_same_throttle_as_wrong_passwords(people, session):
    secret, _ = enrolled(session)
    moment = at(2)
    for _ in range(5):
        with pytest.raises(Forbidden, match=f"^{CODE_REFUSED}$"):
            c.pass_second_factor(session, user_id=people.signatory.id, code="123456",
                                 address=STRANGER, now=moment)
    assert _last(session).action == "user.LOGIN_DELAYED"
    # From the stranger's address even the right code, and the right password, now wait.
    with pytest.raises(Forbidden, match=f"^{CODE_REFUSED}$"):
        c.pass_second_factor(session, user_id=people.signatory.id, code=code(secret, moment),
                             address=STRANGER, now=moment)
    with pytest.raises(Forbidden, match=f"^{REFUSED}$"):
        _log_in(session, address=STRANGER, now=moment)
    # At the owner's desk (where they enrolled) they are not held back.
    assert c.pass_second_factor(session, user_id=people.signatory.id, code=code(secret, moment),
                                address=DESK, now=moment).then is None


def test_the_throttle_follows_the_policy_for_codes_too(people, session):
    enrolled(session)
    strict = Policy(max_failures=3, lock_minutes=10, idle_minutes=30)
    for _ in range(3):
        with pytest.raises(Forbidden):
            c.pass_second_factor(session, user_id=people.signatory.id, code="999999",
                                 address=STRANGER, defaults=strict, now=at(2))
    assert _last(session).details["minutes"] == 1


# ---- losing the phone -----------------------------------------------------------------------------


def test_resetting_the_second_factor_is_a_server_command(people, session, session_factory):
    enrolled(session)
    refused(session, session_factory, lambda: c.reset_second_factor(
        session, people.security, user_id=people.signatory.id), Forbidden, containing="服务器")


def test_the_servers_reset_forgets_the_factor_ends_sessions_tells_the_person_and_is_audited(
        people, session):
    enrolled(session)
    c.set_email(session, None, user_id=people.signatory.id, email="qian@example.org")
    before = people.signatory.session_generation
    c.reset_second_factor(session, None, user_id=people.signatory.id, now=at(3))
    assert not people.signatory.has_second_factor and people.signatory.totp_secret is None
    assert people.signatory.session_generation == before + 1
    assert session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == people.signatory.id)).all() == []
    entry = _last(session)
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "user.RESET_SECOND_FACTOR", None, people.signatory.id)
    told = session.scalars(select(Notification).where(
        Notification.user_id == people.signatory.id)).one()
    assert told.kind == "account" and "两步验证" in told.message
    mail = session.scalars(select(MailMessage)).one()
    assert mail.to_addr == "qian@example.org" and "两步验证" in mail.subject
    login = _log_in(session, now=at(4))
    assert login.then == ENROL and login.user.totp_secret is not None


def test_the_server_refuses_to_reset_a_second_factor_that_was_never_set(people, session,
                                                                       session_factory):
    refused(session, session_factory, lambda: c.reset_second_factor(
        session, None, user_id=people.drafter.id), InvalidState, containing="尚未设置")
