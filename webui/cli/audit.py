"""`audit verify` and `audit anchor`: the audit chain checked with its key and against its anchors,
and its head written down outside the database; `prepare_audit()`, which `init-db` and `demo` run.

Owns: the order in which an anchor leaves the process — the anchor's entry and the auditors' mail
committed to the database first, then the line appended to the anchor file, then the outbox
delivered — and the set-up of the audit key and the first anchor. Must not: hold a rule of the
chain (`workflow.audit`, `workflow.anchors`).

`audit anchor` is itself audited (`system.ANCHOR`: who anchored when is part of the trail, and the
anchor covers its own entry). `audit verify` (like `check`) is not: it only reads, it runs on a
restored or copied database and beside live writers, and an entry of its own would change the
chain it has just verified.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from webui.cli._common import fail
from webui.cli.mail import deliver_due_mail
from webui.extensions import db
from webui.instance_keys import NO_AUDIT_KEY, anchor_file, create_audit_key
from workflow import anchors, audit
from workflow.db import read_only, read_snapshot, utcnow
from workflow.errors import WorkflowError
from workflow.models import AuditEntry

audit_cli = AppGroup("audit", help="审计链：校验、锚定。")


def require_audit_key() -> None:
    """Refuse (exit 1) when this process has no audit key."""
    if not current_app.config.get("AUDIT_KEY"):
        fail(NO_AUDIT_KEY.replace("拒绝启动", "无法办理"))


@audit_cli.command("verify")
def audit_verify() -> None:
    """Verify the chain with the audit key and against the anchors; exit 1 where it breaks."""
    require_audit_key()
    path = anchor_file(current_app)
    try:
        report = anchors.check(read_snapshot(db.session()), path)
    finally:
        db.session.rollback()
    click.echo(str(report))
    if not report.ok:
        click.get_current_context().exit(1)
    if report.anchor is None:
        click.echo(f"注意：{path} 中尚无锚点，链尾被整段删除时无从发现。"
                   "请运行 flask --app wsgi audit anchor。")


@audit_cli.command("anchor")
def audit_anchor() -> None:
    """Append the chain's head to the anchor file and mail it to every active auditor."""
    require_audit_key()
    path = anchor_file(current_app)
    try:
        anchor, told = anchors.take(db.session, path, now=utcnow())
    except WorkflowError as error:
        db.session.rollback()
        fail(str(error))
    db.session.commit()
    try:
        anchors.write(path, anchor)
    except OSError as error:
        fail(f"审计链第 {anchor.entries} 条已记下本次锚定，但锚点未能写入 {path}："
             f"{error.strerror or error}。排除后请重新运行 flask --app wsgi audit anchor")
    click.echo(f"已锚定：审计链共 {anchor.entries} 条，最后一条编号 {anchor.last_id}，"
               f"哈希 {anchor.last_hash}")
    click.echo(f"锚点已追加到 {path}")
    if not told:
        click.echo("注意：没有在职的审计管理员，锚点未通知任何人。")
        return
    click.echo(f"已通知 {told} 位审计管理员（有电子邮箱的同时发邮件）。")
    delivered = deliver_due_mail()
    if delivered is None:
        click.echo("未配置邮件发送：邮件留在发件箱，配置 MAIL_SERVER 后由 tick 或 send-mail 发出。")
    else:
        click.echo(f"邮件：{delivered}")


def prepare_audit() -> list[str]:
    """After the migrations: the audit key (made when none is configured and the chain has no keyed
    entry yet), and the first anchor (when the anchor file has none). Returns what it did, to
    print. Refuses (exit 1) a host without the key, or with another key, than the chain's."""
    session = read_only(db.session())
    try:
        keyed = session.scalars(select(AuditEntry).where(AuditEntry.scheme == audit.SCHEME_HMAC)
                                .order_by(AuditEntry.seq.desc()).limit(1)).first()
        done = []
        if not current_app.config.get("AUDIT_KEY"):
            if keyed is not None:
                fail("数据库中已有以审计密钥保护的记录，但本机没有审计密钥，未生成新密钥："
                     "请从已部署的主机复制 instance/audit_key，或设置 GONGWEN_AUDIT_KEY"
                     "（多台主机必须使用同一密钥）。")
            path = create_audit_key(current_app)
            if path:
                done.append(f"已生成审计密钥 {path}（仅本机用户可读）。请另行妥善保存；"
                            "其他主机须复制同一文件，或都设置同一 GONGWEN_AUDIT_KEY。")
        elif keyed is not None and audit.entry_hash(keyed) != keyed.hash:
            fail(f"本机的审计密钥校验不了数据库中最后一条以密钥保护的审计记录（第 {keyed.seq} 条）："
                 "密钥与写入时所用的不同，或该条已被改动。请核对 AUDIT_KEY 或 instance/audit_key。")
        path = anchor_file(current_app)
        found, problems = anchors.read(path)
        if not found and not problems:
            first = anchors.baseline(session, now=utcnow())
            if first is not None:
                anchors.write(path, first)
                done.append(f"已把审计链现状（共 {first.entries} 条）作为第一个锚点写入 {path}。")
        return done
    finally:
        session.rollback()


COMMANDS = [audit_cli]
