"""转发 through the pages: district 1's drafter forwards the city's notice from its 收文 page, lands
on the draft with the source named, and the passed-down request keeps its link through the form;
nobody else is offered the button or may post it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.factories import at
from tests.webui.conftest import PASSWORD, csrf_token, give_password, post_login
from webui.extensions import db
from workflow import commands as c
from workflow.models import AuditEntry, Incoming, Notice, Receipt, Report, Unit, User
from workflow.states import Role


@pytest.fixture
def in_hand(app, world):
    """District 1's 收文 of the city's notice, proposed and instructed; its 拟稿人 and a 街道."""
    with app.app_context():
        s = db.session
        d1 = s.scalar(select(Unit).where(Unit.name == "示范市第1区妇联"))
        c.create_unit(s, None, name="第1区东风街道妇联", parent_id=d1.id)
        people = {}
        for username, role in (("d1_drafter", Role.DRAFTER), ("d1_office", Role.PROPOSER),
                               ("d1_chair", Role.INSTRUCTOR)):
            people[username] = c.create_user(s, None, username=username, display_name=username,
                                             unit_id=d1.id, password=PASSWORD)
            c.grant_role(s, None, user_id=people[username].id, role=role, unit_id=d1.id)
        incoming = s.scalar(select(Incoming).where(Incoming.unit_id == d1.id))
        c.propose(s, people["d1_office"], incoming_id=incoming.id, kind="TO_HANDLE",
                  lead_unit_id=d1.id, now=at(2))
        c.instruct(s, people["d1_chair"], incoming_id=incoming.id, instruction="转发各街道",
                   now=at(2.1))
        for username in ("clerk", "supervisor", "receiver2"):
            give_password(s, s.scalar(select(User.id).where(User.username == username)))
        s.commit()
        return incoming.id


def logged_in(app, username: str):
    client = app.test_client()
    assert post_login(client, username).status_code == 303, username
    return client


def test_the_drafter_forwards_from_the_收文_page_and_lands_on_the_draft(app, in_hand):
    client = logged_in(app, "d1_drafter")
    page = client.get(f"/incoming/{in_hand}").get_data(as_text=True)
    assert "转发给下级单位" in page
    response = client.post(f"/incoming/{in_hand}/forward", data={
        "csrf_token": csrf_token(client, f"/incoming/{in_hand}"), "lead_days": "3"})
    assert response.status_code == 303 and "/drafting/" in response.location
    draft = client.get(response.location).get_data(as_text=True)
    assert "转发来文：<a" in draft and "关于开展调研的通知" in draft
    assert "第1区东风街道妇联" in draft  # offered as a recipient
    assert "示范市第2区妇联" not in draft  # a neighbour is not
    # Saving the form keeps the passed-down request's link to the source's request.
    source_id = re.search(r'name="report_requests-0-source_request_id"[^>]*value="(\d+)"',
                          draft) or re.search(
        r'value="(\d+)"[^>]*name="report_requests-0-source_request_id"', draft)
    assert source_id
    with app.app_context():
        notice = db.session.scalar(select(Notice).where(Notice.forwards_id.is_not(None)))
        before = notice.report_requests[0].source_request_id
        assert str(before) == source_id.group(1)
    page_after = client.get(f"/incoming/{in_hand}").get_data(as_text=True)
    assert "本单位已转发" in page_after and "转发给下级单位" not in page_after


@pytest.mark.parametrize("username", ["d1_office", "d1_chair", "receiver1", "receiver2",
                                      "clerk"])
def test_nobody_but_the_units_drafter_is_offered_or_may_forward(app, in_hand, username):
    client = logged_in(app, username)
    page = client.get(f"/incoming/{in_hand}")
    if page.status_code == 200:
        assert "转发给下级单位" not in page.get_data(as_text=True)
    with app.app_context():
        before = db.session.scalar(select(func.count(AuditEntry.id)))
    token = csrf_token(client, "/inbox/")
    response = client.post(f"/incoming/{in_hand}/forward",
                           data={"csrf_token": token, "lead_days": "3"})
    assert response.status_code in (403, 404)
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) == before


@pytest.mark.parametrize("lead", ["-1", "31", "三", "9" * 30])
def test_a_bad_lead_is_refused_in_chinese_and_nothing_is_drafted(app, in_hand, lead):
    client = logged_in(app, "d1_drafter")
    path = f"/incoming/{in_hand}"
    client.post(f"{path}/forward", data={"csrf_token": csrf_token(client, path),
                                         "lead_days": lead}, headers={"Referer": path})
    assert "提前" in client.get(path).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Notice.id)).where(
            Notice.forwards_id.is_not(None))) == 0


@pytest.fixture
def issued_forward(app, in_hand):
    """District 1's forward issued to its 街道 (一区妇发〔2016〕1号)."""
    with app.app_context():
        s = db.session
        d1 = s.scalar(select(Unit).where(Unit.name == "示范市第1区妇联"))
        d1.doc_code, d1.review_required = "一区妇发", False
        street = s.scalar(select(Unit).where(Unit.name == "第1区东风街道妇联"))
        drafter = s.scalar(select(User).where(User.username == "d1_drafter"))
        leader = c.create_user(s, None, username="d1_leader", display_name="一区主席",
                               unit_id=d1.id)
        for role in (Role.SIGNATORY, Role.CLERK):
            c.grant_role(s, None, user_id=leader.id, role=role, unit_id=d1.id)
        notice = c.forward(s, drafter, incoming_id=in_hand, now=at(3))
        c.update_draft(s, drafter, notice_id=notice.id, main_unit_ids=[street.id], now=at(3))
        c.submit(s, drafter, notice_id=notice.id, now=at(3.1))
        c.sign(s, leader, notice_id=notice.id, opinion="同意", now=at(3.2))
        c.issue(s, leader, notice_id=notice.id, now=at(3.3))
        source = notice.forwards_id
        s.commit()
        return source


