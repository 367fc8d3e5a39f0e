"""The three administrator duties' desks in a real browser, at desktop and phone width."""

from __future__ import annotations

import pytest

from tests.browser.test_seed_000_story import Person

PAGES = {
    "admin": ["/admin/", "/admin/units", "/admin/groups", "/admin/users"],
    "security": ["/admin/roles", "/admin/policy"],
    "auditor": ["/admin/audit", "/notices/"],
}


@pytest.mark.parametrize("username", sorted(PAGES))
def test_each_administrator_duty_has_a_desk_that_fits_a_phone(browser, live_server, artifacts,
                                                                username):
    base, _app = live_server
    person = Person(browser, base, username, artifacts)
    for path in PAGES[username]:
        page = person.go(path)
        assert page.url.endswith(path), f"{username} was sent to {page.url} instead of {path}"
        assert "无权" not in page.inner_text("main")
        person.photograph(f"{username}{path.replace('/', '-').rstrip('-')}")
    person.close()
