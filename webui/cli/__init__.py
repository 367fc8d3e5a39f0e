"""The command line: `flask --app wsgi <command>` for operators.

Each module owns a group of commands and lists them in its COMMANDS: each parses its options,
calls the engine, commits when it wrote, and prints (Chinese for people, JSON for programs).
Must not: hold business rules. Exit code 1 means the command was refused or found a problem.
"""

from __future__ import annotations

from flask import Flask

from webui.cli import (
    attachments,
    audit,
    backup,
    check,
    incoming,
    mail,
    notice,
    pki,
    setup,
    tick,
    unit,
    user,
)

MODULES = [setup, audit, notice, pki, incoming, mail, unit, user, tick, check, backup, attachments]


def init_app(app: Flask) -> None:
    """Register every module's commands on the app."""
    for module in MODULES:
        for command in module.COMMANDS:
            app.cli.add_command(command)
