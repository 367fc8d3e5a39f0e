"""`incoming list|show`: the units' 收文 for operators, in Chinese for people and JSON for programs.

Read-only: a reader's transaction, nothing committed. Must not: hold business rules (the rows are
workflow.queries.incoming_records').
"""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from webui.cli._common import fail, short_time, table
from webui.extensions import db
from workflow.db import read_only
from workflow.errors import WorkflowError
from workflow.queries.incoming_records import incoming_record, incoming_rows

incoming_cli = AppGroup("incoming", help="收文：登记簿、收文处理笺。")


def _number(value: str | None, label: str) -> int | None:
    """An id typed on the command line; refused here in Chinese (click's int type says it in
    English)."""
    if value is None:
        return None
    if not value.isascii() or not value.isdigit():
        fail(f"{label}编号应为正整数：{value[:20]!r}")
    return int(value)


def _handler(row: dict) -> str:
    """The 主办 department, with its 承办人 when one was named."""
    if row["handler"] is None:
        return "—"
    person = row["handler_person"]
    return f"{row['handler']}（{person}）" if person else row["handler"]


def _readers(row: dict) -> str:
    return "、".join(f"{r['name']}（{r['state_label']}）" for r in row["readers"])


@incoming_cli.command("list")
@click.option("--unit", "unit_id", default=None, help="只列出该单位（编号）的收文。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def incoming_list(unit_id: str | None, as_json: bool) -> None:
    """Every 收文: unit, 收文编号, source, state, 办件/阅件, handler, deadline, readers."""
    try:
        rows = incoming_rows(read_only(db.session()), _number(unit_id, "单位"))
    except WorkflowError as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("暂无收文。")
        return
    click.echo(table(
        ["编号", "单位", "收文编号", "来文字号", "标题", "状态", "类型", "主办", "时限", "传阅"],
        [[r["id"], r["unit"], r["number"], r["source_number"] or "—", r["title"],
          r["state_label"], r["kind"] or "—", _handler(r), r["deadline"] or "—",
          _readers(r) or "—"] for r in rows]))


# A negative id ("-1") is taken as the id, refused in Chinese, not as an unknown option.
@incoming_cli.command("show", context_settings={"ignore_unknown_options": True})
@click.argument("incoming_id")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def incoming_show(incoming_id: str, as_json: bool) -> None:
    """One 收文 with its 拟办意见, 批示, 办理结果, 答复 and readers."""
    try:
        record = incoming_record(read_only(db.session()), _number(incoming_id, "收文"))
    except WorkflowError as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    click.echo(_record_text(record))


def _by(name: str | None, at: str | None) -> str:
    return f"（{name}，{short_time(at)}）" if name else ""


def _record_text(r: dict) -> str:
    lines = [
        f"收文 {r['id']}　{r['unit']}　{r['number']}　【{r['state_label']}】",
        f"来文：{r['source_organ']}　{r['source_number'] or '无文号'}",
        f"标题：{r['title']}",
        f"收文日期：{r['received_on']}　紧急程度：{r['urgency']}　密级：{r['secrecy']}"
        f"　登记人：{r['registered_by'] or '—'}",
        f"类型：{r['kind'] or '—'}　主办：{_handler(r)}"
        f"　协办：{'、'.join(r['assisting']) or '—'}　办理时限：{r['deadline'] or '—'}",
        f"拟办意见：{r['proposal'] or '—'}{_by(r['proposed_by'], r['proposed_at'])}",
    ]
    if r["returned_reason"]:
        lines.append(f"退回理由：{r['returned_reason']}")
    lines.append(f"领导批示：{r['instruction'] or '—'}{_by(r['instructed_by'], r['instructed_at'])}")
    lines.append(f"办理结果：{r['result'] or '—'}{_by(r['finished_by'], r['finished_at'])}")
    reply = r["reply"]
    if "reports" in reply:
        lines.append("答复（上报的报告）：" + ("；".join(
            f"{p['what']} {p['state_label']} {short_time(p['submitted_at'])}".rstrip()
            for p in reply["reports"]) or "—"))
    else:
        lines.append(f"答复：{reply['on'] or '—'} {reply['file'] or ''}".rstrip())
    if r["readers"]:
        lines.append("传阅：")
        lines.append(table(["人员", "状态", "阅毕时间", "意见"], [
            [p["name"], p["state_label"], short_time(p["read_at"]), p["opinion"] or ""]
            for p in r["readers"]], indent=2))
    if r["archive_code"]:
        lines.append(f"档号：{r['archive_code']}")
    return "\n".join(lines)


COMMANDS = [incoming_cli]
