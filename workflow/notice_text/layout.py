"""Where each element of a notice sits in its lines (条例 Art. 9, GB/T 9704 §7).

Owns: reading the order of a notice — 版头 (份号/密级/紧急程度, 发文机关标志, 发文字号 and 签发人),
标题, 主送机关, 正文, 附件说明, 署名, 成文日期, 附注 and attached pages, 版记 (抄送, 印发机关和印发日期) —
into a `Layout` of line positions and header values. Tolerates what real texts do: a title before
the number (as web pages print it), a title over several lines, a 主送 line without its colon or
wrapped onto a second line, a 主送 line at the very top (web copies without a title), no 主送 once a
sentence has begun, an organ's line above the title, a number in brackets after the title, a
署名 cut off after a finished sentence, a date whose 年/月 a page lost (settled by the page's own
date when it has two readings), the 附件 labelled line by line or listed after the date, and a
missing 署名 or date. Fields read on such weak evidence are listed in `uncertain`. Only lines
*in the header* are taken for the
document's own number, so a number cited in the body is never this notice's. Must not: guess —
what is not where the layout puts it stays None.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from workflow.docnumber import DocNumber, parse_number
from workflow.errors import InvalidInput
from workflow.notice_text.body import CONTACT_RE, HEADING_RE
from workflow.notice_text.dates import find_date, glued_dates, parse_date
from workflow.notice_text.furniture import looks_like_recipients
from workflow.notice_text.recipients import is_unit_name, split_recipients
from workflow.notice_text.text import HAN_RE, Line, close_up, ends_sentence, no_spaces, width

# 文种 (条例 Art. 8; the list is open, these are the ones titles end with). 函 also ends 复函.
KINDS = ("决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示",
         "批复", "议案", "纪要", "函", "令")
_KIND_AT_END_RE = re.compile(f"(?:{'|'.join(KINDS)})(?:[（(][^（）()]{{1,12}}[）)])?$")

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
_COPY_LABEL_RE = re.compile(r"^(?:抄\s*送|抄\s*报)\s*[:：]?")
_PRINTED_RE = re.compile(r"^(?P<org>.*?)\s*(?P<date>[0-9０-９〇○OΟ零一二三四五六七八九十\s]{4,}年.*?[日号])"
                         r"\s*印\s*发\s*$")
_ATTACHMENT_NOTE_RE = re.compile(r"^(?:附\s*件\s*(?:[（(]下载[）)]\s*[:：]|[:：]|[0-9０-９]+\s*[.．:：、]|[一二三四五六七八九十]{1,3}\s*[:：、])|附\s*[:：]|"
                                 r"[（(]附件[0-9０-９]*[）)])")
# A number printed before the title on the same line.
_LEADING_NUMBER_RE = re.compile(r"^(?P<number>[\u4e00-\u9fff]{1,12}[〔\[［（(][0-9]{4}[〕\]］）)][0-9]{1,5}号)\s*(?P<rest>.+)$")
# A number printed in brackets, alone under the title or after it: "(沪民基发〔2007〕39号)".
_BRACKETED_NUMBER_RE = re.compile(r"[（(](?P<number>[^（）()]{2,30}〔[0-9]{4}〕[0-9]{1,5}号)[）)]$")
# The organ a title starts with: "上海市民政局关于…", "连州市机关事务管理局转发…".
_TITLE_ORGAN_RE = re.compile(r"^(?P<organ>[^，。：:《“]{2,40}?)(?:关于|转发|印发)")
_FILE_NAME_RE = re.compile(r"\.(?:docx?|xlsx?|pdf|zip|rar|wps|et|pptx?)$", re.IGNORECASE)
_ATTACHMENT_LABEL_RE = re.compile(r"^(?:附\s*件\s*[（(]下载[）)]\s*[:：]|附\s*件\s*(?:(?:[一二三四五六七八九十]{1,3}|[0-9０-９]+)\s*[、.．]?)?\s*[:：]?|附\s*[:：]|[（(]附件[0-9０-９]*[）)])\s*")
_ATTACHMENT_ITEM_RE = re.compile(r"^(?:[0-9０-９]{1,2}\s*[.．、:：]|[（(][0-9０-９]{1,2}[）)])\s*")


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
        wrapped = [line.text for line in lines[after + 1:recipients_at]]
        layout.recipients_text = "".join([*wrapped, lines[recipients_at].text])
    if recipients_at is not None:
        layout.body_start = recipients_at + 1
    elif title_end is not None:
        layout.body_start = title_end + 1
    else:
        layout.body_start = layout.header_end + 1  # no title found: the body follows the header
    _read_closing(lines, layout, page_dates)
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
                and not _ATTACHMENT_NOTE_RE.match(text) and _number_line(text) is None
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
            layout.issuer_mark = mark
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
            if _organ_like(text) and "关于" not in text:
                layout.organ_line = text
    first = no_spaces(lines[title_run[0]].text)
    if (len(title_run) == 2 and _organ_like(first) and not _KIND_AT_END_RE.search(first)
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
    if re.search("[，。：:、；]", text):
        return None
    names = text.strip()[:-2].strip() if text.strip().endswith("文件") else no_spaces(text)[:-2]
    return _names(names)


def _organ_like(text: str) -> bool:
    """A short line naming an organ: no sentence punctuation, ends with a unit word."""
    return (0 < width(text) <= 30 and not re.search("[，。；：:,]", text)
            and bool(HAN_RE.search(text)) and is_unit_name(text.split()[-1])
            and not HEADING_RE.match(text))


def _looks_like_recipients(text: str) -> bool:
    entries = split_recipients(text)
    return (bool(entries) and width(text) <= 120 and not re.search("[。；]", text)
            and not HEADING_RE.match(text) and all(is_unit_name(e) for e in entries))


def _joined(lines: list[Line], indices: list[int]) -> str:
    return close_up("".join(lines[i].text for i in indices))


# --- 附件说明, 署名, 成文日期, 版记 -----------------------------------------------------------------


def _read_closing(lines: list[Line], layout: Layout, page_dates: tuple[dt.date, ...] = ()) -> None:
    start = layout.body_start
    imprint = next((i for i in range(start, len(lines)) if _is_imprint(lines[i].text)), len(lines))
    if _split_signature_and_date(lines, max(start, imprint - 3), imprint):
        imprint += 1
    date_at = next((i for i in range(start, imprint) if parse_date(lines[i].text)), None)
    if date_at is not None:
        layout.date = parse_date(lines[date_at].text)
    else:
        date_at = _glued_date_line(lines, max(start, imprint - 4), imprint, layout, page_dates)
    if date_at is None and start < imprint and _CUT_DATE_RE.match(lines[imprint - 1].text):
        date_at = imprint - 1  # "2021": the page cut the date; the 署名 above it still signs
        layout.uncertain.add("date")
    end = date_at if date_at is not None else imprint
    signature_start = end
    while (signature_start - 1 >= start and end - signature_start < 3
           and _signature_like(lines[signature_start - 1].text)):
        signature_start -= 1
    if date_at is None and not _signs_for(lines[signature_start:end], layout.issuer_mark):
        # No date under it (a copy cut off after the 署名): an organ's name alone on the last
        # line, after a finished sentence, still signs; anything else does not.
        closes = (end - signature_start == 1 and end == len(lines) and signature_start > start
                  and ends_sentence(lines[signature_start - 1].text))
        if closes:
            layout.uncertain.add("issuer")
        else:
            signature_start = end
    layout.signature_lines = [lines[i].text for i in range(signature_start, end)]
    layout.date_line = lines[date_at].text if date_at is not None else None
    note_at = next((i for i in range(signature_start - 1, start - 1, -1)
                    if _ATTACHMENT_NOTE_RE.match(lines[i].text)), None)
    if note_at is not None and any(_prose(lines[i].text) for i in range(note_at + 1, signature_start)):
        note_at = None  # "附件…" opened a paragraph of the body, not the list of attachments
    while (note_at is not None and note_at - 1 >= start
           and _ATTACHMENT_NOTE_RE.match(lines[note_at - 1].text)
           and not ends_sentence(lines[note_at - 1].text)):
        note_at -= 1  # each 附件 on a line of its own, each with its label
    layout.body_end = note_at if note_at is not None else signature_start
    if note_at is not None:
        # A contact line ends the list ("联系人:…" after the last 附件 is no part of its name).
        list_end = next((i for i in range(note_at + 1, signature_start)
                         if CONTACT_RE.match(lines[i].text)), signature_start)
        layout.attachment_lines = [lines[i].text for i in range(note_at, list_end)]
    elif date_at is not None:
        layout.attachment_lines = _attachments_after(lines, date_at + 1, imprint)
    # "印发机关" may stand on its own line above "2019年12月20日印发".
    above = lines[imprint - 1].text if start < imprint <= len(lines) - 1 else None
    _read_imprint(lines[imprint:], layout, above if above and _organ_like(above) else None)


# "校消防安全管理办公室 2013年11月7日": the 署名 and the date on one line, spaces between.
_SIGNED_AND_DATED_RE = re.compile(r"^(?P<organ>\S[^，,。；;：:]{1,40}?)\s+(?P<date>\S{6,16})$")
# "东莞市某局2016年4月20日": a page that lost the line break between the 署名 and its date.
_GLUED_SIGNED_RE = re.compile(r"^(?P<organ>[^，,。；;：:0-9０-９]{2,40}?)\s*"
                              r"(?P<date>(?:[0-9０-９]{4}|[〇○OΟ零一二三四五六七八九]{4})\s*年.{2,12}[日号])$")


def _split_signature_and_date(lines: list[Line], start: int, end: int) -> bool:
    """Split the last such line into its 署名 and its date (in place); whether one was split."""
    for index in range(end - 1, start - 1, -1):
        match = (_SIGNED_AND_DATED_RE.match(lines[index].text)
                 or _GLUED_SIGNED_RE.match(lines[index].text))
        if (match and parse_date(match["date"]) and parse_date(lines[index].text) is None
                and _organ_like(no_spaces(match["organ"]))):
            lines[index:index + 1] = [Line(match["organ"].strip(), lines[index].indented),
                                      Line(match["date"], lines[index].indented)]
            return True
    return False


def _prose(text: str) -> bool:
    """A sentence of the body, not an attachment's name (which may end in a stray 。)."""
    return ends_sentence(text) and (width(text) > 40 or re.search("[，,；;]", text) is not None)


