"""`attachments sweep`: remove stored files that no attachment row references.

A file is written before the command that records it; if the worker dies before the commit, the
file stays behind, named by nothing (a refused command's files are deleted at once, see
`workflow.attachments`). The sweep removes such files once they are older than `--hours` (24 by
default, at least 1), so that a file a request is still recording is never taken, and prints in
Chinese each file removed and the bytes freed. It writes no audit entry: a file no row names was
never part of any recorded action, and the trail has nothing to point at; the operator's output is
the record. Must not: remove a file any attachment row names, whatever its age.
"""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup

from webui.cli._common import fail
from webui.extensions import attachment_store, db
from workflow import attachments
from workflow.db import read_only, utcnow

attachments_cli = AppGroup("attachments", help="附件存储：清理无引用的文件。")


@attachments_cli.command("sweep")
@click.option("--hours", default="24", show_default=True,
              help="只删除至少这么多小时以前写入的文件（至少 1）。")
def sweep(hours: str) -> None:
    """Remove stored files that no attachment references and that are older than --hours."""
    try:
        age = int(hours)
    except ValueError:
        age = 0
    if age < 1:
        fail(f"--hours 应为不小于 1 的整数（小时），而不是“{hours}”：刚写入的文件可能正由请求登记")
    store = attachment_store()
    # A file's age is the file system's: measured against the real time, not the app's clock.
    removed = attachments.sweep(read_only(db.session()), store,
                                older_than=dt.timedelta(hours=age), now=utcnow())
    db.session.rollback()  # only read
    for orphan in removed:
        click.echo(f"已删除 {orphan.path.relative_to(store.root)}（{orphan.size} 字节，"
                   f"写入于 {orphan.modified:%Y-%m-%d %H:%M} UTC）")
    if removed:
        click.echo(f"共删除 {len(removed)} 个无引用的文件，释放 {sum(o.size for o in removed)} 字节。")
    else:
        click.echo(f"没有需要清理的文件（无引用且超过 {age} 小时）。")


COMMANDS = [attachments_cli]