def test_the_issuers_matrix_shows_how_far_each_unit_passed_it_down(app, issued_forward):
    client = logged_in(app, "supervisor")
    page = client.get(f"/tracking/{issued_forward}").get_data(as_text=True)
    assert "转发情况（1 件，2 级）" in page
    assert "转发 一区妇发〔2016〕1号</a>：下级签收 0/1 · 上报 0/1" in page
    tree = client.get(f"/tracking/{issued_forward}/tree").get_data(as_text=True)
    assert "第1区东风街道妇联" in tree and "一区妇发〔2016〕1号（已印发）" in tree


def test_a_recipient_does_not_see_the_issuers_tree(app, issued_forward):
    for username in ("d1_drafter", "receiver1", "receiver2"):
        response = logged_in(app, username).get(f"/tracking/{issued_forward}/tree")
        assert response.status_code in (403, 404), username


@pytest.fixture
def street_reported(app, issued_forward):
    """东风街道 signed for district 1's forward and reported; district 1's 督办 accepted it."""
    with app.app_context():
        s = db.session
        d1 = s.scalar(select(Unit).where(Unit.name == "示范市第1区妇联"))
        street = s.scalar(select(Unit).where(Unit.name == "第1区东风街道妇联"))
        forward = s.scalar(select(Notice).where(Notice.forwards_id == issued_forward))
        receiver = c.create_user(s, None, username="dongfeng", display_name="东风收文员",
                                 unit_id=street.id, password=PASSWORD)
        c.grant_role(s, None, user_id=receiver.id, role=Role.RECEIVER, unit_id=street.id)
        supervisor = c.create_user(s, None, username="d1_supervisor", display_name="一区督办",
                                   unit_id=d1.id)
        c.grant_role(s, None, user_id=supervisor.id, role=Role.SUPERVISOR, unit_id=d1.id)
        receipt = next(r for r in s.scalars(select(Receipt).where(Receipt.notice_id == forward.id)))
        c.acknowledge(s, receiver, receipt_id=receipt.id, now=at(4))
        report = s.scalar(select(Report).where(Report.notice_id == forward.id))
        c.submit_report(s, receiver, report_id=report.id, text="东风街道调研报告正文", now=at(5))
        c.accept_report(s, supervisor, report_id=report.id, now=at(6))
        mine = s.scalar(select(Report).where(Report.notice_id == issued_forward,
                                             Report.unit_id == d1.id))
        s.commit()
        return mine.id, report.id


def test_the_district_carries_its_streets_report_up_and_the_city_reads_the_summary(
        app, street_reported):
    mine, street_report = street_reported
    client = logged_in(app, "receiver1")
    path = f"/receiving/reports/{mine}"
    page = client.get(path).get_data(as_text=True)
    assert "汇总下级报告" in page and "第1区东风街道妇联" in page
    version = re.search(r'name="expected_version"[^>]*value="(\d+)"', page).group(1)
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "expected_version": version, "text": "一区调研报告（汇总）",
                                       "included_report_ids": str(street_report)})
    assert response.status_code == 303
    city = logged_in(app, "supervisor")
    review = city.get(f"/tracking/reports/{mine}").get_data(as_text=True)
    assert "汇总下级报告" in review and "东风街道调研报告正文" in review
    sheet = city.get(f"/tracking/reports/{mine}/summary.xlsx")
    assert sheet.status_code == 200
    import io

    from openpyxl import load_workbook
    rows = list(load_workbook(io.BytesIO(sheet.get_data())).active.iter_rows(values_only=True))
    assert any(row[0] == "第1区东风街道妇联" and row[4] == "东风街道调研报告正文" for row in rows)


def test_nobody_else_downloads_a_units_summary(app, street_reported):
    mine, _ = street_reported
    for username in ("receiver2", "dongfeng", "d1_drafter"):
        client = logged_in(app, username)
        assert client.get(f"/receiving/reports/{mine}/summary.xlsx").status_code in (403, 404)
        assert client.get(f"/tracking/reports/{mine}/summary.xlsx").status_code in (403, 404)


def test_the_print_view_of_a_forward_says_its_annex_is_in_the_pdf_and_word_files(app,
                                                                                  issued_forward):
    with app.app_context():
        forward = db.session.scalar(select(Notice.id).where(Notice.forwards_id == issued_forward))
    client = logged_in(app, "d1_drafter")
    page = client.get(f"/notices/{forward}/print").get_data(as_text=True)
    assert ("附件《关于开展调研的通知》是另一份公文，本页只打印正文；"
            "下载 PDF 或 Word 可得含附件、页码连续的全文。") in page
    source = client.get(f"/notices/{issued_forward}/print")
    assert source.status_code == 200 and "是另一份公文" not in source.get_data(as_text=True)