def _glued_date_line(lines: list[Line], start: int, end: int, layout: Layout,
                     page_dates: tuple[dt.date, ...]) -> int | None:
    """A date line whose 年 and 月 the page lost ("2021429"): read when it has one reading, or
    when the page's own date is one of its readings; else the line is the date, unread."""
    for index in range(end - 1, start - 1, -1):
        readings = glued_dates(lines[index].text)
        if not readings:
            continue
        # A page prints a notice on its date or within weeks after it: of two readings, the one
        # in the month up to one of the page's dates is the notice's.
        chosen = [day for day in readings if any(0 <= (page - day).days <= 31 for page in page_dates)] \
            if len(readings) > 1 else readings
        layout.date = chosen[0] if len(chosen) == 1 else None
        layout.uncertain.add("date")
        return index
    return None


def _attachments_after(lines: list[Line], start: int, end: int) -> list[str]:
    """A list of attachments printed after the date (web pages do): its label first, then items
    — numbered, file names, or a name after a bare number — and nothing else."""
    if start >= end or not _ATTACHMENT_NOTE_RE.match(lines[start].text):
        return []
    found = [lines[start].text]
    after_number = False
    for line in lines[start + 1:min(end, start + 12)]:
        text = line.text
        bare_number = re.fullmatch(r"[0-9０-９]{1,2}\s*[.．、]?", text) is not None
        if not (bare_number or after_number or _ATTACHMENT_NOTE_RE.match(text)
                or _ATTACHMENT_ITEM_RE.match(text) or _FILE_NAME_RE.search(text)):
            break
        found.append(text)
        after_number = bare_number
    return found


