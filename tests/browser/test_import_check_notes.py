"""从文本导入 in a real browser: a notice read on weak evidence (no title line of its own organ
but in its title, no date, a request 及时 with its receiver) shows its notes to check beside the
fields, readable at 1280 and at 375 px without sideways scrolling (test-artifacts/browser/
import-check-*)."""

from __future__ import annotations

from tests.browser.test_seed_000_story import PHONE, Person, click

TEXT = ("哈尔滨市妇联关于报送学习情况的通知\n各区县（市）妇联，市直妇委会：\n"
        "请各区县（市）妇联将学习贯彻情况及时报市妇联宣传部。\n")


def test_the_notes_to_check_stand_beside_the_fields_on_desktop_and_phone(browser, live_server,
                                                                           artifacts):
    base, _app = live_server
    drafter = Person(browser, base, "hrb_drafter", artifacts)
    page = drafter.go("/drafting/import")
    page.get_by_label("粘贴公文全文").fill(TEXT)
    click(page, "读取")
    notes = page.locator("main .fw-check")
    assert notes.count() >= 3
    assert notes.first.is_visible()
    # The note about the requests sits in the 报送要求 legend, beside the rows it is about.
    legend = page.locator("legend", has_text="报送要求").inner_text()
    assert "请核对" in legend
    drafter.photograph("import-check")
    page.set_viewport_size(PHONE)
    box = page.locator("legend", has_text="报送要求").locator(".fw-check").bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    drafter.close()
