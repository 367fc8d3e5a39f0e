"""The command line, driven through Flask's CLI runner on a real database."""

from __future__ import annotations

import json
import os
import stat
import time

import pytest
from sqlalchemy import text

from webui.extensions import db


def test_notice_list_json_gives_id_number_title_and_state(app, world):
    result = app.test_cli_runner().invoke(args=["notice", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert all(set(row) == {"id", "number", "title", "state"} for row in rows)
    issued = next(row for row in rows if row["id"] == world.issued_id)
    assert issued == {"id": world.issued_id, "number": world.issued_number,
                      "title": world.issued_title, "state": "ISSUED"}
    draft = next(row for row in rows if row["id"] == world.draft_id)
    assert draft["number"] is None and draft["state"] == "DRAFT"
    assert "\\u" not in result.stdout  # Chinese as it is, not escaped


def test_notice_list_without_json_is_a_readable_table(app, world):
    result = app.test_cli_runner().invoke(args=["notice", "list"])
    assert result.exit_code == 0
    assert world.issued_title in result.output and "已印发" in result.output
    assert "未编号" in result.output


def test_notice_show_prints_one_notice(app, world):
    runner = app.test_cli_runner()
    as_json = runner.invoke(args=["notice", "show", str(world.issued_id), "--json"])
    assert as_json.exit_code == 0
    detail = json.loads(as_json.stdout)
    assert detail["title"] == world.issued_title and detail["state"] == "ISSUED"

    readable = runner.invoke(args=["notice", "show", str(world.issued_id)])
    assert readable.exit_code == 0
    assert world.issued_number in readable.output and "签收 1/4" in readable.output


def test_notice_show_of_an_unknown_id_exits_1_with_a_chinese_message(app, world):
    result = app.test_cli_runner().invoke(args=["notice", "show", "999999"])
    assert result.exit_code == 1
    assert "找不到该公文" in result.stderr
    assert result.stdout == ""


def test_audit_verify_reports_an_intact_chain(app, world):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK")


def test_audit_verify_exits_1_after_an_entry_is_tampered_with(app, world):
    with app.app_context():
        db.session.execute(text("UPDATE audit_entry SET note = '改过了' WHERE seq = 3"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "第 3 条" in result.output and "内容已被修改" in result.output


def test_demo_loads_once_and_keeps_the_logins_for_the_owner_only(bare_app):
    pytest.importorskip("workflow.demo")
    runner = bare_app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    logins = os.path.join(bare_app.instance_path, "demo-logins.txt")
    assert stat.S_IMODE(os.stat(logins).st_mode) == 0o600
    with open(logins, encoding="utf-8") as file:
        saved = file.read()
    assert "用户名" in saved and "密码" in saved and saved.strip() in first.output

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert "未作改动" in again.output and saved.strip() in again.output

    printed = runner.invoke(args=["demo", "--print-logins"])
    assert printed.exit_code == 0 and printed.output.strip() == saved.strip()


def test_demo_prints_the_second_factor_secret_of_those_who_need_one_and_their_code(bare_app):
    pytest.importorskip("workflow.demo")
    import pyotp

    runner = bare_app.test_cli_runner()
    output = runner.invoke(args=["demo"]).output
    rows = {line.split()[0]: line.split() for line in output.splitlines() if line.strip()}
    for username in ("admin", "security", "auditor", "cc_signatory", "hrb_signatory"):
        assert len(rows[username][-1]) == 32, username  # the secret ends the row
    assert len(rows["cc_drafter"][-1]) == 12  # the password: a drafter needs no second factor
    code = runner.invoke(args=["demo", "--code", "cc_signatory"]).output.strip()
    secret = rows["cc_signatory"][-1]
    assert code in {pyotp.TOTP(secret).now(), pyotp.TOTP(secret).at(time.time() - 30)}
    refused = runner.invoke(args=["demo", "--code", "cc_drafter"])
    assert refused.exit_code == 1 and "没有需要两步验证" in refused.stderr


def test_demo_print_logins_without_a_demo_exits_1(bare_app):
    result = bare_app.test_cli_runner().invoke(args=["demo", "--print-logins"])
    assert result.exit_code == 1
    assert "找不到" in result.stderr


@pytest.mark.slow
def test_the_demo_is_dated_by_the_apps_clock_and_its_audit_trail_and_invariants_hold(bare_app):
    pytest.importorskip("workflow.demo")
    import datetime as dt

    from workflow.models import Notice

    # The tests' clock says Wednesday 2017-03-01 (its week begins Monday 02-27): seed 000 was
    # issued on Thursday 02-16, seed 001 and 南关's 转发 on Tuesday 02-21, each in its year.
    runner = bare_app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with bare_app.app_context():
        issued = dict(db.session.execute(
            db.select(Notice.doc_number, Notice.issued_on)
            .where(Notice.doc_number.is_not(None))).all())
    assert issued == {"长妇通字〔2017〕4号": dt.date(2017, 2, 16),
                      "哈妇发〔2017〕9号": dt.date(2017, 2, 21),
                      "南妇发〔2017〕1号": dt.date(2017, 2, 21)}
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and verified.output.startswith("OK"), verified.output
    checked = runner.invoke(args=["check"])
    assert checked.exit_code == 0, checked.output
