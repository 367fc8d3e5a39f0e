"""Forms of 从文本导入: the text of a notice, pasted or uploaded (.txt in UTF-8 or GB18030, .docx
or a text PDF), and the draft form pre-filled from what was found in it.

Owns: taking the text from the paste or the upload — the engine reads a file
(`workflow.notice_files`, which also owns the length limit both share) and its refusals are shown
beside the field they are about — and the found fields as the initial data of `DraftForm`. Must not: judge the fields
(the drafter corrects them; the engine checks them when the draft is saved) or touch the
database.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FileField, TextAreaField
from wtforms.validators import Length

from webui.forms.drafting import BLANK_REQUEST_ROWS, KINDS, DraftForm
from workflow.errors import InvalidInput
from workflow.notice_files import MAX_TEXT, lines_are_paragraphs, notice_file_text
from workflow.queries.drafting_import import ImportedDraft

MAX_FILE = 20 * 1024 * 1024


class ImportTextForm(FlaskForm):
    """The text of a notice: pasted, or a .txt / .docx / PDF file (the file wins when both are
    given). `lines_are_paragraphs`: the text came from a Word file, a paragraph a line."""

    text = TextAreaField("粘贴公文全文", [Length(
        max=MAX_TEXT, message=f"粘贴的文本最多{MAX_TEXT // 10_000}万字")])
    file = FileField("或上传文件（.txt、.docx 或 PDF）")

    notice_text: str = ""
    lines_are_paragraphs: bool = False

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        try:
            self.notice_text = self._read()
        except InvalidInput as error:  # shown beside the field it is about
            field = self.file if self._has_file() else self.text
            field.errors = [*field.errors, error.message]
            return False
        return True

    def _has_file(self) -> bool:
        return bool(getattr(self.file.data, "filename", ""))

    def _read(self) -> str:
        upload = self.file.data
        if self._has_file():
            data = upload.read(MAX_FILE + 1)
            if len(data) > MAX_FILE:
                raise InvalidInput(f"文件不能超过 {MAX_FILE // 2**20} MB")
            text = notice_file_text(upload.filename, data)
            self.lines_are_paragraphs = lines_are_paragraphs(upload.filename)
            if not text.strip():
                raise InvalidInput("文件中没有可读取的文字")
            return text
        text = self.text.data or ""
        if not text.strip():
            raise InvalidInput("请粘贴公文全文，或上传 .txt / .docx / PDF 文件")
        return text


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
