"""Logging in and out: passwords, the throttle, where a login leads, sessions that end, CSRF."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from tests.webui.admin_fixtures import last_actions, text
from tests.webui.conftest import PASSWORD, csrf_token, post_login
from webui.extensions import db
from workflow.db import utcnow
from workflow.models import LoginThrottle, User


def _user(app, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(user)
        return user


def _update_user(app, username: str, **values) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        for name, value in values.items():
            setattr(user, name, value)
        db.session.commit()


def test_the_login_page_renders_a_chinese_form_with_a_csrf_token(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "登录" in html and "用户名" in html and "密码" in html
    assert 'name="csrf_token"' in html


def test_a_wrong_password_is_refused_with_a_chinese_message(client, world):
    response = post_login(client, "drafter", "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/notices/").status_code == 302


def test_an_unknown_user_gets_the_same_message_as_a_wrong_password(client, world):
    response = post_login(client, "nobody", PASSWORD)
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_the_right_password_logs_in_and_the_top_bar_shows_the_user_and_unit(client, world):
    response = post_login(client, "receiver1")
    assert response.status_code == 303
    html = client.get("/notices/").get_data(as_text=True)
    assert "receiver1" in html and "示范市第1区妇联" in html and "退出" in html


def test_a_login_returns_to_the_page_that_asked_for_it(client, world):
    response = post_login(client, "drafter", next_url=f"/notices/{world.issued_id}")
    assert response.location.endswith(f"/notices/{world.issued_id}")


def test_a_login_never_sends_the_user_to_another_site(client, world):
    response = post_login(client, "drafter", next_url="https://evil.example/")
    assert response.location.endswith("/inbox/")  # the drafter's home


def test_a_login_starts_a_new_session(client, world):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    post_login(client, "drafter")
    with client.session_transaction() as session:
        assert "planted" not in session


STRANGER = "203.0.113.9"
REFUSED = "用户名或密码错误，或尝试过于频繁，请稍后再试"


def _from(app, address: str):
    """A browser at `address` (its own cookies)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _error(response) -> str:
    match = re.search(r'class="flash flash-error" role="alert">([^<]*)<', text(response))
    return match.group(1) if match else ""


def test_after_five_failures_even_the_right_password_waits_with_the_same_answer(app, world):
    stranger = _from(app, STRANGER)
    answers = {_error(post_login(stranger, "drafter", "wrong")) for _ in range(5)}
    right = post_login(stranger, "drafter", PASSWORD)
    assert right.status_code == 200 and answers == {_error(right)} == {REFUSED}
    assert stranger.get("/notices/").status_code == 302
    assert "user.LOGIN_DELAYED" in last_actions(app, 3)


