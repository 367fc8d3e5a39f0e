"""The second factor and the forced password change, through the pages a person sees.

Enrolment by QR code (an inline SVG, nothing fetched from elsewhere) or the typed key, ten
recovery codes shown once, a code after the password, codes that work once, wrong codes under the
login throttle, a half-done login that expires; and after any reset, the password page before
anything else. Codes are computed with pyotp from the key the page shows, as a phone would.
"""

from __future__ import annotations

import re

import pyotp
import pytest
import segno
from sqlalchemy import select

from tests.webui.admin_fixtures import give_passwords, last_actions, post_form, text, user
from tests.webui.conftest import (
    PASSWORD,
    SECOND_FACTORS,
    csrf_token,
    post_code,
    post_login,
    second_factor_code,
)
from webui.auth import PENDING
from webui.extensions import db
from workflow import commands as c
from workflow.models import Notification
from workflow.states import Role

CODE_REFUSED = "验证码不正确或已使用过，或尝试过于频繁，请稍后再试"


@pytest.fixture
def people(app, world):
    """Passwords for the drafter and the receivers (the world's), the three administrators (who
    are enrolled by the builder) and the signatory (who is not: their first login enrols)."""
    give_passwords(app, "admin", "security", "auditor")
    with app.app_context():
        c.set_password(db.session, None, user_id=user(app, "signatory").id, password=PASSWORD)
        db.session.commit()
    return world


def _now_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def _error(response) -> str:
    match = re.search(r'class="flash flash-error" role="alert">([^<]*)<', text(response))
    return match.group(1) if match else ""


def _enrolment_page(client) -> tuple[str, str]:
    """Log the signatory in as far as the enrolment page; returns (its HTML, the typed key)."""
    response = post_login(client, "signatory")
    assert response.status_code == 303 and response.location == "/login/enrol"
    page = client.get("/login/enrol")
    html = text(page)
    shown = re.search(r'class="enrol-secret mono"[^>]*>(.*?)</p>', html, re.S).group(1)
    return html, "".join(re.findall(r"<span>([A-Z2-7]{4})</span>", shown))


# ---- enrolment ------------------------------------------------------------------------------------


def test_a_signatory_without_a_second_factor_is_sent_to_enrolment_and_is_not_yet_logged_in(
        client, people):
    html, key = _enrolment_page(client)
    assert re.search(r'<svg viewBox="0 0 \d+ \d+" class="qr">', html)
    assert "http://" not in html.split('class="qr-box"')[1].split("</div>")[0]
    assert len(key) == 32
    assert client.get("/notices/").status_code == 302
    assert client.get("/signoff/").location.startswith("/login")


def test_the_qr_code_carries_the_otpauth_address_of_the_key_the_page_shows(client, people):
    html, key = _enrolment_page(client)
    issuer = "%E5%85%AC%E6%96%87%E6%B5%81%E8%BD%AC"  # 公文流转, percent-encoded
    address = f"otpauth://totp/{issuer}:signatory?secret={key}&issuer={issuer}"
    expected = segno.make(address, error="m").svg_inline(scale=1)
    drawn = re.findall(r'<path [^>]*d="([^"]+)"', html)[-1]  # after the white background
    assert drawn == re.search(r' d="([^"]+)"', expected).group(1)
    assert user(client.application, "signatory").totp_secret == key


def test_enrolling_with_the_apps_code_logs_in_and_shows_ten_recovery_codes_once(client, people):
    _, key = _enrolment_page(client)
    response = client.post("/login/enrol", data={
        "code": _now_code(key), "csrf_token": csrf_token(client, "/login/enrol")})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li>([A-Z2-9]{5}-[A-Z2-9]{5})</li>", text(response))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert not any(code in response.headers.get("Set-Cookie", "") for code in codes)
    assert client.get("/signoff/").status_code == 200  # logged in
    assert last_actions(client.application, 2) == ["user.ENROL_SECOND_FACTOR", "user.LOGIN"]
    # The codes are not shown again; one of them logs the signatory in from another browser.
    assert client.get("/login/enrol").status_code in (302, 303)
    other = client.application.test_client()
    assert other.post("/login", data={"username": "signatory", "password": PASSWORD,
                                      "csrf_token": csrf_token(other)}).location == "/login/code"
    assert post_code(other, codes[0]).status_code == 303
    assert other.get("/signoff/").status_code == 200


