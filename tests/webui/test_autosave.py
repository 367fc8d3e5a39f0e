"""Never lose typed work, through the web: the draft and report forms are kept as they are typed
(/autosave/…), shown again when the person comes back, forgotten when really saved; nobody else
gets at them; a post that arrives after the idle logout, or that the engine or the upload limit
refuses, keeps what was typed and leads back to the same form."""

from __future__ import annotations

import io
import re
import time
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from tests.webui.conftest import PASSWORD, csrf_token, give_password, post_login
from tests.webui.receiving_fixtures import district, report_of
from webui.auth import LAST_SEEN
from webui.extensions import db
from workflow import commands as c
from workflow.models import Autosave, Notice, Report, Unit, User
from workflow.states import Role

BODY = "请各区妇联于月底前报送调研报告。\n第二段：注意事项。"


def text(response) -> str:
    return response.get_data(as_text=True)


def _user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def _unit_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


def _kept(app) -> list[tuple[str, str, str]]:
    """(username, form key, fields) of every kept input."""
    with app.app_context():
        rows = db.session.execute(select(User.username, Autosave.form_key, Autosave.fields)
                                  .join(User, User.id == Autosave.user_id)).all()
        return sorted(tuple(r) for r in rows)


def _idle(client, minutes: float) -> None:
    """Pretend the client's last request was `minutes` ago (the signed cookie's last-seen)."""
    with client.session_transaction() as session:
        session[LAST_SEEN] = int(time.time() - minutes * 60)


def _autosave(client, path: str, page: str, fields: dict):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **fields},
                       headers={"Accept": "application/json"})


@pytest.fixture
def issuer(app, world) -> int:
    return _unit_id(app, "示范市妇女联合会")


# ---- kept as typed, shown again, forgotten on saving ------------------------------------------


def test_a_new_draft_typed_and_left_comes_back_on_the_form_until_it_is_saved(
        client, log_in, app, issuer):
    log_in("drafter")
    page = f"/drafting/new?unit={issuer}"
    response = _autosave(client, f"/autosave/drafts/new?unit={issuer}", page,
                         {"title": "关于开展家庭教育调研的通知", "body": BODY, "kind": "通知"})
    assert response.status_code == 200 and response.json == {"key": f"draft:new:{issuer}"}
    html = text(client.get(page))
    assert 'value="关于开展家庭教育调研的通知"' in html
    assert "第二段：注意事项。" in html
    assert "自动保存、尚未保存的内容，请核对后保存。" in html and "放弃这些内容" in html
    # The form's own save forgets it, in the save's transaction.
    token = csrf_token(client, page)
    response = client.post(page, data={"csrf_token": token, "kind": "通知", "urgency": "NORMAL",
                                       "secrecy": "无", "direction": "DOWNWARD",
                                       "title": "关于开展家庭教育调研的通知", "body": BODY})
    assert response.status_code == 303 and "/drafting/" in response.location
    assert _kept(app) == []
    assert "关于开展家庭教育调研的通知" not in text(client.get(page))


def test_a_drafts_edits_come_back_on_its_page_with_the_drafts_current_version(
        client, log_in, app, world):
    log_in("drafter")
    page = f"/drafting/{world.draft_id}"
    assert _autosave(client, f"/autosave/drafts/{world.draft_id}", page,
                     {"title": "关于内部讨论稿的通知（修改稿）", "body": BODY,
                      "expected_version": "0"}).status_code == 200
    with app.app_context():
        version = db.session.get(Notice, world.draft_id).version
    html = text(client.get(page))
    assert 'value="关于内部讨论稿的通知（修改稿）"' in html
    assert re.search(rf'<input id="expected_version" name="expected_version" type="hidden" '
                     rf'value="{version}">', html)
    response = client.post(page, data={"csrf_token": csrf_token(client, page),
                                       "expected_version": version, "kind": "通知",
                                       "urgency": "NORMAL", "secrecy": "无",
                                       "direction": "DOWNWARD",
                                       "title": "关于内部讨论稿的通知（修改稿）", "body": BODY})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Notice, world.draft_id).title == "关于内部讨论稿的通知（修改稿）"
    assert _kept(app) == []


