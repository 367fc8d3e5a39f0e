"""The command line: `flask --app wsgi <command>` for operators.

Owns: init-db, demo, `audit verify`, `notice list` and `notice show` — each parses its options,
calls the engine, commits when it wrote, and prints (Chinese for people, JSON for programs).
Must not: hold business rules. Exit code 1 means the command was refused or found a problem.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import unicodedata

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from webui.extensions import db
from workflow import audit, queries
from workflow.db import create_all, is_empty, read_only
from workflow.deadlines import chinese_date
from workflow.errors import WorkflowError

DEMO_LOGINS_FILE = "demo-logins.txt"
PAGE = 500

audit_cli = AppGroup("audit", help="审计链：校验。")
notice_cli = AppGroup("notice", help="公文：列表与详情。")


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(demo)
    app.cli.add_command(audit_cli)
    app.cli.add_command(notice_cli)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the tables that do not exist yet (harmless when they all do)."""
    created = _create_tables()
    url = db.engine.url.render_as_string(hide_password=True)
    if created:
        click.echo(f"已创建 {len(created)} 张数据表：{'、'.join(created)}")
    else:
        click.echo("数据表均已存在，未作改动。")
    click.echo(f"数据库：{url}")


def _create_tables() -> list[str]:
    before = set(sa.inspect(db.engine).get_table_names())
    create_all(db.engine)
    return sorted(set(sa.inspect(db.engine).get_table_names()) - before)


@click.command("demo")
@click.option("--print-logins", is_flag=True, help="只显示已保存的演示账号，不改动数据库。")
@with_appcontext
def demo(print_logins: bool) -> None:
    """Load the demo (the two seed notices, their units and users) into an empty database."""
    path = os.path.join(current_app.instance_path, DEMO_LOGINS_FILE)
    if print_logins:
        _print_logins_file(path)
        return
    try:
        from workflow import demo as demo_data
    except ImportError:
        _fail("演示数据模块 workflow.demo 尚不可用")
    created = _create_tables()
    if created:
        click.echo(f"已创建 {len(created)} 张数据表。")
    if not is_empty(db.session):
        db.session.rollback()
        click.echo("数据库中已有数据（演示数据已载入或正在使用），未作改动。")
        if os.path.exists(path):
            _print_logins_file(path)
        return
    try:
        logins = demo_data.build(db.session)
    except WorkflowError as error:
        db.session.rollback()
        _fail(f"演示数据未能载入：{error}")
    db.session.commit()
    table = _table(["用户名", "姓名", "单位 · 角色", "密码"], [list(row) for row in logins])
    _write_private(path, table + "\n")
    click.echo("演示数据已载入。演示账号：")
    click.echo(table)
    click.echo(f"\n账号和密码已保存到 {path}（仅本机用户可读）。")


def _print_logins_file(path: str) -> None:
    if not os.path.exists(path):
        _fail(f"找不到 {path}：演示数据尚未由本实例载入（运行 flask --app wsgi demo）")
    with open(path, encoding="utf-8") as file:
        click.echo(file.read().rstrip("\n"))


