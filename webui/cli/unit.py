"""`unit seal UNIT_ID FILE.png | --clear`: the seal image a unit's printed notices carry.

A unit without a seal prints none; this is the only way to give it one (the image is the unit's
own, scanned or supplied by the office — never drawn by Gongwen).
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webui import clock
from webui.cli._common import fail, read_file
from webui.extensions import db
from workflow.errors import WorkflowError
from workflow.printing.seal import set_seal

unit_cli = AppGroup("unit", help="单位：印章。")


@unit_cli.command("seal")
@click.argument("unit_id", type=int)
@click.argument("path", required=False)
@click.option("--clear", is_flag=True, help="清除该单位的印章。")
def unit_seal(unit_id: int, path: str | None, clear: bool) -> None:
    """Set a unit's seal from a PNG file, or clear it with --clear."""
    if clear == (path is not None):
        fail("请给出印章图片（PNG 文件）或 --clear，二者选一")
    png = None
    if path is not None:
        png = read_file(path)
    try:
        unit = set_seal(db.session, None, unit_id=unit_id, png=png, now=clock.now())
    except WorkflowError as error:
        db.session.rollback()
        fail(str(error))
    name = unit.name
    db.session.commit()
    click.echo(f"已清除{name}的印章。" if png is None else f"已设置{name}的印章。")


COMMANDS = [unit_cli]
