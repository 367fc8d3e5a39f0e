"""Fixtures for the web layer: an app on a real database with a fixed clock, a small world with
passwords, and a client that logs in the way a browser does (fetch the form, take its CSRF token,
post).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest

from tests.factories import AUDIT_KEY, at, build_world, notice_in, receipts_of
from webui import create_app
from webui.extensions import db
from workflow import commands as c
from workflow.db import create_all
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
            c.set_password(session, None, user_id=w.users[username].id, password=PASSWORD)
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
    path = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data={"username": username, "password": password,
                                   "csrf_token": csrf_token(client)})


@pytest.fixture
def log_in(client):
    """Log `client` in as `username`; fails the test unless the login succeeded."""

    def log_in(username: str, password: str = PASSWORD, on=None):
        target = on or client
        response = post_login(target, username, password)
        assert response.status_code == 303, response.get_data(as_text=True)
        return target

    return log_in
