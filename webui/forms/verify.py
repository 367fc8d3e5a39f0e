"""The form of the 验证 page: one PDF file, read within a bound.

Owns: taking the uploaded file's bytes (at most `verification.MAX_BYTES`; a larger one is refused
here, before the engine sees it). Must not: judge the file (`workflow.verification` does).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FileField

from workflow.verification import MAX_BYTES


class VerifyForm(FlaskForm):
    file = FileField("要验证的 PDF 文件")

    data: bytes = b""

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        upload = self.file.data
        if upload is None or not getattr(upload, "filename", ""):
            self.form_errors.append("请选择要验证的 PDF 文件")
            return False
        self.data = upload.read(MAX_BYTES + 1)
        if len(self.data) > MAX_BYTES:
            self.form_errors.append(f"文件超过 {MAX_BYTES // 2**20} MB，不是本系统印发的正式文件")
            return False
        return True