def _is_imprint(text: str) -> bool:
    return bool(_COPY_LABEL_RE.match(text) or text.startswith("主题词") or _printed(text))


_COPIES_RE = re.compile(r"\s*[（(]?共印\s*[0-9０-９]+\s*份[）)]?\s*$")
# A date the page cut to its year ("2021", "2021年"): the date line is there, unreadable.
_CUT_DATE_RE = re.compile(r"^(?:(?:19|20)[0-9]{2}|[〇○O零一二三四五六七八九]{4})\s*(?:年\s*(?:[0-9]{1,2}\s*月?)?)?$")


def _printed(text: str) -> tuple[str, str] | None:
    # An 印发 line is short and ends with 印发 (and maybe the copies printed); checking that
    # first keeps long lines cheap.
    text = _COPIES_RE.sub("", text) if "共印" in text[-12:] else text
    if len(text) > 80 or not no_spaces(text[-6:]).endswith("印发"):
        return None
    match = _PRINTED_RE.match(text)
    if match is None or find_date(match["date"]) is None:
        return None
    return no_spaces(match["org"]), match["date"]


def _signature_like(text: str) -> bool:
    """A 署名 line: an organ name (or several, spaced), no punctuation, not 特此通知 or a heading."""
    return (_organ_like(text) and not text.startswith("特此") and not HEADING_RE.match(text)
            and not _ATTACHMENT_NOTE_RE.match(text) and not _ATTACHMENT_ITEM_RE.match(text)
            and not ends_sentence(text))


