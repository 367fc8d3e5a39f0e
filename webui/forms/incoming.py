"""Forms of the 收文 desk: register a 来文 from outside, 拟办, 批办, 退回拟办, 传阅, 已阅, 收回, 免阅,
办结 and 归档.

Owns: the shape of what is posted (texts within their sizes, ids and dates well formed, a kind and
a retention among their names). Must not: decide whether the action is allowed or complete, or
whether a department or a reader belongs to the unit — the engine does, in Chinese.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from webui.forms.admin import CheckboxListField, ChineseDateField, ChoiceField
from webui.forms.fields import VersionedForm, WholeNumberField
from workflow.states import IncomingKind, Retention, Secrecy, Urgency

# The leader's 常用批示, offered as one tap each (free text, when filled, takes precedence).
FREQUENT_INSTRUCTIONS = ("请组织学习，按时上报", "同意", "请阅", "请抓好落实", "按拟办意见办理")


def _names(enum) -> list[SelectChoice]:
    return [SelectChoice(member.name, member.label) for member in enum]


class RegisterForm(FlaskForm):
    """An external 收文: typed in, or its file read (its text fills the fields left empty)."""

    source_organ = StringField("来文机关", [Length(max=100, message="来文机关最多100个字")])
    source_number = StringField("来文字号", [Length(max=50, message="来文字号最多50个字")])
    title = StringField("标题", [Length(max=300, message="标题最多300个字")])
    urgency = RadioField("紧急程度", choices=_names(Urgency), default=Urgency.NORMAL.name,
                         validate_choice=False)
    secrecy = RadioField("密级", choices=_names(Secrecy), default=Secrecy.NONE.name,
                         validate_choice=False)
    received_on = ChineseDateField("收文日期", validators=[InputRequired("请填写收文日期")])
    pages = WholeNumberField("页数", [Optional()], invalid_message="页数必须是整数")
    copies = WholeNumberField("份数", [Optional()], invalid_message="份数必须是整数")
    body = TextAreaField("正文", [Length(max=200_000, message="正文最多200000字")])
    document = FileField("来文文件（PDF、.docx 或 .txt）")

    def upload(self):
        """The file chosen, if any (a browser sends an empty part when none is)."""
        data = self.document.data
        return data if getattr(data, "filename", "") else None


class ProposeForm(VersionedForm):
    kind = RadioField("办理类型", choices=_names(IncomingKind), validate_choice=False,
                      validators=[InputRequired("请选择办件或阅件")])
    lead_unit_id = ChoiceField("主办部门", validators=[Optional()])
    lead_person_id = ChoiceField("承办人", validators=[Optional()])
    assist_unit_ids = CheckboxListField("协办部门")
    deadline = ChineseDateField("办理时限", validators=[Optional()])
    proposal = TextAreaField("拟办意见", [Length(max=2000, message="拟办意见最多2000字")])


class InstructForm(VersionedForm):
    frequent = RadioField("常用批示", choices=[SelectChoice(t) for t in FREQUENT_INSTRUCTIONS],
                          validators=[Optional()], validate_choice=False)
    instruction = TextAreaField("批示", [Length(max=2000, message="批示最多2000字")])
    change_handlers = BooleanField("改定承办部门")
    lead_unit_id = ChoiceField("主办部门", validators=[Optional()])
    lead_person_id = ChoiceField("承办人", validators=[Optional()])
    assist_unit_ids = CheckboxListField("协办部门")
    deadline = ChineseDateField("办理时限", validators=[Optional()])

    def text(self) -> str:
        """The 批示 given: the free text when filled, else the 常用批示 picked."""
        return (self.instruction.data or "").strip() or (self.frequent.data or "")


class ReasonForm(VersionedForm):
    reason = TextAreaField("理由", [Length(max=500, message="理由最多500字")])


class CirculateForm(FlaskForm):
    reader_ids = CheckboxListField("传阅人员")


class ReadForm(FlaskForm):
    opinion = TextAreaField("阅批意见", [Length(max=2000, message="阅批意见最多2000字")])


class WaiveForm(FlaskForm):
    reason = TextAreaField("免阅理由", [Length(max=500, message="理由最多500字")])


class FinishForm(VersionedForm):
    result = TextAreaField("办理结果", [Length(max=5000, message="办理结果最多5000字")])
    reply_on = ChineseDateField("答复日期", validators=[Optional()])
    reply_file = FileField("答复文件")

    def upload(self):
        data = self.reply_file.data
        return data if getattr(data, "filename", "") else None


class ForwardForm(FlaskForm):
    lead_days = WholeNumberField("提前（工作日）", [InputRequired("请填写提前的工作日数")], low=0,
                                 high=30, invalid_message="提前天数应为0至30之间的整数（工作日）")


class ArchiveForm(VersionedForm):
    retention = RadioField("保管期限", choices=_names(Retention), validate_choice=False,
                           validators=[InputRequired("归档必须选择保管期限")])
