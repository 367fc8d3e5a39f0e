"""Forms of the dispatch desk: confirm an issue, archive with a 保管期限, open a number series,
void a number, and answer a returned notice (改发, 补发, 确认退回).

Owns: the shape of what a clerk posts (numbers that are numbers, a series chosen from a list).
Must not: decide whether a code, a year, a serial or a reason is acceptable (the engine does).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from webui import clock
from webui.forms.fields import VersionedForm, WholeNumberField, whole_number
from workflow.docnumber import SERIAL_MAX, YEAR_MAX, YEAR_MIN
from workflow.states import Retention


def _this_year() -> int:
    return clock.today().year


class IssueForm(VersionedForm):
    """登记印发: confirm what the preview showed."""


class ArchiveForm(VersionedForm):
    """归档, under the 保管期限 chosen (no default: filing is a decision)."""

    retention = SelectField(
        "保管期限", validate_choice=False,
        choices=[SelectChoice("", "请选择保管期限")]
        + [SelectChoice(r.name, r.label) for r in Retention])

    def retention_value(self) -> str | None:
        return self.retention.data or None


class OpenSeriesForm(FlaskForm):
    """Open a series (机关代字, year) at a starting serial."""

    issuer_unit_id = WholeNumberField("发文单位", [InputRequired("请选择发文单位")], low=1)
    code = StringField("机关代字", [Length(max=20, message="机关代字最多20字")])
    year = WholeNumberField("年度", [InputRequired("请填写年度")], default=_this_year,
                            low=YEAR_MIN, high=YEAR_MAX)
    start_serial = WholeNumberField("起始顺序号", [InputRequired("请填写起始顺序号")], default=1,
                                    low=1, high=SERIAL_MAX)


class VoidNumberForm(FlaskForm):
    """Put an unused serial of a series into the void register, with the reason."""

    series = StringField("文号系列", [InputRequired("请选择文号系列")])
    serial = WholeNumberField("顺序号", [InputRequired("请填写要作废的顺序号")], low=1,
                              high=SERIAL_MAX)
    reason = TextAreaField("作废理由", [Length(max=500, message="作废理由最多500字")])

    def series_key(self) -> dict:
        """The series as the engine names it: issuer unit, 机关代字 and year."""
        unit_id, year, code = (self.series.data or "").split(":", 2)
        return {"issuer_unit_id": whole_number(unit_id, low=1),
                "year": whole_number(year, low=YEAR_MIN, high=YEAR_MAX), "code": code}

    def validate_series(self, field):
        try:
            self.series_key()
        except ValueError:
            raise ValidationError("所选文号系列无效，请刷新页面后重新选择") from None


class RedirectForm(VersionedForm):
    """改发: the unit the returned notice should have gone to, and an optional note."""

    unit_id = WholeNumberField("改发单位", [InputRequired("请选择改发的单位")], low=1,
                               invalid_message="请选择改发的单位")
    note = TextAreaField("说明", [Length(max=500, message="说明最多500字")])


class ResendForm(VersionedForm):
    """补发: why the unit must handle it after all (the engine requires it)."""

    reason = TextAreaField("补发说明", [Length(max=500, message="补发说明最多500字")])


class ConfirmReturnForm(VersionedForm):
    """确认退回: agree with the return, optionally saying so."""

    note = TextAreaField("说明", [Length(max=500, message="说明最多500字")])
