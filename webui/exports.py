"""Spreadsheets for offices: a notice's tracking matrix and the unit statistics, as Excel and CSV.

Owns: turning what the engine's queries return (`tracking.NoticeMatrix`,
`statistics.UnitStatistics`) into one table of typed columns, and writing that table either as
.xlsx (openpyxl: a Chinese sheet name, the title in the first row, a bold header, frozen panes,
column widths fitted for Chinese, times and dates as real Excel dates in Asia/Shanghai time) or as
CSV (UTF-8 with a BOM, so that Excel opens the Chinese right) — both from the same table, so that
the two files hold the same cells; a text that a spreadsheet would take for a formula (it starts
with = + - @, a tab or a carriage return: a unit's reason, a report request's name, a title) is
written as text in both — an .xlsx string cell shown with Excel's quote prefix, a CSV cell with
a leading apostrophe — and sending it as a download under a Chinese name
(`webui.downloads`, RFC 5987 `filename*`). The file formats live here, in the web adapter, not in the engine: the
engine answers questions in plain values, and how an office wants them on paper or in a
spreadsheet is presentation, like the templates. Must not: query or decide anything — the caller
has asked the engine, which filtered by the actor.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from webui.downloads import send_document
from workflow.db import utcnow
from workflow.deadlines import chinese_date, local_time

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"  # Flask adds "; charset=utf-8"
FORMATS = ("xlsx", "csv")

_EXCEL_FORMATS = {"datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd", "percent": "0%",
                  "number": "0"}
_FIXED_WIDTHS = {"datetime": 16, "date": 10, "percent": 6}
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
# What makes Excel, WPS or LibreOffice read a cell as a formula (or run it as DDE).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text, number, datetime (local, naive), date, percent (0..1)


@dataclass(frozen=True)
class Table:
    sheet: str  # the worksheet's name, in Chinese (Excel allows 31 characters)
    title: str  # the first row of the sheet: what this is, and as of when
    columns: list[Column]
    rows: list[list]
    filename: str  # without the extension


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored (naive UTC) moment as the naive Asia/Shanghai time a spreadsheet shows."""
    return None if moment is None else local_time(moment).replace(tzinfo=None)


def _stamp(moment: dt.datetime) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------------------------------------
# The tables.


def matrix_table(m, *, now: dt.datetime | None = None) -> Table:
    """A notice's matrix (`workflow.queries.tracking.NoticeMatrix`): one row per recipient unit;
    签收, 已读 (who of the unit opened it first, and when) and, for each report request, its
    state, when it was submitted and days overdue."""
    columns = [Column("单位"), Column("类别"), Column("签收"), Column("签收时间", "datetime"),
               Column("签收备注"), Column("已读"), Column("首阅人"), Column("首阅时间", "datetime")]
    for c in m.columns:
        due = f"截止{chinese_date(c.deadline.due_date)}" if c.deadline.due_date else "及时报送"
        columns += [Column(f"{c.what}（{due}）"), Column(f"{c.what}·上报时间", "datetime"),
                    Column(f"{c.what}·逾期天数", "number")]
    columns += [Column("催办次数", "number"), Column("最近催办", "datetime")]
    rows = []
    for row in m.rows:
        first = row.first_reading
        cells = [row.unit_name, row.kind_label, row.receipt.state_label,
                 local(row.receipt.acted_at), row.receipt.reason or "", row.reading[1],
                 first.reader if first else None, local(first.at) if first else None]
        for cell in row.reports:
            if cell is None:
                cells += ["无需上报", None, None]
            else:
                cells += [cell.state_label, local(cell.submitted_at), cell.overdue_days or None]
        cells += [row.reminders, local(row.last_reminded_at)]
        rows.append(cells)
    number = m.doc_number or f"公文{m.notice_id}"
    return Table("签收与上报情况",
                 f"{number}　{m.title}：各单位签收与上报情况（截至{_stamp(now or utcnow())}）",
                 columns, rows, f"{number}_签收与上报情况")


UNIT_COLUMNS = [Column("单位"), Column("收文", "number"), Column("按时签收", "number"),
                Column("按时上报", "number"), Column("逾期办理", "number"),
                Column("逾期未办", "number"), Column("未到期", "number"),
                Column("按时率", "percent")]


