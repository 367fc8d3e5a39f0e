"""The 收文 desk through its pages: the register, the 收文处理笺 and its forms, as the people of
the unit use them — and what everybody else gets (another unit, the issuer, an administrator, an
account without a role): a 404 or a 403, and never a word of a 批示."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from tests.factories import at
from tests.webui.conftest import PASSWORD, csrf_token, give_password, post_login
from webui.extensions import attachment_store, db
from workflow import commands as c
from workflow.models import AuditEntry, Circulation, Incoming, Report, Unit, User
from workflow.states import Role

INSTRUCTION = "请组织学习，按时上报"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def office(app, world):
    """District 1's staff: 办公室主任 (拟办), 主席 (批办), the 宣传部 with its 承办人, a vice
    chair without any role; district 2's 拟办人 and receiver; the issuer's clerk and an admin."""
    with app.app_context():
        s = db.session
        d1 = s.scalar(select(Unit).where(Unit.name == "示范市第1区妇联"))
        d2 = s.scalar(select(Unit).where(Unit.name == "示范市第2区妇联"))
        dept = c.create_unit(s, None, name="示范市第1区妇联宣传部", parent_id=d1.id, internal=True)
        for username, name, role, unit in (
                ("office_head", "办公室主任", Role.PROPOSER, d1),
                ("chair", "主席", Role.INSTRUCTOR, d1),
                ("propaganda", "宣传部长", Role.HANDLER, dept),
                ("stranger", "二区办公室主任", Role.PROPOSER, d2),
                ("vice_chair", "副主席", None, d1)):
            user = c.create_user(s, None, username=username, display_name=name, unit_id=unit.id,
                                 password=PASSWORD)
            if role is not None:
                c.grant_role(s, None, user_id=user.id, role=role, unit_id=unit.id)
        for username in ("clerk", "admin"):
            give_password(s, s.scalar(select(User.id).where(User.username == username)))
        incoming = s.scalar(select(Incoming).where(Incoming.unit_id == d1.id))
        s.commit()
        return {"incoming": incoming.id, "dept": dept.id, "d1": d1.id}


def logged_in(app, username: str):
    client = app.test_client()
    assert post_login(client, username).status_code == 303, username
    return client


def post(client, path: str, data: dict | None = None, page: str | None = None):
    """Post a form from `page` the way a browser does (its token, its page as the referrer)."""
    page = page or path.rsplit("/", 1)[0]
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, page)},
                       headers={"Referer": f"http://localhost{page}"})


def version(app, incoming_id: int) -> int:
    with app.app_context():
        return db.session.get(Incoming, incoming_id).version


def state(app, incoming_id: int) -> str:
    with app.app_context():
        return db.session.get(Incoming, incoming_id).state.name


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.id)))


def test_the_register_lists_the_units_own_incoming_with_its_number(app, office):
    page = text(logged_in(app, "receiver1").get("/incoming/"))
    assert "示范市第1区妇联收文登记簿" in page
    assert "收〔2016〕1号" in page and "关于开展调研的通知" in page


def test_the_register_filters_by_source_and_overdue(app, office):
    client = logged_in(app, "receiver1")
    assert "收〔2016〕1号" not in text(client.get("/incoming/?source=教育局"))
    assert "收〔2016〕1号" in text(client.get("/incoming/?source=示范市"))
    # No deadline was set, so nothing is overdue.
    assert "收〔2016〕1号" not in text(client.get("/incoming/?overdue=1"))
    assert "收〔2016〕1号" in text(client.get("/incoming/?state=REGISTERED&year=2016"))
    assert "收〔2016〕1号" not in text(client.get("/incoming/?state=DONE"))


def test_the_register_exports_to_excel_with_formulas_kept_as_text(app, office):
    from openpyxl import load_workbook

    client = logged_in(app, "receiver1")
    response = post(client, "/incoming/register", {
        "source_organ": "=HYPERLINK(\"http://x\")", "title": "关于春季开学的通知",
        "received_on": "2017-03-01", "urgency": "NORMAL", "secrecy": "NONE", "body": "正文"},
        page="/incoming/register")
    assert response.status_code == 303
    data = client.get("/incoming/export.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value
             and str(cell.value).startswith("=HYPERLINK")]
    assert cells and all(cell.data_type == "s" for cell in cells)


@pytest.mark.parametrize("username", ["receiver2", "stranger", "clerk", "supervisor", "admin"])
def test_people_outside_the_unit_get_no_incoming_page_and_no_instruction(
        app, office, username):
    if username == "supervisor":
        with app.app_context():
            give_password(db.session, user_id(app, "supervisor"))
            db.session.commit()
    _through_instruction(app, office)
    client = logged_in(app, username)
    for path in (f"/incoming/{office['incoming']}", f"/incoming/{office['incoming']}/print.pdf"):
        response = client.get(path)
        assert response.status_code in (403, 404), (username, path)
        assert INSTRUCTION not in text(response)
    assert INSTRUCTION not in text(client.get("/inbox/"))


def test_an_account_without_any_role_is_turned_away_from_the_desk(app, office):
    client = logged_in(app, "vice_chair")
    assert client.get("/incoming/").status_code == 403
    assert client.get(f"/incoming/{office['incoming']}").status_code == 404


def test_another_units_proposer_cannot_propose_for_us(app, office):
    client = logged_in(app, "stranger")  # logging in is audited: counted after it
    before = audit_count(app)
    response = post(client, f"/incoming/{office['incoming']}/propose",
                    {"kind": "TO_HANDLE", "expected_version": version(app, office["incoming"])},
                    page="/incoming/")
    assert response.status_code == 404
    assert state(app, office["incoming"]) == "REGISTERED" and audit_count(app) == before


@pytest.mark.parametrize("data, message", [
    ({"kind": "TO_HANDLE"}, "主办"),  # a 办件 without its 主办 department
    ({"kind": "办件"}, "办理类型"),
    ({"kind": "TO_HANDLE", "lead_unit_id": "999999"}, "承办部门只能是"),
    ({"kind": "TO_HANDLE", "lead_unit_id": "abc"}, "选项无效"),
    ({"kind": "TO_HANDLE", "proposal": "意\x07见"}, "控制字符"),
    ({"kind": "TO_HANDLE", "deadline": "2017-02-30"}, "日期格式"),
])
def test_a_bad_proposal_is_refused_in_chinese_and_changes_nothing(app, office, data, message):
    client = logged_in(app, "office_head")
    path = f"/incoming/{office['incoming']}"
    before = (version(app, office["incoming"]), audit_count(app))
    response = post(client, f"{path}/propose",
                    {"expected_version": version(app, office["incoming"]), **data}, page=path)
    assert response.status_code == 303
    assert message in text(client.get(path))
    assert (version(app, office["incoming"]), audit_count(app)) == before


def test_an_empty_instruction_is_refused_and_a_return_needs_a_reason(app, office):
    _propose(app, office)
    client = logged_in(app, "chair")
    path = f"/incoming/{office['incoming']}"
    before = version(app, office["incoming"])
    post(client, f"{path}/instruct", {"expected_version": before}, page=path)
    assert "批示不能为空" in text(client.get(path))
    post(client, f"{path}/return", {"expected_version": before, "reason": " "}, page=path)
    assert state(app, office["incoming"]) == "PROPOSED" and version(app, office["incoming"]) == before


def test_a_reader_can_mark_read_only_their_own_copy(app, office):
    _through_instruction(app, office)
    copy_id = _circulate(app, office, ["vice_chair"])
    path = f"/incoming/{office['incoming']}"
    response = post(logged_in(app, "office_head"), f"{path}/copies/{copy_id}/read", {}, page=path)
    assert response.status_code in (303, 403)
    with app.app_context():
        assert db.session.get(Circulation, copy_id).state.name == "PENDING"
    # A copy that is not of this 收文 is a 404.
    response = post(logged_in(app, "vice_chair"), f"{path}/copies/{copy_id + 100}/read", {},
                    page=path)
    assert response.status_code == 404


def test_the_story_from_registration_to_finish_through_the_pages(app, office):
    incoming_id, path = office["incoming"], f"/incoming/{office['incoming']}"
    # 拟办: the office proposes a 办件 for the 宣传部.
    head = logged_in(app, "office_head")
    assert "待拟办" in text(head.get("/inbox/"))
    page = text(head.get(path))
    assert "提交拟办" in page and "示范市第1区妇联宣传部" in page
    response = post(head, f"{path}/propose", {
        "expected_version": version(app, incoming_id), "kind": "TO_HANDLE",
        "lead_unit_id": office["dept"], "proposal": "拟请宣传部办理"}, page=path)
    assert response.status_code == 303
    assert state(app, incoming_id) == "PROPOSED"
    # 批办: the chair picks a 常用批示.
    chair = logged_in(app, "chair")
    assert "待批办" in text(chair.get("/inbox/"))
    page = text(chair.get(path))
    assert INSTRUCTION in page and "退回拟办" in page
    response = post(chair, f"{path}/instruct", {
        "expected_version": version(app, incoming_id), "frequent": INSTRUCTION}, page=path)
    assert response.status_code == 303 and state(app, incoming_id) == "IN_HAND"
    # 传阅: the chair sends it to the vice chair, who reads it on their own page.
    response = post(chair, f"{path}/circulate", {"reader_ids": [user_id(app, "vice_chair")]},
                    page=path)
    assert response.status_code == 303
    vice = logged_in(app, "vice_chair")
    page = text(vice.get(path))
    assert INSTRUCTION in page and "已阅" in page
    copy_id = _copy_of(app, incoming_id, "vice_chair")
    post(vice, f"{path}/copies/{copy_id}/read", {"opinion": "已学习"}, page=path)
    page = text(chair.get(path))
    assert "副主席" in page and "已学习" in page
    # 承办: the department cannot finish while the report the notice asks for is owed.
    handler = logged_in(app, "propaganda")
    assert "待承办" in text(handler.get("/inbox/"))
    post(handler, f"{path}/finish", {"expected_version": version(app, incoming_id),
                                     "result": "已组织学习"}, page=path)
    assert state(app, incoming_id) == "IN_HAND"
    # The receiver submits the report from the link on the 处理笺, then the department finishes.
    receiver = logged_in(app, "receiver1")
    report_id = _report_of(app, incoming_id)
    assert f"/receiving/reports/{report_id}" in text(receiver.get(path))
    with app.app_context():
        report_version = db.session.get(Report, report_id).version
    post(receiver, f"/receiving/reports/{report_id}",
         {"expected_version": report_version, "text": "调研报告正文"}, page=f"/receiving/reports/{report_id}")
    post(handler, f"{path}/finish", {"expected_version": version(app, incoming_id),
                                     "result": "已组织学习并上报"}, page=path)
    assert state(app, incoming_id) == "DONE"
    # 归档 by the unit's receiver.
    post(receiver, f"{path}/archive", {"expected_version": version(app, incoming_id),
                                       "retention": "Y10"}, page=path)
    assert state(app, incoming_id) == "ARCHIVED"
    # The notice page shows the recipient its own 收文.
    with app.app_context():
        notice_id = db.session.get(Incoming, incoming_id).notice_id
    page = text(receiver.get(f"/notices/{notice_id}"))
    assert "收〔2016〕1号" in page and "已归档" in page


def test_the_issuer_sees_no_incoming_on_the_notice_page(app, office):
    _through_instruction(app, office)
    with app.app_context():
        notice_id = db.session.get(Incoming, office["incoming"]).notice_id
    page = text(logged_in(app, "drafter").get(f"/notices/{notice_id}"))
    assert "收〔2016〕" not in page and INSTRUCTION not in page


def test_an_external_document_is_registered_from_its_text_file(app, office):
    client = logged_in(app, "receiver1")
    document = ("示范市教育局文件\n示教发〔2017〕3号\n关于做好春季开学工作的通知\n各区妇联：\n"
                "请配合做好开学工作。\n示范市教育局\n2017年2月27日\n").encode()
    response = client.post("/incoming/register", data={
        "csrf_token": csrf_token(client, "/incoming/register"), "received_on": "2017-03-01",
        "urgency": "NORMAL", "secrecy": "NONE",
        "document": (io.BytesIO(document), "来文.txt")}, content_type="multipart/form-data")
    assert response.status_code == 303
    page = text(client.get(response.location))
    assert "示教发〔2017〕3号" in page and "关于做好春季开学工作的通知" in page
    assert "收〔2017〕1号" in page
    # The file itself is kept with it, for the unit only.
    download = client.get(f"{response.location}/files/source")
    assert download.status_code == 200 and download.get_data() == document
    assert logged_in(app, "receiver2").get(f"{response.location}/files/source").status_code == 404
    assert client.get(f"{response.location}/files/reply").status_code == 404


def test_reading_a_file_fills_the_form_for_the_clerk_to_check_and_registers_nothing(
        app, office):
    client = logged_in(app, "receiver1")
    document = ("示范市教育局文件\n示教发〔2017〕3号\n特急\n关于做好春季开学工作的通知\n各区妇联：\n"
                "请配合做好开学工作。\n示范市教育局\n2017年2月27日\n").encode()
    before = audit_count(app)
    response = client.post("/incoming/register", data={
        "csrf_token": csrf_token(client, "/incoming/register"), "received_on": "2017-03-01",
        "urgency": "NORMAL", "secrecy": "NONE", "read": "1",
        "document": (io.BytesIO(document), "来文.txt")}, content_type="multipart/form-data")
    page = text(response)
    assert response.status_code == 200 and "请核对各项后登记" in page
    assert 'value="示教发〔2017〕3号"' in page
    assert 'value="关于做好春季开学工作的通知"' in page
    assert "请配合做好开学工作。" in page  # the text, in the body field
    assert audit_count(app) == before  # nothing registered until the clerk says so
    assert "收〔2017〕1号" not in text(client.get("/incoming/"))


SCHOOL_NOTICE = ("示范市教育局文件\n示教发〔2017〕3号\n关于做好春季开学工作的通知\n各区妇联：\n"
                 "请配合做好开学工作。\n示范市教育局\n2017年2月27日\n").encode()


def read_on_the_form(client) -> str:
    """The clerk reads SCHOOL_NOTICE on the form; the page handed back (with its held file)."""
    response = client.post("/incoming/register", data={
        "csrf_token": csrf_token(client, "/incoming/register"), "received_on": "2017-03-01",
        "urgency": "NORMAL", "secrecy": "NONE", "read": "1",
        "document": (io.BytesIO(SCHOOL_NOTICE), "来文.txt")}, content_type="multipart/form-data")
    assert response.status_code == 200
    return text(response)


def held_token(page: str) -> str:
    return re.search(r'name="held_file" value="([^"]+)"', page).group(1)


def register_checked(client, token: str):
    """Register what the form read, without choosing the file again."""
    return client.post("/incoming/register", data={
        "csrf_token": csrf_token(client, "/incoming/register"), "received_on": "2017-03-01",
        "urgency": "NORMAL", "secrecy": "NONE", "source_organ": "示范市教育局",
        "source_number": "示教发〔2017〕3号", "title": "关于做好春季开学工作的通知",
        "held_file": token}, follow_redirects=False)


def test_the_file_read_on_the_form_is_kept_with_the_registration(app, office):
    client = logged_in(app, "receiver1")
    page = read_on_the_form(client)
    assert "已读取原件：来文.txt" in page
    response = register_checked(client, held_token(page))
    assert response.status_code == 303
    download = client.get(f"{response.location}/files/source")
    assert download.status_code == 200 and download.get_data() == SCHOOL_NOTICE


def test_a_form_refused_after_reading_keeps_the_file_read(app, office):
    client = logged_in(app, "receiver1")
    token = held_token(read_on_the_form(client))
    response = client.post("/incoming/register", data={
        "csrf_token": csrf_token(client, "/incoming/register"), "received_on": "2017-03-01",
        "urgency": "NORMAL", "secrecy": "NONE", "title": "关于做好春季开学工作的通知",
        "source_organ": "示范市教育局", "pages": "十二", "held_file": token})
    page = text(response)
    assert response.status_code == 400
    # The message stands beside its field, and the page says to look there.
    assert re.search(r'id="pages"[^>]*><p class="field-error" role="alert">页数必须是整数', page)
    assert "请按提示修改后再登记。" in page
    assert 'value="关于做好春季开学工作的通知"' in page
    assert "已读取原件：来文.txt" in page and held_token(page) == token


def test_another_clerks_read_file_cannot_be_attached(app, office):
    token = held_token(read_on_the_form(logged_in(app, "receiver2")))
    client = logged_in(app, "receiver1")
    before = audit_count(app)
    response = register_checked(client, token)
    assert response.status_code == 400 and "来文原件无效，请重新选择文件" in text(response)
    assert audit_count(app) == before


@pytest.mark.parametrize("forge", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # a changed signature
    lambda token: "not-a-token",
    lambda token: "x" * 5000,
])
def test_a_forged_held_file_is_refused_in_chinese_and_registers_nothing(app, office, forge):
    client = logged_in(app, "receiver1")
    token = held_token(read_on_the_form(client))
    before = audit_count(app)
    response = register_checked(client, forge(token))
    assert response.status_code == 400 and "来文原件无效，请重新选择文件" in text(response)
    assert audit_count(app) == before


def test_a_read_file_swept_from_the_store_meanwhile_is_refused_in_chinese(app, office):
    client = logged_in(app, "receiver1")
    token = held_token(read_on_the_form(client))
    with app.app_context():
        store = attachment_store()
        for path in store.files():
            path.unlink()
    before = audit_count(app)
    response = register_checked(client, token)
    assert response.status_code == 400 and "读取的来文原件已不在，请重新选择文件" in text(response)
    assert audit_count(app) == before


def test_reading_a_hostile_file_is_refused_in_chinese_and_registers_nothing(app, office):
    client = logged_in(app, "receiver1")
    before = audit_count(app)
    response = client.post("/incoming/register", data={
        "csrf_token": csrf_token(client, "/incoming/register"), "received_on": "2017-03-01",
        "urgency": "NORMAL", "secrecy": "NONE", "read": "1",
        "document": (io.BytesIO(b"%PDF-1.7 truncated"), "来文.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert re.search("[\u4e00-\u9fff]", text(response)) and "Traceback" not in text(response)
    assert response.status_code in (200, 400, 422)
    assert audit_count(app) == before


@pytest.mark.parametrize("data, message", [
    ({"title": "标题", "source_organ": ""}, "来文机关不能为空"),
    ({"title": "", "source_organ": "教育局"}, "标题不能为空"),
    ({"title": "标题", "source_organ": "教育局", "pages": "99999999999999999999"}, "页数"),
    ({"title": "标题", "source_organ": "教育局", "received_on": "2099-01-01"}, "不能晚于今天"),
])
def test_a_bad_external_registration_is_refused_in_chinese_and_changes_nothing(
        app, office, data, message):
    client = logged_in(app, "receiver1")
    before = audit_count(app)
    response = client.post("/incoming/register", data={
        "csrf_token": csrf_token(client, "/incoming/register"), "received_on": "2017-03-01",
        "urgency": "NORMAL", "secrecy": "NONE", **data}, follow_redirects=True)
    assert message in text(response)
    assert audit_count(app) == before


def test_a_handler_without_the_receiver_role_may_not_register(app, office):
    assert logged_in(app, "propaganda").get("/incoming/register").status_code == 403


# ------------------------------------------------------------------------------------------------


def _propose(app, office):
    with app.app_context():
        s = db.session
        c.propose(s, s.scalar(select(User).where(User.username == "office_head")),
                  incoming_id=office["incoming"], kind="TO_HANDLE", lead_unit_id=office["dept"],
                  proposal="拟请宣传部办理", now=at(400))
        s.commit()


def _through_instruction(app, office):
    _propose(app, office)
    with app.app_context():
        s = db.session
        c.instruct(s, s.scalar(select(User).where(User.username == "chair")),
                   incoming_id=office["incoming"], instruction=INSTRUCTION, now=at(400.1))
        s.commit()


def _circulate(app, office, usernames) -> int:
    readers = [user_id(app, u) for u in usernames]  # read before the write transaction begins
    with app.app_context():
        s = db.session
        chair = s.scalar(select(User).where(User.username == "chair"))
        sent = c.circulate(s, chair, incoming_id=office["incoming"], reader_ids=readers,
                           now=at(400.2))
        s.commit()
        return sent[0].id


def _copy_of(app, incoming_id: int, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Circulation.id).where(
            Circulation.incoming_id == incoming_id,
            Circulation.reader_id == user_id(app, username)))


def _report_of(app, incoming_id: int) -> int:
    with app.app_context():
        s = db.session
        incoming = s.get(Incoming, incoming_id)
        return s.scalar(select(Report.id).where(Report.notice_id == incoming.notice_id,
                                                Report.unit_id == incoming.unit_id))



def test_the_processing_sheet_prints_as_a_pdf_page_with_the_instruction(app, office):
    from pypdf import PdfReader

    _through_instruction(app, office)
    response = logged_in(app, "chair").get(f"/incoming/{office['incoming']}/print.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    printed = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.get_data())).pages)
    assert "收文处理笺" in printed.replace(" ", "") and "请组织学习" in printed.replace(" ", "")


def test_a_copy_to_read_waits_in_my_inbox_with_a_link_to_the_sheet(app, office):
    _through_instruction(app, office)
    _circulate(app, office, ["propaganda"])
    page = text(logged_in(app, "propaganda").get("/inbox/"))
    assert "待阅" in page and f'href="/incoming/{office["incoming"]}"' in page
    # Nobody else is asked to read it.
    assert "待阅" not in text(logged_in(app, "office_head").get("/inbox/"))


def test_the_register_pages_fifty_at_a_time_newest_first(app, office):
    with app.app_context():
        s = db.session
        receiver = s.scalar(select(User).where(User.username == "receiver1"))
        for n in range(1, 52):
            c.register_external(s, receiver, unit_id=office["d1"], source_organ="示范市教育局",
                                title=f"第{n}号来文", received_on=dt.date(2017, 2, 28),
                                now=at(400))
        s.commit()
    client = logged_in(app, "receiver1")
    first = text(client.get("/incoming/?year=2017"))
    assert "第 1 / 2 页" in first and "收〔2017〕51号" in first and "收〔2017〕1号<" not in first
    second = text(client.get("/incoming/?year=2017&page=2"))
    assert "收〔2017〕1号<" in second and "收〔2017〕51号" not in second
    # A page past the last shows the last.
    assert "第 2 / 2 页" in text(client.get("/incoming/?year=2017&page=99999999999999999999"))


def test_the_leader_has_the_desk_with_the_task_waiting(app, office):
    _propose(app, office)
    client = logged_in(app, "chair")
    assert "收文办理" in text(client.get("/inbox/"))  # in the navigation
    page = text(client.get("/incoming/"))
    assert "待批办" in page and f'href="/incoming/{office["incoming"]}"' in page


def test_a_reader_without_any_role_finds_the_收文_to_read_in_their_own_我的待办(app, office):
    reader = logged_in(app, "vice_chair")
    home = reader.get("/")
    assert home.status_code == 302 and home.location.endswith("/inbox/")
    assert "待阅" not in text(reader.get("/inbox/"))
    _circulate(app, office, ["vice_chair"])
    page = text(reader.get("/inbox/"))
    assert "待阅" in page and f'href="/incoming/{office["incoming"]}"' in page
    # The desks' other pages stay closed to them, and 我的待办 to the administrators.
    assert reader.get("/incoming/").status_code == 403
    assert logged_in(app, "admin").get("/inbox/").status_code == 403


def test_the_proposal_names_the_handler_offered_on_the_page(app, office):
    client = logged_in(app, "office_head")
    path = f"/incoming/{office['incoming']}"
    page = text(client.get(path))
    handler = user_id(app, "propaganda")
    assert f'<option value="{handler}">宣传部长（示范市第1区妇联宣传部）</option>' in page
    response = post(client, f"{path}/propose", {
        "expected_version": version(app, office["incoming"]), "kind": "TO_HANDLE",
        "lead_unit_id": str(office["dept"]), "lead_person_id": str(handler)}, page=path)
    assert response.status_code == 303
    assert "示范市第1区妇联宣传部（主办，承办人宣传部长）" in text(client.get(path))


def test_naming_someone_who_is_not_a_handler_there_is_refused_and_changes_nothing(app, office):
    client = logged_in(app, "office_head")
    path = f"/incoming/{office['incoming']}"
    before = (version(app, office["incoming"]), audit_count(app))
    post(client, f"{path}/propose", {
        "expected_version": version(app, office["incoming"]), "kind": "TO_HANDLE",
        "lead_unit_id": str(office["dept"]), "lead_person_id": str(user_id(app, "vice_chair"))},
        page=path)
    assert "承办人须是主办部门（示范市第1区妇联宣传部）在职的承办人" in text(client.get(path))
    assert (version(app, office["incoming"]), audit_count(app)) == before


def test_the_handlers_are_offered_only_to_whoever_names_them(app, office):
    page = text(logged_in(app, "receiver1").get(f"/incoming/{office['incoming']}"))
    assert "宣传部长（示范市第1区妇联宣传部）" not in page


def test_the_chair_chases_an_unread_copy_from_the_page_once_a_day(app, office):
    _through_instruction(app, office)
    _circulate(app, office, ["vice_chair"])
    client = logged_in(app, "chair")
    path = f"/incoming/{office['incoming']}"
    assert "催阅未阅人员" in text(client.get(path))
    assert "催阅未阅人员" not in text(logged_in(app, "vice_chair").get(path))
    post(client, f"{path}/remind-readers", page=path)
    assert "已催阅1人" in text(client.get(path))
    before = audit_count(app)
    post(client, f"{path}/remind-readers", page=path)
    assert "今天已经催阅过，明天可再次催阅" in text(client.get(path))
    assert audit_count(app) == before


def test_a_reader_without_any_role_follows_查看来文_to_the_notice_read_only(app, office):
    _through_instruction(app, office)
    with app.app_context():
        notice_path = f"/notices/{db.session.get(Incoming, office['incoming']).notice_id}"
    reader = logged_in(app, "vice_chair")
    assert reader.get(notice_path).status_code == 404  # no role, no copy: nothing to read
    _circulate(app, office, ["vice_chair"])
    page = text(reader.get(f"/incoming/{office['incoming']}"))
    assert f'<a class="button" href="{notice_path}">查看来文</a>' in page
    response = reader.get(notice_path)
    assert response.status_code == 200
    notice = text(response)
    # Read-only: no form of a desk (签收, 上报, 催办, 签发 …) on it.
    actions = re.findall(r'<form[^>]*action="(/[a-z]+)/', notice)
    assert not set(actions) & {"/receiving", "/tracking", "/signoff", "/dispatch", "/drafting"}
    assert ">签收</button>" not in notice
