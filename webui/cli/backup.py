"""`backup PATH` and `restore PATH`: the whole database to a file while the system runs, and back.

`backup` writes PATH and PATH.sha256 (never over existing files without --force), checks the copy,
records the backup in the audit trail and prints what the copy holds; `restore` checks a backup
first, asks before it replaces anything (unless --yes), records the restore in the restored audit
trail and prints the checks of the result. Exit 1 on any refusal or failed check. The work and
every check are the engine's (`workflow.backup`); attachments are files, not in the database, and
the output says where they are to be copied from.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from webui import clock
from webui.cli._common import fail
from webui.extensions import db
from workflow import backup as backups
from workflow.errors import WorkflowError


@click.command("backup")
@click.argument("path")
@click.option("--force", is_flag=True, help="覆盖已有的同名备份文件及其校验文件。")
@with_appcontext
def backup(path: str, force: bool) -> None:
    """Copy the whole database to PATH (and its checksum to PATH.sha256) while writes go on."""
    try:
        report = backups.take(db.engine, path, force=force)
    except backups.PathExists as error:
        fail(f"{error}：请换一个文件名，或加 --force 覆盖")
    except WorkflowError as error:
        fail(str(error))
    backups.record_backup(db.session, report, now=clock.now())
    db.session.commit()
    kind = backups.KIND_LABELS[report.kind]
    click.echo(f"已备份到 {report.path}：{kind}，{_size(report.size)}")
    click.echo(f"校验文件：{report.checksum_path}（SHA-256 {report.sha256[:16]}…）")
    click.echo(f"备份内容：{report.contents}")
    click.echo(f"完整性检查：{report.integrity}")
    click.echo(f"审计链校验：{report.chain}")
    click.echo(f"注意：附件文件不在数据库备份中，请另行备份附件目录 {_attachment_dir()}")
    if not report.ok:
        fail("备份已写入，但检查未通过：请立即核查数据库")


@click.command("restore")
@click.argument("path")
@click.option("--yes", is_flag=True, help="不再询问，直接恢复。")
@with_appcontext
def restore(path: str, yes: bool) -> None:
    """Replace everything in the configured database with the backup at PATH (checked first)."""
    engine = db.engine
    try:
        found = backups.check(engine, path)
        current = backups.contents_of(engine)
    except WorkflowError as error:
        fail(str(error))
    db.session.remove()
    click.echo(f"备份：{found.path}：{found.description}，{_size(found.size)}")
    if found.contents is not None:
        click.echo(f"备份内容：{found.contents}")
    click.echo(f"目标数据库：{backups.describe_database(engine)}")
    click.echo(f"目标数据库现有：{current if current is not None else '尚无数据表'}")
    if not yes:
        click.echo("恢复将以备份替换目标数据库中的全部数据，备份之后的改动都会丢失。"
                   "恢复前请停止各应用主机和定时任务。")
        try:
            confirmed = click.confirm("确定恢复吗？", default=False)
        except click.Abort:
            confirmed = False
        if not confirmed:
            fail("已取消，数据库未作改动。")
    try:
        backups.restore(engine, found)
    except WorkflowError as error:
        fail(str(error))
    # The restored data is already committed (by SQLite's backup API or pg_restore); its entry in
    # the restored trail follows in our own transaction, and the checks read what was committed.
    backups.record_restore(db.session, found, now=clock.now())
    db.session.commit()
    db.session.remove()
    report = backups.check_restored(engine, found)
    click.echo(f"已从 {found.path} 恢复到 {report.database}")
    click.echo(f"恢复后：{report.contents}（含本次恢复的审计记录）")
    click.echo(f"完整性检查：{report.integrity}")
    click.echo(f"审计链校验：{report.chain}")
    click.echo(f"注意：附件文件不在数据库备份中，请核对附件目录 {_attachment_dir()}")
    if not report.ok:
        fail("恢复已完成，但检查未通过：请勿启用该数据库，先核查原因")


def _size(size: int) -> str:
    """1.2 MB (1,234,567 字节)."""
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}（{size:,} 字节）"
    return f"{size} 字节"


def _attachment_dir() -> str:
    return str(current_app.extensions["gongwen_attachments"].root)


COMMANDS = [backup, restore]
