"""`flask install`: an empty installation gets its top unit and the three administrators, once."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.webui.conftest import post_login
from webui.extensions import db
from workflow.models import AuditEntry, RoleGrant, Unit, User
from workflow.states import Role

ARGS = ["install", "某某省妇女联合会", "--short-name", "省妇联", "--doc-code", "某妇发",
        "--org-code", "MMFL", "--admin", "张三", "--security", "李四", "--auditor", "王五"]


def test_install_creates_the_unit_and_one_account_per_duty_with_a_password_shown_once(app):
    result = app.test_cli_runner().invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    with app.app_context():
        unit = db.session.scalar(select(Unit))
        assert (unit.name, unit.doc_code, unit.org_code) == ("某某省妇女联合会", "某妇发", "MMFL")
        grants = {(g.user_id, g.role) for g in db.session.scalars(select(RoleGrant))}
        users = {u.username: u for u in db.session.scalars(select(User))}
        assert {(users[n].id, r) for n, r in [("admin", Role.ADMIN),
                                               ("security", Role.SECURITY_OFFICER),
                                               ("auditor", Role.AUDITOR)]} == grants
        assert users["security"].display_name == "李四"
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) >= 7
    # The printed password is the one that logs in, and it is not stored as printed.
    password = re.search(r"^auditor\s+王五\s+审计管理员\s+(\S+)$", result.output, re.M)[1]
    assert post_login(app.test_client(), "auditor", password).status_code == 303
    with app.app_context():
        assert password not in (db.session.scalar(
            select(User.password_hash).where(User.username == "auditor")) or "")


def test_install_is_refused_on_a_database_that_has_units_and_changes_nothing(app):
    assert app.test_cli_runner().invoke(args=ARGS).exit_code == 0
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    again = app.test_cli_runner().invoke(args=ARGS)
    assert again.exit_code == 1
    assert "安装只能在空库上进行一次" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
        assert db.session.scalar(select(func.count()).select_from(User)) == 3


def test_install_refuses_an_empty_name_in_chinese(app):
    result = app.test_cli_runner().invoke(args=[*ARGS[:-1], "  "])
    assert result.exit_code == 1
    assert "请填写审计管理员的姓名" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 0
