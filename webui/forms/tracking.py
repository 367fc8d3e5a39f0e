"""The 督办 desk's forms: remind, accept or return a report, close a notice.

Owns: the shape of what a supervisor posts. Must not: decide who may be reminded, whether a
report may be accepted or a notice closed — the engine does.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from webui.forms.fields import WholeNumberField, version_field
from workflow.commands.tracking import CHANNELS


class RemindForm(FlaskForm):
    # No unit: every 主送 unit that still owes something.
    unit_id = WholeNumberField("单位", validators=[Optional()],
                               invalid_message="催办对象无效，请从列表中选择单位")
    # The engine refuses a channel it does not know, with the list of those it does.
    channel = SelectField("催办方式", choices=[SelectChoice(k, v) for k, v in CHANNELS.items()], default="app",
                          validate_choice=False)
    message = TextAreaField("催办内容", validators=[
        Optional(), Length(max=500, message="催办内容最多500字")])

    # Set by the page that asks "今天已催办过，仍要发送吗？"; without it a second 催办 of the day
    # is not sent.
    again = HiddenField("仍要发送")

    def confirmed(self) -> bool:
        return self.again.data == "1"

    def unit_ids(self) -> list[int] | None:
        """The unit named, or None for every outstanding unit."""
        return None if self.unit_id.data is None else [self.unit_id.data]


class AcceptForm(FlaskForm):
    expected_version = version_field()
    opinion = TextAreaField("审核意见", validators=[
        Optional(), Length(max=500, message="审核意见最多500字")])


class ReturnReportForm(FlaskForm):
    expected_version = version_field()
    reason = TextAreaField("退回理由", validators=[
        DataRequired("请填写退回理由，告诉报送单位需要修改什么"),
        Length(max=500, message="退回理由最多500字")])


class CloseForm(FlaskForm):
    expected_version = version_field()
    reason = TextAreaField("办结理由", validators=[
        DataRequired("请填写办结理由"), Length(max=500, message="办结理由最多500字")])
