"""Helpers for the admin desk's and the security tests: passwords for the people the tests log in
as, a form post the way a browser sends it (CSRF token and Referer), and reads in the database."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.webui.conftest import PASSWORD, csrf_token, give_password
from webui.extensions import db
from workflow.models import AuditEntry, User

BASE = "http://localhost"


def give_passwords(app, *usernames: str, password: str = PASSWORD) -> None:
    with app.app_context():
        for username in usernames:
            user = db.session.scalar(select(User).where(User.username == username))
            give_password(db.session, user.id, password)
        db.session.commit()


def post_form(client, path: str, data: dict | None = None, *, page: str | None = None):
    """POST `data` to `path` with the CSRF token of `page` (default: `path`) and, as a browser
    does, the page it came from as Referer (refusals are then flashed on that page)."""
    page = page or path
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})},
                       headers={"Referer": BASE + page})


def text(response) -> str:
    return response.get_data(as_text=True)


def user(app, username: str) -> User:
    with app.app_context():
        account = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(account)
        return account


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def last_actions(app, n: int = 1) -> list[str]:
    with app.app_context():
        return list(reversed(db.session.scalars(
            select(AuditEntry.action).order_by(AuditEntry.seq.desc()).limit(n)).all()))


def hidden(html: str, name: str) -> str:
    """The value of the hidden input `name` on a page."""
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html)
    assert match, f"no hidden {name}"
    return match.group(1)
