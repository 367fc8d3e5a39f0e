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
from workflow.notice_text.closing import attachment_names
from workflow.notice_text.dates import find_date
from workflow.notice_text.furniture import clean_lines
from workflow.notice_text.layout import KINDS, read_layout, title_organ
from workflow.notice_text.recipients import is_unit_name, split_recipients
from workflow.notice_text.requests import ReportRequest, find_requests
from workflow.notice_text.text import no_spaces, to_lines

# The fields of the JSON form, in order (the CLI, the drafting desk and the corpus rely on them).
JSON_KEYS = ("issuer", "doc_number", "signatory", "title", "kind", "main_recipients",
             "cc_recipients", "date", "print_date", "printed_by", "attachments",
             "report_requests", "body")
# Added after them: the issuing organs one by one (several for a joint issue) and the fields the
# reader is unsure of, for the clerk to check.
EXTRA_KEYS = ("issuers", "uncertain")
# A 署名 "(代章)": another organ's seal stands in; the name is the issuer's.
_SEAL_RE = re.compile(r"[（(]\s*代?\s*章\s*[）)]$")
# The unit words after which a joint 署名's short second name continues the first's organ:
# "海陵区教育局基建科 安保科" → 海陵区教育局安保科.
_ORGAN_END_RE = re.compile(r"^.+?(?:委员会|人民政府|政府|局|厅|委|院|会|部)(?=.)")
_SECTION_RE = re.compile(r"^[^市县区省镇乡办]{1,3}(?:科|处|股|中心|组)$")
# A department's bare name under its committee or government ("宣传部", "办公室", "政研室").
# (Not "党委办公室": a name with its own committee is an organ of its own.)
_DEPARTMENT_RE = re.compile(r"[^委府\s]{1,3}(?:部|办公室|办|室)")
_COMMITTEE_END_RE = re.compile(r"(?:委|委员会|人民政府|政府)$")

_KIND_RE = re.compile(f"(?P<kind>{'|'.join(KINDS)})(?:[（(][^（）()]{{1,12}}[）)])?$")
# Without a title, the 正文's own formula names the 文种: "现将有关事项通知如下", "特此通知",
# "现将《…》转发给你们" (a 转发 is a 通知), "特此通报", "特此函告". Only these set phrases count —
# "另行通知" or "请…通知到人" name no kind.
_FORMULA_RE = re.compile(r"(?P<kind>通知|通报|通告|公告)如下|特此(?P<closing>通知|通报|通告|公告|函告|函复|函达|批复)"
                         r"|转发给(?:你们|各)")
_CLOSING_KINDS = {"函告": "函", "函复": "函", "函达": "函"}


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
    issuers: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()

    def to_json_dict(self) -> dict:
        """Plain JSON values with the keys of JSON_KEYS then EXTRA_KEYS; dates as YYYY-MM-DD."""
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
            "issuers": list(self.issuers),
            "uncertain": list(self.uncertain),
        }


def parse_notice(text: str, *, lines_are_paragraphs: bool = False) -> ParsedNotice:
    """The fields of a notice, from its plain text (as extracted from a PDF, Word file or page).
    `lines_are_paragraphs`: each line is one paragraph (a Word file's text), never joined."""
    if not isinstance(text, str):
        raise InvalidInput("要解析的公文内容必须是文本")
    cleaned = clean_lines(to_lines(text))
    lines = cleaned.lines
    layout = read_layout(lines, tuple(cleaned.page_dates))
    date = layout.date
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
    kind_name = kind["kind"] if kind else None if layout.title else _formula_kind(body)
    uncertain = set(layout.uncertain)
    names, weak = _issuer_names(layout)
    if weak:
        uncertain.add("issuer")
    if any(r.relative or r.due_date is None and not r.recurring or r.to is None
           for r in requests):
        uncertain.add("report_requests")
    return ParsedNotice(
        issuer="、".join(names) or None,
        doc_number=PrintedNumber(number.printed, number.number) if number else None,
        signatory=layout.signatory,
        title=layout.title,
        kind=kind_name,
        main_recipients=tuple(split_recipients(layout.recipients_text or "")),
        cc_recipients=tuple(cc),
        date=date,
        print_date=print_date,
        printed_by=layout.printed_by,
        attachments=tuple(attachment_names(layout.attachment_lines)),
        report_requests=tuple(requests),
        body=body,
        issuers=tuple(_completed(names)),
        uncertain=tuple(key for key in JSON_KEYS if key in uncertain),
    )


def _formula_kind(body: str) -> str | None:
    """The 文种 the body's formula names, for a notice printed without its title."""
    found = _FORMULA_RE.search("".join(body.split()))
    if found is None:
        return None
    if found["kind"]:
        return found["kind"]
    if found["closing"]:
        return _CLOSING_KINDS.get(found["closing"], found["closing"])
    return "通知"


def _issuer_names(layout) -> tuple[list[str], bool]:
    """The issuing organs as printed, and whether they were read on weak evidence: from the
    发文机关标志, else the 署名, else an organ's line above the title, else the title's organ."""
    if layout.issuer_mark:
        return layout.issuer_mark.split("、"), False
    signed = _signed_by(layout.signature_lines)
    if signed:
        organ = title_organ(layout.title)
        if len(signed) == 1 and organ and " " not in organ and organ.endswith(signed[0]):
            # The 署名 may shorten the name the title gives in full ("区委组织部办公室" under
            # "某市某区区委组织部办公室关于…"): the fullest name the text gives is the issuer's.
            return [organ], False
        return signed, False
    if layout.organ_line:
        return [layout.organ_line], True
    organ = title_organ(layout.title)
    return (organ.split(), True) if organ else ([], False)


def _signed_by(lines: list[str]) -> list[str]:
    """The organs of the 署名: one per line or per space-separated name (joint issue)."""
    names: list[str] = []
    for line in lines:
        if (names and len(names[-1]) >= 4 and _DEPARTMENT_RE.fullmatch(no_spaces(line))
                and _COMMITTEE_END_RE.search(names[-1])):
            # "中共某某县委" / "宣传部": a committee's or government's department, its name
            # wrapped onto the next line (each organ of a joint issue signs its full name).
            names[-1] += no_spaces(line)
            continue
        tokens = line.split()
        if tokens and all(len(token) == 1 for token in tokens):  # a letter-spaced line
            tokens = ["".join(tokens)]
        for token in tokens:
            # "保 卫 处", "保卫 处": a name spaced apart continues the one before it until that
            # is a unit's name ("学生工作部(处) 保 卫 处" is two organs).
            if names and not is_unit_name(names[-1]):
                names[-1] += token
            else:
                names.append(token)
    names = [_SEAL_RE.sub("", no_spaces(name)) for name in names]
    return [name for name in names if name]


def _completed(names: list[str]) -> list[str]:
    """Each organ's full name: a joint 署名's bare section ("安保科") continues the organ of the
    name before it ("海陵区教育局基建科")."""
    full: list[str] = []
    for name in names:
        organ = _ORGAN_END_RE.match(full[-1]) if full else None
        # Only a name that is itself an organ's section ("…教育局基建科") lends its organ.
        lends = organ is not None and _SECTION_RE.match(full[-1][organ.end():]) is not None
        if lends and _SECTION_RE.match(name) and not name.startswith(organ.group()):
            name = organ.group() + name
        full.append(name)
    return full


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
