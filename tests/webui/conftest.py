"""Fixtures for the web layer: an app on a real database with a fixed clock, a small world with
passwords, and a client that logs in the way a browser does (fetch the form, take its CSRF token,
post) — with the second factor for those who need one.

`give_password` is how a test gives someone a password: through the engine, and for a person who
needs a second factor (administrators, signatories, roles the policy names) it also enrols them
as the person would — logging in, then confirming the secret the engine made with a code that
pyotp computes, as an authenticator app does. `post_login` then answers the second-factor page
with the code of the moment (pyotp again), never one already used; when a test logs the same
person in more often than the clock allows fresh codes, it spends a recovery code.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pyotp
import pytest

from tests.factories import AUDIT_KEY, at, build_world, notice_in, receipts_of
from webui import create_app
from webui.extensions import db
from workflow import commands as c
from workflow import second_factor
from workflow.commands.accounts import ENROL
from workflow.db import create_all, utcnow
from workflow.settings import login_policy
from workflow.states import NoticeState

PASSWORD = "correct-horse-9"
# The people the tests log in as (the others have no password, as in a fresh install).
PEOPLE_WITH_PASSWORDS = ("drafter", "receiver1", "receiver2")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# The web app's today in every test: 2017-03-01 10:00 in Asia/Shanghai, a Wednesday and a working
# day, in the year after the factories' world (built from 2016-03-07): every deadline of the world
# has passed, and a notice issued today is the first of its year. No page depends on the day the
# tests run; a test moves the clock with `set_clock`.
NOW = dt.datetime(2017, 3, 1, 2, 0)


def set_clock(app, moment: dt.datetime) -> None:
    """From now on the app's views and commands take `moment` as the current time."""
    app.config["CLOCK"] = lambda: moment


ENROLLED_AT = at(0)  # the builder enrols people on the world's first day, long before any login


@dataclass
class SecondFactor:
    """What a person's phone and drawer hold: the secret and the unused recovery codes."""

    secret: str
    recovery_codes: list[str]
    last_step: int | None = None  # the last time step the helper gave a code for
    used: list[str] = field(default_factory=list)


# By username: the people the builders enrolled in the test now running.
SECOND_FACTORS: dict[str, SecondFactor] = {}


def give_password(session, user_id: int, password: str = PASSWORD) -> None:
    """Set a password the installer's way; enrol the second factor if the person needs one."""
    user = c.set_password(session, None, user_id=user_id, password=password)
    if user.has_second_factor or not login_policy(session).needs_second_factor(user):
        return
    login = c.log_in(session, username=user.username, password=password, now=ENROLLED_AT)
    if login.then != ENROL:
        return
    secret = login.user.totp_secret
    code = pyotp.TOTP(secret).at(ENROLLED_AT.replace(tzinfo=dt.UTC))
    _, codes = c.confirm_enrolment(session, user_id=user_id, code=code, now=ENROLLED_AT)
    SECOND_FACTORS[user.username] = SecondFactor(secret, codes)


def second_factor_code(username: str) -> str:
    """The code the person's app shows now, or, if this step's and the next one's were used
    already (the engine accepts each once), a recovery code."""
    enrolled = SECOND_FACTORS[username]
    now = second_factor.time_step(utcnow())
    step = now if enrolled.last_step is None else max(now, enrolled.last_step + 1)
    if step > now + 1:
        code = enrolled.recovery_codes.pop()
        enrolled.used.append(code)
        return code
    enrolled.last_step = step
    return second_factor.code_at(enrolled.secret, step)


def make_app(database_url: str, instance_path, **config):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                       "SECRET_KEY": "test", "AUDIT_KEY": AUDIT_KEY, "WTF_CSRF_ENABLED": True,
                       "CLOCK": lambda: NOW, **config},
                      instance_path=str(instance_path))


@pytest.fixture
def bare_app(database_url, tmp_path):
    """An app on an empty database: no tables yet."""
    app = make_app(database_url, tmp_path / "instance")
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def app(bare_app):
    """An app whose database has its tables (and nothing in them)."""
    with bare_app.app_context():
        create_all(db.engine)
    return bare_app


@dataclass(frozen=True)
class WebWorld:
    """What the tests need to know about the world, as plain values (the ORM rows are gone)."""

    issued_id: int
    issued_number: str
    issued_title: str
    draft_id: int
    draft_title: str
    only_first_id: int
    only_first_title: str


@pytest.fixture
def world(app) -> WebWorld:
    """The factories' world; an issued notice signed for by district 1, a draft, and an issued
    notice sent to district 1 alone."""
    with app.app_context():
        session = db.session
        w = build_world(session)
        issued = notice_in(w, NoticeState.ISSUED)
        c.acknowledge(session, w.receiver1, receipt_id=_receipt_of(w, issued, w.districts[0]),
                      now=at(1, hours=2))
        draft = notice_in(w, NoticeState.DRAFT, title="关于内部讨论稿的通知")
        only_first = notice_in(w, NoticeState.ISSUED, title="关于第一区试点工作的通知",
                               main_group_ids=[], main_unit_ids=[w.districts[0].id],
                               cc_unit_ids=[])
        for username in PEOPLE_WITH_PASSWORDS:
            give_password(session, w.users[username].id)
        session.commit()
        return WebWorld(issued.id, issued.doc_number, issued.title, draft.id, draft.title,
                        only_first.id, only_first.title)


def _receipt_of(w, notice, unit) -> int:
    return next(r.id for r in receipts_of(w, notice) if r.unit_id == unit.id)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path: str = "/login") -> str:
    match = CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_login(client, username: str, password: str = PASSWORD, *, next_url: str | None = None):
    """Log in through the form; answer the second-factor page too when it comes (the response
    returned is then that page's)."""
    path = "/login" + (f"?next={next_url}" if next_url else "")
    response = client.post(path, data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})
    if response.status_code == 303 and response.location == "/login/code":
        response = post_code(client, second_factor_code(username))
    return response


def post_code(client, code: str):
    return client.post("/login/code", data={"code": code,
                                            "csrf_token": csrf_token(client, "/login/code")})


@pytest.fixture
def log_in(client):
    """Log `client` in as `username`; fails the test unless the login succeeded."""

    def log_in(username: str, password: str = PASSWORD, on=None):
        target = on or client
        response = post_login(target, username, password)
        assert response.status_code == 303, response.get_data(as_text=True)
        return target

    return log_in