def unit_table(s) -> Table:
    """The unit statistics (`workflow.queries.statistics.UnitStatistics`), in the page's order,
    with the total as the last row."""
    rows = [[u.unit_name, u.received, u.receipts_on_time, u.reports_on_time, u.late, u.missing,
             u.open, u.rate] for u in [*s.units, s.total]] if s.units else []
    issuers = "、".join(s.issuers) or "本单位"
    period = f"{s.start.isoformat()}至{s.end.isoformat()}"
    return Table("各单位办理统计",
                 f"各单位办理统计：{issuers}{period}印发的公文（截至{_stamp(s.as_of)}）",
                 UNIT_COLUMNS, rows, f"各单位办理统计_{s.start.isoformat()}_{s.end.isoformat()}")


# ------------------------------------------------------------------------------------------------
# Writing them.


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character is about two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _width(column: Column, values: list) -> float:
    """Wide enough for the widest cell and a short header; a long header wraps onto a second
    line rather than widen a column of times."""
    cells = [_FIXED_WIDTHS.get(column.kind) or display_width(str(value))
             for value in values if value is not None]
    header = display_width(column.header)
    if header > 12:
        header = max(-(-header // 2), *cells, 0)
    return min(max(header, *cells, 4) + 2, 40)


def xlsx_bytes(table: Table) -> bytes:
    """The table as an Excel workbook of one sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = table.sheet.translate(_SHEET_FORBIDDEN)[:31]
    book.properties.title = table.title
    book.properties.creator = "公文流转"
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([c.header for c in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in table.rows:
        sheet.append(row)
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        number_format = _EXCEL_FORMATS.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                cell.number_format = number_format
        sheet.column_dimensions[letter].width = _width(
            column, [row[index - 1] for row in table.rows])
    for sheet_row in sheet.iter_rows():
        for cell in sheet_row:
            if looks_like_formula(cell.value):
                # openpyxl makes a formula of any str starting with "="; as a string cell it is
                # written as text, and the quote prefix keeps Excel from reading it on an edit.
                cell.data_type = "s"
                cell.quotePrefix = True
    # The header and the unit column stay in view while scrolling.
    sheet.freeze_panes = "B3"
    last = get_column_letter(len(table.columns))
    sheet.auto_filter.ref = f"A2:{last}{max(sheet.max_row, 2)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(value, kind: str) -> str:
    """A cell as CSV writes it: local times to the minute, ISO dates, a rate as 85%."""
    if value is None:
        return ""
    if kind == "datetime":
        return value.strftime("%Y-%m-%d %H:%M")
    if kind == "date":
        return value.isoformat()
    if kind == "percent":
        return f"{round(100 * value)}%"
    if looks_like_formula(value):
        return "'" + value  # the apostrophe that tells a spreadsheet "this is text"
    return str(value)


def csv_bytes(table: Table) -> bytes:
    """The header and the rows as CSV in UTF-8 with a BOM (the title row is the sheet's only)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([csv_text(c.header, "text") for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_text(value, c.kind) for value, c in zip(row, table.columns,
                                                                     strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def send_table(table: Table, fmt: str):
    """The table as a download in `fmt` (xlsx or csv), under its Chinese name (RFC 5987)."""
    data, mimetype = (xlsx_bytes(table), XLSX) if fmt == "xlsx" else (csv_bytes(table), CSV)
    return send_document(data, mimetype=mimetype, filename=f"{table.filename}.{fmt}")


def summary_table(report) -> Table:
    """汇总上报's sheet: the sub-units' reports `report` carries up — unit, what, when submitted
    and accepted, the text, the files by name."""
    columns = [Column("单位"), Column("报送内容"), Column("上报时间", "datetime"),
               Column("采纳时间", "datetime"), Column("报告正文"), Column("附件")]
    rows = [[r.unit.name, r.request.what, local(r.submitted_at), local(r.reviewed_at),
             r.text or "", "、".join(a.filename for a in r.attachments)]
            for r in (i.included for i in report.inclusions)]
    return Table("汇总表", f"{report.unit.name}汇总上报：{report.request.what}", columns, rows,
                 f"{report.unit.name}_{report.request.what}_汇总表")