def test_a_report_text_typed_and_left_comes_back_and_is_forgotten_once_reported(
        client, log_in, app, world):
    log_in("receiver1")
    report = report_of(app, world.issued_id, district(1))
    page = f"/receiving/reports/{report.id}"
    assert _autosave(client, f"/autosave/reports/{report.id}", page,
                     {"text": "第1区已完成调研，报告如下。", "expected_version": "0"}
                     ).status_code == 200
    html = text(client.get(page))
    assert "第1区已完成调研，报告如下。</textarea>" in html
    assert "自动保存、尚未上报的内容，请核对后上报。" in html
    response = client.post(page, data={"csrf_token": csrf_token(client, page),
                                       "expected_version": report.version,
                                       "text": "第1区已完成调研，报告如下。"})
    assert response.status_code == 303 and response.location.endswith("/receiving/")
    assert _kept(app) == []


def test_discarding_kept_input_shows_the_saved_draft_again(client, log_in, app, world):
    log_in("drafter")
    page = f"/drafting/{world.draft_id}"
    _autosave(client, f"/autosave/drafts/{world.draft_id}", page, {"title": "不要了的标题"})
    response = client.post("/autosave/discard", data={
        "csrf_token": csrf_token(client, page), "key": f"draft:{world.draft_id}", "next": page})
    assert response.status_code == 303 and response.location == page
    html = text(client.get(page))
    assert "不要了的标题" not in html and f'value="{world.draft_title}"' in html
    assert "已放弃自动保存的内容" in html
    assert _kept(app) == []


def test_the_forms_carry_the_autosave_address_for_the_pages_script(client, log_in, app, world,
                                                                   issuer):
    log_in("drafter")
    assert f'data-autosave="/autosave/drafts/new?unit={issuer}"' in text(
        client.get("/drafting/new"))
    assert f'data-autosave="/autosave/drafts/{world.draft_id}"' in text(
        client.get(f"/drafting/{world.draft_id}"))
    assert '<script src="/static/gongwen.js" defer></script>' in text(client.get("/drafting/"))
    script = text(client.get("/static/gongwen.js"))
    assert "sendBeacon" in script and "http" not in script.replace("https://", "")


# ---- nobody else ------------------------------------------------------------------------------


def test_a_colleague_of_the_same_unit_neither_writes_into_nor_sees_a_persons_draft_input(
        app, client, log_in, world, issuer):
    with app.app_context():
        give_password(db.session, _user_id(app, "drafter2"))
        db.session.commit()
    log_in("drafter")
    _autosave(client, f"/autosave/drafts/new?unit={issuer}", f"/drafting/new?unit={issuer}",
              {"title": "拟稿人甲未保存的标题"})
    _autosave(client, f"/autosave/drafts/{world.draft_id}", f"/drafting/{world.draft_id}",
              {"title": "拟稿人甲改的标题"})
    colleague = app.test_client()
    post_login(colleague, "drafter2")
    assert "拟稿人甲未保存的标题" not in text(colleague.get(f"/drafting/new?unit={issuer}"))
    # Not their draft: refused before anything is kept.
    response = _autosave(colleague, f"/autosave/drafts/{world.draft_id}", "/drafting/",
                         {"title": "同事写进去的"})
    assert response.status_code == 403 and "message" in response.json
    assert [k for _, k, _ in _kept(app)] == sorted([f"draft:new:{issuer}",
                                                    f"draft:{world.draft_id}"])
    assert all(who == "drafter" for who, _, _ in _kept(app))


@pytest.mark.parametrize("person, status", [("receiver2", 404), ("admin", 403), ("drafter", 403)])
def test_another_units_receiver_an_administrator_and_a_drafter_cannot_keep_a_units_report(
        app, client, world, person, status):
    with app.app_context():
        give_password(db.session, _user_id(app, person))
        db.session.commit()
    post_login(client, person)
    report = report_of(app, world.issued_id, district(1))
    token = csrf_token(client, "/password")
    response = client.post(f"/autosave/reports/{report.id}",
                           data={"csrf_token": token, "text": "别人的报告"})
    assert response.status_code == status
    assert _kept(app) == []


