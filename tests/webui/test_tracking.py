"""The 督办 desk: the issuing unit's supervisor follows its notices, sees who is late, reminds one
unit or all, reads, accepts or returns a report, and closes a notice — and nobody else can."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.factories import at
from tests.webui.receiving_fixtures import (
    audit_count,
    district,
    flashes,
    people,  # noqa: F401  (a fixture)
    post,
    receipt_of,
    report_of,
    text,
    unit_id,
)
from webui.extensions import attachment_store, db
from workflow import commands as c
from workflow.models import AuditEntry, Notice, Reminder, Report, User

pytestmark = pytest.mark.usefixtures("people")


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _reminders(app, notice_id: int) -> list[tuple[int, str]]:
    with app.app_context():
        return sorted(db.session.execute(select(Reminder.unit_id, Reminder.channel).where(
            Reminder.notice_id == notice_id)).all())


def _notice_state(app, notice_id: int) -> str:
    with app.app_context():
        return db.session.get(Notice, notice_id).state.name


def _submitted(app, world, i: int = 1, *, text: str = "第1区调研情况良好。", files=()) -> int:
    """District i signs for the issued notice (1 already has) and submits its report."""
    report = report_of(app, world.issued_id, district(i))
    receipt = receipt_of(app, world.issued_id, district(i))
    with app.app_context():
        receiver = _user(f"receiver{i}")
        c.acknowledge(db.session, receiver, receipt_id=receipt.id, now=at(1.5))
        stored = [attachment_store().save(io.BytesIO(data), name, session=db.session)
                  for name, data in files]
        c.submit_report(db.session, receiver, report_id=report.id, text=text,
                        attachments=stored, now=at(2))
        db.session.commit()
    return report.id


# ------------------------------------------------------------------------------------------------
# Who may use the desk.


def test_the_desk_asks_a_visitor_to_log_in(client, world):
    response = client.get("/tracking/")
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("username", ["receiver1", "drafter", "clerk"])
def test_someone_without_the_supervisor_role_is_turned_away(client, log_in, world, app,
                                                            username):
    log_in(username)
    report = report_of(app, world.issued_id, district(1))
    for path in ("/tracking/", "/tracking/overdue", f"/tracking/{world.issued_id}",
                 f"/tracking/reports/{report.id}"):
        assert client.get(path).status_code == 403, path
    assert post(client, f"/tracking/{world.issued_id}/remind").status_code == 403
    assert _reminders(app, world.issued_id) == []


def test_a_supervisor_of_another_federation_gets_404_everywhere(client, log_in, world, app):
    report_id = _submitted(app, world)
    log_in("outsider")
    assert world.issued_title not in text(client.get("/tracking/"))
    assert world.issued_title not in text(client.get("/tracking/overdue"))
    for path in (f"/tracking/{world.issued_id}", f"/tracking/reports/{report_id}"):
        response = client.get(path)
        assert response.status_code == 404 and world.issued_title not in text(response)
    for path, data in ((f"/tracking/{world.issued_id}/remind", {}),
                       (f"/tracking/{world.issued_id}/close", {"reason": "越权",
                                                               "expected_version": 1}),
                       (f"/tracking/reports/{report_id}/accept", {"expected_version": 1}),
                       (f"/tracking/reports/{report_id}/return", {"reason": "越权",
                                                                  "expected_version": 1})):
        assert post(client, path, data).status_code == 404, path
    assert _reminders(app, world.issued_id) == []
    assert report_of(app, world.issued_id, district(1)).state == "SUBMITTED"
    assert _notice_state(app, world.issued_id) == "ISSUED"


# ------------------------------------------------------------------------------------------------
# The list of notices and the overdue list.


def test_the_desk_lists_the_issued_notices_with_progress_bars(client, log_in, world):
    log_in("supervisor")
    html = text(client.get("/tracking/"))
    assert world.issued_title in html and world.only_first_title in html
    assert world.draft_title not in html
    assert f'href="/tracking/{world.issued_id}"' in html
    assert "签收 1/4" in html and "上报 0/3" in html and html.count("<progress") >= 4
    assert re.search(r"逾期未报 \d+ 项", html)


def test_tracking_and_statistics_say_which_units_their_signing_counts_cover(client, log_in,
                                                                              world):
    """The issued notice goes to three districts (主送) and the province (抄送); district 1 has
    signed: tracking counts every recipient, the statistics the 主送 units, and each says so."""
    log_in("supervisor")
    tracking = re.sub(r"<[^>]+>", "", text(client.get("/tracking/")))
    assert "签收 1/4（主送＋抄送）" in tracking
    statistics = re.sub(r"<[^>]+>", "", text(client.get("/statistics/?from=2016-01-01&to=2016-12-31")))
    assert "主送签收 1/3" in statistics


def test_the_overdue_list_names_each_late_unit_and_each_unsigned_receipt(client, log_in, world):
    log_in("supervisor")
    html = text(client.get("/tracking/overdue"))
    reports = html[html.index('id="overdue-reports"'):html.index('id="pending-receipts"')]
    receipts = html[html.index('id="pending-receipts"'):]
    for i in (1, 2, 3):
        assert district(i) in reports
    assert "上报：调研报告" in reports and re.search(r"已逾期\d+天", reports)
    # District 1 signed for the first notice, not yet for the one sent to it alone.
    assert receipts.count(district(1)) == 1 and world.only_first_title in receipts
    assert receipts.count(district(2)) == 1
    assert "示范省妇女联合会" in receipts and "抄送单位，仅需签收" in receipts
    assert re.search(r"印发后\d+天未签收", receipts)


# ------------------------------------------------------------------------------------------------
# The matrix.


def test_the_matrix_shows_every_unit_with_times_states_and_overdue_cells(client, log_in, world):
    log_in("supervisor")
    html = text(client.get(f"/tracking/{world.issued_id}"))
    for i in (1, 2, 3):
        assert f"{district(i)} <span" in html
    assert "2016-03-08 11:00" in html  # district 1 signed for it, local time
    assert html.count("matrix-cell matrix-cell-overdue") == 3  # every district's 调研报告, past 2016-04-30
    assert len(re.findall(r'<strong class="overdue-word">逾期\d+天</strong>', html)) == 3  # a word, not colour alone
    assert "无需上报" in html  # the 抄送 unit's report cell
    assert "签收 1/4" in html and "上报 0/3" in html


def test_the_matrix_can_show_only_the_units_that_still_owe(client, log_in, world, app):
    _submitted(app, world)
    report = report_of(app, world.issued_id, district(1))
    with app.app_context():
        c.accept_report(db.session, _user("supervisor"), report_id=report.id, now=at(3))
        db.session.commit()
    log_in("supervisor")
    html = text(client.get(f"/tracking/{world.issued_id}?show=outstanding"))
    table = html[html.index("<table"):]
    assert district(1) not in table and district(2) in table and "示范省" not in table


def test_reminding_one_unit_records_the_channel(client, log_in, world, app):
    log_in("supervisor")
    page = f"/tracking/{world.issued_id}"
    d2 = unit_id(app, district(2))
    response = post(client, f"{page}/remind", {"unit_id": d2, "channel": "phone",
                                               "message": "请本周内上报"}, page=page)
    assert response.status_code == 303 and response.location.endswith(page)
    assert "已催办 1 个单位（电话）" in flashes(client, page)
    assert _reminders(app, world.issued_id) == [(d2, "phone")]
    assert "已催办1次" in text(client.get(page))


def test_reminding_without_a_unit_reminds_every_unit_that_still_owes(client, log_in, world,
                                                                     app):
    log_in("supervisor")
    page = f"/tracking/{world.issued_id}"
    response = post(client, f"{page}/remind", {"unit_id": "", "channel": "app"}, page=page)
    assert response.status_code == 303
    assert "已催办 3 个单位（站内）" in flashes(client, page)
    assert [u for u, _ in _reminders(app, world.issued_id)] == sorted(
        unit_id(app, district(i)) for i in (1, 2, 3))


@pytest.mark.parametrize(("data", "message"), [
    ({"unit_id": "cc", "channel": "app"}, "催办对象无效"),
    ({"channel": "fax"}, "催办方式只能是"),
    ({"unit_id": "CC_UNIT", "channel": "app"}, "以下单位没有待办事项，无需催办"),
])
def test_a_reminder_the_engine_refuses_is_shown_and_nothing_is_sent(client, log_in, world, app,
                                                                     data, message):
    if data.get("unit_id") == "CC_UNIT":
        data = {**data, "unit_id": unit_id(app, "示范省妇女联合会")}
    log_in("supervisor")
    page = f"/tracking/{world.issued_id}"
    response = post(client, f"{page}/remind", data, page=page)
    assert response.status_code == 303
    assert any(message in m for m in flashes(client, page)), message
    assert _reminders(app, world.issued_id) == []


# ------------------------------------------------------------------------------------------------
# Reading, accepting and returning a report.


def test_the_report_page_shows_the_text_the_files_and_both_buttons(client, log_in, world, app):
    report_id = _submitted(app, world, files=[("名单.pdf", b"%PDF")])
    log_in("supervisor")
    html = text(client.get(f"/tracking/reports/{report_id}"))
    assert "第1区调研情况良好。" in html and "名单.pdf" in html
    assert f'action="/tracking/reports/{report_id}/accept"' in html
    assert f'action="/tracking/reports/{report_id}/return"' in html
    matrix = text(client.get(f"/tracking/{world.issued_id}"))
    assert f'href="/tracking/reports/{report_id}"' in matrix and "审核" in matrix


def test_a_report_still_due_offers_no_buttons(client, log_in, world, app):
    report = report_of(app, world.issued_id, district(2))
    log_in("supervisor")
    html = text(client.get(f"/tracking/reports/{report.id}"))
    assert "该单位尚未上报" in html and "/accept" not in html and "/return" not in html


def test_accepting_a_report_goes_back_to_the_matrix(client, log_in, world, app):
    report_id = _submitted(app, world)
    log_in("supervisor")
    version = report_of(app, world.issued_id, district(1)).version
    response = post(client, f"/tracking/reports/{report_id}/accept",
                    {"expected_version": version, "opinion": "情况清楚，予以采纳"},
                    page=f"/tracking/reports/{report_id}")
    assert response.status_code == 303
    assert response.location.endswith(f"/tracking/{world.issued_id}")
    assert f"已采纳：{district(1)}的“调研报告”" in flashes(client, f"/tracking/{world.issued_id}")
    assert report_of(app, world.issued_id, district(1)).state == "ACCEPTED"
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "report.ACCEPT")).one()
        assert entry.note == "情况清楚，予以采纳"


def test_a_stale_accept_is_told_someone_else_already_handled_it(client, log_in, world, app):
    report_id = _submitted(app, world)
    stale = report_of(app, world.issued_id, district(1)).version
    with app.app_context():
        c.return_report(db.session, _user("supervisor"), report_id=report_id, reason="补充",
                        now=at(3))
        c.submit_report(db.session, _user("receiver1"), report_id=report_id, text="补充后",
                        now=at(4))
        db.session.commit()
    log_in("supervisor")
    page = f"/tracking/reports/{report_id}"
    response = post(client, f"{page}/accept", {"expected_version": stale}, page=page)
    assert response.status_code == 303 and response.location.endswith(page)
    assert "示范市第1区妇联的receiver1已于3月11日 09:00上报该报告，请查看最新情况后再办理" in \
        flashes(client, page)
    assert report_of(app, world.issued_id, district(1)).state == "SUBMITTED"


def test_returning_a_report_needs_a_reason(client, log_in, world, app):
    report_id = _submitted(app, world)
    before = report_of(app, world.issued_id, district(1))
    log_in("supervisor")
    page = f"/tracking/reports/{report_id}"
    response = post(client, f"{page}/return", {"expected_version": before.version, "reason": ""},
                    page=page)
    assert response.status_code == 303 and response.location.endswith(page)
    assert any("请填写退回理由" in m for m in flashes(client, page))
    assert report_of(app, world.issued_id, district(1)) == before


def test_returning_a_report_with_a_reason_makes_it_due_again(client, log_in, world, app):
    report_id = _submitted(app, world)
    version = report_of(app, world.issued_id, district(1)).version
    log_in("supervisor")
    response = post(client, f"/tracking/reports/{report_id}/return",
                    {"expected_version": version, "reason": "请补充各街道的数据"})
    assert response.status_code == 303
    with app.app_context():
        row = db.session.get(Report, report_id)
        assert (row.state.name, row.return_reason) == ("DUE", "请补充各街道的数据")
    matrix = text(client.get(f"/tracking/{world.issued_id}"))
    assert "已退回：请补充各街道的数据" in matrix


# ------------------------------------------------------------------------------------------------
# Closing.


def test_the_close_form_names_the_units_that_would_be_waived(client, log_in, world):
    log_in("supervisor")
    html = text(client.get(f"/tracking/{world.issued_id}"))
    waived = html[html.index('class="desk-waived"'):]
    waived = waived[:waived.index("</ul>")]
    assert all(district(i) in waived for i in (1, 2, 3)) and "示范省" not in waived
    assert f'action="/tracking/{world.issued_id}/close"' in html


def test_closing_needs_a_reason(client, log_in, world, app):
    log_in("supervisor")
    page = f"/tracking/{world.issued_id}"
    with app.app_context():
        version = db.session.get(Notice, world.issued_id).version
    response = post(client, f"{page}/close", {"expected_version": version, "reason": " "},
                    page=page)
    assert response.status_code == 303
    assert any("请填写办结理由" in m for m in flashes(client, page))
    assert _notice_state(app, world.issued_id) == "ISSUED"


def test_closing_with_a_reason_waives_what_is_outstanding(client, log_in, world, app):
    log_in("supervisor")
    page = f"/tracking/{world.issued_id}"
    with app.app_context():
        version = db.session.get(Notice, world.issued_id).version
    response = post(client, f"{page}/close", {"expected_version": version,
                                              "reason": "工作已按期完成"}, page=page)
    assert response.status_code == 303
    assert f"已办结：{world.issued_title}" in flashes(client, page)
    assert _notice_state(app, world.issued_id) == "CLOSED"
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "notice.CLOSE")).one()
        assert entry.details["waived_units"] == [district(i) for i in (1, 2, 3)]
    html = text(client.get(page))
    assert "已免办" in html and f"{page}/close" not in html and f"{page}/remind" not in html
    assert "matrix-cell matrix-cell-overdue" not in html


def test_a_stale_close_is_told_someone_else_already_handled_it(client, log_in, world, app):
    with app.app_context():
        stale = db.session.get(Notice, world.issued_id).version
        c.remind(db.session, _user("supervisor"), notice_id=world.issued_id, now=at(3))
        c.close(db.session, _user("supervisor"), notice_id=world.issued_id, reason="已办结",
                now=at(4))
        db.session.commit()
    log_in("supervisor")
    page = f"/tracking/{world.issued_id}"
    response = post(client, f"{page}/close", {"expected_version": stale, "reason": "再次办结"},
                    page=page)
    assert response.status_code == 303
    assert "supervisor已于3月11日 09:00办结该公文，请查看最新情况后再办理" in flashes(client, page)
    assert audit_count(app, "notice.CLOSE") == 1


# ------------------------------------------------------------------------------------------------
# Report files.


def _attachment_id(app, report_id: int) -> int:
    from workflow.models import Attachment

    with app.app_context():
        return db.session.scalar(select(Attachment.id).where(Attachment.report_id == report_id))


def test_the_issuers_supervisor_downloads_a_report_file_as_an_attachment(client, log_in, world,
                                                                         app):
    report_id = _submitted(app, world, files=[("第1区 名单.pdf", b"%PDF-1.4 data")])
    attachment_id = _attachment_id(app, report_id)
    log_in("supervisor")
    response = client.get(f"/tracking/attachments/{attachment_id}")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 data"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('第1区 名单.pdf')}" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(("username", "status"), [("outsider", 404), ("receiver1", 403)])
def test_others_do_not_get_the_file_from_the_tracking_desk(client, log_in, world, app, username,
                                                           status):
    report_id = _submitted(app, world, files=[("名单.pdf", b"%PDF secret")])
    log_in(username)
    response = client.get(f"/tracking/attachments/{_attachment_id(app, report_id)}")
    assert response.status_code == status and b"secret" not in response.data


def test_an_unknown_file_is_404(client, log_in, world):
    log_in("supervisor")
    assert client.get("/tracking/attachments/999999").status_code == 404
