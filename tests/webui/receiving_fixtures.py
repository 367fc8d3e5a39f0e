"""Fixtures and helpers shared by the 收文 and 督办 desk tests: more people with passwords, a
supervisor of another federation, the ids of a notice's receipts and reports, and form posts that
carry the page's CSRF token the way a browser does."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from tests.factories import World
from tests.webui.conftest import PASSWORD, csrf_token, give_password
from webui.extensions import db
from workflow import commands as c
from workflow.models import AuditEntry, Receipt, Report, Unit, UnitGroup, User
from workflow.states import Role

# The people these tests log in as, besides the conftest's drafter, receiver1 and receiver2.
MORE_PEOPLE = ("supervisor", "receiver3", "cc_receiver", "clerk")


@dataclass(frozen=True)
class Row:
    id: int
    version: int
    state: str


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def people(app, world):
    """Passwords for the supervisor, the other receivers and the clerk; an outsider supervisor
    of another federation (username "outsider")."""
    with app.app_context():
        session = db.session
        for username in MORE_PEOPLE:
            user = session.scalar(select(User).where(User.username == username))
            give_password(session, user.id)
        unit = c.create_unit(session, None, name="另一市妇女联合会", doc_code="另妇发")
        outsider = c.create_user(session, None, username="outsider", display_name="外单位督办",
                                 unit_id=unit.id, password=PASSWORD)
        c.grant_role(session, None, user_id=outsider.id, role=Role.SUPERVISOR, unit_id=unit.id)
        session.commit()
    return world


def unit_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


def district(i: int) -> str:
    return f"示范市第{i}区妇联"


def receipt_of(app, notice_id: int, unit_name: str) -> Row:
    with app.app_context():
        r = db.session.scalar(select(Receipt).join(Unit, Unit.id == Receipt.unit_id).where(
            Receipt.notice_id == notice_id, Unit.name == unit_name))
        return Row(r.id, r.version, r.state.name)


def report_of(app, notice_id: int, unit_name: str) -> Row:
    with app.app_context():
        p = db.session.scalar(select(Report).join(Unit, Unit.id == Report.unit_id).where(
            Report.notice_id == notice_id, Unit.name == unit_name))
        return Row(p.id, p.version, p.state.name)


def audit_count(app, action: str, object_id: int | None = None) -> int:
    with app.app_context():
        where = [AuditEntry.action == action]
        if object_id is not None:
            where.append(AuditEntry.object_id == object_id)
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(*where))


def post(client, path: str, data: dict | None = None, *, page: str = "/notices/",
         **kwargs):
    """POST a form from `page` (its CSRF token and, as a browser sends it, its Referer)."""
    form = {"csrf_token": csrf_token(client, page), **(data or {})}
    return client.post(path, data=form, headers={"Referer": f"http://localhost{page}"},
                       **kwargs)


def flashes(client, page: str) -> list[str]:
    """The flash messages shown on `page` (the page the post redirected to)."""
    return re.findall(r'class="flash[^"]*"[^>]*>([^<]*)<', text(client.get(page)))


def world_of(session) -> World:
    """The factories' World again, read back from the database (for notice_in in a web test)."""
    users = {u.username: u for u in session.scalars(select(User))}
    units = {u.name: u for u in session.scalars(select(Unit))}
    return World(session, issuer=units["示范市妇女联合会"],
                 districts=[units[district(i)] for i in (1, 2, 3)],
                 cc_unit=units["示范省妇女联合会"],
                 group=session.scalar(select(UnitGroup).where(UnitGroup.name == "各区妇联")),
                 users=users)