def test_the_kept_text_of_a_units_report_is_shown_to_nobody_but_its_typist(
        app, client, log_in, world):
    """receiver1 keeps a text; a second 收文员 of the same district opens the same report."""
    report = report_of(app, world.issued_id, district(1))
    unit = _unit_id(app, district(1))
    with app.app_context():
        s = db.session
        colleague = c.create_user(s, None, username="receiver1b", display_name="收文员乙",
                                  unit_id=unit, password=PASSWORD)
        c.grant_role(s, None, user_id=colleague.id, role=Role.RECEIVER, unit_id=unit)
        s.commit()
    log_in("receiver1")
    page = f"/receiving/reports/{report.id}"
    _autosave(client, f"/autosave/reports/{report.id}", page, {"text": "只属于收文员甲的草稿"})
    other = app.test_client()
    post_login(other, "receiver1b")
    assert "只属于收文员甲的草稿" not in text(other.get(page))


# ---- refused keeping ------------------------------------------------------------------------


def test_an_autosave_without_the_forms_csrf_token_is_refused_and_keeps_nothing(
        client, log_in, app, issuer):
    log_in("drafter")
    response = client.post(f"/autosave/drafts/new?unit={issuer}", data={"title": "伪造的"})
    assert response.status_code == 400
    assert response.json == {"message": "页面已过期或表单来源无法验证，请刷新页面后重新提交。"}
    assert _kept(app) == []


@pytest.mark.parametrize("value, message", [
    ("标题\x00", "标题中含有不可见的控制字符（U+0000），请删除后重试"),
    ("字" * 120_001, "输入的内容过长，无法自动保存（最多 120000 字），请先保存"),
])
def test_an_autosave_with_a_control_character_or_too_long_is_answered_with_the_reason(
        client, log_in, app, issuer, value, message):
    log_in("drafter")
    page = f"/drafting/new?unit={issuer}"
    response = _autosave(client, f"/autosave/drafts/new?unit={issuer}", page, {"title": value})
    assert response.status_code == 400 and response.json == {"message": message}
    assert _kept(app) == []
    assert message not in text(client.get(page))  # answered to the script, not flashed


# ---- the idle logout --------------------------------------------------------------------------


def test_every_page_carries_the_idle_warning_a_minute_before_the_logout(client, log_in, world):
    log_in("drafter")
    html = text(client.get("/drafting/"))
    assert 'data-idle-seconds="1800" data-warn-seconds="60"' in html
    assert "一分钟后将因长时间未操作而退出登录" in html
    assert ">继续使用</button>" in html


def test_continuing_notes_activity_and_is_refused_once_the_session_has_ended(
        client, log_in, world):
    log_in("drafter")
    token = csrf_token(client, "/drafting/")
    _idle(client, 29)
    assert client.post("/session/keep-alive", data={"csrf_token": token}).status_code == 204
    with client.session_transaction() as session:
        assert time.time() - session[LAST_SEEN] < 60
    assert client.post("/session/keep-alive", data={}).status_code == 400  # CSRF holds
    _idle(client, 31)
    response = client.post("/session/keep-alive", data={"csrf_token": token})
    assert response.status_code == 401 and response.json["expired"] is True
    assert client.get("/drafting/").status_code == 302


def test_a_draft_saved_after_the_idle_logout_leads_through_login_back_to_the_typed_form(
        client, log_in, app, issuer):
    log_in("drafter")
    page = f"/drafting/new?unit={issuer}"
    token = csrf_token(client, page)
    _idle(client, 31)
    response = client.post(page, data={"csrf_token": token, "kind": "通知",
                                       "title": "空闲后才保存的通知", "body": BODY,
                                       "main_group_ids": "1"})
    assert response.status_code == 302
    assert response.location == f"/login?next=/drafting/new?unit%3D{issuer}"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notice).where(
            Notice.title == "空闲后才保存的通知")) == 0
    login_page = text(client.get(response.location))
    assert "您填写的内容已自动保存，登录后将回到原页面继续填写" in login_page
    response = post_login(client, "drafter", next_url=quote(page, safe=""))
    assert response.status_code == 303 and response.location == page
    html = text(client.get(page))
    assert 'value="空闲后才保存的通知"' in html and "第二段：注意事项。" in html


def test_an_autosave_after_the_idle_logout_is_kept_and_answered_with_where_to_log_in(
        client, log_in, app, world):
    log_in("receiver1")
    report = report_of(app, world.issued_id, district(1))
    page = f"/receiving/reports/{report.id}"
    token = csrf_token(client, page)
    _idle(client, 31)
    response = client.post(f"/autosave/reports/{report.id}",
                           data={"csrf_token": token, "text": "最后几个字"})
    assert response.status_code == 401
    assert response.json == {"expired": True, "login": f"/login?next={page}"}
    assert [(who, key) for who, key, _ in _kept(app)] == [("receiver1", f"report:{report.id}")]


