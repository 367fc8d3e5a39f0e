"""The security that cannot wait: where a login lands, the idle timeout, changing one's password,
sessions that end when roles change, a login throttle that holds across processes, and every
login step in the audit trail."""

from __future__ import annotations

import time

import pytest

from tests.webui.admin_fixtures import give_passwords, last_actions, post_form, text, user
from tests.webui.conftest import PASSWORD, csrf_token, make_app, post_login
from webui.auth import LAST_SEEN
from webui.extensions import db
from workflow import commands as c
from workflow.states import Role


@pytest.fixture
def staff(app, world):
    give_passwords(app, "admin", "security", "auditor")
    return world


def _idle(client, minutes: float) -> None:
    """Pretend the client's last request was `minutes` ago (the signed cookie's last-seen)."""
    with client.session_transaction() as session:
        session[LAST_SEEN] = int(time.time() - minutes * 60)


# ---- where a login lands ------------------------------------------------------------------------


@pytest.mark.parametrize("username, home", [("admin", "/admin/"), ("security", "/admin/"),
                                            ("auditor", "/admin/"), ("drafter", "/inbox/"),
                                            ("receiver1", "/inbox/")])
def test_a_login_lands_administrators_on_the_admin_desk_and_others_on_their_inbox(
        client, staff, username, home):
    response = post_login(client, username)
    assert response.status_code == 303 and response.location == home


def test_the_login_page_sends_a_logged_in_user_home(client, log_in, staff):
    log_in("auditor")
    assert client.get("/login").location == "/admin/"


def test_login_logout_and_failures_are_in_the_audit_trail(app, client, log_in, staff):
    post_login(client, "drafter", "wrong")
    assert last_actions(app) == ["user.LOGIN_FAILED"]
    log_in("drafter")
    assert last_actions(app) == ["user.LOGIN"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/notices/")})
    assert last_actions(app) == ["user.LOGOUT"]


# ---- the lockout --------------------------------------------------------------------------------


def test_the_security_officers_policy_delays_logins_in_every_process(app, database_url,
                                                                     tmp_path, staff):
    with app.app_context():
        c.set_login_policy(db.session, user(app, "security").id, max_failures=3,
                           lock_minutes=45, idle_minutes=30)
        db.session.commit()
    # Another process, configured with a lenient default: the stored policy wins there too.
    other = make_app(database_url, tmp_path / "other", LOGIN_MAX_FAILURES=10)
    post_login(app.test_client(), "drafter", "wrong")
    post_login(other.test_client(), "drafter", "wrong")
    post_login(app.test_client(), "drafter", "wrong")
    right = post_login(other.test_client(), "drafter")
    assert right.status_code == 200 and "尝试过于频繁" in text(right)
    assert last_actions(app, 3) == ["user.LOGIN_FAILED", "user.LOGIN_DELAYED",
                                    "user.LOGIN_FAILED"]


# ---- the idle timeout ---------------------------------------------------------------------------


def test_a_session_idle_for_longer_than_thirty_minutes_is_logged_out(client, log_in, staff):
    log_in("drafter")
    _idle(client, 31)
    response = client.get("/notices/")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=/notices/")
    html = text(client.get(response.location))
    assert "您已超过30分钟未操作" in html
    assert client.get("/notices/").status_code == 302  # the session is gone, not just refused


def test_a_session_used_within_the_timeout_stays_and_is_refreshed(client, log_in, staff):
    log_in("drafter")
    _idle(client, 29)
    assert client.get("/notices/").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session[LAST_SEEN] < 5


def test_the_idle_timeout_follows_the_stored_policy(app, client, log_in, staff):
    with app.app_context():
        c.set_login_policy(db.session, user(app, "security").id, max_failures=5,
                           lock_minutes=15, idle_minutes=10)
        db.session.commit()
    log_in("drafter")
    _idle(client, 9)
    assert client.get("/notices/").status_code == 200
    _idle(client, 11)
    response = client.get("/notices/")
    assert response.status_code == 302 and "/login" in response.location


def test_an_idle_form_post_is_not_carried_out(app, client, log_in, staff):
    log_in("drafter")
    token = csrf_token(client, "/notices/")
    _idle(client, 31)
    generation = user(app, "drafter").session_generation
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.location == "/login"
    assert user(app, "drafter").session_generation == generation  # logout never ran


def test_a_session_without_a_last_seen_time_is_treated_as_idle(client, log_in, staff):
    log_in("drafter")
    with client.session_transaction() as session:
        del session[LAST_SEEN]
    assert client.get("/notices/").status_code == 302


# ---- changing one's own password ----------------------------------------------------------------


def test_anyone_logged_in_may_open_the_password_page(client, log_in, staff):
    for username in ("drafter", "auditor"):
        log_in(username)
        html = text(client.get("/password"))
        assert "修改密码" in html and "原密码" in html and 'name="csrf_token"' in html
        client.post("/logout", data={"csrf_token": csrf_token(client, "/password")})


def test_the_password_page_asks_an_anonymous_visitor_to_log_in(client, staff):
    response = client.get("/password")
    assert response.status_code == 302 and "/login" in response.location


def test_a_password_change_keeps_this_browser_and_ends_every_other_session(app, client, log_in,
                                                                           staff):
    other_device = log_in("drafter", on=app.test_client())
    log_in("drafter")
    old_cookie = client.get_cookie("gongwen_session").value
    response = post_form(client, "/password", {
        "old_password": PASSWORD, "new_password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert response.status_code == 303 and response.location == "/inbox/"
    assert "密码已修改" in text(client.get(response.location))
    assert client.get("/notices/").status_code == 200
    assert other_device.get("/notices/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("gongwen_session", old_cookie)
    assert replay.get("/notices/").status_code == 302
    assert last_actions(app) == ["user.PASSWORD_CHANGED"]
    assert post_login(app.test_client(), "drafter", "brand-new-pass").status_code == 303
    assert post_login(app.test_client(), "drafter", PASSWORD).status_code == 200


def test_a_wrong_old_password_changes_nothing(app, client, log_in, staff):
    log_in("drafter")
    generation = user(app, "drafter").session_generation
    response = post_form(client, "/password", {
        "old_password": "wrong", "new_password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert "原密码不正确" in text(client.get(response.location))
    assert user(app, "drafter").session_generation == generation
    assert post_login(app.test_client(), "drafter").status_code == 303


def test_two_different_new_passwords_are_refused_on_the_form(app, client, log_in, staff):
    log_in("drafter")
    response = post_form(client, "/password", {
        "old_password": PASSWORD, "new_password": "brand-new-pass", "confirm": "brand-new-pas"})
    assert response.status_code == 200 and "两次输入的新密码不一致" in text(response)
    assert post_login(app.test_client(), "drafter").status_code == 303


def test_a_password_change_without_a_csrf_token_is_refused(client, log_in, staff):
    log_in("drafter")
    response = client.post("/password", data={
        "old_password": PASSWORD, "new_password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert response.status_code == 400


# ---- a role change ends sessions; administrators do no business -------------------------------


def test_a_role_granted_by_the_engine_ends_the_users_sessions(app, client, log_in, staff):
    log_in("drafter")
    with app.app_context():
        c.grant_role(db.session, None, user_id=user(app, "drafter").id, role=Role.REVIEWER,
                     unit_id=user(app, "drafter").unit_id)
        db.session.commit()
    assert client.get("/notices/").status_code == 302


def test_the_error_pages_show_no_stack_trace(client, log_in, staff):
    log_in("auditor")
    response = client.get("/admin/units")
    assert response.status_code == 403
    assert "无权办理" in text(response) and "Traceback" not in text(response)
