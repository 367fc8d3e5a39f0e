"""The one boundary where text enters the engine: no control characters get in.

Owns: `clean_text` (a value without surrounding whitespace, refused when it carries control
characters) and the check on every flush that no single-line field (a String column: a title, a
name, a unit, a file name) holds a control character, newline or tab, and no multi-line field (a
Text column: a body, a reason, an opinion) holds one other than newline, carriage return or tab.
A NUL, an escape or a bell accepted once used to reach every export and print of that notice and
make them fail for everyone; refused here, in one place, it never reaches a page, a file or a mail.
Bidirectional overrides (U+202A–U+202E, U+2066–U+2069) are refused too: they make a name read
differently from what it is. Must not: change text silently (a refused value is the user's to fix).
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import String, Text, event, inspect
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Every C0 and C1 control, DEL, and the bidirectional controls.
_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_MULTILINE_ALLOWED = frozenset("\n\r\t")

# How a refusal names the field (by attribute name; any other is 输入内容).
LABELS = {
    "title": "标题", "body": "正文", "kind": "文种", "series_code": "机关代字", "code": "机关代字",
    "doc_code": "机关代字", "org_code": "机构代码", "name": "名称", "short_name": "简称",
    "display_name": "姓名", "username": "用户名", "email": "电子邮箱", "what": "报送内容",
    "to_whom": "报送对象", "filename": "文件名", "reason": "理由", "note": "说明",
    "text": "报告正文", "message": "内容", "sign_opinion": "签发意见", "opinion": "意见",
    "return_reason": "退回理由", "secrecy": "密级",
}


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def refuse_control_characters(value: str, *, label: str = "输入内容",
                              multiline: bool = True) -> str:
    """`value` unchanged, or InvalidInput naming the field and the first forbidden character."""
    for match in _FORBIDDEN.finditer(value):
        char = match.group()
        if multiline and char in _MULTILINE_ALLOWED:
            continue
        if char in "\n\r":
            raise InvalidInput(f"{label}不能换行，请写在一行内")
        raise InvalidInput(f"{label}中含有不可见的控制字符（{_describe(char)}），请删除后重试")
    return value


def clean_text(value: str | None, *, label: str = "输入内容", multiline: bool = True) -> str:
    """A form value without surrounding whitespace; None becomes "". Control characters are
    refused (newline, carriage return and tab pass where the text may have several lines)."""
    # Judged before stripping: str.strip() would quietly drop a trailing \x1c–\x1f or \x85.
    value = refuse_control_characters(value or "", label=label, multiline=True).strip()
    return value if multiline else refuse_control_characters(value, label=label, multiline=False)


_TEXT_COLUMNS: dict[type, list[tuple[str, bool]]] = {}


def _text_columns(mapper) -> list[tuple[str, bool]]:
    """(attribute, multi-line) for every string column of a mapped class, computed once."""
    cached = _TEXT_COLUMNS.get(mapper.class_)
    if cached is None:
        cached = _TEXT_COLUMNS[mapper.class_] = [
            (prop.key, isinstance(prop.columns[0].type, Text))
            for prop in mapper.column_attrs if isinstance(prop.columns[0].type, String)]
    return cached


@event.listens_for(Session, "before_flush")
def _no_control_characters(session: Session, _context, _instances) -> None:
    """Refuse a flush that would write a control character into any string column."""
    for obj in (*session.new, *session.dirty):
        state = inspect(obj)
        for key, multiline in _text_columns(state.mapper):
            value = getattr(obj, key, None) if obj in session.new else (
                state.attrs[key].history.added or [None])[0]
            if isinstance(value, str) and _FORBIDDEN.search(value):
                refuse_control_characters(value, label=LABELS.get(key, "输入内容"),
                                          multiline=multiline)
