"""`notice list|show|tree|parse|render|verify`: notices for operators, in Chinese for people and JSON
for programs; `tree` is how far a notice went by 转发, level by level; `render --format pdf` of an
issued notice gives its stored 正式文件, `verify` checks one."""

from __future__ import annotations

import datetime as dt
import json

import click
from flask.cli import AppGroup

from webui import clock
from webui.cli._common import fail, read_file, short_time, table
from webui.extensions import db
from workflow import queries
from workflow.db import read_only, write_late
from workflow.deadlines import chinese_date
from workflow.errors import WorkflowError
from workflow.queries import forwarding

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


@notice_cli.command("tree", context_settings={"ignore_unknown_options": True})
@click.argument("notice_id")
@click.option("--depth", default=None, help="只显示到第几级单位（1 为直接收文单位）；各级的下级计数照常给出。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def notice_tree(notice_id: str, depth: str | None, as_json: bool) -> None:
    """How far a notice went by 转发: every unit of every level, its receipt, reading, reports,
    its own 转发 and the counts of its subtree."""
    levels = _whole(depth, "--depth") if depth is not None else None
    try:
        tree = forwarding.notice_tree(read_only(db.session()), _whole(notice_id, "公文编号"),
                                      now=clock.now(), depth=levels)
    except WorkflowError as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(tree.as_json(depth=levels), ensure_ascii=False, indent=2))
        return
    n, t = tree.notice, tree.totals
    click.echo(f"{n.doc_number or '未编号'} {n.title}（{n.state.label}）：转发 {tree.notices - 1} 件，"
               f"{tree.levels} 级，主送单位 {t.units} 个，已签收 {t.signed}，"
               f"已上报 {t.reported}/{t.owing}，逾期 {t.overdue}")
    for node in tree.units:
        _tree_lines(node, levels)


def _whole(value: str, label: str) -> int:
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 2**31:
        fail(f"{label}应为正整数：{value[:20]!r}")
    return int(value)


def _tree_lines(node, depth: int | None) -> None:
    reports = "、".join(f"{what}{state.label}" for what, state, _ in node.reports) or "无报告"
    line = (f"{'  ' * node.level}{node.unit}（{node.kind.label}）{node.receipt_state.label}"
            f"{'，已阅' if node.read else '，未阅'}，{reports}{'，逾期' if node.overdue else ''}")
    if node.forward is not None:
        b = node.below
        line += (f"；转发 {node.forward.doc_number or '未编号'}（{node.forward.state.label}），"
                 f"下级签收 {b.signed}/{b.units}，上报 {b.reported}/{b.owing}，逾期 {b.overdue}")
    click.echo(line)
    if depth is None or depth > 1:
        for child in node.children:
            _tree_lines(child, None if depth is None else depth - 1)


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
              help="输出格式：html、pdf 或 docx（已印发公文的 PDF 即存档的正式文件）。")
@click.option("-o", "--output", "path", required=True, help="写入的文件。")
def notice_render(notice_id: int, output_format: str, path: str) -> None:
    """Write a notice laid out by GB/T 9704 as HTML, PDF or DOCX; an issued notice's PDF is its
    stored (signed) 正式文件."""
    # Imported here: the other commands need not load the printing writers.
    from workflow import printing

    # The format is checked here, not by click.Choice, so that the refusal is in Chinese.
    output_format = output_format.lower()
    if output_format not in printing.FORMATS:
        fail(f"不支持的格式：{output_format}（可选 {'、'.join(printing.FORMATS)}）")
    try:
        doc = printing.printed_notice(read_only(db.session()), notice_id)
        if output_format == "pdf" and doc.print_date is not None:
            data = _official(notice_id)  # an issued notice: its 正式文件, as stored
        else:
            data = _render(doc, output_format)
    except WorkflowError as error:
        db.session.rollback()
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


def _official(notice_id: int) -> bytes:
    """The stored 正式文件 of an issued notice; made now, once, if it has none yet."""
    from webui.extensions import attachment_store
    from webui.official_files import verify_url_for
    from workflow.official import make_official, official_file

    store = attachment_store()
    notice = queries.get_notice(db.session, notice_id)
    if notice.official_file_key is None:
        db.session.commit()
        write_late(db.session())
        make_official(db.session, None, notice_id=notice_id, store=store,
                      verify_url_for=verify_url_for, now=clock.now())
        db.session.commit()
    return official_file(db.session, None, notice_id=notice_id, store=store)[1]


@notice_cli.command("verify")
@click.argument("path")
def notice_verify(path: str) -> None:
    """Check a PDF: a 正式文件 issued here, unaltered, signed by which unit; exit 1 on any doubt."""
    from workflow.verification import verify_pdf

    verdict = verify_pdf(read_only(db.session()), None, read_file(path))
    click.echo("\n".join(verdict.lines()))
    if not verdict.doubtless:
        click.get_current_context().exit(1)


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