def test_a_wrong_first_code_leaves_the_person_on_the_enrolment_page(client, people):
    _, key = _enrolment_page(client)
    response = client.post("/login/enrol", data={
        "code": "000000", "csrf_token": csrf_token(client, "/login/enrol")})
    assert response.status_code == 200 and _error(response) == CODE_REFUSED
    assert "".join(re.findall(r"<span>([A-Z2-7]{4})</span>", text(response))) == key
    assert client.get("/notices/").status_code == 302


# ---- the code after the password ------------------------------------------------------------------


def test_an_enrolled_administrator_gives_the_code_after_the_password(client, people):
    first = client.post("/login", data={"username": "auditor", "password": PASSWORD,
                                        "csrf_token": csrf_token(client)})
    assert first.status_code == 303 and first.location == "/login/code"
    assert client.get("/admin/").status_code == 302  # not logged in yet
    page = text(client.get("/login/code"))
    assert "auditor" in page and 'autocomplete="one-time-code"' in page
    wrong = post_code(client, "123456")
    assert wrong.status_code == 200 and _error(wrong) == CODE_REFUSED
    right = post_code(client, second_factor_code("auditor"))
    assert right.status_code == 303 and right.location == "/admin/"


def test_a_code_used_once_is_refused_in_another_browser_within_its_window(app, people):
    first, second = app.test_client(), app.test_client()
    for browser in (first, second):
        browser.post("/login", data={"username": "auditor", "password": PASSWORD,
                                     "csrf_token": csrf_token(browser)})
    code = pyotp.TOTP(SECOND_FACTORS["auditor"].secret).now()
    assert post_code(first, code).status_code == 303
    again = post_code(second, code)
    assert again.status_code == 200 and _error(again) == CODE_REFUSED
    assert last_actions(app) == ["user.LOGIN_FAILED"]


def test_wrong_codes_count_toward_the_login_throttle(app, people):
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    stranger.post("/login", data={"username": "auditor", "password": PASSWORD,
                                  "csrf_token": csrf_token(stranger)})
    for _ in range(5):
        post_code(stranger, "111111")
    again = app.test_client()
    again.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    response = post_login(again, "auditor")
    assert response.status_code == 200
    assert _error(response) == "用户名或密码错误，或尝试过于频繁，请稍后再试"


def test_the_code_page_without_a_password_first_sends_the_visitor_to_log_in(client, people):
    response = client.get("/login/code")
    assert response.status_code == 303 and response.location == "/login"
    assert "请重新登录" in text(client.get("/login"))
    assert client.post("/login/code", data={"code": "123456"}).status_code in (303, 400)


def test_a_login_left_half_done_for_five_minutes_starts_again(client, people):
    client.post("/login", data={"username": "auditor", "password": PASSWORD,
                                "csrf_token": csrf_token(client)})
    with client.session_transaction() as session:
        session[PENDING] = {**session[PENDING], "until": session[PENDING]["until"] - 301}
    assert client.get("/login/code").location == "/login"


def test_a_login_half_done_ends_when_the_account_is_stopped_meanwhile(app, client, people):
    client.post("/login", data={"username": "signatory", "password": PASSWORD,
                                "csrf_token": csrf_token(client)})
    with app.app_context():
        c.deactivate_user(db.session, None, user_id=user(app, "signatory").id)
        db.session.commit()
    assert client.get("/login/enrol").location == "/login"


def test_the_target_asked_for_survives_the_second_factor(client, people):
    response = post_login(client, "auditor", next_url="/admin/audit")
    assert response.status_code == 303 and response.location == "/admin/audit"


def test_a_role_the_policy_names_is_sent_to_enrolment(app, client, people):
    with app.app_context():
        c.set_login_policy(db.session, user(app, "security").id, max_failures=5,
                           lock_minutes=15, idle_minutes=30, second_factor_roles=[Role.DRAFTER])
        db.session.commit()
    assert post_login(client, "drafter").location == "/login/enrol"
    assert post_login(app.test_client(), "receiver1").location == "/inbox/"


def test_the_security_officer_names_roles_for_the_second_factor_on_the_policy_page(
        app, client, log_in, people):
    log_in("security")
    page = text(client.get("/admin/policy"))
    assert 'value="DRAFTER"' in page and 'value="SIGNATORY"' not in page
    response = post_form(client, "/admin/policy", {
        "max_failures": "5", "lock_minutes": "15", "idle_minutes": "30",
        "second_factor_roles": ["DRAFTER", "CLERK"], "version": "0"})
    assert response.status_code == 303
    assert post_login(app.test_client(), "drafter").location == "/login/enrol"
    forged = post_form(client, "/admin/policy", {
        "max_failures": "5", "lock_minutes": "15", "idle_minutes": "30",
        "second_factor_roles": ["KING"], "version": "1"})
    assert forged.status_code == 200 and "角色无效" in text(forged)


