"""`audit verify`: walk the hash chain of the audit trail."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webui.extensions import db
from workflow import audit
from workflow.db import read_only

audit_cli = AppGroup("audit", help="审计链：校验。")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Walk the hash chain of the audit trail; exit 1 where it breaks."""
    report = audit.verify(read_only(db.session()))
    click.echo(str(report))
    if not report.ok:
        click.get_current_context().exit(1)

COMMANDS = [audit_cli]
