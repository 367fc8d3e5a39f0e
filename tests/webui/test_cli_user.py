"""`flask --app wsgi user …`: what is done to the administrators' accounts (and to anyone's lost
phone) on the server only — each audited, each reset told to the person."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import HAN
from tests.webui.admin_fixtures import give_passwords, last_actions, user
from tests.webui.conftest import PASSWORD, post_login
from webui.extensions import db
from workflow.models import AuditEntry, MailMessage, Notification
from workflow.states import Role


def run(app, *args: str, stdin: str | None = None):
    return app.test_cli_runner().invoke(args=["user", *args], input=stdin)


@pytest.fixture
def staff(app, world):
    give_passwords(app, "admin", "security", "auditor")
    return world


def _last_entry(app) -> AuditEntry:
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        db.session.expunge(entry)
        return entry


def test_reset_password_prints_a_one_time_password_that_must_be_changed_at_login(app, staff):
    auditor_id = user(app, "auditor").id
    assert run(app, "email", "auditor", "zhao@example.org").exit_code == 0
    result = run(app, "reset-password", "auditor")
    assert result.exit_code == 0, result.output
    password = re.search(r"一次性密码[^：]*：(\S+)", result.output).group(1)
    assert len(password) >= 12
    entry = _last_entry(app)
    assert (entry.action, entry.actor_id, entry.details["where"]) == ("user.RESET_PASSWORD", None,
                                                                    "server")
    with app.app_context():
        assert db.session.scalars(select(Notification.user_id).where(
            Notification.kind == "account")).all() == [auditor_id]
        assert db.session.scalars(select(MailMessage.to_addr)).all() == ["zhao@example.org"]
    response = post_login(app.test_client(), "auditor", password)
    assert response.status_code == 303 and response.location == "/password"


def test_reset_password_reads_the_password_when_asked_and_prints_none(app, staff):
    result = run(app, "reset-password", "security", "--read",
                 stdin="typed-on-server-1\ntyped-on-server-1\n")
    assert result.exit_code == 0, result.output
    assert "一次性密码" not in result.output and "typed-on-server-1" not in result.output
    assert post_login(app.test_client(), "security", "typed-on-server-1").location == "/password"


def test_reset_password_refuses_a_short_password_in_chinese_and_changes_nothing(app, staff):
    before = user(app, "security").password_hash
    result = run(app, "reset-password", "security", "--read", stdin="short\nshort\n")
    assert result.exit_code == 1 and "密码至少8位" in result.stderr
    assert user(app, "security").password_hash == before


def test_reset_2fa_makes_the_next_login_enrol_again(app, staff):
    result = run(app, "reset-2fa", "auditor")
    assert result.exit_code == 0, result.output
    assert _last_entry(app).action == "user.RESET_SECOND_FACTOR"
    response = post_login(app.test_client(), "auditor", PASSWORD)
    assert response.location == "/login/enrol"


def test_deactivate_and_activate_an_administrators_account(app, staff):
    assert run(app, "deactivate", "security").exit_code == 0
    assert not user(app, "security").active
    assert last_actions(app) == ["user.DEACTIVATE"]
    assert post_login(app.test_client(), "security").status_code == 200
    assert run(app, "activate", "security").exit_code == 0
    assert user(app, "security").active


def test_grant_and_revoke_an_administrator_role_by_name_or_label(app, staff):
    assert run(app, "revoke", "auditor", "AUDITOR").exit_code == 0
    assert user(app, "auditor").roles == set()
    result = run(app, "grant", "auditor", "审计管理员", "--unit", "示范市妇女联合会")
    assert result.exit_code == 0, result.output
    assert user(app, "auditor").roles == {Role.AUDITOR}
    assert [(e.action, e.actor_id) for e in [_last_entry(app)]] == [("user.GRANT_ROLE", None)]


def test_the_three_duties_stay_apart_on_the_server_too(app, staff):
    result = run(app, "grant", "drafter", "auditor")
    assert result.exit_code == 1 and "三员分立" in result.stderr


@pytest.mark.parametrize("args, words", [
    (("reset-password", "nobody"), "找不到"),
    (("grant", "auditor", "KING"), "没有“KING”这个角色"),
    (("grant", "auditor", "AUDITOR", "--unit", "没有这个单位"), "找不到单位"),
    (("email", "auditor"), "二者选一"),
    (("reset-2fa", "drafter"), "尚未设置"),
])
def test_a_refusal_is_in_chinese_with_exit_status_1(app, staff, args, words):
    result = run(app, *args)
    assert result.exit_code == 1 and words in result.stderr and HAN.search(result.stderr)


def test_email_sets_and_clears_an_administrators_address(app, staff):
    assert run(app, "email", "auditor", "zhao@example.org").exit_code == 0
    assert user(app, "auditor").email == "zhao@example.org"
    assert run(app, "email", "auditor", "--clear").exit_code == 0
    assert user(app, "auditor").email is None
