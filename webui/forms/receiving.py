"""The 收文 desk's forms: sign for, return a misdirected notice, submit a report.

Owns: the shape of what a receiver posts (a version seen, a reason, a text, files). Must not:
decide whether the action is allowed or complete — the engine does (a report needs a text or a
file, a notice must be signed for first, and so on).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import MultipleFileField, TextAreaField
from wtforms.validators import DataRequired, Length

from webui.forms.admin import CheckboxListField
from webui.forms.fields import version_field


class AcknowledgeForm(FlaskForm):
    expected_version = version_field()


class RejectForm(FlaskForm):
    expected_version = version_field()
    reason = TextAreaField("退回理由", validators=[
        DataRequired("请填写退回理由（例如：非本单位业务，系误送）"),
        Length(max=500, message="退回理由最多500字")])


class ReportForm(FlaskForm):
    expected_version = version_field()
    text = TextAreaField("报告正文", validators=[Length(max=20000, message="报告正文最多20000字")])
    attachments = MultipleFileField("附件")
    included_report_ids = CheckboxListField("汇总下级报告")

    def uploads(self) -> list:
        """The files actually chosen (a browser sends an empty part when none is)."""
        return [f for f in (self.attachments.data or []) if getattr(f, "filename", "")]
