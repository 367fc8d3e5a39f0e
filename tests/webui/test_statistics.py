"""The statistics desk: the issuing unit's 督办 and leaders see how each unit answers over a
period (sortable, with charts), one notice's figures and who is late, and take the tracking
matrix and the unit table away as Excel and CSV files that hold the same cells — and nobody else
sees any of it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import quote

import openpyxl
import pytest
from sqlalchemy import select

from tests.factories import at
from tests.webui.conftest import NOW, give_password
from tests.webui.receiving_fixtures import (
    district,
    people,  # noqa: F401  (a fixture)
    receipt_of,
    text,
)
from webui.extensions import db
from workflow import commands as c
from workflow.deadlines import local_time
from workflow.models import User

pytestmark = pytest.mark.usefixtures("people")

YEAR = "from=2016-01-01&to=2016-12-31"
CC = "示范省妇女联合会"
MATRIX_HEADERS = ["单位", "类别", "签收", "签收时间", "签收备注", "已读", "首阅人", "首阅时间",
                  "调研报告（截止2016年4月30日）",
                  "调研报告·上报时间", "调研报告·逾期天数", "催办次数", "最近催办"]
UNIT_HEADERS = ["单位", "收文", "按时签收", "按时上报", "逾期办理", "逾期未办", "未到期", "按时率"]


@pytest.fixture
def signatory(app, world):
    """The issuing unit's 签发人 gets a password (a leader who reads the statistics)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "signatory"))
        give_password(db.session, user.id)
        db.session.commit()


def _rows(html: str, table_class: str) -> list[list[str]]:
    """The body rows of the table with `table_class`, as the cells' texts."""
    table = html[html.index(f'class="table {table_class}'):]
    body = table[table.index("<tbody>"):table.index("</tbody>")]
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def _workbook(response):
    return openpyxl.load_workbook(io.BytesIO(response.data))


def _csv(response) -> list[list[str]]:
    assert response.data.startswith("\ufeff".encode())  # Excel reads the BOM as UTF-8
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def _as_csv(cell) -> str:
    """An Excel cell as the CSV writes it (a rate of 0 or 1 reads back as an int)."""
    if cell.value is None:
        return ""
    if isinstance(cell.value, dt.datetime):
        return cell.value.strftime("%Y-%m-%d %H:%M")
    if cell.number_format == "0%" and not isinstance(cell.value, str):
        return f"{round(100 * cell.value)}%"
    return str(cell.value)


# ------------------------------------------------------------------------------------------------
# Who may use the desk.


def test_the_desk_is_in_the_menu_of_supervisors_and_leaders_only(app, log_in, world,
                                                                 signatory):
    for username, shown in (("supervisor", True), ("signatory", True), ("receiver1", False),
                            ("drafter", False), ("clerk", False)):
        client = log_in(username, on=app.test_client())
        assert ('href="/statistics/"' in text(client.get("/notices/"))) == shown, username


@pytest.mark.parametrize("username", ["receiver1", "drafter", "clerk"])
def test_someone_who_does_not_chase_deadlines_is_turned_away(client, log_in, world, username):
    log_in(username)
    for path in ("/statistics/", f"/statistics/?{YEAR}", "/statistics/units.xlsx",
                 "/statistics/units.csv", f"/statistics/notices/{world.issued_id}",
                 f"/statistics/notices/{world.issued_id}/matrix.xlsx",
                 f"/statistics/notices/{world.issued_id}/matrix.csv"):
        assert client.get(path).status_code == 403, path


