"""我的待办 as a page: every task links to the page where it is done, and a drafter can start a
new draft from it."""

from __future__ import annotations

import pytest
from flask import url_for

from webui.views.inbox import TASK_PAGES
from webui.views.notices import ACTION_PAGES
from workflow.queries.inbox import KINDS


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


def test_every_kind_of_task_has_a_page_where_it_is_done():
    assert set(TASK_PAGES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(TASK_PAGES))
def test_the_page_of_every_kind_of_task_exists(app, kind):
    # No fallback hides a renamed endpoint: each must build with the argument it names.
    endpoint, argument = TASK_PAGES[kind]
    with app.test_request_context():
        url_for(endpoint, **({} if argument is None else {argument: 1}))


@pytest.mark.parametrize("action", sorted(ACTION_PAGES, key=lambda a: a.name))
def test_the_desk_page_of_every_notice_action_exists(app, action):
    endpoint = ACTION_PAGES[action]
    with app.test_request_context():
        url_for(endpoint, **({} if endpoint == "dispatch.index" else {"notice_id": 1}))
