"""从文本导入 on the drafting desk, through the browser's eyes: paste or upload a notice (seed 001,
哈妇发〔2015〕9号), see the new-draft form filled with what was found, and save it as a draft with
its report request; names that match nothing are listed, bad input is refused in Chinese."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests.webui.conftest import csrf_token, give_password
from webui.extensions import db
from workflow import demo
from workflow.models import Notice, Unit, UnitGroup, User
from workflow.states import RecipientKind

SEED_001 = (Path(__file__).parent.parent / "workflow" / "notice_corpus"
            / "seed_001_harbin_fulian.txt").read_text(encoding="utf-8")
TITLE = "哈尔滨市妇联关于认真学习贯彻中央党的群团工作会议精神的通知"
HRB_GROUPS = ("各区县（市）妇联", "市直妇委会", "市妇联团体会员")


@pytest.fixture
def harbin(app):
    """The demo's units, groups and people (no notices); hrb_drafter and daoli (a receiver) have
    passwords. Returns {group name: id} and the issuing unit's id."""
    with app.app_context():
        session = db.session
        demo.build(session, with_notices=False)
        for username in ("hrb_drafter", "daoli"):
            user = session.scalar(select(User).where(User.username == username))
            give_password(session, user.id)
        session.commit()
        groups = {g.name: g.id for g in session.scalars(select(UnitGroup))}
        hrb = session.scalar(select(Unit).where(Unit.name == "哈尔滨市妇女联合会"))
        return {"groups": groups, "hrb": hrb.id}


def _count_notices(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notice))


def _paste(client, text: str = "", **extra):
    data = {"text": text, "csrf_token": csrf_token(client, "/drafting/import"), **extra}
    return client.post("/drafting/import", data=data, content_type="multipart/form-data")


def _upload(client, name: str, content: bytes):
    return _paste(client, file=(io.BytesIO(content), name))


