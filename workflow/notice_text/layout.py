"""Where each element of a notice sits in its lines (条例 Art. 9, GB/T 9704 §7).

Owns: reading the order of a notice — 版头 (份号/密级/紧急程度, 发文机关标志, 发文字号 and 签发人),
标题, 主送机关 and where the 正文 begins — into a `Layout` of line positions and header values; the
end (附件说明, 署名, 成文日期, 版记) is read by `closing` into the same `Layout`. Tolerates what real
texts do: a title before the number (as web pages print it), a title over several lines, a page's
labels or column name run into the title, a 主送 line without its colon or wrapped onto a second
line, a 主送 line at the very top (web copies without a title), no 主送 once a sentence has begun,
an organ's line above the title, a number in brackets after the title. Fields read on weak
evidence are listed in `uncertain`. Only lines *in the header* are taken for the document's own
number, so a number cited in the body is never this notice's. Must not: guess — what is not where
the layout puts it stays None.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from workflow.docnumber import DocNumber, parse_number
from workflow.errors import InvalidInput
from workflow.notice_text.body import HEADING_RE
from workflow.notice_text.closing import ATTACHMENT_NOTE_RE, organ_like, read_closing
from workflow.notice_text.furniture import looks_like_recipients
from workflow.notice_text.recipients import is_unit_name, split_recipients
from workflow.notice_text.text import HAN, HAN_RE, Line, close_up, no_spaces, width

# 文种 (条例 Art. 8; the list is open, these are the ones titles end with). 函 also ends 复函.
KINDS = ("决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示",
         "批复", "议案", "纪要", "函", "令")
_KIND_AT_END_RE = re.compile(f"(?:{'|'.join(KINDS)})(?:[（(][^（）()]{{1,20}}[）)])?$")

# The header is read from the first lines only; a longer header than this is not a header.
HEADER_LINES = 30

_SIGNATORY_RE = re.compile(r"签\s*发\s*人\s*[:：]\s*(?P<names>.*)$")
_NUMBER_LABEL_RE = re.compile(r"^(?:发文字号|文\s*号)\s*[:：]\s*")
# 份号 (six digits), 密级 with its 保密期限, 紧急程度: header lines that carry no field here.
_MARKINGS_RE = re.compile(
    r"(?:份号[:：]?)?[0-9]{6}|(?:密级[:：]?)?(?:绝密|机密|秘密)(?:[★*☆].*)?|(?:紧急程度[:：]?)?"
    r"(?:特急|加急|平急|特提)|份号.*|密级.*|紧急程度.*"
)
_MAIN_LABEL_RE = re.compile(r"^主\s*送\s*[:：]")
# A number printed before the title on the same line.
_LEADING_NUMBER_RE = re.compile(r"^(?P<number>[\u4e00-\u9fff]{1,12}[〔\[［（(][0-9]{4}[〕\]］）)][0-9]{1,5}号)\s*(?P<rest>.+)$")
# A number printed in brackets, alone under the title or after it: "(沪民基发〔2007〕39号)".
_BRACKETED_NUMBER_RE = re.compile(r"[（(](?P<number>[^（）()]{2,30}[〔\[［][0-9]{4}[〕\]］][0-9]{1,5}号)[）)]$")
# The organ a title starts with: "上海市民政局关于…", "连州市机关事务管理局转发…".
_TITLE_ORGAN_RE = re.compile(r"^(?P<organ>[^，。：:《“]{2,40}?)(?:关于|转发|印发)")


@dataclass(frozen=True)
class HeaderNumber:
    """The 发文字号 as printed (spaces removed) and as read."""

    printed: str
    number: DocNumber


@dataclass
class Layout:
    """Positions of the elements in the lines, and the values read from the header and 版记."""

    issuer_mark: str | None = None
    number: HeaderNumber | None = None
    signatory: str | None = None
    title: str | None = None
    recipients_text: str | None = None
    body_start: int = 0
    body_end: int = 0
    attachment_lines: list[str] = field(default_factory=list)
    signature_lines: list[str] = field(default_factory=list)
    date_line: str | None = None
    cc_text: list[str] = field(default_factory=list)
    printed_by: str | None = None
    print_date_text: str | None = None
    header_end: int = -1  # the last line read as 标志, number, 签发人 or marking
    organ_line: str | None = None  # an organ's name alone on a line above the title
    date: dt.date | None = None  # the 成文日期, when the date line was read
    uncertain: set[str] = field(default_factory=set)  # fields read on weak evidence


def read_layout(lines: list[Line], page_dates: tuple[dt.date, ...] = ()) -> Layout:
    """Where the elements of the notice are. `page_dates`: dates the page printed around the
    notice (never a field; they only settle a 成文日期 printed ambiguously)."""
    layout = Layout()
    recipients_at = _recipients_line(lines)
    title_end = _read_header(lines, recipients_at, layout)
    if recipients_at is None and title_end is not None and title_end + 1 < len(lines):
        # A 主送 line without its colon: right after the title, nothing but unit names.
        candidate = lines[title_end + 1].text
        if _looks_like_recipients(candidate):
            recipients_at = title_end + 1
            layout.recipients_text = candidate
            layout.uncertain.add("main_recipients")  # no colon: read from its names alone
    elif recipients_at is not None:
        # Lines between the title (or a number printed under it) and the colon: 主送 wrapped.
        after = max(-1 if title_end is None else title_end, layout.header_end)
        own = lines[recipients_at].text
        wrapped: list[str] = []
        for index in range(recipients_at - 1, after, -1):
            # Only lines that continue the list ("…医疗机" / "构：") are its start; a page's
            # label ("视力保护色:") or summary before it is not.
            text = lines[index].text
            if text.endswith((":", "：")) or not looks_like_recipients(
                    "".join([text, *wrapped, own]).rstrip(":：")):
                break
            wrapped.insert(0, text)
        layout.recipients_text = "".join([*wrapped, own])
    first = layout.header_end + 1
    if (recipients_at is None and title_end is None and first + 1 < len(lines)
            and lines[first].text.startswith("各") and _looks_like_recipients(lines[first].text)):
        # A web copy without a title that opens with its 主送, the colon lost: "各学院、各部门".
        recipients_at = first
        layout.recipients_text = lines[first].text
        layout.uncertain.add("main_recipients")
    if recipients_at is not None:
        layout.body_start = recipients_at + 1
    elif title_end is not None:
        layout.body_start = title_end + 1
    else:
        layout.body_start = layout.header_end + 1  # no title found: the body follows the header
    read_closing(lines, layout, page_dates)
    return layout


# --- 版头, 标题, 主送 ------------------------------------------------------------------------------


def _recipients_line(lines: list[Line]) -> int | None:
    """The 主送 line: the first early line that ends with a colon, names units (or people written
    to) and is not a heading — before any sentence: once the 正文 has begun, no line is the 主送.
    It may be the very first line (web copies without a title)."""
    for index, line in enumerate(lines[:HEADER_LINES]):
        text = line.text
        if _MAIN_LABEL_RE.match(text):
            return index
        if (text.endswith((":", "：")) and "如下" not in text
                and not HEADING_RE.match(text) and not _SIGNATORY_RE.search(text)
                and not ATTACHMENT_NOTE_RE.match(text) and _number_line(text) is None
                and not _NUMBER_LABEL_RE.match(text)
                and (looks_like_recipients(text[:-1]) or index > 0 and looks_like_recipients(
                    lines[index - 1].text + text[:-1]))):  # "…医疗机" / "构：" wrapped
            return index
        if re.search("[。！？]", text):
            return None
    return None


def _read_header(lines: list[Line], recipients_at: int | None, layout: Layout) -> int | None:
    """Read 标志, number, 签发人 and title from the lines before the 主送; the title's last line."""
    end = recipients_at if recipients_at is not None else min(len(lines), HEADER_LINES)
    runs: list[list[int]] = [[]]
    for index in range(end):
        text = lines[index].text
        if recipients_at is None and (re.search("[。！？]", text)
                                      or len(text) > 30 and re.search("[，,]", text)):
            break  # a sentence: the 正文 has begun, and the header (if any) is over
        number = _number_line(text)
        signatory = _SIGNATORY_RE.search(text)
        mark = _mark(text) if layout.issuer_mark is None else None
        if number is not None:
            layout.number, found_signatory = number
            layout.signatory = layout.signatory or found_signatory
        elif signatory:
            layout.signatory = layout.signatory or _names(signatory["names"])
        elif mark is not None:
            layout.issuer_mark = _wrapped_mark(lines, runs[-1], mark, index)
        elif not _MARKINGS_RE.fullmatch(no_spaces(text)):
            runs[-1].append(index)
            if recipients_at is None and _KIND_AT_END_RE.search(_joined(lines, runs[-1])):
                break  # no 主送 to stop at: the title ends with its 文种
            continue
        layout.header_end = index
        runs.append([])
    runs = [run for run in runs if run]
    if not runs:
        return None
    title_run = runs[-1]
    if recipients_at is None and not _KIND_AT_END_RE.search(_joined(lines, title_run)):
        title_run = next((r for r in runs if _KIND_AT_END_RE.search(_joined(lines, r))), None)
        if title_run is None:
            return None
    for run in runs:
        if run is not title_run and len(run) == 1 and run[0] < title_run[0]:
            # Letter format and web pages: the organ's name alone on a line above the title.
            text = no_spaces(lines[run[0]].text)
            if organ_like(text) and "关于" not in text:
                layout.organ_line = text
    title_run = _without_leading_furniture(lines, title_run)
    first = no_spaces(lines[title_run[0]].text)
    if (len(title_run) == 2 and organ_like(first) and not _KIND_AT_END_RE.search(first)
            and lines[title_run[1]].text.startswith("关于")
            and _KIND_AT_END_RE.search(lines[title_run[1]].text)):
        # "铜冶中心校" / "关于做好…的通知": the organ on its own line, then a whole title. (A
        # title wrapped after its organ may look the same: the title is then marked unsure.)
        layout.organ_line = first
        layout.uncertain.add("title")
        title_run = title_run[1:]
    # The title ends at the first line where the text so far ends with a 文种; lines after it
    # (still before the 主送 colon) are the 主送 line wrapped.
    for count in range(1, len(title_run) + 1):
        if _KIND_AT_END_RE.search(_joined(lines, title_run[:count])):
            title_run = title_run[:count]
            break
    title = _title(" ".join(lines[i].text for i in title_run))
    bracketed = _BRACKETED_NUMBER_RE.search(title)
    if bracketed:  # "…的通知(岳办发〔2017〕2号)": the number a web page prints after the title
        number = _number_line(bracketed["number"])
        if number is not None:
            layout.number = layout.number or number[0]
            title = title[:bracketed.start()].rstrip()
    leading = _LEADING_NUMBER_RE.match(title)
    if leading and "关于" in leading["rest"]:  # "徐师大保〔2005〕3号 关于…的通知": on one line
        number = _number_line(leading["number"])
        if number is not None:
            layout.number = layout.number or number[0]
            title = leading["rest"]
    layout.title = title
    return title_run[-1]


