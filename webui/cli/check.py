"""`check`: after a crash, a restore or a doubt, check every invariant of the database.

Prints each problem that `workflow.invariants.check` finds (in Chinese) and exits 1, or says that
everything holds and exits 0. The audit chain is checked with the key and against the anchor file. Reads only, in one snapshot: safe to run while others work.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from webui.cli.audit import require_audit_key
from webui.extensions import db
from webui.instance_keys import anchor_file
from workflow import invariants


@click.command("check")
@with_appcontext
def check() -> None:
    """Check the database's invariants (states, numbers, audit trail, fixed content); exit 1 on
    any problem."""
    require_audit_key()
    session = db.session()
    try:
        problems = invariants.check(session, anchor_file=anchor_file(current_app))
    finally:
        session.rollback()
    if not problems:
        click.echo("OK：数据一致。公文、收文、报告的状态与审计记录相符，"
                   "发文字号无重号、无断号，审计链完整，"
                   "已签发、印发的公文和已上报的报告内容未被改动。")
        return
    click.echo(f"发现 {len(problems)} 个问题：")
    for number, problem in enumerate(problems, start=1):
        click.echo(f"{number}. {problem}")
    click.get_current_context().exit(1)


COMMANDS = [check]
