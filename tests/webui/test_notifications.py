"""The bell and the list of notifications: the unread count on every page, the list newest first,
opening one marks it read and leads to the page where one acts on it — one's own only, by POST
with a CSRF token — and the administrator duties have no bell."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.factories import build_world, full_story
from tests.webui.conftest import NOW, csrf_token, give_password, post_login
from webui.extensions import db
from webui.pages import url_of
from workflow.models import Notification, User
from workflow.notifications import notify

BELL = re.compile(r'<a class="bell[^"]*" href="/notifications/" aria-label="([^"]*)"')
BADGE = re.compile(r'<span class="bell-count">([^<]*)</span>')


def _text(response) -> str:
    return response.get_data(as_text=True)


def _user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def _notifications(app, username: str) -> list[tuple[int, str | None, object]]:
    """(id, link, read_at) of a person's notifications, newest first: the link is the page of the
    place each names."""
    with app.test_request_context():
        return [(nid, url_of(target), read_at) for nid, target, read_at in db.session.execute(
            select(Notification.id, Notification.target, Notification.read_at)
            .join(User, User.id == Notification.user_id).where(User.username == username)
            .order_by(Notification.id.desc()))]


def _unread(app, username: str) -> int:
    return sum(1 for _, _, read_at in _notifications(app, username) if read_at is None)


def _open(client, notification_id: int, token: str | None = None):
    data = {} if token is None else {"csrf_token": token}
    return client.post(f"/notifications/{notification_id}/open", data=data)


# ------------------------------------------------------------------------------------------------
# The bell.


def test_the_bell_shows_the_unread_count_on_every_page(client, log_in, world, app):
    # Told of both issued notices, has read neither; but signing for the first did what its
    # notification asked, which then cleared itself.
    log_in("receiver1")
    for page in ("/inbox/", "/receiving/", "/notices/", f"/notices/{world.issued_id}",
                 "/password", "/notifications/"):
        html = _text(client.get(page))
        assert BELL.search(html).group(1) == "通知：1 条未读", page
        assert BADGE.search(html).group(1) == "1", page


def test_the_bell_of_someone_with_nothing_unread_shows_no_number(client, log_in, world):
    log_in("drafter")
    html = _text(client.get("/inbox/"))
    assert BELL.search(html).group(1) == "通知：没有未读"
    assert BADGE.search(html) is None


def test_the_bell_counts_past_ninety_nine_as_99_plus(client, log_in, world, app):
    drafter = _user_id(app, "drafter")
    with app.app_context():
        for _ in range(101):
            notify(db.session, [drafter], actor=None, notice_id=None, kind="reminder", message="催办",
                   now=NOW)
        db.session.commit()
    log_in("drafter")
    html = _text(client.get("/inbox/"))
    assert BADGE.search(html).group(1) == "99+"
    assert BELL.search(html).group(1) == "通知：101 条未读"


def test_the_administrator_duties_have_no_bell_and_no_list(client, world, app):
    admins = [_user_id(app, username) for username in ("admin", "security", "auditor")]
    with app.app_context():
        for user_id in admins:
            give_password(db.session, user_id)
        db.session.commit()
    for username in ("admin", "security", "auditor"):
        person = app.test_client()
        assert post_login(person, username).status_code == 303
        assert BELL.search(_text(person.get("/admin/"))) is None
        assert person.get("/notifications/").status_code == 403


# ------------------------------------------------------------------------------------------------
# The list.


def test_the_list_shows_ones_notifications_newest_first_with_the_unread_marked(
        client, log_in, world, app):
    log_in("receiver1")
    html = _text(client.get("/notifications/"))
    newest = html.index(world.only_first_title)
    older = html.index(world.issued_title)
    assert newest < older
    # The first notice's 待签收 is done (signed for): only the second's is unread.
    assert html.count('class="notif notif-unread"') == 1 and "1 条未读" in html
    assert "全部标为已读" in html
    assert "待签收" in html and "待办" in html
    # "待签收：<number> <title>" names the notice: no second label repeats it.
    assert 'class="notif-notice"' not in html
    assert world.draft_title not in html  # the drafter's business, not the receiver's


def test_a_card_names_its_notice_once(client, log_in, world, app):
    log_in("receiver1")
    html = _text(client.get("/notifications/"))
    # The button's hidden words for a screen reader are not shown, so only the visible ones count.
    visible = re.sub(r'<span class="notif-hidden">.*?</span>', "", html)
    assert visible.count(world.issued_number) == 1
    assert visible.count(world.only_first_title) == 1 and visible.count(world.issued_title) == 1


def test_a_card_whose_message_does_not_name_its_notice_shows_the_number(client, log_in, world,
                                                                        app):
    with app.app_context():
        notify(db.session, [_user_id(app, "receiver1")], actor=None, notice_id=world.issued_id,
               kind="reminder", message="请尽快办理", now=NOW)
        db.session.commit()
    log_in("receiver1")
    html = _text(client.get("/notifications/"))
    assert f'<span class="notif-notice">{world.issued_number}</span>' in html


def test_the_list_is_paged(client, log_in, world, app):
    drafter = _user_id(app, "drafter")
    with app.app_context():
        for i in range(25):
            notify(db.session, [drafter], actor=None, notice_id=None, kind="task",
                   message=f"第{i:02d}条通知", now=NOW)
        db.session.commit()
    log_in("drafter")
    first = _text(client.get("/notifications/"))
    assert "第24条通知" in first and "第05条通知" in first and "第04条通知" not in first
    assert "第 1 / 2 页" in first and 'href="/notifications/?page=2"' in first
    second = _text(client.get("/notifications/?page=2"))
    assert "第04条通知" in second and "第24条通知" not in second
    assert client.get("/notifications/?page=99").status_code == 200


def test_someone_told_nothing_sees_an_empty_list(client, log_in, world):
    log_in("drafter")
    html = _text(client.get("/notifications/"))
    assert "暂无通知" in html and "全部标为已读" not in html


# ------------------------------------------------------------------------------------------------
# Opening and marking read.


def test_opening_marks_read_and_leads_to_the_page_where_one_acts(client, log_in, world, app):
    log_in("receiver1")
    token = csrf_token(client, "/notifications/")
    notification_id, link, _ = _notifications(app, "receiver1")[0]
    assert link.startswith("/receiving/#sign-")
    response = _open(client, notification_id, token)
    assert response.status_code == 303 and response.location == link
    assert _unread(app, "receiver1") == 0
    assert BADGE.search(_text(client.get("/inbox/"))) is None
    page = _text(client.get(link.split("#")[0]))
    assert f'id="{link.split("#")[1]}"' in page  # the desk has the section the link points at
    again = _open(client, notification_id, token)  # opening again leads there again
    assert again.status_code == 303 and again.location == link


def test_opening_does_nothing_on_get(client, log_in, world, app):
    log_in("receiver1")
    notification_id = _notifications(app, "receiver1")[0][0]
    assert client.get(f"/notifications/{notification_id}/open").status_code == 405
    assert _unread(app, "receiver1") == 1


def test_another_persons_notification_is_a_404_and_stays_unread(client, log_in, world, app):
    log_in("receiver1")
    token = csrf_token(client, "/notifications/")
    theirs = _notifications(app, "receiver2")[0][0]
    assert _unread(app, "receiver2") == 1
    assert _open(client, theirs, token).status_code == 404
    assert _open(client, 999_999, token).status_code == 404
    assert _unread(app, "receiver2") == 1


def test_opening_without_the_csrf_token_is_refused(client, log_in, world, app):
    log_in("receiver1")
    notification_id = _notifications(app, "receiver1")[0][0]
    assert _open(client, notification_id).status_code == 400
    assert client.post("/notifications/read-all").status_code == 400
    assert _unread(app, "receiver1") == 1


def test_marking_all_read_empties_the_bell(client, log_in, world, app):
    log_in("receiver1")
    token = csrf_token(client, "/notifications/")
    response = client.post("/notifications/read-all", data={"csrf_token": token})
    assert response.status_code == 303 and response.location == "/notifications/"
    html = _text(client.get("/notifications/"))
    assert "全部通知已标为已读" in html and 'class="notif notif-unread"' not in html
    assert BADGE.search(html) is None
    assert _unread(app, "receiver1") == 0 and _unread(app, "receiver2") == 1


def test_a_visitor_is_asked_to_log_in(client, world):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login" in response.location


# ------------------------------------------------------------------------------------------------
# Every link leads to a page of this application.


def test_every_link_a_full_story_writes_is_a_page_of_the_app(app):
    with app.test_request_context():
        full_story(build_world(db.session), db.session)
        links = {url_of(target) for target in db.session.scalars(select(Notification.target))}
    assert None not in links
    adapter = app.url_map.bind("localhost")
    kinds = set()
    for link in links:
        path = link.split("#")[0]
        endpoint, _ = adapter.match(path, method="GET")
        kinds.add(endpoint)
    assert {"signoff.sheet", "drafting.edit", "dispatch.confirm", "receiving.index",
            "tracking.report", "notices.show"} <= kinds