# A page's label before the title: "主题:", "结果反馈日期:" — titles do not break after a colon.
_LABEL_LINE_RE = re.compile(r"^[^关《“]{1,12}[:：]")
# A line that is a whole title by itself: an organ or nothing, then 关于/转发/印发, ending in a 文种.
_WHOLE_TITLE_RE = re.compile(r"^[^，。：:；《“]{0,40}?(?:关于|转发|印发)")


def _without_leading_furniture(lines: list[Line], run: list[int]) -> list[int]:
    """The title's lines without the page's words run into it: labels ("主题:"), and, before a
    line that is a whole title by itself ("…关于…的通知"), lines that name no organ ("公告栏",
    a site's name)."""
    labelled = [k for k, i in enumerate(run) if _LABEL_LINE_RE.match(lines[i].text)]
    if labelled and labelled[-1] + 1 < len(run):
        run = run[labelled[-1] + 1:]
    for k in range(1, len(run)):
        text = no_spaces(lines[run[k]].text)
        if (_WHOLE_TITLE_RE.match(text) and _KIND_AT_END_RE.search(_joined(lines, run[k:]))
                and not _KIND_AT_END_RE.search(_joined(lines, run[:k]))
                and (title_organ(text) or not any(organ_like(no_spaces(lines[i].text))
                                                  for i in run[:k]))):
            # (An organ's line before a title that names its own organ is the page's — a
            # site's or a database's name — not the start of the title.)
            return run[k:]
    return run


