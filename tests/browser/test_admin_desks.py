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


def test_every_name_in_the_user_list_stays_on_one_line_at_both_widths(browser, live_server,
                                                                        artifacts):
    base, _app = live_server
    person = Person(browser, base, "admin", artifacts)
    page = person.go("/admin/users")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        # One line box per name: a name that wraps has two (its text's client rects).
        lines = page.evaluate("""() => [...document.querySelectorAll('td.lead')].map(td => {
            const range = document.createRange(); range.selectNodeContents(td);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return [td.textContent.trim(), tops.size]; })""")
        assert lines, "the user list shows no names"
        wrapped = [name for name, count in lines if count > 1]
        assert not wrapped, f"at {width}px these names wrap: {wrapped}"
    page.set_viewport_size({"width": 1280, "height": 900})
    person.photograph("admin-users-names")
    page.screenshot(path=artifacts / "admin-users-names-top-1280.png")
    person.close()


def test_the_user_list_stays_beside_the_new_user_form_at_1280(browser, live_server, artifacts):
    """The list's visible right edge (its scrolling box) stays within its own column: it never
    runs under the form beside it, nor past the window; a line above says it scrolls."""
    base, _app = live_server
    person = Person(browser, base, "admin", artifacts)
    page = person.go("/admin/users")
    page.set_viewport_size({"width": 1280, "height": 900})
    edges = page.evaluate("""() => ({
        table: document.querySelector('table.user-list').closest('.table-scroll, section')
                    .getBoundingClientRect().right,
        form: document.querySelector('#new-user').getBoundingClientRect().left,
        page: document.documentElement.scrollWidth,
        column: document.querySelector('section[aria-label="用户列表"]')
                    .getBoundingClientRect().right,
        window: document.documentElement.clientWidth})""")
    assert edges["table"] <= edges["column"] + 0.5, edges
    assert edges["table"] < edges["form"], edges
    assert edges["page"] <= edges["window"], edges  # the page itself never scrolls sideways
    assert page.locator(".scroll-hint").is_visible()
    page.screenshot(path=artifacts / "admin-users-fits-1280.png", full_page=True)
    person.close()


def test_the_user_list_on_a_phone_is_twenty_cards_a_page_with_a_search_and_the_next_page(
        browser, live_server, artifacts):
    """At 375 px the demo's 60-odd accounts were one page of cards some 20,000 px tall; now a
    page holds twenty, the search and the page links are a fingertip tall, and nothing scrolls
    sideways. The page's height is written beside its screenshot."""
    base, _app = live_server
    person = Person(browser, base, "admin", artifacts)
    page = person.go("/admin/users")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.locator("table.user-list tbody tr").count() == 20
    for control in (page.get_by_label("查找用户"), page.get_by_role("button", name="查找"),
                    page.get_by_role("link", name="下一页")):
        assert control.bounding_box()["height"] >= 44
    size = page.evaluate("() => [document.documentElement.scrollWidth, "
                         "document.documentElement.clientWidth, "
                         "document.documentElement.scrollHeight]")
    assert size[0] <= size[1], f"scrolls sideways: {size}"
    (artifacts / "admin-users-375-height.txt").write_text(f"{size[2]} px\n", encoding="utf-8")
    page.screenshot(path=artifacts / "admin-users-page-375.png", full_page=True)

    page.get_by_label("查找用户").fill("宽城")
    page.get_by_role("button", name="查找").click()
    page.wait_for_load_state()
    units = page.locator('table.user-list td[data-label="所在单位"]').all_inner_texts()
    assert units and all("宽城" in u for u in units), units
    page.screenshot(path=artifacts / "admin-users-search-375.png", full_page=True)
    person.close()
