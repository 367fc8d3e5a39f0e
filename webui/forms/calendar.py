"""The calendar page's forms (系统管理员): a day's override, its removal, the deadline policy, and
the year shown; and the supervisor's reminder interval of one notice.

Owns: the shape of what is posted (a date, a whole number, a list of whole numbers) with Chinese
messages. Must not: decide what the engine decides (the years allowed, the bounds of the policy,
who may change what).
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput, TextInput

from webui.forms.drafting import ChineseDateField
from webui.forms.fields import WholeNumberField, version_field, whole_number

DAY_KINDS = {"off": "休息日（放假）", "work": "工作日（上班）"}


class CalendarDayForm(FlaskForm):
    day = ChineseDateField("日期", validators=[InputRequired("请填写日期")])
    kind = SelectField("该日为", choices=[SelectChoice(k, v) for k, v in DAY_KINDS.items()],
                       default="off", validate_choice=False,
                       validators=[AnyOf(list(DAY_KINDS), message="请选择休息日或工作日")])
    note = StringField("说明", validators=[Length(max=100, message="说明最多100个字")],
                       description="例如：2027年元旦放假、本市调休上班")

    @property
    def is_workday(self) -> bool:
        return self.kind.data == "work"


class RemoveDayForm(FlaskForm):
    day = ChineseDateField("日期", validators=[InputRequired("缺少日期，请刷新页面后重试")],
                           widget=HiddenInput())


class DayListField(Field):
    """Whole numbers separated by commas (“3，1” or “3、1”); empty is an empty list."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "，".join(str(n) for n in (self.data or []))

    def process_formdata(self, valuelist):
        self.data = []
        if not valuelist:
            return
        parts = [p for p in re.split(r"[,，、\s]+", valuelist[0].strip()) if p]
        try:
            self.data = [whole_number(p, low=0, high=999) for p in parts]
        except ValueError:
            raise ValueError(f"{self.label.text}应为用逗号分隔的整数，如 3，1") from None


class DeadlinePolicyForm(FlaskForm):
    very_urgent_days = WholeNumberField("特急", validators=[InputRequired("请填写特急公文的签收期限")])
    urgent_days = WholeNumberField("加急", validators=[InputRequired("请填写加急公文的签收期限")])
    normal_days = WholeNumberField("其他", validators=[InputRequired("请填写其他公文的签收期限")])
    remind_before = DayListField("截止前几个工作日提醒",
                                 description="用逗号分隔，如 3，1；留空则截止前不提醒")
    remind_on_due_day = BooleanField("截止当天提醒")
    remind_every_days = WholeNumberField("逾期后每隔几个工作日催办一次", validators=[
        InputRequired("请填写逾期后的催办间隔")])
    version = version_field(Optional())


class YearForm(FlaskForm):
    """The year shown (a GET form: it changes nothing, so it carries no CSRF token)."""

    class Meta:
        csrf = False

    year = WholeNumberField("年份", validators=[Optional()])


class RemindIntervalForm(FlaskForm):
    """A notice's own reminder interval after a deadline; empty returns to the policy's."""

    expected_version = version_field()
    every_days = WholeNumberField("逾期后催办间隔（工作日）", validators=[Optional()],
                                  invalid_message="催办间隔应为整数（工作日），留空则按系统设置")

    @property
    def saved_message(self) -> str:
        if self.every_days.data is None:
            return "已恢复按系统设置的间隔催办"
        return f"逾期后将每隔{self.every_days.data}个工作日自动催办"