def title_organ(title: str | None) -> str | None:
    """The organ a title names before 关于/转发/印发 ("上海市民政局关于…的批复"), if it is one."""
    match = _TITLE_ORGAN_RE.match(title or "")
    if match is None:
        return None
    organ = match["organ"].strip()
    return organ if all(is_unit_name(name) for name in organ.split()) else None


def _title(text: str) -> str:
    """The title with extraction's stray spaces removed — except the one that separates joint
    issuers ("财政部 国家税务总局关于…"), which the title really has."""
    organs = text.split("关于", 1)[0].split() if "关于" in text else []
    if len(organs) > 1 and all(is_unit_name(organ) for organ in organs):
        head = " ".join(organs)
        return head + close_up(text[text.index("关于"):])
    return close_up(text)


def _number_line(text: str) -> tuple[HeaderNumber, str | None] | None:
    """A header line that is a 发文字号 (maybe with 签发人 beside it), read; else None."""
    signatory = _SIGNATORY_RE.search(text)
    rest = _NUMBER_LABEL_RE.sub("", text[:signatory.start()] if signatory else text).strip()
    if rest[:1] in "（(" and rest[-1:] in "）)":  # printed in brackets under the title
        rest = rest[1:-1].strip()
    if not rest or len(no_spaces(rest)) > 30:
        return None
    try:
        number = parse_number(rest)
    except InvalidInput:
        return None
    names = _names(signatory["names"]) if signatory else None
    return HeaderNumber(no_spaces(rest), number), names


