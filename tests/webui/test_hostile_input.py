"""What a hostile request gets from every endpoint: no CSRF token, an id past any row, a number
past any range, a control character in any field. Never a 500, never a changed row.

The endpoints, their paths and who may use them come from the route table of test_routes.py, so a
new endpoint is tried here as soon as it is listed there.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Enum, String, select

from tests.webui import test_routes
from tests.webui.conftest import csrf_token
from tests.webui.test_routes import ANONYMOUS, FORM, TABLE, _logged_in, _rows
from webui.errors import CSRF_MESSAGE
from webui.extensions import db

objects = test_routes.objects  # the fixture: one federation with an object in every state
HUGE = "9223372036854775808"  # one past the largest 64-bit integer
POSTS = {endpoint: route for endpoint, route in TABLE.items() if route.method == "POST"}
# Actions that carry no version: the well-formed FORM of test_routes is carried out by them, so
# rows change whatever else is sent; what they store is checked instead. The autosave keeps
# whatever text it is sent (and discarding forgets it): nothing else.
ACT_WITHOUT_VERSION = {"tracking.remind", "admin.deactivate_user", "admin.reactivate_user",
                       "incoming.read_copy", "autosave.draft_new", "autosave.draft",
                       "autosave.amend", "autosave.report", "autosave.discard"}
WITH_IDS = {endpoint: route for endpoint, route in TABLE.items() if "{" in route.path}


def _someone_allowed(route) -> str:
    """The first person (by name) the route allows; anonymous only for the login page."""
    return min((p for p in route.allowed if p != ANONYMOUS), default=ANONYMOUS)


@pytest.fixture
def clients(app, objects):
    """One logged-in client for each person some POST endpoint allows (logging in is audited,
    so every login happens before a test counts the rows)."""
    people = {_someone_allowed(route) for route in TABLE.values()} - {ANONYMOUS}
    made = {person: _logged_in(app, person) for person in sorted(people)}
    return made.__getitem__


@pytest.mark.slow
def test_a_post_without_a_csrf_token_is_refused_by_every_endpoint_and_changes_nothing(
        app, objects, clients):
    before = _rows(app)
    accepted = []
    for endpoint, route in POSTS.items():
        person = _someone_allowed(route)
        client = clients(person) if person != ANONYMOUS else app.test_client()
        response = client.post(route.path.format(**objects), data=dict(FORM))
        body = response.get_data(as_text=True)
        if response.status_code != 400 or CSRF_MESSAGE not in body:
            accepted.append(f"{endpoint} as {person}: {response.status_code}")
    assert accepted == []
    assert _rows(app) == before


@pytest.mark.slow
def test_an_id_past_any_row_in_a_url_is_not_found_everywhere(app, objects, clients):
    wrong = []
    for route in WITH_IDS.values():
        person = _someone_allowed(route)
        client = clients(person)
        path = re.sub(r"\{[a-z_]+\}", HUGE, route.path)
        if route.method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={**FORM, "csrf_token": csrf_token(client,
                                                                                  "/password")})
        if response.status_code != 404:
            wrong.append(f"{route.method} {path} as {person}: {response.status_code}")
    assert wrong == []


@pytest.mark.slow
@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "1" * 5000, "１２", "1_000", "9" * 16])
def test_a_number_past_any_range_in_any_form_field_is_refused_in_chinese_not_a_500(
        app, objects, clients, value):
    numeric = {k: value for k, v in FORM.items() if v.isdigit()}
    numeric.update({"unit_id": value, "user_id": value, "issuer_unit_id": value,
                    "parent_id": value, "page": value, "every_days": value,
                    "main_unit_ids": value, "cc_unit_ids": value, "member_ids": value,
                    "series": f"{value}:2016:示妇发"})
    assert _post_everywhere(app, objects, clients, {**FORM, **numeric}) == []


@pytest.mark.slow
@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\u202e"])
def test_a_control_character_in_any_form_field_is_refused_and_changes_nothing(
        app, objects, clients, char):
    hostile = {k: (v + char if not v.isdigit() else v) for k, v in FORM.items()}
    assert _post_everywhere(app, objects, clients, hostile) == []
    assert _stored_anywhere(app, char) == []


def _post_everywhere(app, objects, clients, data: dict) -> list[str]:
    """Post `data` to every POST endpoint as someone it allows; what went wrong: a 500, or rows
    changed by an endpoint that should have refused."""
    failed, before = [], _rows(app)
    for endpoint, route in POSTS.items():
        person = _someone_allowed(route)
        if person == ANONYMOUS or endpoint.startswith("auth."):
            continue  # logging out and changing one's password: tests/webui/test_security.py
        client = clients(person)
        response = client.post(route.path.format(**objects),
                               data={**data, "csrf_token": csrf_token(client, "/password")})
        if response.status_code >= 500:
            failed.append(f"{endpoint} as {person}: {response.status_code}")
        if endpoint in ACT_WITHOUT_VERSION:
            before = _rows(app)
        elif _rows(app) != before:
            failed.append(f"{endpoint} as {person} changed rows")
    return failed


def _stored_anywhere(app, char: str) -> list[str]:
    """Every (table.column) of the database whose text holds `char` (read back and searched
    here: PostgreSQL takes no NUL even as a search parameter)."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns
                       if isinstance(c.type, String) and not isinstance(c.type, Enum)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                found += [f"{table.name}.{c.name}" for c, value in zip(columns, row, strict=True)
                          if isinstance(value, str) and char in value]
    return sorted(set(found))
