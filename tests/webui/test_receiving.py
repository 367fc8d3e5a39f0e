"""The 收文 desk: a receiver signs for a notice in one click, returns a misdirected one with a
reason, sees its reports with their deadlines, submits them with files, and sees why one was
returned — and a receiver of another unit gets nothing of it."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests import archives
from tests.factories import at, notice_in
from tests.webui.conftest import NOW
from tests.webui.receiving_fixtures import (
    audit_count,
    district,
    flashes,
    people,  # noqa: F401  (a fixture)
    post,
    receipt_of,
    report_of,
    text,
    world_of,
)
from webui.extensions import attachment_store, db
from workflow import commands as c
from workflow.deadlines import local_date
from workflow.models import Attachment, Receipt, Report, User
from workflow.states import NoticeState

XLSX = archives.excel_xlsx()  # a real workbook: attachments are judged by their content


def _acknowledge_url(receipt_id: int) -> str:
    return f"/receiving/receipts/{receipt_id}/acknowledge"


def _reject_url(receipt_id: int) -> str:
    return f"/receiving/receipts/{receipt_id}/reject"


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


# ------------------------------------------------------------------------------------------------
# Who may use the desk.


def test_the_desk_asks_a_visitor_to_log_in(client, world):
    response = client.get("/receiving/")
    assert response.status_code == 302 and "/login" in response.location


def test_someone_without_the_receiver_role_is_turned_away(client, log_in, world, app):
    log_in("drafter")
    report = report_of(app, world.issued_id, district(1))
    for path in ("/receiving/", f"/receiving/reports/{report.id}"):
        assert client.get(path).status_code == 403
    receipt = receipt_of(app, world.issued_id, district(2))
    response = post(client, _acknowledge_url(receipt.id), {"expected_version": receipt.version})
    assert response.status_code == 403
    assert receipt_of(app, world.issued_id, district(2)).state == "PENDING"


# ------------------------------------------------------------------------------------------------
# Signing for, and returning a misdirected notice.


def test_the_desk_lists_a_notice_to_sign_for_with_its_buttons(client, log_in, world, app):
    log_in("receiver2")
    html = text(client.get("/receiving/"))
    receipt = receipt_of(app, world.issued_id, district(2))
    assert district(2) in html and world.issued_title in html and world.issued_number in html
    assert f'action="{_acknowledge_url(receipt.id)}"' in html
    assert f'action="{_reject_url(receipt.id)}"' in html
    assert "退回（误送）" in html and "须上报 1 项" in html


def test_signing_for_is_one_click_and_records_who_and_when(client, log_in, world, app):
    log_in("receiver2")
    receipt = receipt_of(app, world.issued_id, district(2))
    response = post(client, _acknowledge_url(receipt.id), {"expected_version": receipt.version},
                    page="/receiving/")
    assert response.status_code == 303 and response.location.endswith("/receiving/")
    assert f"已签收：{world.issued_title}" in flashes(client, "/receiving/")
    with app.app_context():
        row = db.session.get(Receipt, receipt.id)
        assert row.state.name == "ACKNOWLEDGED"
        assert row.acted_by_id == _user("receiver2").id and row.acted_at == NOW
    html = text(client.get("/receiving/"))
    assert "没有待签收的来文" in html and "已签收" in html  # now in 最近办理


def test_signing_for_twice_changes_nothing_the_second_time(client, log_in, world, app):
    log_in("receiver2")
    receipt = receipt_of(app, world.issued_id, district(2))
    for _ in range(2):  # a double click sends the same form twice
        response = post(client, _acknowledge_url(receipt.id),
                        {"expected_version": receipt.version})
        assert response.status_code == 303
    assert audit_count(app, "receipt.ACKNOWLEDGE", receipt.id) == 1


def test_a_receiver_of_another_unit_gets_404_and_not_the_notice(client, log_in, world, app):
    mine = receipt_of(app, world.only_first_id, district(1))
    with app.app_context():
        c.acknowledge(db.session, _user("receiver1"), receipt_id=mine.id, now=at(1.5))
        db.session.commit()
    log_in("receiver2")
    pending = receipt_of(app, world.issued_id, district(1))  # signed for in the world
    for path in (_acknowledge_url(mine.id), _reject_url(mine.id), _acknowledge_url(pending.id)):
        response = post(client, path, {"expected_version": 1, "reason": "误送"})
        assert response.status_code == 404, path
        assert world.only_first_title not in text(response)
    assert receipt_of(app, world.only_first_id, district(1)).state == "ACKNOWLEDGED"
    assert audit_count(app, "receipt.REJECT") == 0


def test_a_stale_page_is_told_someone_else_already_handled_it(client, log_in, world, app):
    receipt = receipt_of(app, world.issued_id, district(2))
    with app.app_context():  # a colleague returned it after this page was loaded
        c.reject(db.session, _user("receiver2"), receipt_id=receipt.id, reason="误送",
                 now=at(1.5))
        db.session.commit()
    log_in("receiver2")
    response = post(client, _acknowledge_url(receipt.id), {"expected_version": receipt.version},
                    page="/receiving/")
    assert response.status_code == 303
    # at(1.5) is 13:00 UTC on 8 March 2016: 21:00 in Beijing.
    assert "示范市第2区妇联的receiver2已于3月8日 21:00退回（误送）该收文，请查看最新情况后再办理" in \
        flashes(client, "/receiving/")
    assert receipt_of(app, world.issued_id, district(2)).state == "REJECTED"


def test_returning_a_misdirected_notice_needs_a_reason(client, log_in, world, app):
    log_in("receiver2")
    receipt = receipt_of(app, world.issued_id, district(2))
    response = post(client, _reject_url(receipt.id),
                    {"expected_version": receipt.version, "reason": "   "}, page="/receiving/")
    assert response.status_code == 303
    assert any("请填写退回理由" in m for m in flashes(client, "/receiving/"))
    assert receipt_of(app, world.issued_id, district(2)) == receipt


def test_returning_a_misdirected_notice_records_the_reason(client, log_in, world, app):
    log_in("receiver2")
    receipt = receipt_of(app, world.issued_id, district(2))
    response = post(client, _reject_url(receipt.id),
                    {"expected_version": receipt.version, "reason": "非本单位业务，系误送"})
    assert response.status_code == 303
    with app.app_context():
        row = db.session.get(Receipt, receipt.id)
        assert (row.state.name, row.reason) == ("REJECTED", "非本单位业务，系误送")
    html = text(client.get("/receiving/"))
    assert "已退回" in html and "理由：非本单位业务，系误送" in html
    assert "没有待上报的报告" in html  # a misdirected notice owes no report


# ------------------------------------------------------------------------------------------------
# Reports: deadlines, submitting with files, returned reports.


def test_a_due_report_shows_its_deadline_and_how_late_it_is(client, log_in, world, app):
    log_in("receiver1")
    html = text(client.get("/receiving/"))
    report = report_of(app, world.issued_id, district(1))
    assert f'href="/receiving/reports/{report.id}"' in html
    assert "调研报告" in html and "2016年4月30日前" in html
    assert "已逾期305天" in html and "填写上报" in html  # 2016-04-30 to 2017-03-01


def test_deadlines_read_as_days_left_today_or_no_fixed_date(client, log_in, world, app):
    today = local_date(NOW)  # the app's clock
    with app.app_context():
        session = db.session
        w = world_of(session)
        notice = notice_in(w, NoticeState.ISSUED, title="关于各类期限的通知", cc_unit_ids=[],
                           requests=[{"what": "今日材料", "due_date": today},
                                     {"what": "下周材料", "due_date": today + dt.timedelta(7)},
                                     {"what": "及时材料", "due_date": None}])
        receipt = session.scalar(select(Receipt).where(
            Receipt.notice_id == notice.id, Receipt.unit_id == w.receiver1.unit_id))
        c.acknowledge(session, w.receiver1, receipt_id=receipt.id, now=at(1.5))
        session.commit()
    log_in("receiver1")
    html = text(client.get("/receiving/"))
    assert "今天截止" in html and "还剩7天" in html and "无固定期限（及时报送）" in html


def test_a_report_page_offers_the_form_once_signed_for(client, log_in, world, app):
    log_in("receiver1")
    report = report_of(app, world.issued_id, district(1))
    html = text(client.get(f"/receiving/reports/{report.id}"))
    assert 'enctype="multipart/form-data"' in html
    assert f'name="expected_version" type="hidden" value="{report.version}"' in html
    assert "2016年4月30日前" in html and world.issued_title in html


def test_submitting_a_report_with_text_and_files_stores_both(client, log_in, world, app):
    log_in("receiver1")
    report = report_of(app, world.issued_id, district(1))
    response = post(client, f"/receiving/reports/{report.id}", {
        "expected_version": report.version, "text": "第1区已开展调研。",
        "attachments": [(io.BytesIO(XLSX), "统计表 2016.xlsx"),
                        (io.BytesIO(b"%PDF-1.4"), "报告.pdf")],
    }, page=f"/receiving/reports/{report.id}", content_type="multipart/form-data")
    assert response.status_code == 303 and response.location.endswith("/receiving/")
    assert any(m.startswith("已上报：调研报告") for m in flashes(client, "/receiving/"))
    with app.app_context():
        row = db.session.get(Report, report.id)
        assert (row.state.name, row.text) == ("SUBMITTED", "第1区已开展调研。")
        files = {a.filename: a for a in row.attachments}
        assert set(files) == {"统计表 2016.xlsx", "报告.pdf"}
        with attachment_store().open(files["统计表 2016.xlsx"].storage_key) as stored:
            assert stored.read() == XLSX


def test_an_empty_report_is_refused_with_the_engines_message(client, log_in, world, app):
    log_in("receiver1")
    report = report_of(app, world.issued_id, district(1))
    page = f"/receiving/reports/{report.id}"
    response = post(client, page, {"expected_version": report.version, "text": "  "}, page=page)
    assert response.status_code == 303 and response.location.endswith(page)
    assert "报告内容不能为空：请填写报告正文或上传附件" in flashes(client, page)
    assert report_of(app, world.issued_id, district(1)) == report


def test_a_report_form_without_its_version_is_shown_again_with_the_message(client, log_in,
                                                                          world, app):
    log_in("receiver1")
    report = report_of(app, world.issued_id, district(1))
    page = f"/receiving/reports/{report.id}"
    response = post(client, page, {"text": "报告"}, page=page)
    assert response.status_code == 400
    assert "页面数据不完整，请刷新页面后重试" in text(response)
    assert report_of(app, world.issued_id, district(1)) == report


def test_a_stale_report_form_is_told_someone_else_already_handled_it(client, log_in, world,
                                                                     app):
    report = report_of(app, world.issued_id, district(1))
    with app.app_context():
        c.submit_report(db.session, _user("receiver1"), report_id=report.id, text="先报的",
                        now=at(2))
        c.return_report(db.session, _user("supervisor"), report_id=report.id, reason="补充",
                        now=at(3))
        db.session.commit()
    log_in("receiver1")
    page = f"/receiving/reports/{report.id}"
    response = post(client, page, {"expected_version": report.version, "text": "后报的"},
                    page=page)
    assert response.status_code == 303
    assert "示范市妇女联合会的supervisor已于3月10日 09:00退回修改该报告，请查看最新情况后再办理" in \
        flashes(client, page)
    assert report_of(app, world.issued_id, district(1)).state == "DUE"


def test_a_report_cannot_be_submitted_before_the_notice_is_signed_for(client, log_in, world,
                                                                      app):
    log_in("receiver2")
    report = report_of(app, world.issued_id, district(2))
    page = f"/receiving/reports/{report.id}"
    html = text(client.get(page))
    assert "请先在" in html and "multipart/form-data" not in html
    assert "请先签收该公文，再上报报告" in text(client.get("/receiving/"))
    response = post(client, page, {"expected_version": report.version, "text": "报告"},
                    page=page)
    assert response.status_code == 303
    assert "请先签收该公文，再上报报告" in flashes(client, page)
    assert report_of(app, world.issued_id, district(2)) == report


def test_a_report_of_another_unit_is_404_and_stores_no_file(client, log_in, world, app):
    log_in("receiver2")
    report = report_of(app, world.issued_id, district(1))
    page = f"/receiving/reports/{report.id}"
    assert client.get(page).status_code == 404
    response = post(client, page, {"expected_version": report.version, "text": "冒报",
                                   "attachments": [(io.BytesIO(b"x"), "x.txt")]},
                    content_type="multipart/form-data")
    assert response.status_code == 404
    assert report_of(app, world.issued_id, district(1)) == report
    with app.app_context():
        root = attachment_store().root
        assert [p for p in root.rglob("*") if p.is_file()] == []


def test_a_returned_report_says_why_and_keeps_the_text_to_revise(client, log_in, world, app):
    report = report_of(app, world.issued_id, district(1))
    with app.app_context():
        c.submit_report(db.session, _user("receiver1"), report_id=report.id,
                        text="第1区调研初稿", now=at(2))
        c.return_report(db.session, _user("supervisor"), report_id=report.id,
                        reason="请补充各街道的数据", now=at(3))
        db.session.commit()
    log_in("receiver1")
    desk = text(client.get("/receiving/"))
    assert "退回修改" in desk and "请补充各街道的数据" in desk and "修改后重新上报" in desk
    page = text(client.get(f"/receiving/reports/{report.id}"))
    assert "该报告被退回修改" in page and "请补充各街道的数据" in page
    assert re.search(r"<textarea[^>]*>\s*第1区调研初稿</textarea>", page)


# ------------------------------------------------------------------------------------------------
# The report's files.


def _submitted_with_file(app, world) -> int:
    report = report_of(app, world.issued_id, district(1))
    with app.app_context():
        stored = attachment_store().save(io.BytesIO(XLSX), "统计表 2016.xlsx",
                                         session=db.session)
        c.submit_report(db.session, _user("receiver1"), report_id=report.id, text="",
                        attachments=[stored], now=at(2))
        db.session.commit()
        return db.session.scalar(select(Attachment.id).where(Attachment.report_id == report.id))


def test_the_units_own_report_file_downloads_as_an_attachment(client, log_in, world, app):
    attachment_id = _submitted_with_file(app, world)
    log_in("receiver1")
    response = client.get(f"/receiving/attachments/{attachment_id}")
    assert response.status_code == 200
    assert response.data == XLSX
    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('统计表 2016.xlsx')}" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = text(client.get(f"/receiving/reports/{report_of(app, world.issued_id, district(1)).id}"))
    assert f'href="/receiving/attachments/{attachment_id}"' in page


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(("username", "status"), [("receiver2", 404), ("supervisor", 403)])
def test_another_units_receiver_gets_404_and_a_supervisor_403_for_the_file(
        client, log_in, world, app, username, status):
    attachment_id = _submitted_with_file(app, world)
    log_in(username)
    response = client.get(f"/receiving/attachments/{attachment_id}")
    assert response.status_code == status
    assert response.data != XLSX


# ------------------------------------------------------------------------------------------------
# 签收 from the notice page (issue 15).

SIGN_FORM = re.compile(r'action="/receiving/receipts/(\d+)/acknowledge".*?'
                       r'name="expected_version" value="(\d+)"', re.S)


@pytest.mark.usefixtures("people")
def test_a_receiver_signs_for_a_notice_from_the_notice_page(client, log_in, app, world):
    receipt = receipt_of(app, world.issued_id, district(2))
    log_in("receiver2")
    page = f"/notices/{world.issued_id}"
    html = text(client.get(page))
    assert SIGN_FORM.findall(html) == [(str(receipt.id), str(receipt.version))]
    response = post(client, f"/receiving/receipts/{receipt.id}/acknowledge",
                    {"expected_version": receipt.version}, page=page)
    assert response.status_code == 303
    assert receipt_of(app, world.issued_id, district(2)).state == "ACKNOWLEDGED"
    assert SIGN_FORM.findall(text(client.get(page))) == []  # signed: no second button


@pytest.mark.usefixtures("people")
def test_no_sign_button_for_whom_the_engine_does_not_let_sign_now(log_in, app, world):
    page = f"/notices/{world.issued_id}"
    # District 1 has signed already; the issuer's supervisor, clerk and drafter sign for nothing.
    for username in ("receiver1", "supervisor", "clerk", "drafter"):
        html = text(log_in(username, on=app.test_client()).get(page))
        assert "签收情况" in html and "/acknowledge" not in html, username
    outsider = log_in("outsider", on=app.test_client())  # another federation: no page at all
    assert outsider.get(page).status_code == 404


@pytest.mark.usefixtures("people")
def test_an_overdue_receipt_is_not_counted_among_the_reports_to_submit(client, log_in, app,
                                                                        world):
    """District 3 has reported all it owes; an unsigned notice past its signing deadline is
    overdue as a receipt, and the 待上报 line must not claim an overdue report."""
    with app.app_context():
        s = db.session
        w = world_of(s)
        receiver3 = w.users["receiver3"]
        d3 = w.districts[2]
        receipt = next(r for r in s.scalars(select(Receipt).where(
            Receipt.notice_id == world.issued_id, Receipt.unit_id == d3.id)))
        report = s.scalar(select(Report).where(Report.notice_id == world.issued_id,
                                               Report.unit_id == d3.id))
        c.acknowledge(s, receiver3, receipt_id=receipt.id, now=at(1.5))
        c.submit_report(s, receiver3, report_id=report.id, text="调研报告全文", now=at(2))
        notice_in(w, NoticeState.ISSUED, title="关于报送名单的通知", requests=[],
                  main_group_ids=[], main_unit_ids=[d3.id], cc_unit_ids=[])
        s.commit()
    log_in("receiver3")
    html = text(client.get("/receiving/"))
    assert re.search(r"待签收 <span[^>]*>1 件，其中已逾期 1 件", html)
    assert re.search(r"待上报 <span[^>]*>0 项</span>", html)
    assert "0 项，其中已逾期" not in html


@pytest.mark.usefixtures("people")
def test_a_returned_report_drops_its_earlier_file_from_the_report_page(client, log_in, world,
                                                                       app):
    log_in("receiver1")
    report = report_of(app, world.issued_id, district(1))
    page = f"/receiving/reports/{report.id}"
    post(client, page, {"expected_version": report.version, "text": "初稿",
                        "attachments": [(io.BytesIO(b"%PDF-1.4"), "旧报告.pdf")]},
         page=page, content_type="multipart/form-data")
    with app.app_context():
        s = db.session
        supervisor = s.scalar(select(User).where(User.username == "supervisor"))
        c.return_report(s, supervisor, report_id=report.id, reason="数据有误", now=at(3))
        s.commit()
        attachment_id = s.scalar(select(Attachment.id).where(Attachment.report_id == report.id))
    html = text(client.get(page))
    action = f"/receiving/reports/{report.id}/attachments/{attachment_id}/remove"
    assert f'action="{action}"' in html
    version = report_of(app, world.issued_id, district(1)).version
    response = post(client, action, {"expected_version": version}, page=page)
    assert response.status_code == 303 and response.location.endswith(page)
    assert "已删除报告附件" in flashes(client, page)
    with app.app_context():
        assert db.session.scalar(select(Attachment).where(
            Attachment.report_id == report.id)) is None
    assert audit_count(app, "report.REMOVE_ATTACHMENT", report.id) == 1
    # Another unit's receiver cannot reach it: the report is not theirs.
    other = log_in("receiver2", on=app.test_client())
    assert post(other, action, {"expected_version": version},
                page="/receiving/").status_code in (403, 404)