def _names(text: str) -> str | None:
    """签发人 names: "杨 杰" is one letter-spaced name; "张三 李四" are two (joint documents)."""
    tokens = text.split()
    if not tokens:
        return None
    if all(len(token) == 1 for token in tokens):
        return "".join(tokens)
    return "、".join(tokens)


def _mark(text: str) -> str | None:
    """The organ(s) of a 发文机关标志 line "…文件"; joint organs are separated by spaces."""
    if not no_spaces(text).endswith("文件") or len(no_spaces(text)) > 40:
        return None
    if re.search("[，。：:、；]", text) or not HAN_RE.match(no_spaces(text)):
        return None  # (">政务公开 >本局文件": a breadcrumb, not an organ's mark)
    names = text.strip()[:-2].strip() if text.strip().endswith("文件") else no_spaces(text)[:-2]
    return _names(names)


def _wrapped_mark(lines: list[Line], run: list[int], mark: str, at: int) -> str:
    """A 发文机关标志 set large over two lines ("共青团某某" / "市委文件"): the line above, when it is
    short Chinese text with no punctuation right before the mark, is its first half (taken from
    the title's run) — or, when both lines name organs, the first of a joint issue's organs."""
    if not run or run[-1] != at - 1 or " " in mark.strip():
        return mark
    above = no_spaces(lines[run[-1]].text)
    if not (2 <= len(above) <= 20 and re.fullmatch(f"[{HAN}（）()]+", above)
            and not _KIND_AT_END_RE.search(above) and "关于" not in above):
        return mark
    run.pop()
    if is_unit_name(above) and is_unit_name(mark):
        # A joint 标志: the organs stacked, "文件" beside the last ("某妇联" / "某教育局文件").
        return f"{above}、{mark}"
    return above + mark




def _looks_like_recipients(text: str) -> bool:
    entries = split_recipients(text)
    return (bool(entries) and width(text) <= 120 and not re.search("[。；]", text)
            and not HEADING_RE.match(text) and all(is_unit_name(e) for e in entries))


def _joined(lines: list[Line], indices: list[int]) -> str:
    return close_up("".join(lines[i].text for i in indices))
