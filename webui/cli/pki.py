"""`pki init|list|import|rotate|revoke`: the deployment's CA and the units' signing certificates.

The operator on the server holds the 安全管理员's right here (`Right.MANAGE_SIGNING_KEYS`); every
change is an audited command of `workflow.pki`. `pki init` also makes the signing secret
(instance/signing_key, 0600) when none is configured: the private keys are encrypted under it, and
every host that signs needs the same one.
"""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup

from webui import clock
from webui.cli._common import fail, read_file, table
from webui.extensions import db
from webui.instance_keys import create_signing_key
from workflow import pki
from workflow.db import read_only
from workflow.deadlines import local_time
from workflow.errors import WorkflowError

pki_cli = AppGroup("pki", help="签名证书：建立根证书、导入、更换、吊销。")


def _run(call):
    try:
        result = call()
    except WorkflowError as error:
        db.session.rollback()
        fail(str(error))
    return result


@pki_cli.command("init")
@click.option("--ca-name", default=None, help="根证书的名称（默认：公文流转系统签章根证书）。")
def pki_init(ca_name: str | None) -> None:
    """Make the deployment's CA (once) and a signing certificate for every unit without one."""
    path = create_signing_key(current_app)
    if path:
        click.echo(f"已生成签名密钥保护口令 {path}（仅本机用户可读）。请另行妥善保存；"
                   "其他主机须复制同一文件，或都设置同一 GONGWEN_SIGNING_KEY。")
    made = _run(lambda: pki.init_pki(db.session, None, ca_name=ca_name, now=clock.now()))
    lines = [f"{'根证书' if row.is_ca else '单位证书'}：{row.subject}" for row in made]
    db.session.commit()
    click.echo("\n".join(lines) if lines else "根证书和各单位的证书都已存在，未作改动。")


@pki_cli.command("list")
def pki_list() -> None:
    """Every certificate: CAs, then each unit's, current or retired or revoked."""
    rows = pki.certificates(read_only(db.session()))
    if not rows:
        click.echo("尚无证书：运行 flask --app wsgi pki init 建立。")
        return
    click.echo(table(["编号", "单位", "主体", "来源", "启用", "状态", "指纹"], [
        [r.id, r.unit.name if r.unit else "（根证书）", r.subject, r.source,
         f"{local_time(r.created_at):%Y-%m-%d}", _state(r), r.fingerprint[:16]] for r in rows]))


def _state(row) -> str:
    if row.revoked_at is not None:
        return f"已吊销 {local_time(row.revoked_at):%Y-%m-%d}"
    if row.retired_at is not None:
        return f"已更换 {local_time(row.retired_at):%Y-%m-%d}"
    return "使用中"


@pki_cli.command("import")
@click.argument("unit_id", type=int)
@click.argument("path")
@click.option("--passphrase-env", default=None, metavar="NAME",
              help="从该环境变量读取 PKCS#12 口令（口令不出现在命令行里）。")
def pki_import(unit_id: int, path: str, passphrase_env: str | None) -> None:
    """Give a unit the key and certificate of a PKCS#12 file (from a real CA)."""
    passphrase = os.environ.get(passphrase_env) if passphrase_env else None
    if passphrase_env and passphrase is None:
        fail(f"环境变量 {passphrase_env} 未设置")
    data = read_file(path)
    row = _run(lambda: pki.import_pkcs12(db.session, None, unit_id=unit_id, data=data,
                                        passphrase=passphrase, now=clock.now()))
    subject = row.subject
    db.session.commit()
    click.echo(f"已导入 {subject}，此后该单位印发的正式文件用它签名。")


@pki_cli.command("rotate")
@click.argument("unit_id", type=int)
@click.option("--reason", default=None, help="更换的理由。")
def pki_rotate(unit_id: int, reason: str | None) -> None:
    """Give a unit a new key and certificate; the old one keeps verifying what it signed."""
    row = _run(lambda: pki.rotate(db.session, None, unit_id=unit_id, reason=reason,
                                  now=clock.now()))
    subject = row.subject
    db.session.commit()
    click.echo(f"已为{subject}更换证书；此前签名的文件仍可验证。")


@pki_cli.command("revoke")
@click.argument("certificate_id", type=int)
@click.option("--reason", required=True, help="吊销的理由（如：私钥泄露）。")
def pki_revoke(certificate_id: int, reason: str) -> None:
    """Revoke a certificate: nothing more is signed with it."""
    row = _run(lambda: pki.revoke(db.session, None, certificate_id=certificate_id, reason=reason,
                                  now=clock.now()))
    subject = row.subject
    db.session.commit()
    click.echo(f"已吊销 {subject}。该单位须更换证书（pki rotate）后印发的文件才再有签名。")


COMMANDS = [pki_cli]
