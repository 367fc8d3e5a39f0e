"""Files coming in and going out, through the browser's eyes: a refused report or draft leaves no
file in the store (whatever refused it: the engine's rule, a stale page, a file of the wrong
kind, a bomb), the refusal names the file in Chinese on the page the user acted on, and a stored
file goes out as a download with a safe type."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests import archives
from tests.webui import outgoing_fixtures
from tests.webui.outgoing_fixtures import notice_row, post_form
from tests.webui.receiving_fixtures import district, flashes, post, report_of
from webui.extensions import attachment_store, db
from workflow.models import Attachment, Report

desks = outgoing_fixtures.desks


def store_files(app) -> list:
    with app.app_context():
        root = attachment_store().root
        return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _files(*named: tuple[str, bytes]) -> list:
    return [(io.BytesIO(data), name) for name, data in named]


def _submit(client, app, world, unit: int, files, **fields):
    report = report_of(app, world.issued_id, district(unit))
    page = f"/receiving/reports/{report.id}"
    data = {"expected_version": report.version, "text": "第区报告。", "attachments": files,
            **fields}
    return page, post(client, page, data, page=page, content_type="multipart/form-data")


def test_three_refused_report_submissions_with_files_leave_the_store_empty(
        client, log_in, app, world):
    # 1. The engine's rule: district 2 has not signed for the notice.
    other = log_in("receiver2", on=app.test_client())
    page, response = _submit(other, app, world, 2, _files(("统计表.xlsx", archives.excel_xlsx()),
                                                         ("报告.pdf", archives.pdf())))
    assert response.status_code == 303 and response.location.endswith(page)
    assert "请先签收该公文，再上报报告" in flashes(other, page)
    assert store_files(app) == []

    # 2. A stale page: someone else acted since the form was shown.
    log_in("receiver1")
    page, response = _submit(client, app, world, 1, _files(("报告.pdf", archives.pdf())),
                             expected_version=999)
    assert response.status_code == 303
    assert any("已被他人处理" in m for m in flashes(client, page))
    assert store_files(app) == []

    # 3. A file of the wrong kind after a good one: the good one goes too.
    before = report_of(app, world.issued_id, district(1))
    page, response = _submit(client, app, world, 1, _files(("报告.pdf", archives.pdf()),
                                                      ("说明.pdf", archives.exe())))
    assert response.status_code == 303
    assert "附件“说明.pdf”不是允许的文件类型；只接收" in flashes(client, page)[0]
    assert store_files(app) == []
    assert report_of(app, world.issued_id, district(1)) == before  # nothing was submitted


@pytest.mark.parametrize(("name", "data", "message"), [
    ("安装.pdf", archives.exe(), "附件“安装.pdf”不是允许的文件类型"),
    ("材料.zip", archives.zip_of({"setup.exe": archives.exe()}),
     "压缩包“材料.zip”中的“setup.exe”不是允许的文件类型"),
    ("材料.zip", archives.zip_of({"说明.pdf": archives.exe()}),
     "压缩包“材料.zip”中的“说明.pdf”的内容与文件名不符"),
    ("统计.docx", archives.docx_bomb(), "“统计.docx”解压后超过 200 MB"),
])
def test_the_report_page_shows_why_a_file_is_refused(client, log_in, app, world, name, data,
                                                     message):
    log_in("receiver1")
    page, response = _submit(client, app, world, 1, _files((name, data)))
    assert response.status_code == 303 and response.location.endswith(page)
    shown = flashes(client, page)
    assert any(message in m for m in shown), shown
    assert store_files(app) == []


def test_a_report_with_accepted_files_keeps_them_with_their_sniffed_types(
        client, log_in, app, world):
    log_in("receiver1")
    _, response = _submit(client, app, world, 1, _files(
        ("报告.pdf", archives.pdf()), ("截图.jpg", archives.tiny_png()),
        ("说明.txt", "说明".encode("gb18030"))))
    assert response.status_code == 303 and response.location.endswith("/receiving/")
    with app.app_context():
        report = db.session.get(Report, report_of(app, world.issued_id, district(1)).id)
        assert {a.filename: a.content_type for a in report.attachments} == {
            "报告.pdf": "application/pdf", "截图.jpg": "image/png",
            "说明.txt": "text/plain; charset=gb18030"}
    assert len(store_files(app)) == 3


def test_a_stored_file_goes_out_as_an_attachment_with_a_safe_type(client, log_in, app, world):
    log_in("receiver1")
    _submit(client, app, world, 1, _files(("说明.txt", "说明".encode("gb18030"))))
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        attachment_id = attachment.id
    response = client.get(f"/receiving/attachments/{attachment_id}")
    assert response.headers["Content-Type"] == "text/plain; charset=gb18030"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"

    # A row stored before files were sniffed may say anything: it goes out as bytes.
    with app.app_context():
        db.session.get(Attachment, attachment_id).content_type = "text/html"
        db.session.commit()
    response = client.get(f"/receiving/attachments/{attachment_id}")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_new_draft_with_a_refused_file_is_not_saved_and_leaves_no_file(
        client, log_in, app, desks):
    log_in("drafter")
    with app.app_context():
        before = len(db.session.scalars(select(Attachment)).all())
    data = {"kind": "通知", "title": "关于附件被拒的通知", "urgency": "NORMAL", "secrecy": "无",
            "direction": "DOWNWARD", "series_code": "", "main_group_ids": str(desks.group_id),
            "body": "正文。",
            "files": _files(("方案.pdf", archives.pdf()), ("名单.xlsx", archives.exe()))}
    response = post_form(client, "/drafting/new", "/drafting/new", data, version=False)
    assert response.status_code == 303 and response.location.endswith("/drafting/new")
    page = client.get("/drafting/new").get_data(as_text=True)
    assert "附件“名单.xlsx”不是允许的文件类型" in page
    assert "关于附件被拒的通知" not in client.get("/drafting/").get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(select(Attachment)).all()) == before
    assert store_files(app) == []
    assert notice_row(app, desks.draft).attachments == []