# ---- refusals keep what was typed -------------------------------------------------------------


def test_a_report_refused_for_a_30_mb_file_shows_the_typed_text_again(client, log_in, app,
                                                                      world):
    log_in("receiver1")
    report = report_of(app, world.issued_id, district(1))
    page = f"/receiving/reports/{report.id}"
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (30 * 2**20))
    response = client.post(page, data={
        "csrf_token": csrf_token(client, page), "expected_version": report.version,
        "text": "随附30MB的会议照片", "attachments": [(big, "照片.pdf")]},
        headers={"Referer": f"http://localhost{page}"}, content_type="multipart/form-data")
    assert response.status_code == 303 and response.location.endswith(page)
    html = text(client.get(page))
    assert "附件“照片.pdf”超过 20 MB，请压缩或拆分后再上传" in html
    assert "随附30MB的会议照片</textarea>" in html
    with app.app_context():
        assert db.session.get(Report, report.id).state.name == "DUE"


def test_a_body_over_the_request_limit_goes_back_to_the_form_with_the_text_kept_while_typing(
        client, log_in, app, world):
    """MAX_CONTENT_LENGTH refuses the post before any view reads it (413): the form comes back
    with what its script kept as the person typed."""
    app.config["MAX_CONTENT_LENGTH"] = 2**20
    log_in("receiver1")
    report = report_of(app, world.issued_id, district(1))
    page = f"/receiving/reports/{report.id}"
    token = csrf_token(client, page)
    client.post(f"/autosave/reports/{report.id}", data={"csrf_token": token,
                                                        "text": "打字时已保存的报告正文"})
    response = client.post(page, data={"csrf_token": token, "text": "打字时已保存的报告正文",
                                       "attachments": [(io.BytesIO(b"0" * 2 * 2**20), "大.pdf")]},
                           content_type="multipart/form-data")
    assert response.status_code == 303 and response.location == page
    html = text(client.get(page))
    assert "上传的文件过大（每个附件不超过 20 MB，一次合计不超过 1 MB），未能提交。" in html
    assert "打字时已保存的报告正文</textarea>" in html


def test_a_new_draft_refused_for_its_file_shows_every_typed_field_again(client, log_in, app,
                                                                        issuer):
    log_in("drafter")
    page = f"/drafting/new?unit={issuer}"
    response = client.post(page, data={
        "csrf_token": csrf_token(client, page), "kind": "请示", "urgency": "URGENT",
        "secrecy": "无", "direction": "DOWNWARD", "title": "关于附件有误的请示", "body": BODY,
        "report_requests-0-what": "自查报告", "files": [(io.BytesIO(b""), "空.pdf")]},
        headers={"Referer": f"http://localhost{page}"}, content_type="multipart/form-data")
    assert response.status_code == 303
    html = text(client.get(page))
    assert "附件“空.pdf”是空文件" in html
    assert 'value="关于附件有误的请示"' in html and "第二段：注意事项。" in html
    assert 'value="自查报告"' in html
    assert re.search(r'<option selected value="请示">|<option value="请示" selected', html)


def test_a_refused_incoming_registration_shows_the_typed_fields_again(client, app, world):
    with app.app_context():
        give_password(db.session, _user_id(app, "receiver1"))
        db.session.commit()
    post_login(client, "receiver1")
    page = "/incoming/register"
    response = client.post(page, data={
        "csrf_token": csrf_token(client, page), "source_organ": "试点市教育局",
        "source_number": "试教发〔2016〕3号", "title": "关于春季开学的通知",
        "received_on": "2017-03-01", "pages": "3", "copies": "1", "urgency": "NORMAL",
        "secrecy": "无", "body": "正文", "document": (io.BytesIO(b"MZ\x90\x00"), "来文.pdf")},
        headers={"Referer": f"http://localhost{page}"}, content_type="multipart/form-data")
    assert response.status_code == 303
    html = text(client.get(page))
    assert 'value="试点市教育局"' in html and 'value="关于春季开学的通知"' in html
    assert "自动保存、尚未登记的内容" in html
