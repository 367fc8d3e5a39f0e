"""我的待办 as a page: a supervisor's late units come one card per notice and request, leading to
the notice's tracking page; a receiver still sees its own unit's task."""

from __future__ import annotations

import re

from tests.webui.receiving_fixtures import text
from tests.webui.test_clock import task, with_password


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="task[^"]*">.*?</li>', html, re.S)


def test_a_supervisor_sees_one_card_per_notice_and_request_with_the_number_of_late_units(
        client, log_in, world, app):
    # Two issued notices, both long overdue on the app's day (2017-03-01): the first to the three
    # districts (district 1 signed for it), the second to district 1 alone (not signed for).
    with_password(app, "supervisor")
    log_in("supervisor")
    html = text(client.get("/inbox/"))
    late = [card for card in _cards(html) if "task-overdue" in card]
    assert len(late) == 4, late
    unsigned = task(html, world.issued_title, "未签收")
    assert "2 个单位未签收" in unsigned
    assert "（示范市第2区妇联、示范市第3区妇联）" in unsigned
    assert f'href="/tracking/{world.issued_id}"' in unsigned
    unreported = task(html, world.issued_title, "逾期未报")
    assert "3 个单位逾期未报</strong>：调研报告" in unreported
    assert "（示范市第1区妇联、示范市第2区妇联、示范市第3区妇联）" in unreported
    assert "等" not in unreported.split("task-unit-names")[1]  # three names: all of them shown
    assert "1 个单位未签收" in task(html, world.only_first_title, "未签收")


def test_a_receiver_still_sees_its_own_units_task_without_a_count_of_units(client, log_in, world):
    log_in("receiver2")
    entry = task(text(client.get("/inbox/")), world.issued_title, "待签收")
    assert "个单位" not in entry
    assert "示范市第2区妇联" in entry