def _write_private(path: str, text: str) -> None:
    """Write a file only its owner may read (it holds passwords)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # the file may have existed with wider permissions
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)


@audit_cli.command("verify")
def audit_verify() -> None:
    """Walk the hash chain of the audit trail; exit 1 where it breaks."""
    report = audit.verify(read_only(db.session()))
    click.echo(str(report))
    if not report.ok:
        click.get_current_context().exit(1)


@notice_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def notice_list(as_json: bool) -> None:
    """Every notice: id, 发文字号, title, state."""
    session = read_only(db.session())
    summaries, offset = [], 0
    while True:
        page = queries.notice_summaries(session, None, limit=PAGE, offset=offset)
        summaries.extend(page)
        if len(page) < PAGE:
            break
        offset += PAGE
    if as_json:
        rows = [{"id": s.id, "number": s.doc_number, "title": s.title, "state": s.state}
                for s in summaries]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not summaries:
        click.echo("暂无公文。")
        return
    click.echo(_table(["编号", "发文字号", "标题", "状态"],
                      [[s.id, s.doc_number or "未编号", s.title, s.state_label] for s in summaries]))


@notice_cli.command("show")
@click.argument("notice_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def notice_show(notice_id: int, as_json: bool) -> None:
    """One notice with its report requests, receipts and reports."""
    try:
        detail = queries.notice_detail(read_only(db.session()), notice_id)
    except WorkflowError as error:
        _fail(str(error))
    if as_json:
        click.echo(json.dumps(detail, ensure_ascii=False, indent=2))
        return
    click.echo(_notice_text(detail))


@notice_cli.command("parse")
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def notice_parse(path: str, as_json: bool) -> None:
    """Read a notice's plain text (UTF-8 or GB18030) and print the fields found in it."""
    # Imported here, like workflow.demo above: the other commands need not load the parser.
    from workflow.notice_text import parse_notice

    # The path is checked here, not by click.Path, so that every refusal is in Chinese.
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except FileNotFoundError:
        _fail(f"找不到文件：{path}")
    except IsADirectoryError:
        _fail(f"{path} 是目录，不是文件")
    except OSError as error:
        _fail(f"无法读取文件 {path}：{error.strerror or error}")
    # Offices still save text as GBK/GB18030; UTF-8 (with or without BOM) is tried first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        _fail(f"无法识别文件的编码（应为 UTF-8 或 GB18030）：{path}")
    fields = parse_notice(text).to_json_dict()
    if as_json:
        click.echo(json.dumps(fields, ensure_ascii=False, indent=2))
        return
    number = fields["doc_number"]
    rows = [
        ("发文机关", fields["issuer"]), ("发文字号", number["normalized"] if number else None),
        ("签发人", fields["signatory"]), ("标题", fields["title"]), ("文种", fields["kind"]),
        ("主送", "、".join(fields["main_recipients"])), ("抄送", "、".join(fields["cc_recipients"])),
        ("成文日期", fields["date"]), ("印发机关", fields["printed_by"]),
        ("印发日期", fields["print_date"]), ("附件", "、".join(fields["attachments"])),
    ]
    lines = [f"{label}：{value or '—'}" for label, value in rows]
    for i, r in enumerate(fields["report_requests"], start=1):
        lines.append(f"报送要求 {i}：{r['who'] or '—'} {r['deadline_text'] or ''} 将{r['what']}"
                     f"报{r['to'] or '—'}（期限 {r['due_date'] or '未定'}）")
    lines.append(f"正文：{len(fields['body'])} 字")
    click.echo("\n".join(lines))


def _notice_text(d: dict) -> str:
    p = d["progress"]
    lines = [
        f"公文 {d['id']}　{d['doc_number'] or '未编号'}　【{d['state_label']}】",
        f"标题：{d['title']}",
        f"发文单位：{d['issuer']}　拟稿人：{d['drafter']}　签发人：{d['signatory'] or '—'}",
        f"主送：{'、'.join(d['main_recipients']) or '—'}",
        f"抄送：{'、'.join(d['cc_recipients']) or '—'}",
        f"进度：签收 {p['acknowledged']}/{p['units']} · 上报 {p['reported']}/{p['reports']}",
    ]
    if d["report_requests"]:
        lines.append("报送要求：")
        for i, r in enumerate(d["report_requests"], start=1):
            due = (f"{chinese_date(dt.date.fromisoformat(r['due_date']))}前" if r["due_date"]
                   else "及时")
            lines.append(f"  {i}. {r['what']}，{due}报{r['to_whom'] or '发文单位'}")
    if d["receipts"]:
        lines.append("签收情况：")
        lines.append(_table(["单位", "类别", "状态", "时间"], [
            [r["unit"], r["kind"], r["state_label"], _short_time(r["acted_at"])]
            for r in d["receipts"]], indent=2))
    if d["reports"]:
        lines.append("上报情况：")
        lines.append(_table(["单位", "报送内容", "状态", "上报时间"], [
            [r["unit"], r["request"], r["state_label"], _short_time(r["submitted_at"])]
            for r in d["reports"]], indent=2))
    lines.append("正文：")
    lines.extend(f"  {line}" for line in d["body"].splitlines() if line.strip())
    return "\n".join(lines)


def _short_time(iso: str | None) -> str:
    """2016-03-07T09:00:00+08:00 → 2016-03-07 09:00 (notice_detail already gives local time)."""
    return iso[:16].replace("T", " ") if iso else ""


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(headers: list[str], rows: list[list], *, indent: int = 0) -> str:
    cells = [[str(c) if c is not None else "" for c in row] for row in [headers, *rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        padded = [c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)]
        return (" " * indent + "  ".join(padded)).rstrip()

    rule = " " * indent + "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _fail(message: str):
    click.echo(message, err=True)
    click.get_current_context().exit(1)