def test_a_wrong_password_an_unknown_name_and_a_delayed_attempt_read_the_same(app, world):
    stranger = _from(app, STRANGER)
    for _ in range(5):
        post_login(stranger, "drafter", "wrong")
    pages = [post_login(_from(app, "198.51.100.7"), "receiver1", "wrong"),
             post_login(_from(app, "198.51.100.8"), "no-such-person", PASSWORD),
             post_login(_from(app, "198.51.100.9"), "drafter", PASSWORD)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert {_error(p) for p in pages} == {REFUSED}
    assert "账号已锁定" not in "".join(text(p) for p in pages)


def test_the_delay_follows_the_configured_number_of_failures(database_url, tmp_path, world):
    from tests.webui.conftest import make_app

    strict = make_app(database_url, tmp_path / "strict", LOGIN_MAX_FAILURES=3)
    post_login(_from(strict, STRANGER), "drafter", "wrong")
    post_login(_from(strict, STRANGER), "drafter", "wrong")
    assert post_login(_from(strict, "198.51.100.7"), "drafter").status_code == 303
    post_login(_from(strict, STRANGER), "drafter", "wrong")
    assert post_login(_from(strict, "198.51.100.8"), "drafter").status_code == 200


def test_a_strangers_failures_do_not_keep_the_owner_out_at_their_own_desk(app, world):
    desk = app.test_client()  # 127.0.0.1, where the drafter logs in every day
    assert post_login(desk, "drafter").status_code == 303
    desk.post("/logout", data={"csrf_token": csrf_token(desk, "/notices/")})
    stranger = _from(app, STRANGER)
    for _ in range(12):
        post_login(stranger, "drafter", "wrong")
    assert post_login(desk, "drafter").status_code == 303
    assert post_login(_from(app, "198.51.100.7"), "drafter").status_code == 200


def test_a_delay_runs_out_and_the_right_password_works_again(app, world):
    for _ in range(5):
        post_login(_from(app, STRANGER), "drafter", "wrong")
    with app.app_context():  # a minute has passed
        db.session.execute(update(LoginThrottle).values(
            blocked_until=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()
    assert post_login(_from(app, "198.51.100.7"), "drafter").status_code == 303


def test_showing_the_login_page_changes_nothing(client, app, world):
    client.get("/login?username=drafter&password=wrong")
    with app.app_context():
        assert db.session.scalars(select(LoginThrottle)).all() == []
    assert last_actions(app) != ["user.LOGIN_FAILED"]


# ---- where a login leads (finding 13: a hostile `next` answered 500 after logging in) ----------


@pytest.mark.parametrize("target", [
    "%0D%0ASet-Cookie:%20planted=1", "/%0D%0ALocation:%20https://evil.example/",
    "/notices/%00", "/%09/evil.example", "//evil.example/", "https://evil.example/",
    "/\\evil.example", "%5C%5Cevil.example", "javascript:alert(1)", "/%E2%80%A8x",
    "notices/1", "/" + "a" * 2100,
])
def test_a_hostile_or_foreign_next_target_is_ignored_for_the_home_page(client, world, target):
    response = post_login(client, "drafter", next_url=target)
    assert response.status_code == 303
    assert response.location == "/inbox/"  # the drafter's home
    assert "planted" not in response.headers.get("Set-Cookie", "")


def test_a_next_target_with_chinese_in_it_is_kept_percent_encoded(client, world):
    response = post_login(client, "drafter", next_url="/notices/%3Fq%3D%E9%80%9A%E7%9F%A5")
    assert response.status_code == 303
    assert response.location == "/notices/?q=%E9%80%9A%E7%9F%A5"


def test_logout_ends_the_session_and_replaying_the_old_cookie_leads_to_login(app, client, log_in,
                                                                              world):
    log_in("drafter")
    old_cookie = client.get_cookie("gongwen_session").value
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/notices/")})
    assert response.status_code == 303 and response.location.endswith("/login")

    replay = app.test_client()
    replay.set_cookie("gongwen_session", old_cookie)
    response = replay.get("/notices/")
    assert response.status_code == 302 and "/login" in response.location


def test_logout_ends_the_users_sessions_on_every_device(app, client, log_in, world):
    other_device = log_in("drafter", on=app.test_client())
    log_in("drafter")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/notices/")})
    assert other_device.get("/notices/").status_code == 302


def test_logout_is_a_post_not_a_link(client, log_in, world):
    log_in("drafter")
    assert client.get("/logout").status_code == 405
    assert client.get("/notices/").status_code == 200


def test_a_post_without_csrf_token_is_refused(client, log_in, world):
    log_in("drafter")
    response = client.post("/logout")
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert client.get("/notices/").status_code == 200  # still logged in


def test_a_login_without_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"username": "drafter", "password": PASSWORD})
    assert response.status_code == 400


def test_a_deactivated_user_loses_their_session(app, client, log_in, world):
    log_in("drafter")
    _update_user(app, "drafter", active=False)
    assert client.get("/notices/").status_code == 302


def test_a_password_change_ends_existing_sessions(app, client, log_in, world):
    from workflow import commands as c

    log_in("drafter")
    with app.app_context():
        c.set_password(db.session, None, user_id=_user(app, "drafter").id, password="another-one-9")
        db.session.commit()
    assert client.get("/notices/").status_code == 302


def test_anonymous_users_are_sent_to_the_login_page(client, world):
    for path in ("/notices/", f"/notices/{world.issued_id}"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")


def test_arriving_at_the_home_page_shows_the_login_form_without_a_please_log_in_message(client,
                                                                                         world):
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/login"
    assert "请先登录" not in client.get("/login").get_data(as_text=True)


def test_following_a_link_to_a_protected_page_still_says_please_log_in(client, world):
    client.get("/notices/")
    assert "请先登录" in client.get("/login").get_data(as_text=True)