def test_a_supervisor_of_another_federation_sees_nothing_of_ours(client, log_in, world):
    log_in("outsider")
    for path in (f"/statistics/notices/{world.issued_id}",
                 f"/statistics/notices/{world.issued_id}/matrix.xlsx",
                 f"/statistics/notices/{world.issued_id}/matrix.csv"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert world.issued_title not in response.get_data(as_text=True)
    html = text(client.get(f"/statistics/?{YEAR}"))
    assert district(1) not in html and world.issued_title not in html
    assert "没有印发的公文" in html
    rows = _csv(client.get(f"/statistics/units.csv?{YEAR}"))
    assert rows == [UNIT_HEADERS]


def test_a_leader_reads_the_statistics_but_the_matrix_stays_the_supervisors(client, log_in,
                                                                             world, signatory):
    log_in("signatory")
    assert district(2) in text(client.get(f"/statistics/?{YEAR}"))
    html = text(client.get(f"/statistics/notices/{world.issued_id}"))
    assert world.issued_title in html and "matrix.xlsx" not in html and "督办矩阵" not in html
    assert client.get(f"/statistics/notices/{world.issued_id}/matrix.xlsx").status_code == 403
    assert client.get(f"/statistics/units.xlsx?{YEAR}").status_code == 200


# ------------------------------------------------------------------------------------------------
# The unit statistics.


def test_the_unit_page_shows_every_main_unit_with_its_figures_and_two_charts(client, log_in,
                                                                             world):
    log_in("supervisor")
    html = text(client.get(f"/statistics/?{YEAR}"))
    rows = {row[0]: row[1:] for row in _rows(html, "st-table")}
    # Two notices, both issued 2016-03-08: the group's (district 1 signed it) and one to
    # district 1 alone. Their 调研报告 was due 2016-04-30: long past, nothing submitted.
    assert sorted(rows) == sorted(district(i) for i in (1, 2, 3))  # not the 抄送 unit
    assert rows[district(1)][:3] == ["2", "1", "0"]  # received, signed on time, reported
    assert rows[district(2)][0] == "1"
    assert CC not in html.split('class="table st-table')[1]
    assert html.count('<svg class="st-chart"') == 2
    assert html.count('class="st-chart-name"') == 2 * 3  # each unit in each chart
    assert re.search(r'<text class="st-chart-value[^"]*"[^>]*>\d+%</text>', html)  # on the bar
    assert world.issued_title in html  # the period's notices, listed
    assert f'href="/statistics/notices/{world.issued_id}"' in html


def test_the_period_defaults_to_this_year_and_offers_the_years_with_notices(client, log_in,
                                                                            world):
    log_in("supervisor")
    year = NOW.year  # the app's clock
    html = text(client.get("/statistics/"))
    assert f"{year}年1月1日 至 {year}年12月31日" in html
    assert f'value="{year}-01-01"' in html and f'value="{year}-12-31"' in html
    assert re.search(r'href="/statistics/\?[^"]*from=2016-01-01[^"]*"[^>]*>2016年</a>', html)


def test_sorting_by_a_column_orders_the_rows_and_the_link_turns_the_order_round(client,
                                                                                log_in, world):
    log_in("supervisor")

    def units(query):
        return [row[0] for row in _rows(text(client.get(f"/statistics/?{YEAR}&{query}")),
                                        "st-table")]

    by_unit = units("sort=unit&order=asc")
    assert by_unit == [district(i) for i in (1, 2, 3)]
    assert units("sort=unit&order=desc") == by_unit[::-1]
    assert units("sort=received&order=desc")[0] == district(1)
    html = text(client.get(f"/statistics/?{YEAR}&sort=received&order=desc"))
    head = html[html.index("<thead>"):html.index("</thead>")]
    assert 'aria-sort="descending"' in head
    assert "sort=received&amp;order=asc" in head  # the current column: the other way round
    assert "sort=unit&amp;order=asc" in head and "sort=late&amp;order=desc" in head


@pytest.mark.parametrize(("query", "message"), [
    ("sort=secret&order=desc", "排序方式无效，已按默认方式排序"),
    ("sort=unit&order=sideways", "排序方向无效，已按默认方向排序"),
    ("from=2016-13-40&to=2016-12-31", "开始日期：日期格式应为 2016-03-07"),
    ("from=2016-12-31&to=2016-01-01", "结束日期：不能早于开始日期"),
])
def test_a_bad_value_is_named_in_chinese_and_the_page_falls_back(client, log_in, world, query,
                                                                 message):
    log_in("supervisor")
    response = client.get(f"/statistics/?{query}")
    assert response.status_code == 200
    assert message in text(response)


@pytest.mark.parametrize("query", ["sort=secret", "from=yesterday",
                                   "from=2016-05-01&to=2016-04-01"])
def test_an_export_with_a_bad_value_is_refused_in_chinese(client, log_in, world, query):
    log_in("supervisor")
    response = client.get(f"/statistics/units.xlsx?{query}")
    assert response.status_code == 400
    assert re.search("[\u4e00-\u9fff]", text(response))
    assert "Content-Disposition" not in response.headers


# ------------------------------------------------------------------------------------------------
# One notice.


def test_a_notice_page_shows_x_of_n_the_median_and_who_is_late(client, log_in, world, app):
    log_in("supervisor")
    html = text(client.get(f"/statistics/notices/{world.issued_id}"))
    # Three 主送 districts, district 1 signed 2 hours after issue; the 抄送 unit apart.
    assert re.search(r"<strong>1</strong>/3\s*</p>", html)
    assert "抄送 0/1 已签收" in html
    assert "<strong>2小时</strong>" in html
    assert re.search(r"<strong>0</strong>/3", html)  # reported 0 of 3
    late = html[html.index('id="st-late-title"'):]
    for i in (1, 2, 3):  # every district's 调研报告 is past 2016-04-30
        assert district(i) in late
    assert "调研报告" in late and re.search(r"逾期\d+天未办", late)
    assert CC not in late


def test_the_tracking_matrix_links_to_the_statistics_and_the_exports(client, log_in, world):
    log_in("supervisor")
    html = text(client.get(f"/tracking/{world.issued_id}"))
    for href in (f"/statistics/notices/{world.issued_id}",
                 f"/statistics/notices/{world.issued_id}/matrix.xlsx",
                 f"/statistics/notices/{world.issued_id}/matrix.csv"):
        assert f'href="{href}"' in html


# ------------------------------------------------------------------------------------------------
# The exports.


def test_the_matrix_in_excel_holds_every_unit_with_real_times(client, log_in, world, app):
    log_in("supervisor")
    response = client.get(f"/statistics/notices/{world.issued_id}/matrix.xlsx")
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument"
                                 ".spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=UTF-8''{quote(world.issued_number + '_签收与上报情况.xlsx')}" in disposition

    sheet = _workbook(response).active
    assert sheet.title == "签收与上报情况"
    assert world.issued_title in sheet["A1"].value
    header = [cell.value for cell in sheet[2]]
    assert header == MATRIX_HEADERS and all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "B3"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert [row[0] for row in rows] == [district(1), district(2), district(3), CC]
    first = rows[0]
    signed = local_time(at(1, hours=2)).replace(tzinfo=None)  # 2016-03-08 11:00 in Beijing
    assert first[1:4] == ["主送", "已签收", signed]
    assert isinstance(sheet["D3"].value, dt.datetime) and "yy" in sheet["D3"].number_format
    assert first[5:8] == ["已签收", None, None]  # signed on the desk, never opened the page
    assert first[8] == "待上报" and first[10] > 0  # days past 2016-04-30
    assert rows[3][1:3] == ["抄送", "待签收"] and rows[3][5:9] == ["未阅", None, None, "无需上报"]
    # Wide enough for Chinese: a unit name of n characters needs about 2n.
    assert sheet.column_dimensions["A"].width >= 2 * len(district(1))


def test_the_matrix_as_csv_parses_and_matches_the_excel_file(client, log_in, world):
    log_in("supervisor")
    path = f"/statistics/notices/{world.issued_id}/matrix"
    from_csv = _csv(client.get(f"{path}.csv"))
    sheet = _workbook(client.get(f"{path}.xlsx")).active
    from_excel = [[_as_csv(cell) for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert from_csv == from_excel
    assert from_csv[0] == MATRIX_HEADERS and from_csv[1][3] == "2016-03-08 11:00"


def test_the_unit_table_exports_to_excel_and_csv_with_the_same_cells(client, log_in, world):
    log_in("supervisor")
    query = f"{YEAR}&sort=unit&order=asc"
    excel = client.get(f"/statistics/units.xlsx?{query}")
    assert excel.status_code == 200
    assert quote("各单位办理统计_2016-01-01_2016-12-31.xlsx") in excel.headers[
        "Content-Disposition"]
    sheet = _workbook(excel).active
    assert sheet.title == "各单位办理统计" and "2016-01-01至2016-12-31" in sheet["A1"].value
    assert [cell.value for cell in sheet[2]] == UNIT_HEADERS
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert [row[0] for row in rows] == [district(1), district(2), district(3), "合计"]
    assert rows[0][1:3] == [2, 1]  # two notices received, one signed on time
    rate = sheet.cell(row=3, column=8)
    assert isinstance(rate.value, float) and rate.number_format == "0%"
    page = _rows(text(client.get(f"/statistics/?{query}")), "st-table")
    assert [row[:7] for row in page] == [[str(v) for v in row[:7]] for row in rows[:-1]]

    from_csv = _csv(client.get(f"/statistics/units.csv?{query}"))
    assert from_csv == [[_as_csv(cell) for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert from_csv[1][7] == f"{round(100 * rows[0][7])}%"


def test_an_export_follows_what_happens_next(client, log_in, world, app):
    """The file is made from the database when asked: a signature shows up in the next one."""
    log_in("supervisor")
    path = f"/statistics/notices/{world.issued_id}/matrix.csv"
    assert _csv(client.get(path))[2][2] == "待签收"
    receipt = receipt_of(app, world.issued_id, district(2))
    with app.app_context():
        receiver = db.session.scalar(select(User).where(User.username == "receiver2"))
        c.acknowledge(db.session, receiver, receipt_id=receipt.id, now=at(2))
        db.session.commit()
    assert _csv(client.get(path))[2][2:4] == ["已签收", "2016-03-09 09:00"]
