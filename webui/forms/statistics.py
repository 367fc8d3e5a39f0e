"""The statistics desk's form: the period and the order of the unit table, read from the query
string (a GET form: it changes nothing, so it carries no CSRF token).

Owns: the shape of `from`, `to`, `sort` and `order`, with Chinese messages; a value that is not
well formed is reported and left out, so that the page falls back to the default for it. Must
not: decide the default period or how units are judged (the engine does).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf, Optional

from webui.forms.admin import ChineseDateField
from workflow.queries.statistics import DEFAULT_ORDER, DEFAULT_SORT, ORDERS, SORTS


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    start = ChineseDateField("开始日期", name="from", validators=[Optional()])
    end = ChineseDateField("结束日期", name="to", validators=[Optional()])
    sort = StringField("排序", validators=[
        Optional(), AnyOf(list(SORTS), message="排序方式无效，已按默认方式排序")])
    order = StringField("方向", validators=[
        Optional(), AnyOf(list(ORDERS), message="排序方向无效，已按默认方向排序")])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.start.data and self.end.data and self.start.data > self.end.data:
            self.end.errors = [*self.end.errors, "不能早于开始日期"]
            return False
        return valid

    def choice(self) -> dict:
        """What the engine is asked for: each well-formed value, else its default (None for the
        dates: the engine's default period)."""
        self.validate()
        period_ok = not (self.start.errors or self.end.errors)
        return {
            "start": self.start.data if period_ok else None,
            "end": self.end.data if period_ok else None,
            "sort": self.sort.data if self.sort.data and not self.sort.errors else DEFAULT_SORT,
            "order": (self.order.data if self.order.data and not self.order.errors
                      else DEFAULT_ORDER),
        }

    def messages(self) -> list[str]:
        """What was not well formed, in Chinese (call after `choice()`)."""
        dates = [f"{f.label.text}：{message}" for f in (self.start, self.end)
                 for message in f.errors]
        return dates + [message for f in (self.sort, self.order) for message in f.errors]
