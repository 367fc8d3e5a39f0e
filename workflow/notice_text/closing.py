"""The end of a notice (GB/T 9704 §7.3.5–7.4): 附件说明, 署名, 成文日期, 附注 and attached pages,
版记 (抄送, 印发机关和印发日期), read into the `Layout` that `layout` fills from the top.

Owns: where the body ends and what follows it — a 署名 on its own line, spaced, joint, glued to its
date or to the last attachment's file name; a date in Arabic or Chinese numerals, or one a page lost
its 年/月 from (settled by the page's own date); the 附件 listed line by line, labelled each, or
after the date; the 抄送 over several lines and the 印发 line. Must not: guess — what is not where
the layout puts it stays None.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from workflow.notice_text.body import CONTACT_RE, HEADING_RE
from workflow.notice_text.dates import find_date, glued_dates, parse_date
from workflow.notice_text.recipients import is_unit_name
from workflow.notice_text.text import HAN_RE, Line, close_up, ends_sentence, no_spaces, width

if TYPE_CHECKING:
    from workflow.notice_text.layout import Layout

ATTACHMENT_NOTE_RE = re.compile(r"^(?:附\s*件\s*(?:[（(]下载[）)]\s*[:：]|[:：]|[0-9０-９]+\s*[.．:：、]|[一二三四五六七八九十]{1,3}\s*[:：、])|附\s*[:：]|"
                                 r"[（(]附件[0-9０-９]*[）)])")
_FILE_NAME_RE = re.compile(r"\.(?:docx?|xlsx?|pdf|zip|rar|wps|et|pptx?)$", re.IGNORECASE)
_ATTACHMENT_LABEL_RE = re.compile(r"^(?:附\s*件\s*[（(]下载[）)]\s*[:：]|附\s*件\s*(?:(?:[一二三四五六七八九十]{1,3}|[0-9０-９]+)\s*[、.．]?)?\s*[:：]?|附\s*[:：]|[（(]附件[0-9０-９]*[）)])\s*")
_ATTACHMENT_ITEM_RE = re.compile(r"^(?:[0-9０-９]{1,2}\s*[.．、:：]|[（(][0-9０-９]{1,2}[）)])\s*")
_COPY_LABEL_RE = re.compile(r"^(?:抄\s*送|抄\s*报)\s*[:：]?")
_PRINTED_RE = re.compile(r"^(?P<org>.*?)\s*(?P<date>[0-9０-９〇○OΟ零一二三四五六七八九十\s]{4,}年.*?[日号])"
                         r"\s*印\s*发\s*$")


def organ_like(text: str) -> bool:
    """A short line naming an organ: no sentence punctuation, ends with a unit word."""
    return (0 < width(text) <= 30 and not re.search("[，。；：:,]", text)
            and bool(HAN_RE.search(text)) and is_unit_name(text.split()[-1])
            and not HEADING_RE.match(text))


# --- 附件说明, 署名, 成文日期, 版记 -----------------------------------------------------------------


def read_closing(lines: list[Line], layout: Layout, page_dates: tuple[dt.date, ...] = ()) -> None:
    start = layout.body_start
    imprint = next((i for i in range(start, len(lines)) if _is_imprint(lines[i].text)), len(lines))
    if _join_broken_date(lines, max(start, imprint - 3), imprint):
        imprint -= 1
    if _split_signature_and_date(lines, max(start, imprint - 3), imprint):
        imprint += 1
    if _split_last_attachment_and_signature(lines, max(start, imprint - 3), imprint):
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
                    if ATTACHMENT_NOTE_RE.match(lines[i].text)), None)
    if note_at is not None and any(_prose(lines[i].text) for i in range(note_at + 1, signature_start)):
        note_at = None  # "附件…" opened a paragraph of the body, not the list of attachments
    while (note_at is not None and note_at - 1 >= start
           and ATTACHMENT_NOTE_RE.match(lines[note_at - 1].text)
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
    _read_imprint(lines[imprint:], layout, above if above and organ_like(above) else None)


# "校消防安全管理办公室 2013年11月7日": the 署名 and the date on one line, spaces between.
_SIGNED_AND_DATED_RE = re.compile(r"^(?P<organ>\S[^，,。；;：:]{1,40}?)\s+(?P<date>\S{6,16})$")
# "东莞市某局2016年4月20日": a page that lost the line break between the 署名 and its date.
_GLUED_SIGNED_RE = re.compile(r"^(?P<organ>[^，,。；;：:0-9０-９]{2,40}?)\s*"
                              r"(?P<date>(?:[0-9０-９]{4}|[〇○OΟ零一二三四五六七八九]{4})\s*年.{2,12}[日号])$")


# A date broken over two lines: "2024年3月" then "20日".
_DATE_HEAD_RE = re.compile(r"^(?:[0-9０-９]{4}|[〇○OΟ零一二三四五六七八九]{4})\s*年\s*[0-9０-９一二三四五六七八九十]{1,2}\s*月?$")
_DATE_TAIL_RE = re.compile(r"^(?:[0-9０-９一二三四五六七八九十]{1,2}\s*月\s*)?[0-9０-９一二三四五六七八九十廿卅]{1,3}\s*[日号]$")


def _join_broken_date(lines: list[Line], start: int, end: int) -> bool:
    """Join a 成文日期 broken over two lines (in place); whether one was joined."""
    for index in range(start, end - 1):
        joined = lines[index].text + lines[index + 1].text
        if (_DATE_HEAD_RE.match(lines[index].text) and _DATE_TAIL_RE.match(lines[index + 1].text)
                and parse_date(joined)):
            lines[index:index + 2] = [Line(joined, lines[index].indented)]
            return True
    return False


# The last 附件's name run into the 署名 ("2.汇总表校工会" above the date): a name ends with the
# kind of document it is.
_DOCUMENT_END_RE = re.compile(r"(?:表|单|书|方案|办法|细则|名单|通知|目录|说明|清单|指南|材料|汇编|简介)")


def _split_last_attachment_and_signature(lines: list[Line], start: int, end: int) -> bool:
    """Split "<附件 name><organ>" right above the date into the name and the 署名 (in place)."""
    date_at = next((i for i in range(start, end) if parse_date(lines[i].text)), None)
    if date_at is None or date_at == 0:
        return False
    text = lines[date_at - 1].text
    if not (ATTACHMENT_NOTE_RE.match(text) or _ATTACHMENT_ITEM_RE.match(text)) or organ_like(text):
        return False
    for end_of_name in _DOCUMENT_END_RE.finditer(text):
        organ = text[end_of_name.end():].strip()
        if 2 <= len(organ) <= 20 and organ_like(organ) and not _DOCUMENT_END_RE.search(organ):
            lines[date_at - 1:date_at] = [Line(text[:end_of_name.end()], lines[date_at - 1].indented),
                                          Line(organ, lines[date_at - 1].indented)]
            return True
    return False


def _split_signature_and_date(lines: list[Line], start: int, end: int) -> bool:
    """Split the last such line into its 署名 and its date (in place); whether one was split."""
    for index in range(end - 1, start - 1, -1):
        match = (_SIGNED_AND_DATED_RE.match(lines[index].text)
                 or _GLUED_SIGNED_RE.match(lines[index].text))
        if (match and parse_date(match["date"]) and parse_date(lines[index].text) is None
                and organ_like(no_spaces(match["organ"]))):
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
    if start >= end or not ATTACHMENT_NOTE_RE.match(lines[start].text):
        return []
    found = [lines[start].text]
    after_number = False
    for line in lines[start + 1:min(end, start + 12)]:
        text = line.text
        bare_number = re.fullmatch(r"[0-9０-９]{1,2}\s*[.．、]?", text) is not None
        if not (bare_number or after_number or ATTACHMENT_NOTE_RE.match(text)
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
    return (organ_like(text) and not text.startswith("特此") and not HEADING_RE.match(text)
            and not ATTACHMENT_NOTE_RE.match(text) and not _ATTACHMENT_ITEM_RE.match(text)
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
