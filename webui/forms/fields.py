"""Fields every desk's forms share: a whole number refused in Chinese, and the version of the row.

Owns: `WholeNumberField` (WTForms' own complaint is English), `version_field()` and
`VersionedForm` — the version the user saw travels with every action, so that a stale page gets
"已被他人处理" from the engine. Must not: check meaning (the engine does).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

STALE_PAGE = "页面数据不完整，请刷新页面后重试"
MISSING_VERSION = "页面缺少版本信息，请刷新页面后重试"


class WholeNumberField(IntegerField):
    """An integer field refused in Chinese: `invalid_message`, or "<label>必须是整数"."""

    def __init__(self, label=None, validators=None, invalid_message: str | None = None,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message or f"{self.label.text}必须是整数") from None


def version_field(*validators, message: str = STALE_PAGE) -> WholeNumberField:
    """The hidden version of the row the page showed (required unless `validators` say else)."""
    return WholeNumberField("版本", list(validators) or [InputRequired(message)],
                            invalid_message=message, widget=HiddenInput())


class VersionedForm(FlaskForm):
    """An action on a row: the version the user saw travels with it (stale → 已被他人处理)."""

    expected_version = version_field(message=MISSING_VERSION)
