"""A 来文 read for its registration: `read_incoming(text)` gives the fields of the 收文登记簿.

Owns: turning the plain text of a document from outside (as `workflow.notice_files.document_text`
gives it, or as typed) into what the clerk checks before registering it — 来文机关, 来文字号, 标题,
紧急程度, 密级, 成文日期 and the report requests — by `parse_notice`, plus the 版头 markings
(紧急程度 and 密级, GB/T 9704 §7.2.2–7.2.3) read from the header lines the layout found. The 密级 is
its Chinese label (秘密, 机密, 绝密), a plain string. Must not: write a second parser, touch the
database, or guess — a field the text does not give is None: the clerk fills it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from workflow.errors import InvalidInput
from workflow.notice_text.furniture import clean_lines
from workflow.notice_text.layout import read_layout
from workflow.notice_text.parse import ParsedNotice, parse_notice
from workflow.notice_text.requests import ReportRequest
from workflow.notice_text.text import no_spaces, to_lines
from workflow.states import Urgency

# The pasted text's limit (`workflow.notice_files.MAX_TEXT`), repeated here: this package imports
# nothing of the file readers.
MAX_TEXT = 200_000
SECRECY_LEVELS = ("秘密", "机密", "绝密")
# 特提 and 平急 are the telegram's degrees (条例 Art. 9): the nearest of Gongwen's two.
_URGENCY = {"特急": Urgency.VERY_URGENT, "特提": Urgency.VERY_URGENT,
            "加急": Urgency.URGENT, "平急": Urgency.URGENT}
# One marking of the 版头: the 份号 (six digits), the 密级 with its 保密期限 (机密★1年), the 紧急程度.
_MARK = (r"(?:份号[:：]?)?[0-9]{6}"
         r"|(?:密级[:：]?)?(?P<secrecy>绝密|机密|秘密)(?:[★*☆](?:[0-9０-９一二三四五六七八九十]{1,3}年|长期))?"
         r"|(?:紧急程度[:：]?)?(?P<urgency>特急|加急|特提|平急)")
_MARK_RE = re.compile(_MARK)
_MARKS_LINE_RE = re.compile(f"(?:{_MARK})+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class IncomingFields:
    """What the text gives for registering a 来文; None (or empty) where it gives nothing."""

    issuer: str | None  # 来文机关, from the 发文机关标志 or the 署名
    doc_number: str | None  # 来文字号, normalized: 哈妇发〔2015〕9号
    title: str | None
    urgency: Urgency | None  # None: no mark in the header (the clerk decides, usually 普通)
    secrecy: str | None  # 秘密, 机密 or 绝密; None: no mark in the header
    date: dt.date | None  # 成文日期
    report_requests: tuple[ReportRequest, ...]
    notice: ParsedNotice  # everything else the reader found (主送, 正文…)

    def to_json_dict(self) -> dict:
        """Plain JSON values; the urgency by its Chinese label, dates as YYYY-MM-DD."""
        return {
            "issuer": self.issuer, "doc_number": self.doc_number, "title": self.title,
            "urgency": self.urgency.label if self.urgency else None, "secrecy": self.secrecy,
            "date": self.date.isoformat() if self.date else None,
            "report_requests": [r.to_json_dict() for r in self.report_requests],
        }


def read_incoming(text: str) -> IncomingFields:
    """The registration fields of a 来文, from its plain text."""
    if not isinstance(text, str):
        raise InvalidInput("要读取的来文内容必须是文本")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"来文的文字超过{MAX_TEXT // 10_000}万字，请删减后再读取")
    if _CONTROL.search(text):
        raise InvalidInput("来文中含有控制字符，无法读取；请检查后重新粘贴或上传")
    notice = parse_notice(text)
    urgency, secrecy = _markings(text)
    return IncomingFields(
        issuer=notice.issuer,
        doc_number=notice.doc_number.number.normalized if notice.doc_number else None,
        title=notice.title,
        urgency=urgency,
        secrecy=secrecy,
        date=notice.date,
        report_requests=notice.report_requests,
        notice=notice,
    )


def _markings(text: str) -> tuple[Urgency | None, str | None]:
    """紧急程度 and 密级 from the header lines only: a 密 or 急 in the body is not a marking."""
    lines = clean_lines(to_lines(text)).lines  # the lines parse_notice reads, furniture gone
    header = lines[:read_layout(lines).header_end + 1]
    urgency = secrecy = None
    for line in header:
        marks = no_spaces(line.text)  # letter-spaced as printed: 特  急
        if not _MARKS_LINE_RE.fullmatch(marks):
            continue  # the 发文机关标志, the number, the 签发人: not markings
        for found in _MARK_RE.finditer(marks):
            if urgency is None and found["urgency"]:
                urgency = _URGENCY[found["urgency"]]
            if secrecy is None and found["secrecy"]:
                secrecy = found["secrecy"]
    return urgency, secrecy
