"""我的待办 as a page: every task links to the page where it is done, and a drafter can start a
new draft from it."""

from __future__ import annotations


def test_a_drafter_sees_the_draft_waiting_and_a_button_for_a_new_one(client, log_in, world):
    log_in("drafter")
    page = client.get("/inbox/").get_data(as_text=True)
    assert "没有等待您办理的事项" not in page
    assert "草稿待提交" in page and world.draft_title in page
    assert f'href="/drafting/{world.draft_id}"' in page
    assert 'href="/drafting/new">新建草稿</a>' in page


def test_a_receiver_is_offered_no_new_draft(client, log_in, world):
    log_in("receiver1")
    assert "新建草稿" not in client.get("/inbox/").get_data(as_text=True)
