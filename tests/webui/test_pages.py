"""One map from a place of work to its page: every place the engine names has one, each builds,
and the engine itself writes no path of the application."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from webui.pages import PAGES, url_of
from workflow.places import ACTION_PLACES, Place, Target
from workflow.queries.inbox import KINDS, PLACES
from workflow.states import NoticeAction

ROOT = Path(__file__).resolve().parents[2]


def test_every_place_of_work_has_a_page():
    assert set(PAGES) == set(Place)


def test_every_kind_of_task_and_every_notice_action_has_a_place():
    assert set(PLACES) == set(KINDS)
    assert set(ACTION_PLACES) == set(NoticeAction)


# The page of each place, written out by hand: a renamed route fails here, not in someone's inbox.
@pytest.mark.parametrize(("target", "page"), [
    (Target(Place.NOTICE, 5), "/notices/5"),
    (Target(Place.DRAFT, 5), "/drafting/5"),
    (Target(Place.AMEND, 5), "/drafting/5/amend"),
    (Target(Place.SIGNOFF, 5), "/signoff/5"),
    (Target(Place.ISSUE, 5), "/dispatch/5/issue"),
    (Target(Place.ARCHIVE), "/dispatch/"),
    (Target(Place.TRACK, 5), "/tracking/5"),
    (Target(Place.HANDLE_RETURN, 6), "/dispatch/returns/6"),
    (Target(Place.CHECK_REPORT, 7), "/tracking/reports/7"),
    (Target(Place.WRITE_REPORT, 7), "/receiving/reports/7"),
    (Target(Place.SIGN_FOR, 3), "/receiving/#sign-3"),
    (Target(Place.SIGN_FOR), "/receiving/"),
    (Target(Place.REPORT_DUE, 3), "/receiving/#due-3"),
    (Target(Place.INCOMING, 8), "/incoming/8"),
    (Target(Place.AUDIT), "/admin/audit"),
    (Target(Place.PASSWORD), "/password"),
])
def test_each_place_opens_its_page_in_a_request_and_for_a_mail(app, target, page):
    with app.test_request_context():
        assert url_of(target) == url_of(str(target)) == page
    with app.app_context():  # the mail sender: no request
        assert url_of(str(target)) == page


def test_a_target_of_no_known_place_opens_nothing(app):
    with app.test_request_context():
        assert [url_of(text) for text in (None, "", "elsewhere:1", "/signoff/1")] == [None] * 4


def test_the_engine_writes_no_path_of_the_application(app):
    """No string in `workflow/` starts with the first segment of a route (`/signoff`, `/receiving`
    …): the engine names places, `webui.pages` maps them."""
    segments = {rule.rule.split("/")[1] for rule in app.url_map.iter_rules()} - {"", "static"}
    found = []
    for path in sorted((ROOT / "workflow").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and node.value.startswith("/") and node.value[1:].split("/")[0].split("#")[0] \
                    in segments:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert found == []
