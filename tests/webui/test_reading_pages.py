"""已读 on the pages: a recipient's first GET of the notice page writes one reading row and one
audit entry, later GETs write nothing; the page shows the recipient its own unit's readers only;
the issuer's matrix and its Excel export show 未阅 / 已阅未签收 / 已签收 with the first reader."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from tests.statements import statements_run
from tests.webui.conftest import NOW, post_login
from tests.webui.receiving_fixtures import (
    audit_count,
    district,
    people,  # noqa: F401  (a fixture)
    text,
    unit_id,
)
from webui.extensions import db
from workflow import commands as c
from workflow.models import NoticeReading, User
from workflow.states import Role

pytestmark = pytest.mark.usefixtures("people")

# The app's clock (conftest NOW): 2017-03-01 02:00 UTC, 10:00 in Beijing.
OPENED = "2017-03-01 10:00"


def _readings(app, notice_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        return db.session.execute(
            select(User.username, NoticeReading.unit_id)
            .join(User, User.id == NoticeReading.user_id)
            .where(NoticeReading.notice_id == notice_id).order_by(NoticeReading.id)).all()


def _matrix_row(html: str, unit: int) -> str:
    row = re.search(rf'<tr id="unit-{unit}".*?</tr>', html, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()


def _person(app, username: str, display_name: str, unit_name: str) -> None:
    unit = unit_id(app, unit_name)
    with app.app_context():
        user = c.create_user(db.session, None, username=username, display_name=display_name,
                             unit_id=unit)
        c.grant_role(db.session, None, user_id=user.id, role=Role.RECEIVER, unit_id=unit)
        db.session.commit()


def _record(app, username: str, notice_id: int) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        c.record_reading(db.session, user, notice_id=notice_id, now=NOW)
        db.session.commit()


def test_a_recipients_first_view_writes_one_row_and_later_views_none(client, log_in, world, app):
    log_in("receiver2")
    html = text(client.get(f"/notices/{world.issued_id}"))
    assert _readings(app, world.issued_id) == [("receiver2", unit_id(app, district(2)))]
    assert audit_count(app, "receipt.READ") == 1
    assert re.search(r"本单位已阅（1 人）：</strong><span class=\"reader\">receiver2 "
                     rf"<span class=\"time\">{OPENED}</span>", html)

    with app.app_context():
        engine = db.engine
    with statements_run(engine) as seen:
        again = client.get(f"/notices/{world.issued_id}")
    assert again.status_code == 200
    assert not [s for s in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert _readings(app, world.issued_id) == [("receiver2", unit_id(app, district(2)))]
    assert audit_count(app, "receipt.READ") == 1


def test_the_issuing_units_people_view_the_notice_without_a_reading(client, log_in, world, app):
    for username in ("drafter", "clerk", "supervisor"):
        browser = log_in(username, on=app.test_client())
        assert browser.get(f"/notices/{world.issued_id}").status_code == 200
    assert _readings(app, world.issued_id) == []
    assert audit_count(app, "receipt.READ") == 0


def test_another_units_receiver_gets_a_404_and_records_nothing(client, log_in, world, app):
    log_in("receiver2")
    assert client.get(f"/notices/{world.only_first_id}").status_code == 404
    assert _readings(app, world.only_first_id) == []


def test_a_recipient_page_never_names_another_units_readers(client, log_in, world, app):
    _record(app, "receiver1", world.issued_id)
    _person(app, "colleague2", "周同事", district(2))
    _record(app, "colleague2", world.issued_id)
    log_in("receiver2")
    html = text(client.get(f"/notices/{world.issued_id}"))
    readers = re.search(r'<p class="readers".*?</p>', html, re.S).group(0)
    assert "本单位已阅（2 人）" in readers
    assert "周同事" in readers and "receiver2" in readers
    assert "receiver1" not in html  # neither in the list nor in the trail
    trail = html[html.index('id="trail"'):]
    assert trail.count("首次阅读") == 2


def test_the_issuer_sees_no_reader_list_and_no_openings_in_the_trail(client, log_in, world, app):
    _record(app, "receiver2", world.issued_id)
    log_in("supervisor")
    html = text(client.get(f"/notices/{world.issued_id}"))
    assert 'class="readers"' not in html and "首次阅读" not in html


def test_a_hostile_display_name_is_shown_as_text(client, log_in, world, app):
    _person(app, "hostile2", "<b>x</b>", district(2))
    _record(app, "hostile2", world.issued_id)
    log_in("receiver2")
    html = text(client.get(f"/notices/{world.issued_id}"))
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_the_matrix_shows_each_units_reading_with_the_first_reader(client, log_in, world, app):
    # District 1 signed for it in the fixture; district 2 opens it now; district 3 never does.
    log_in("receiver2", on=app.test_client()).get(f"/notices/{world.issued_id}")
    log_in("supervisor")
    html = text(client.get(f"/tracking/{world.issued_id}"))
    assert "<th scope=\"col\">已读</th>" in html
    assert _matrix_row(html, unit_id(app, district(1))).startswith(
        "示范市第1区妇联 主送 已签收 已签收")
    assert _matrix_row(html, unit_id(app, district(2))).startswith(
        f"示范市第2区妇联 主送 已阅未签收 receiver2 首阅 {OPENED} 待签收")
    assert _matrix_row(html, unit_id(app, district(3))).startswith(
        "示范市第3区妇联 主送 未阅 待签收")


def test_the_matrix_export_carries_the_reading_columns(client, log_in, world, app):
    _person(app, "formula2", "=1+1", district(2))
    _record(app, "formula2", world.issued_id)
    log_in("supervisor")
    response = client.get(f"/statistics/notices/{world.issued_id}/matrix.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[2]]
    assert header[5:8] == ["已读", "首阅人", "首阅时间"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    second = rows[district(2)]
    assert [second[5].value, second[6].value] == ["已阅未签收", "=1+1"]
    assert second[6].data_type == "s" and second[6].quotePrefix  # text, not a formula
    assert second[7].value.strftime("%Y-%m-%d %H:%M") == OPENED
    assert [rows[district(3)][i].value for i in (5, 6, 7)] == ["未阅", None, None]


def test_two_tabs_of_one_person_record_one_reading(app, world):
    clients = [app.test_client(), app.test_client()]
    for one in clients:
        assert post_login(one, "receiver2").status_code == 303
    for one in clients:
        assert one.get(f"/notices/{world.issued_id}").status_code == 200
    assert _readings(app, world.issued_id) == [("receiver2", unit_id(app, district(2)))]
    assert audit_count(app, "receipt.READ") == 1
