"""`parse_notice`: the plain text of a notice in, its fields out (`ParsedNotice`).

Owns: putting the parts together — layout (where each element is), recipients, dates, body and
report requests — into one frozen value with its JSON form. Must not: touch the database, import
the web layer, or fill a field the text does not give: absent is None (or empty), never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from workflow.docnumber import DocNumber
from workflow.errors import InvalidInput
from workflow.notice_text import body as body_text
from workflow.notice_text.dates import find_date, parse_date
from workflow.notice_text.layout import KINDS, attachment_names, read_layout
from workflow.notice_text.recipients import split_recipients
from workflow.notice_text.requests import ReportRequest, find_requests
from workflow.notice_text.text import no_spaces, to_lines

# The keys of the JSON form, in order (the CLI and the drafting desk rely on exactly these).
JSON_KEYS = ("issuer", "doc_number", "signatory", "title", "kind", "main_recipients",
             "cc_recipients", "date", "print_date", "printed_by", "attachments",
             "report_requests", "body")

_KIND_RE = re.compile(f"(?P<kind>{'|'.join(KINDS)})(?:[（(][^（）()]{{1,12}}[）)])?$")


@dataclass(frozen=True)
class PrintedNumber:
    """The 发文字号 as the notice prints it (spaces removed) and as read (`DocNumber`)."""

    printed: str
    number: DocNumber

    def to_json_dict(self) -> dict:
        """printed, code, year, serial and the normalized form 代字〔年份〕序号号."""
        return {"printed": self.printed, "code": self.number.code, "year": self.number.year,
                "serial": self.number.serial, "normalized": self.number.normalized}


@dataclass(frozen=True)
class ParsedNotice:
    """The fields found in a notice's text. Absent fields are None or empty."""

    issuer: str | None
    doc_number: PrintedNumber | None
    signatory: str | None
    title: str | None
    kind: str | None
    main_recipients: tuple[str, ...]
    cc_recipients: tuple[str, ...]
    date: dt.date | None
    print_date: dt.date | None
    printed_by: str | None
    attachments: tuple[str, ...]
    report_requests: tuple[ReportRequest, ...]
    body: str

    def to_json_dict(self) -> dict:
        """Plain JSON values with exactly the keys of JSON_KEYS; dates as YYYY-MM-DD."""
        return {
            "issuer": self.issuer,
            "doc_number": self.doc_number.to_json_dict() if self.doc_number else None,
            "signatory": self.signatory,
            "title": self.title,
            "kind": self.kind,
            "main_recipients": list(self.main_recipients),
            "cc_recipients": list(self.cc_recipients),
            "date": _iso(self.date),
            "print_date": _iso(self.print_date),
            "printed_by": self.printed_by,
            "attachments": list(self.attachments),
            "report_requests": [r.to_json_dict() for r in self.report_requests],
            "body": self.body,
        }


def parse_notice(text: str, *, lines_are_paragraphs: bool = False) -> ParsedNotice:
    """The fields of a notice, from its plain text (as extracted from a PDF, Word file or page).
    `lines_are_paragraphs`: each line is one paragraph (a Word file's text), never joined."""
    if not isinstance(text, str):
        raise InvalidInput("要解析的公文内容必须是文本")
    lines = to_lines(text)
    layout = read_layout(lines)
    date = parse_date(layout.date_line) if layout.date_line else None
    print_date = None
    if layout.print_date_text:
        found = find_date(layout.print_date_text)
        print_date = found[1] if found else None
    body = body_text.tidy(lines[layout.body_start:layout.body_end], lines_are_paragraphs)
    number = layout.number
    requests = find_requests(body, date or print_date, number.number.year if number else None)
    cc: list[str] = []
    for copy_line in layout.cc_text:
        cc.extend(split_recipients(copy_line))
    kind = _KIND_RE.search(layout.title) if layout.title else None
    return ParsedNotice(
        issuer=layout.issuer_mark or _signed_by(layout.signature_lines),
        doc_number=PrintedNumber(number.printed, number.number) if number else None,
        signatory=layout.signatory,
        title=layout.title,
        kind=kind["kind"] if kind else None,
        main_recipients=tuple(split_recipients(layout.recipients_text or "")),
        cc_recipients=tuple(cc),
        date=date,
        print_date=print_date,
        printed_by=layout.printed_by,
        attachments=tuple(attachment_names(layout.attachment_lines)),
        report_requests=tuple(requests),
        body=body,
    )


def _signed_by(lines: list[str]) -> str | None:
    """The issuer from the 署名: one organ per line or per space-separated name (joint issue)."""
    names = [name for line in lines for name in line.split()]
    if not names:
        return None
    if all(len(name) == 1 for name in names):  # a letter-spaced signature
        return "".join(names)
    return "、".join(no_spaces(name) for name in names)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