def _docx_of(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "表格里的字不读"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class _Fields(HTMLParser):
    """What a browser would post from the form `#draft-form`: its action and fields."""

    def __init__(self):
        super().__init__()
        self.action, self.data = None, []
        self._in_form = False
        self._textarea = self._select = None
        self._buffer = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "draft-form":
            self._in_form, self.action = True, a["action"]
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") != "file":
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.data.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._buffer = a["name"], ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value")))

    def handle_data(self, data):
        if self._textarea:
            self._buffer += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea" and self._textarea:
            body = self._buffer.removeprefix("\r\n").removeprefix("\n")
            self.data.append((self._textarea, body))
            self._textarea = None
        elif tag == "select":
            self._select = None


def _form_of(html: str) -> _Fields:
    fields = _Fields()
    fields.feed(html)
    assert fields.action, "no draft form on the page"
    return fields


def _values(fields: _Fields, name: str) -> list[str]:
    return [v for n, v in fields.data if n == name]


# ------------------------------------------------------------------------------------------------


def test_pasting_seed_001_fills_the_draft_form_with_title_recipients_and_report_request(
        client, log_in, harbin):
    log_in("hrb_drafter")
    response = _paste(client, SEED_001)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    fields = _form_of(html)
    assert fields.action == f"/drafting/new?unit={harbin['hrb']}"
    assert _values(fields, "title") == [TITLE]
    assert _values(fields, "kind") == ["通知"]
    assert sorted(_values(fields, "main_group_ids")) == sorted(
        str(harbin["groups"][name]) for name in HRB_GROUPS)
    assert _values(fields, "cc_group_ids") == [] and _values(fields, "cc_unit_ids") == []
    assert _values(fields, "report_requests-0-what") == ["学习贯彻情况"]
    assert _values(fields, "report_requests-0-to_whom") == ["市妇联宣传部"]
    assert _values(fields, "report_requests-0-due_date") == [""]
    assert _values(fields, "body")[0].startswith("7月6日至7日，中央召开党的群团工作会议")
    # The fields that are not the draft's to set are shown, and why.
    assert "哈妇发〔2015〕9号" in html and "杨杰" in html and "2015年8月11日" in html
    assert "发文字号在文书印发时" in html
    assert "未能匹配的主送/抄送" not in html
    assert _count_notices(client.application) == 0  # reading stores nothing


def test_saving_the_imported_form_creates_the_draft_with_its_report_request(
        client, log_in, harbin):
    log_in("hrb_drafter")
    fields = _form_of(_paste(client, SEED_001).get_data(as_text=True))
    response = client.post(fields.action, data=MultiDict(fields.data),
                           content_type="multipart/form-data")
    assert response.status_code == 303
    with client.application.app_context():
        notice = db.session.scalar(select(Notice))
        assert notice.title == TITLE and notice.kind == "通知"
        assert notice.issuer_unit_id == harbin["hrb"]
        assert notice.body.endswith("请各地妇联将学习贯彻情况及时报市妇联宣传部。")
        main = {a.group_id for a in notice.addressees if a.kind == RecipientKind.MAIN}
        assert main == {harbin["groups"][name] for name in HRB_GROUPS}
        [request] = notice.report_requests
        assert (request.what, request.to_whom, request.due_date) == (
            "学习贯彻情况", "市妇联宣传部", None)


def test_a_docx_made_in_word_gives_the_same_title(client, log_in, harbin):
    log_in("hrb_drafter")
    html = _upload(client, "哈妇发9号.docx", _docx_of(SEED_001)).get_data(as_text=True)
    fields = _form_of(html)
    assert _values(fields, "title") == [TITLE]
    assert "表格里的字不读" not in _values(fields, "body")[0]  # the table follows the date


def test_a_docx_gives_the_body_paragraph_for_paragraph_its_tables_and_full_width_spaces(
        client, log_in, harbin):
    log_in("hrb_drafter")
    document = docx.Document()
    for text in ("哈尔滨市妇联关于开展“巾帼心向党”主题活动的通知", "各区县（市）妇联：",
                 "\u3000\u3000现将有关事项通知如下：", "一、活动主题", "巾帼心向党\u3000奋进新征程",
                 "二、活动内容"):
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "联系人", "张　敏"
    for text in ("请各区县（市）妇联于3月29日前报送活动方案。", "哈尔滨市妇女联合会", "2024年3月1日"):
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    fields = _form_of(_upload(client, "活动.docx", out.getvalue()).get_data(as_text=True))
    assert _values(fields, "body")[0].replace("\r\n", "\n").splitlines() == [
        "现将有关事项通知如下：", "一、活动主题", "巾帼心向党\u3000奋进新征程", "二、活动内容",
        "联系人\t张　敏", "请各区县（市）妇联于3月29日前报送活动方案。"]


def test_a_gb18030_text_file_is_read(client, log_in, harbin):
    log_in("hrb_drafter")
    fields = _form_of(_upload(client, "notice.txt", SEED_001.encode("gb18030"))
                      .get_data(as_text=True))
    assert _values(fields, "title") == [TITLE]


def test_a_recipient_that_matches_no_group_or_unit_is_listed_to_pick_by_hand(
        client, log_in, harbin):
    log_in("hrb_drafter")
    text = SEED_001.replace("市妇联团体会员：", "市妇联团体会员，各乡镇妇联：")
    html = _paste(client, text).get_data(as_text=True)
    assert "未能匹配的主送/抄送：各乡镇妇联" in html
    assert len(_values(_form_of(html), "main_group_ids")) == 3


@pytest.mark.parametrize(("upload", "message"), [
    (None, "请粘贴公文全文，或上传 .txt / .docx / PDF 文件"),
    (("notice.pdf", b"%PDF-1.4 not a notice"), "无法读取该PDF文件"),
    (("notice.pdf", b"PK\x03\x04 a zip called pdf"), "该文件不是PDF文件"),
    (("notice.doc", b"\xd0\xcf\x11\xe0 an old Word file"), "只能导入 .txt、.docx 或 PDF 文件"),
    (("broken.docx", b"PK\x03\x04 not really a zip"), "无法读取该 Word 文件"),
    (("notice.txt", b"\xff\xff\xff\xfe"), "无法识别该文本文件的编码"),
])
def test_empty_input_and_unreadable_files_are_refused_in_chinese_and_nothing_is_created(
        client, log_in, harbin, upload, message):
    log_in("hrb_drafter")
    response = _paste(client, "   ") if upload is None else _upload(client, *upload)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # Beside the field it is about: the paste box for an empty paste, the file box for a file.
    field = 'id="text"' if upload is None else 'id="file"'
    assert re.search(field + r'[^>]*>[^<]*(</textarea>)?\s*<p class="field-error" role="alert">'
                     + re.escape(message), html)
    assert 'id="draft-form"' not in html
    assert _count_notices(client.application) == 0


def test_the_desk_links_to_the_import(client, log_in, harbin):
    log_in("hrb_drafter")
    assert 'href="/drafting/import"' in client.get("/drafting/").get_data(as_text=True)


def test_a_receiver_may_not_import(client, log_in, harbin):
    log_in("daoli")
    assert client.get("/drafting/import").status_code == 403
    response = client.post("/drafting/import", data={"text": SEED_001})
    assert response.status_code in (400, 403)
    assert _count_notices(client.application) == 0


def test_the_import_page_needs_a_login(client, harbin):
    response = client.get("/drafting/import")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_the_fields_read_on_weak_evidence_carry_a_note_to_check_them(client, log_in, harbin):
    log_in("hrb_drafter")
    # No 署名 and no date: the issuer comes from the title; a request's receiver and day are
    # missing; the 主送 line opens the page.
    text = ("哈尔滨市妇联关于报送材料的通知\n各区县（市）妇联：\n"
            "请各区县（市）妇联将学习情况及时报市妇联宣传部。\n")
    html = _paste(client, text).get_data(as_text=True)
    assert html.count('class="fw-check"') >= 3
    assert "请核对：有的期限、接收单位未写明或按成文日期推算" in html
    fields = _form_of(html)
    assert _values(fields, "title") == ["哈尔滨市妇联关于报送材料的通知"]


def test_a_notice_read_with_confidence_carries_no_note(client, log_in, harbin):
    log_in("hrb_drafter")
    text = SEED_001.replace("请各地妇联将学习贯彻情况及时报市妇联宣传部。",
                            "请各地妇联于9月30日前将学习贯彻情况报市妇联宣传部。")
    html = _paste(client, text).get_data(as_text=True)
    assert 'class="fw-check"' not in html
