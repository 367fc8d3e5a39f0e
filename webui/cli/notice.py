"""`notice list|show|parse|render`: notices for operators, in Chinese for people and JSON for programs."""

from __future__ import annotations

import datetime as dt
import json

import click
from flask.cli import AppGroup

from webui import clock
from webui.cli._common import fail, read_file, short_time, table
from webui.extensions import db
from workflow import queries
from workflow.db import read_only
from workflow.deadlines import chinese_date
from workflow.errors import WorkflowError

PAGE = 500

notice_cli = AppGroup("notice", help="公文：列表、详情、解析、排版输出。")


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
    click.echo(table(["编号", "发文字号", "标题", "状态"],
                      [[s.id, s.doc_number or "未编号", s.title, s.state_label] for s in summaries]))


@notice_cli.command("show")
@click.argument("notice_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def notice_show(notice_id: int, as_json: bool) -> None:
    """One notice with its report requests, receipts and reports."""
    try:
        detail = queries.notice_detail(read_only(db.session()), notice_id, now=clock.now())
    except WorkflowError as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(detail, ensure_ascii=False, indent=2))
        return
    click.echo(_notice_text(detail))


@notice_cli.command("parse")
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def notice_parse(path: str, as_json: bool) -> None:
    """Read a notice (.txt in UTF-8 or GB18030, .docx or a text PDF) and print its fields."""
    # Imported here, like workflow.demo above: the other commands need not load the parser.
    from workflow.notice_files import lines_are_paragraphs, notice_file_text, plain_text
    from workflow.notice_text import parse_notice

    raw = read_file(path)
    try:
        # A .docx or a PDF by its name; any other file is a text file, whatever it is called.
        text = (notice_file_text(path, raw) if path.lower().endswith((".docx", ".pdf"))
                else plain_text(raw))
    except WorkflowError as error:
        fail(f"{error}：{path}")
    fields = parse_notice(text, lines_are_paragraphs=lines_are_paragraphs(path)).to_json_dict()
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


@notice_cli.command("render")
@click.argument("notice_id", type=int)
@click.option("--format", "output_format", default="pdf", show_default=True,
              help="输出格式：html、pdf 或 docx。")
@click.option("-o", "--output", "path", required=True, help="写入的文件。")
def notice_render(notice_id: int, output_format: str, path: str) -> None:
    """Write a notice laid out by GB/T 9704 as HTML, PDF or DOCX."""
    # Imported here: the other commands need not load the printing writers.
    from workflow import printing

    # The format is checked here, not by click.Choice, so that the refusal is in Chinese.
    output_format = output_format.lower()
    if output_format not in printing.FORMATS:
        fail(f"不支持的格式：{output_format}（可选 {'、'.join(printing.FORMATS)}）")
    try:
        doc = printing.printed_notice(read_only(db.session()), notice_id)
        data = _render(doc, output_format)
    except WorkflowError as error:
        fail(str(error))
    try:
        with open(path, "wb") as file:
            file.write(data)
    except IsADirectoryError:
        fail(f"{path} 是目录，请给出文件名")
    except FileNotFoundError:
        fail(f"无法写入文件 {path}：所在目录不存在")
    except NotADirectoryError:
        fail(f"无法写入文件 {path}：路径中有一段是文件，不是目录")
    except PermissionError:
        fail(f"无法写入文件 {path}：没有写入权限")
    except OSError as error:
        fail(f"无法写入文件 {path}：{error.strerror or error}")
    click.echo(f"已写入 {path}（{doc.filename_stem}，{output_format.upper()}，{len(data)} 字节）")


def _render(doc, output_format: str) -> bytes:
    if output_format == "html":
        from workflow.printing.html import render_html

        return render_html(doc).encode("utf-8")
    if output_format == "pdf":
        from workflow.printing.pdf import render_pdf

        return render_pdf(doc)
    from workflow.printing.docx import render_docx

    return render_docx(doc)


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
        lines.append(table(["单位", "类别", "状态", "时间"], [
            [r["unit"], r["kind"], r["state_label"], short_time(r["acted_at"])]
            for r in d["receipts"]], indent=2))
    if d["reports"]:
        lines.append("上报情况：")
        lines.append(table(["单位", "报送内容", "状态", "上报时间"], [
            [r["unit"], r["request"], r["state_label"], short_time(r["submitted_at"])]
            for r in d["reports"]], indent=2))
    lines.append("正文：")
    lines.extend(f"  {line}" for line in d["body"].splitlines() if line.strip())
    return "\n".join(lines)

COMMANDS = [notice_cli]