def _signs_for(lines: list[Line], mark: str | None) -> bool:
    names = no_spaces("".join(line.text for line in lines))
    return bool(names) and mark is not None and names == no_spaces(mark.replace("、", ""))


def _read_imprint(lines: list[Line], layout: Layout, above: str | None) -> None:
    """抄送 (possibly over several lines) and the 印发 line (organ and date, maybe on two lines)."""
    in_copy, pending = False, above
    for line in lines:
        text = line.text
        printed = _printed(text)
        if printed:
            org, date_text = printed
            layout.printed_by = org or (no_spaces(pending) if pending else None)
            layout.print_date_text = date_text
            in_copy = False
        elif _COPY_LABEL_RE.match(text):
            layout.cc_text.append(text)
            in_copy = not ends_sentence(text)
        elif in_copy:
            layout.cc_text[-1] += text
            in_copy = not ends_sentence(text)
        else:
            pending = text


def attachment_names(lines: list[str]) -> list[str]:
    """The names in a 附件说明: "附件：1.××" then "2.××" … (a long name may wrap to a next line);
    each line may carry its own label ("附件1：××", "（附件2）××"), and a number may stand on a
    line of its own before its name."""
    names: list[str] = []
    starts_item = True
    for line in lines:
        label = _ATTACHMENT_LABEL_RE.match(line)
        piece = line[label.end():] if label else line
        starts_item = starts_item or bool(label)
        if re.fullmatch(r"\s*[0-9０-９]{1,2}\s*[.．、]?\s*", piece):
            starts_item = True  # the number alone: its name follows on the next line
            continue
        # Several items on one line: "1.甲 2.乙".
        for item in re.split(r"\s+(?=[0-9０-９]{1,2}\s*[.．、])", piece.strip()):
            if not item:
                continue
            marker = _ATTACHMENT_ITEM_RE.match(item)
            if marker or starts_item or not names:
                names.append(item[marker.end():] if marker else item)
            else:
                names[-1] += item  # the rest of a wrapped name
            # A name closed by 。, 》 or a file's extension is whole: the next line is another.
            starts_item = bool(re.search(r"(?:[。》]|\.[A-Za-z]{2,4})\s*$", item))
    # A file's extension is no part of the attachment's name ("统计表.xls" is the 统计表).
    names = [_FILE_NAME_RE.sub("", close_up(name)).rstrip("。.；;，,") for name in names]
    return [name for name in names if name]
