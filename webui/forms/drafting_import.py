"""Forms of 从文本导入: the text of a notice, pasted or uploaded (.txt in UTF-8 or GB18030, .docx
read with python-docx), and the draft form pre-filled from what was found in it.

Owns: turning the upload into plain text, with a Chinese message for what cannot be read, and
the found fields into the initial data of `DraftForm`. Must not: judge the fields (the drafter
corrects them; the engine checks them when the draft is saved) or touch the database.
"""

from __future__ import annotations

import io

import docx
from flask_wtf import FlaskForm
from wtforms import FileField, TextAreaField
from wtforms.validators import Length

from webui.forms.drafting import BLANK_REQUEST_ROWS, KINDS, DraftForm
from workflow.queries.drafting_import import ImportedDraft

MAX_TEXT = 200_000
MAX_FILE = 20 * 1024 * 1024


class ImportTextForm(FlaskForm):
    """The text of a notice: pasted, or a .txt / .docx file (the file wins when both are given)."""

    text = TextAreaField("粘贴公文全文", [Length(max=MAX_TEXT, message="粘贴的文本最多20万字")])
    file = FileField("或上传文件（.txt 或 .docx）")

    notice_text: str = ""

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        try:
            self.notice_text = self._read()
        except ValueError as error:
            self.form_errors.append(str(error))
            return False
        return True

    def _read(self) -> str:
        upload = self.file.data
        if upload is not None and getattr(upload, "filename", ""):
            text = read_upload(upload.filename, upload.read(MAX_FILE + 1))
            if not text.strip():
                raise ValueError("文件中没有可读取的文字")
            return text
        text = self.text.data or ""
        if not text.strip():
            raise ValueError("请粘贴公文全文，或上传 .txt / .docx 文件")
        return text


def read_upload(filename: str, data: bytes) -> str:
    """The plain text of an uploaded .txt or .docx; ValueError (in Chinese) when it cannot be."""
    if len(data) > MAX_FILE:
        raise ValueError("文件不能超过 20 MB")
    name = filename.lower()
    if name.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValueError("无法识别该文本文件的编码，请另存为 UTF-8 或 GB18030 编码后重试")
    if name.endswith(".docx"):
        return _docx_text(data)
    raise ValueError("只能导入 .txt 或 .docx 文件；.doc、PDF 等请先另存为 .docx，或复制文字粘贴")


def _docx_text(data: bytes) -> str:
    """The paragraphs of a .docx joined by newlines (tables are left out)."""
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # a broken package fails in many ways: zip, XML, missing parts
        raise ValueError("无法读取该 Word 文件，文件可能已损坏或不是 .docx 格式") from error
    return "\n".join(p.text for p in document.paragraphs)


def imported_form(imported: ImportedDraft) -> DraftForm:
    """A new-draft form (not bound to the request) filled with what the text gave."""
    parsed = imported.parsed
    rows = [{"what": r.what, "due_date": r.due_date, "to_whom": r.to_whom,
             "from_group_ids": r.parties.group_ids, "from_unit_ids": r.parties.unit_ids}
            for r in imported.requests]
    rows += [{} for _ in range(max(BLANK_REQUEST_ROWS - len(rows), 1))]
    data = {
        "title": parsed.title or "", "body": parsed.body,
        "main_group_ids": imported.main.group_ids, "main_unit_ids": imported.main.unit_ids,
        "cc_group_ids": imported.cc.group_ids, "cc_unit_ids": imported.cc.unit_ids,
        "report_requests": rows,
    }
    if parsed.kind in KINDS:
        data["kind"] = parsed.kind
    return DraftForm(formdata=None, data=data)
