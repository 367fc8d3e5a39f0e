"""`audit anchor`, `audit verify`, `check` and `init-db` on the audit key and the anchors, driven
through Flask's CLI runner on a real database; the anchor mail through a real SMTP server."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from tests.factories import at, build_world, notice_in
from tests.mailbox import SmtpServer
from tests.webui.conftest import make_app
from webui import create_app
from webui.extensions import db
from workflow import commands as c
from workflow.db import create_all
from workflow.models import AuditEntry, Notice, Report, User
from workflow.states import NoticeState

ROOT = Path(__file__).resolve().parents[2]


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def anchor_path(app) -> Path:
    return Path(app.instance_path) / "audit-anchors.jsonl"


def entry_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def cut_the_tail(app, n: int) -> None:
    """Delete the last `n` entries and move the head back: the chain alone still verifies."""
    with app.app_context():
        last = db.session.scalar(select(func.max(AuditEntry.seq)))
        db.session.execute(text("DELETE FROM audit_entry WHERE seq > :seq"), {"seq": last - n})
        kept = db.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == last - n))
        db.session.execute(text("UPDATE audit_head SET seq = :seq, hash = :hash"),
                           {"seq": last - n, "hash": kept})
        db.session.commit()


def test_audit_anchor_appends_the_head_and_mails_it_to_the_auditor_through_a_real_smtp_server(
        database_url, tmp_path):
    with SmtpServer() as server:
        app = make_app(database_url, tmp_path / "instance", MAIL_SERVER="127.0.0.1",
                       MAIL_PORT=server.port, MAIL_BASE_URL="https://oa.fulian.example")
        with app.app_context():
            create_all(db.engine)
            world = build_world(db.session)
            notice_in(world, NoticeState.ISSUED)
            db.session.execute(update(User).where(User.username == "auditor")
                               .values(email="auditor@fulian.example"))
            db.session.commit()
        entries = entry_count(app)
        result = run(app, "audit", "anchor")
    assert result.exit_code == 0, result.output
    with app.app_context():
        last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        db.engine.dispose()
    assert (last.seq, last.action) == (entries + 1, "system.ANCHOR")
    assert f"已锚定：审计链共 {last.seq} 条，最后一条编号 {last.id}，哈希 {last.hash}" in result.output
    assert "已通知 1 位审计管理员" in result.output and "已发送 1 封" in result.output

    [line] = anchor_path(app).read_text().splitlines()
    assert (json.loads(line)["entries"], json.loads(line)["last_hash"]) == (last.seq, last.hash)
    assert stat.S_IMODE(os.stat(anchor_path(app)).st_mode) == 0o600

    [mail] = server.mailbox.accepted
    assert mail.recipients == ["auditor@fulian.example"]
    assert mail.message["Subject"].startswith(f"【公文流转】审计链已锚定：共 {last.seq} 条（")
    body = mail.message.get_content()
    assert last.hash in body and f"编号 {last.id}" in body
    assert "https://oa.fulian.example/admin/audit" in body


def test_audit_anchor_without_a_mail_server_leaves_the_mail_in_the_outbox(app, world):
    result = run(app, "audit", "anchor")
    assert result.exit_code == 0, result.output
    assert "未配置邮件发送" in result.output  # the world's auditor has no address: not mailed
    assert "已通知 1 位审计管理员" in result.output


def test_audit_verify_against_the_anchor_fails_in_chinese_when_the_tail_is_cut(app, world):
    assert run(app, "audit", "anchor").exit_code == 0
    anchored = entry_count(app)
    ok = run(app, "audit", "verify")
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith(f"OK：审计链完整，共 {anchored} 条；与 ")
    assert f"的锚点相符（锚定时共 {anchored} 条）" in ok.output
    cut_the_tail(app, 2)
    result = run(app, "audit", "verify")
    assert result.exit_code == 1
    assert re.fullmatch(rf"审计链在第 {anchored - 1} 条处断裂：链尾被截断：\d{{4}}-\d\d-\d\d \d\d:\d\d "
                        rf"锚定时已有 {anchored} 条，现只有 {anchored - 2} 条\n", result.output)


def test_audit_verify_fails_on_a_forged_anchor_line(app, world):
    assert run(app, "audit", "anchor").exit_code == 0
    line = json.loads(anchor_path(app).read_text())
    line["entries"] -= 2
    with open(anchor_path(app), "a") as file:
        file.write(json.dumps(line, ensure_ascii=False) + "\n")
    result = run(app, "audit", "verify")
    assert result.exit_code == 1
    assert result.output == (f"审计链校验未通过：锚点文件 {anchor_path(app)} 第 2 行的校验码不符："
                             "该行被伪造或改动，或本机的审计密钥不对\n")
    refused = run(app, "audit", "anchor")
    assert refused.exit_code == 1 and "未锚定" in refused.output


def test_audit_verify_without_an_anchor_says_that_a_cut_tail_would_go_unseen(app, world):
    result = run(app, "audit", "verify")
    assert result.exit_code == 0
    assert "尚无锚点" in result.output and "flask --app wsgi audit anchor" in result.output


def test_check_reports_a_notice_body_edited_after_issue(app, world):
    with app.app_context():
        db.session.execute(update(Notice).where(Notice.id == world.issued_id)
                           .values(body="印发之后改过的正文。"))
        seq = db.session.scalar(select(AuditEntry.seq).where(
            AuditEntry.action == "notice.ISSUE", AuditEntry.object_id == world.issued_id))
        db.session.commit()
    result = run(app, "check")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "发现 1 个问题：",
        f"1. 公文 #{world.issued_id}（{world.issued_number}）的内容与第 {seq} 条审计记录（印发）"
        "固定的不符：标题、正文、字号、主送抄送或收文单位在印发后被改动"]


def test_check_reports_a_report_text_edited_after_submit(app, world):
    with app.app_context():
        receiver = db.session.scalar(select(User).where(User.username == "receiver1"))
        report = db.session.scalar(select(Report).where(Report.notice_id == world.issued_id,
                                                        Report.unit_id == receiver.unit_id))
        report_id = report.id
        c.submit_report(db.session, receiver, report_id=report_id, text="已完成调研。",
                        now=at(2))
        db.session.commit()
        assert run(app, "check").exit_code == 0
        db.session.execute(update(Report).where(Report.id == report_id).values(text="尚未开始。"))
        db.session.commit()
    result = run(app, "check")
    assert result.exit_code == 1
    assert f"的报告 #{report_id} 的内容与第 " in result.output
    assert "报告正文或附件在上报后被改动" in result.output


def test_check_compares_the_chain_with_the_anchor(app, world):
    assert run(app, "audit", "anchor").exit_code == 0
    assert run(app, "check").exit_code == 0
    cut_the_tail(app, 1)
    result = run(app, "check")
    assert result.exit_code == 1 and "链尾被截断" in result.output


# ------------------------------------------------------------------------------------------------
# The audit key: made by init-db, the same on every host, required to serve.

def test_init_db_makes_the_audit_key_for_the_owner_only_and_anchors_the_empty_chain(
        database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance", AUDIT_KEY=None)
    assert app.config["AUDIT_KEY"] is None
    first = run(app, "init-db")
    assert first.exit_code == 0, first.output
    key_file = Path(app.instance_path) / "audit_key"
    key = key_file.read_text()
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert f"已生成审计密钥 {key_file}" in first.output and key not in first.output
    assert app.config["AUDIT_KEY"] == key
    [line] = anchor_path(app).read_text().splitlines()
    assert json.loads(line)["entries"] == 0 and json.loads(line)["unkeyed"] == 0

    again = run(app, "init-db")
    assert again.exit_code == 0 and "已生成审计密钥" not in again.output
    assert key_file.read_text() == key and len(anchor_path(app).read_text().splitlines()) == 1
    later = make_app(database_url, tmp_path / "instance", AUDIT_KEY=None)
    assert later.config["AUDIT_KEY"] == key
    with app.app_context():
        db.engine.dispose()


def test_a_second_host_without_the_key_is_refused_a_key_of_its_own(app, world, tmp_path):
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "host2", AUDIT_KEY=None)
    result = run(other, "init-db")
    assert result.exit_code == 1
    assert "未生成新密钥" in result.output and "instance/audit_key" in result.output
    assert not (tmp_path / "host2" / "audit_key").exists()
    assert run(other, "audit", "verify").exit_code == 1


def test_a_host_with_another_key_than_the_chains_is_refused(app, world, tmp_path):
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "host2",
                     AUDIT_KEY="another-key-of-the-right-length-0123456789")
    result = run(other, "init-db")
    assert result.exit_code == 1
    assert "本机的审计密钥校验不了数据库中最后一条以密钥保护的审计记录" in result.output
    assert "审计链在第 1 条处断裂：内容已被修改" in run(other, "audit", "verify").output


def test_the_web_app_refuses_to_start_without_an_audit_key(tmp_path, monkeypatch):
    for name in ("FLASK_RUN_FROM_CLI", "GONGWEN_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)
    instance = tmp_path / "instance"
    with pytest.raises(RuntimeError, match="未配置审计密钥，拒绝启动"):
        create_app({"SECRET_KEY": "test"}, instance_path=str(instance))
    assert not (instance / "audit_key").exists()  # serving never makes one
    with pytest.raises(RuntimeError, match="审计密钥太短"):
        create_app({"SECRET_KEY": "test", "AUDIT_KEY": "short"}, instance_path=str(instance))

    monkeypatch.setenv("GONGWEN_AUDIT_KEY", "1234567890" * 4)  # digits: parsed as a number
    assert create_app({"SECRET_KEY": "test"}, instance_path=str(instance)).config[
        "AUDIT_KEY"] == "1234567890" * 4
    monkeypatch.delenv("GONGWEN_AUDIT_KEY")
    (instance / "audit_key").write_text("from-the-instance-folder-0123456789abcdef\n")
    assert create_app({"SECRET_KEY": "test"}, instance_path=str(instance)).config[
        "AUDIT_KEY"] == "from-the-instance-folder-0123456789abcdef"


def test_the_command_line_starts_without_a_key_and_says_what_to_do(bare_app, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    app = create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI":
                      bare_app.config["SQLALCHEMY_DATABASE_URI"]},
                     instance_path=bare_app.instance_path)
    result = run(app, "audit", "verify")
    assert result.exit_code == 1
    assert "未配置审计密钥" in result.output and "flask --app wsgi init-db" in result.output
    assert run(app, "check").exit_code == 1


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="not a git checkout")
def test_the_audit_key_and_anchor_files_are_never_committed():
    found = subprocess.run(["git", "check-ignore", "instance/audit_key",
                            "instance/audit-anchors.jsonl", "instance/secret_key"],
                           cwd=ROOT, capture_output=True, text=True)
    assert found.stdout.split() == ["instance/audit_key", "instance/audit-anchors.jsonl",
                                    "instance/secret_key"]

