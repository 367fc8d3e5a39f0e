"""No live formula leaves in an export: a unit's reject reason `=HYPERLINK(...)` and report
requests named with a leading = + - @ reach the supervisor's .xlsx as text cells (no <f> element
in the sheet's XML) and the .csv with a leading apostrophe; so does any cell of a table that
starts with = + - @, a tab or a carriage return."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from tests.factories import World, notice_in, receipts_of
from tests.webui.receiving_fixtures import (
    district,
    people,  # noqa: F401  (a fixture)
    world_of,
)
from webui import exports
from webui.extensions import db
from workflow import commands as c
from workflow.states import NoticeState

pytestmark = pytest.mark.usefixtures("people")

HYPERLINK = '=HYPERLINK("http://x","y")'
DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read("xl/worksheets/sheet1.xml").decode()


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def hostile(app, world) -> int:
    """A notice to the districts whose report requests are named with = + - @, returned by
    district 2 with the reason =HYPERLINK(...)."""
    with app.app_context():
        w: World = world_of(db.session)
        requests = [{"what": what, "due_date": dt.date(2016, 4, 30), "to_whom": "市妇联"}
                    for what in DANGEROUS[:4]]
        notice = notice_in(w, NoticeState.ISSUED, title="关于报送数据的通知", requests=requests)
        receipt = next(r for r in receipts_of(w, notice) if r.unit_id == w.districts[1].id)
        c.reject(db.session, w.users["receiver2"], receipt_id=receipt.id, reason=HYPERLINK)
        db.session.commit()
        return notice.id


def test_a_reject_reason_that_is_a_formula_is_text_in_the_supervisors_xlsx(
        client, log_in, hostile):
    log_in("supervisor")
    response = client.get(f"/statistics/notices/{hostile}/matrix.xlsx")
    assert response.status_code == 200
    assert "<f>" not in _sheet_xml(response.data)
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == district(2))
    assert row[4].value == HYPERLINK
    assert row[4].data_type == "s" and row[4].quotePrefix
    headers = [cell.value for cell in sheet[2]]
    for what in DANGEROUS[:4]:
        cell = sheet.cell(row=2, column=headers.index(f"{what}（截止2016年4月30日）") + 1)
        assert cell.data_type == "s" and cell.quotePrefix, what


def test_a_reject_reason_that_is_a_formula_starts_with_an_apostrophe_in_the_csv(
        client, log_in, hostile):
    log_in("supervisor")
    rows = _csv(client.get(f"/statistics/notices/{hostile}/matrix.csv").data)
    row = next(r for r in rows if r[0] == district(2))
    assert row[4] == "'" + HYPERLINK
    for what in DANGEROUS[:4]:
        assert f"'{what}（截止2016年4月30日）" in rows[0]
        assert f"'{what}·上报时间" in rows[0]


def _table(value: str) -> exports.Table:
    return exports.Table("表", value, [exports.Column(value), exports.Column("数", "number")],
                         [[value, -3], ["普通文字", 2]], "表")


@pytest.mark.parametrize("value", DANGEROUS)
def test_every_dangerous_first_character_is_written_as_text_in_both_formats(value):
    data = exports.xlsx_bytes(_table(value))
    assert "<f>" not in _sheet_xml(data)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    for cell in (sheet["A1"], sheet["A2"], sheet["A3"]):  # the title, a header, a row's cell
        assert cell.value == value and cell.data_type == "s" and cell.quotePrefix
    assert sheet["A4"].value == "普通文字" and not sheet["A4"].quotePrefix
    assert sheet["B3"].value == -3 and sheet["B3"].data_type == "n"  # a number stays one
    assert _csv(exports.csv_bytes(_table(value))) == [
        ["'" + value, "数"], ["'" + value, "-3"], ["普通文字", "2"]]


def test_what_openpyxl_does_unguarded_is_a_formula():
    """The fact the guard stands on: openpyxl writes a str starting with = as a formula."""
    book = openpyxl.Workbook()
    book.active["A1"] = HYPERLINK
    out = io.BytesIO()
    book.save(out)
    assert "<f>" in _sheet_xml(out.getvalue())

