"""The notice list and the notice page: what a user sees, and what they may not."""

from __future__ import annotations

import re


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_root_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location


def test_the_root_leads_a_business_user_to_their_inbox(client, log_in, world):
    log_in("drafter")
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/inbox/")


def test_the_list_shows_each_notices_number_title_state_and_progress(client, log_in, world):
    log_in("drafter")
    html = _text(client.get("/notices/"))
    assert world.issued_number in html
    assert world.issued_title in html
    assert "已印发" in html
    assert "签收 1/4" in html and "上报 0/3" in html
    assert html.count("<progress") >= 2


def test_a_draft_in_the_list_reads_unnumbered(client, log_in, world):
    log_in("drafter")
    row = re.search(r"<tr>(?:(?!</tr>).)*" + world.draft_title + r".*?</tr>", _text(client.get("/notices/")),
                    re.S).group(0)
    assert "未编号" in row and "草稿" in row


def test_a_receiving_unit_lists_only_the_notices_sent_to_it(client, log_in, world):
    log_in("receiver2")
    html = _text(client.get("/notices/"))
    assert world.issued_title in html
    assert world.draft_title not in html
    assert world.only_first_title not in html


def test_the_notice_page_shows_the_document(client, log_in, world):
    log_in("receiver1")
    html = _text(client.get(f"/notices/{world.issued_id}"))
    assert world.issued_title in html and world.issued_number in html
    assert "示范市妇女联合会" in html
    assert "各区妇联：" in html  # the 主送 line
    assert "抄送：示范省妇女联合会" in html
    assert "请各区妇联开展调研。" in html
    assert "调研报告" in html and "2016年4月30日" in html
    assert "同意印发" in html and "2016年3月7日" in html  # opinion and 成文日期


def test_the_notice_page_shows_receipts_and_reports_with_their_states(client, log_in, world):
    log_in("drafter")
    html = _text(client.get(f"/notices/{world.issued_id}"))
    assert "示范市第1区妇联" in html and "示范市第3区妇联" in html
    assert "已签收" in html and "待签收" in html and "待上报" in html
    assert "2016-03-08 11:00" in html  # district 1 signed for it at at(1, hours=2), local time


def test_the_notice_page_shows_its_audit_trail_in_chinese_and_local_time(client, log_in, world):
    log_in("drafter")
    html = _text(client.get(f"/notices/{world.issued_id}"))
    trail = html[html.index('id="trail"'):]
    for label in ("起草", "提交", "核稿通过", "签发", "登记印发", "签收"):
        assert f'<span class="action">{label}</span>' in trail
    assert "草稿 → 核稿中" in trail
    assert "待签收 → 已签收" in trail
    assert "代表示范市第1区妇联" in trail
    assert "2016-03-07 09:00" in trail  # the draft was made at T0, 01:00 UTC
    assert "notice." not in trail and "receipt." not in trail


def test_a_user_of_another_unit_gets_404_for_a_notice_not_sent_to_them(client, log_in, world):
    log_in("receiver2")
    for notice_id in (world.only_first_id, world.draft_id):
        response = client.get(f"/notices/{notice_id}")
        assert response.status_code == 404
        assert "无权查看" in _text(response)
        assert world.only_first_title not in _text(response)


def test_the_unit_it_was_sent_to_may_open_it(client, log_in, world):
    log_in("receiver1")
    assert client.get(f"/notices/{world.only_first_id}").status_code == 200


def test_an_unknown_notice_is_404(client, log_in, world):
    log_in("drafter")
    assert client.get("/notices/999999").status_code == 404


def test_a_recipient_unit_sees_only_its_own_receipt_and_none_of_the_drafting_steps(
        client, log_in, world):
    log_in("receiver1")
    html = _text(client.get(f"/notices/{world.issued_id}"))
    assert "示范市第1区妇联" in html
    assert "示范市第2区妇联" not in html and "示范市第3区妇联" not in html
    assert "登记印发" in html  # the public step is in its trail
    assert "核稿通过" not in html and "起草" not in html  # the issuer's internal steps are not


def test_the_issuing_unit_sees_every_recipient_and_the_whole_trail(client, log_in, world):
    log_in("drafter")
    html = _text(client.get(f"/notices/{world.issued_id}"))
    assert "示范市第2区妇联" in html and "示范市第3区妇联" in html
    assert "核稿通过" in html and "起草" in html


def test_the_notice_page_offers_only_what_the_engine_allows_this_user_now(
        app, client, log_in, world):
    log_in("drafter")
    draft_page = _text(client.get(f"/notices/{world.draft_id}"))
    assert "您现在可以办理" in draft_page and "提交" in draft_page
    assert f'href="/drafting/{world.draft_id}"' in draft_page
    receiver = log_in("receiver1", on=app.test_client())
    issued_page = _text(receiver.get(f"/notices/{world.issued_id}"))
    assert "您现在可以办理" not in issued_page


def test_the_lifecycle_picture_is_drawn_from_the_tables_with_the_current_state_marked(
        client, log_in, world):
    from webui.pictures import dot_available

    if not dot_available():
        import os

        import pytest
        if os.environ.get("CI"):
            pytest.fail("graphviz (dot) must be installed in CI")
        pytest.skip("graphviz (dot) is not installed: apt-get install graphviz")
    log_in("drafter")
    html = _text(client.get(f"/notices/{world.issued_id}"))
    assert "/notices/lifecycle/notice.svg?state=ISSUED" in html
    response = client.get("/notices/lifecycle/notice.svg?state=ISSUED")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "已印发" in svg and "登记印发" in svg and "#c62828" in svg  # the marked state
    assert client.get("/notices/lifecycle/notice.svg?state=NOPE").status_code == 404