# ---- a password someone else set ------------------------------------------------------------------


def _reset_by_the_security_officer(app, log_in, client) -> str:
    log_in("security")
    response = post_form(client, "/admin/roles/password", {"user_id": user(app, "drafter").id},
                         page="/admin/roles")
    return re.search(r'class="secret mono">([^<]+)<', text(response)).group(1)


def test_a_reset_password_must_be_changed_before_anything_else(app, client, log_in, people):
    given = _reset_by_the_security_officer(app, log_in, client)
    drafter = app.test_client()
    response = post_login(drafter, "drafter", given, next_url="/notices/")
    assert response.status_code == 303 and response.location == "/password"
    for path in ("/inbox/", "/notices/", "/drafting/", "/notifications/"):
        assert drafter.get(path).location == "/password", path
    blocked = drafter.post("/drafting/new", data={"csrf_token": csrf_token(drafter, "/password")})
    assert blocked.status_code == 303 and blocked.location == "/password"
    page = text(drafter.get("/password"))
    assert "设置新密码" in page and "已被重置" in page
    changed = drafter.post("/password", data={
        "old_password": given, "new_password": "my-own-secret-9", "confirm": "my-own-secret-9",
        "csrf_token": csrf_token(drafter, "/password")})
    assert changed.status_code == 303
    assert drafter.get("/inbox/").status_code == 200


def test_the_reset_is_told_to_the_person_and_not_to_the_officer(app, client, log_in, people):
    _reset_by_the_security_officer(app, log_in, client)
    with app.app_context():
        told = list(db.session.scalars(select(Notification.user_id).where(
            Notification.kind == "account")))
    assert told == [user(app, "drafter").id]


def test_a_new_account_with_a_password_the_admin_typed_must_change_it(app, client, log_in,
                                                                       people):
    log_in("admin")
    with app.app_context():
        unit_id = user(app, "drafter").unit_id
    post_form(client, "/admin/users", {"username": "zhangsan", "display_name": "张三",
                                       "unit_id": unit_id, "password": "typed-password-1"})
    response = post_login(app.test_client(), "zhangsan", "typed-password-1")
    assert response.location == "/password"


# ---- the administrators' accounts are not offered on the web --------------------------------------


def test_the_users_page_offers_nothing_to_do_to_an_administrators_account(app, client, log_in,
                                                                          people):
    log_in("admin")
    html = text(client.get("/admin/users"))
    for name in ("admin", "security", "auditor"):
        account_id = user(app, name).id
        assert f"/admin/users/{account_id}/deactivate" not in html
        assert f"/admin/users/{account_id}/email" not in html
    assert f"/admin/users/{user(app, 'drafter').id}/deactivate" in html
    assert html.count("服务器上管理") == 3


def test_the_roles_page_does_not_offer_administrators_for_a_reset_or_a_grant(app, client, log_in,
                                                                            people):
    log_in("security")
    html = text(client.get("/admin/roles"))
    reset = re.search(r'<select[^>]*id="reset-user".*?</select>', html, re.S).group(0)
    assert "（drafter）" in reset
    assert not any(f"（{name}）" in reset for name in ("admin", "security", "auditor"))


@pytest.mark.parametrize("target", ["admin", "auditor", "security"])
def test_a_forged_reset_of_an_administrator_is_refused_and_changes_nothing(app, client, log_in,
                                                                           people, target):
    log_in("security")
    before = user(app, target).password_hash
    response = post_form(client, "/admin/roles/password", {
        "user_id": user(app, target).id, "password": "taken-over-1"}, page="/admin/roles")
    assert response.status_code == 403
    assert ("服务器" if target != "security" else "自己") in text(response)
    assert user(app, target).password_hash == before


@pytest.mark.parametrize("target", ["security", "auditor"])
def test_a_forged_deactivation_of_an_administrator_is_refused(app, client, log_in, people,
                                                              target):
    log_in("admin")
    response = post_form(client, f"/admin/users/{user(app, target).id}/deactivate",
                         page="/admin/users")
    assert response.status_code == 403 and "服务器" in text(response)
    assert user(app, target).active


def test_the_pages_of_the_login_steps_keep_no_copy_in_any_cache(client, people):
    _enrolment_page(client)
    assert client.get("/login/enrol").headers["Cache-Control"] == "no-store"
