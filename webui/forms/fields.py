"""Fields every desk's forms share: a whole number refused in Chinese, and the version of the row.

Owns: `WholeNumberField` (WTForms' own complaint is English), `version_field()` and
`VersionedForm` — the version the user saw travels with every action, so that a stale page gets
the engine's Conflict, which names what happened meanwhile. Must not: check meaning (the engine
does).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

from workflow.db import MAX_ID

STALE_PAGE = "页面数据不完整，请刷新页面后重试"
MISSING_VERSION = "页面缺少版本信息，请刷新页面后重试"


class OutOfRange(ValueError):
    """A whole number, but outside the range a field takes."""


def whole_number(text: str, *, low: int = 0, high: int = MAX_ID) -> int:
    """`text` as an int in low..high: ValueError when it is not a whole number, OutOfRange when
    it is one outside the range. Every number a form or a query string takes comes through here:
    a 19-digit id used to reach the database driver and fail there (a bare 500)."""
    digits = text.strip()
    unsigned = digits[1:] if digits[:1] in "+-" else digits
    # ASCII digits only: int() also takes "1_000" and "٣", and thousands of digits of work.
    if not unsigned or not unsigned.isascii() or not unsigned.isdigit():
        raise ValueError(text)
    if len(unsigned) > 15:
        raise OutOfRange(text)
    value = int(digits)
    if not low <= value <= high:
        raise OutOfRange(text)
    return value


def id_argument(text: str) -> int:
    """A row id from a query string (`request.args.get(..., type=id_argument)`): an invalid or
    out-of-range one is treated as absent."""
    return whole_number(text, low=1)


class WholeNumberField(IntegerField):
    """An integer field refused in Chinese: `invalid_message`, or "<label>必须是整数"; a number
    outside `low`..`high` (by default what a database integer holds; the engine judges the
    meaning within it) is refused naming the range."""

    def __init__(self, label=None, validators=None, invalid_message: str | None = None,
                 low: int = -MAX_ID, high: int = MAX_ID, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message
        self.low, self.high = low, high

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = whole_number(valuelist[0], low=self.low, high=self.high)
        except OutOfRange:
            self.data = None
            raise ValueError(self.invalid_message
                             or f"{self.label.text}应在 {self.low} 至 {self.high} 之间") from None
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message or f"{self.label.text}必须是整数") from None


# A version is a row's counter or, for units and groups, a CRC-32 of what was edited: 0 … 2**32-1.
VERSION_MAX = 2**32 - 1


def version_field(*validators, message: str = STALE_PAGE) -> WholeNumberField:
    """The hidden version of the row the page showed (required unless `validators` say else)."""
    return WholeNumberField("版本", list(validators) or [InputRequired(message)],
                            invalid_message=message, widget=HiddenInput(), low=0,
                            high=VERSION_MAX)


class VersionedForm(FlaskForm):
    """An action on a row: the version the user saw travels with it (stale → a Conflict that says
    what happened since)."""

    expected_version = version_field(message=MISSING_VERSION)
