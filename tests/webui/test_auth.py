"""Logging in and out: passwords, lockout, sessions that end, CSRF."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tests.webui.conftest import PASSWORD, csrf_token, post_login
from webui.extensions import db
from workflow.db import utcnow
from workflow.models import User


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


def test_five_failed_logins_lock_the_account_even_for_the_right_password(client, app, world):
    for _ in range(4):
        assert "用户名或密码错误" in post_login(client, "drafter", "wrong").get_data(as_text=True)
    fifth = post_login(client, "drafter", "wrong").get_data(as_text=True)
    assert "账号已锁定，请15分钟后再试" in fifth

    right = post_login(client, "drafter", PASSWORD)
    assert right.status_code == 200
    assert "账号已锁定" in right.get_data(as_text=True)
    assert client.get("/notices/").status_code == 302
    locked_until = _user(app, "drafter").locked_until
    assert dt.timedelta(minutes=14) < locked_until - utcnow() <= dt.timedelta(minutes=15)


def test_the_lockout_follows_the_configured_number_of_failures(database_url, tmp_path, world):
    from tests.webui.conftest import make_app

    strict = make_app(database_url, tmp_path / "strict", LOGIN_MAX_FAILURES=2,
                      LOGIN_LOCK_MINUTES=30)
    client = strict.test_client()
    post_login(client, "drafter", "wrong")
    assert "账号已锁定，请30分钟后再试" in post_login(client, "drafter", "wrong").get_data(
        as_text=True)


def test_a_lock_runs_out_and_the_right_password_works_again(client, app, world):
    _update_user(app, "drafter", failed_logins=5,
                 locked_until=utcnow() - dt.timedelta(minutes=1))
    assert post_login(client, "drafter").status_code == 303
    assert _user(app, "drafter").failed_logins == 0


def test_a_successful_login_forgets_earlier_failures(client, app, world):
    post_login(client, "drafter", "wrong")
    post_login(client, "drafter", "wrong")
    post_login(client, "drafter")
    assert _user(app, "drafter").failed_logins == 0


def test_showing_the_login_page_changes_nothing(client, app, world):
    client.get("/login?username=drafter&password=wrong")
    user = _user(app, "drafter")
    assert user.failed_logins == 0 and user.locked_until is None


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
