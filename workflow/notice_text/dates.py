"""Dates in notices: 成文日期 and 印发日期 lines, and the deadlines of report requests.

Owns: reading a date written in Arabic (2015年8月11日, with the spaces extraction leaves) or Chinese
numerals (二〇一五年八月十一日, with 〇, ○, O or 零 for nought); finding a deadline in a clause
("4月30日前", "11月10日（星期三）中午12:00前", "5月底前") or a vague one ("及时", "随后"); and giving a
deadline without a year its year from the document's date. Must not: guess — a date that does not
exist (2月30日) or a deadline with no year and no document date to take it from gives None.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from workflow.notice_text.text import FULL_WIDTH_DIGITS

# Nought is written 〇 (U+3007, the right one), ○ (a circle), O/o (a letter) or 零; Ο is Greek.
_CN_DIGITS = {"〇": 0, "○": 0, "O": 0, "o": 0, "Ο": 0, "零": 0, "0": 0, "一": 1, "二": 2,
              "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "〇○OoΟ零一二两三四五六七八九十"

_ARABIC_DATE = r"(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*[日号]"
_CHINESE_DATE = (rf"(?P<cy>[{_CN}0-9]{{4}})\s*年\s*(?P<cm>[{_CN}]{{1,2}})\s*月"
                 rf"\s*(?P<cd>[{_CN}廿卅]{{1,3}})\s*[日号]")
# A date written with figures and separators, as a 署名's date on web pages: 2018-5-21, 2019.1.3.
_FIGURES_DATE_RE = re.compile(r"(?P<y>(?:19|20)[0-9]{2})\s*[-./]\s*(?P<m>[0-9]{1,2})\s*[-./]\s*"
                              r"(?P<d>[0-9]{1,2})")
# A date whose 年 and 月 a page lost: 2021429 (2021年4月29日), 2021115 (11月5日 or 1月15日).
_GLUED_DATE_RE = re.compile(r"(?P<y>(?:19|20)[0-9]{2})(?P<md>[0-9]{2,4})日?")
_DATE_RE = re.compile(f"(?:{_ARABIC_DATE}|{_CHINESE_DATE})")

# A deadline: a day (year optional) or a month's end, then optionally the weekday in brackets and a
# time of day, then 前/之前/以前 ("before"). Numerals may be Arabic or Chinese.
_NUM = rf"[0-9{_CN}]{{1,3}}"
_WEEKDAY = r"(?:[（(]\s*(?:星期|周|礼拜)[一二三四五六日天]\s*[）)]|(?:星期|周)[一二三四五六日天])"
_CLOCK = (r"(?:[0-9]{1,2}\s*[:：]\s*[0-9]{2}|[0-9一二三四五六七八九十]{1,3}\s*[时点]"
          r"(?:\s*[0-9]{1,2}\s*分|半|整)?)")
_TIME = rf"(?:(?:上午|中午|下午|晚上|早上|凌晨)\s*{_CLOCK}?|{_CLOCK})"
DEADLINE_RE = re.compile(
    rf"(?:(?P<y>[0-9{_CN}]{{4}})\s*年\s*)?(?P<m>{_NUM})\s*月\s*"
    rf"(?:(?:{_NUM})\s*[日号]?\s*[和、至]\s*)?"  # "12月19日和20日": the last day counts
    rf"(?:(?P<d>{_NUM})\s*[日号]|(?P<end>底|末))"
    rf"(?:\s*{_WEEKDAY})?(?:\s*{_TIME})?\s*(?:下班|下班时间|下班以前)?\s*"
    rf"(?:[（(]\s*含\s*[）)]\s*)?(?:之前|以前|前|截止|止)"
)
# A day given without 前 right before the sending ("于9月20日交", "于3月21日进行申报"), or a
# deadline whose 年 and 月 the page lost ("2018416日前").
DAY_RE = re.compile(
    rf"(?:于|在)\s*(?:(?P<y>[0-9]{{4}})\s*年\s*)?(?P<m>{_NUM})\s*月\s*"
    rf"(?:{_NUM}\s*[日号]\s*[和、]\s*)?(?P<d>{_NUM})\s*[日号](?:\s*{_WEEKDAY})?(?:\s*{_TIME})?"
    rf"(?!\s*(?:至|到|—|-|~|起|开始|召开|举行|举办))")
# ("29日下班前": a day alone, of the month the notice is dated in — see `glued_due`.)
GLUED_DEADLINE_RE = re.compile(r"(?<![0-9月])(?P<y>(?:19|20)[0-9]{2})?(?P<md>[0-9]{1,4})日"
                               r"(?:[^，。；0-9]{0,8}?)(?:之前|以前|前)")
# Requests asked again and again: no single due date ("每季度末", "每月25日前", "每周一").
# "次月10日前" in a monthly report is every month's next month; "每隔一周" every other week.
RECURRING_RE = re.compile(r"每(?:年|个?季度|季|个?月|周|星期|礼拜|天|日|旬|学期)|每隔|次月[0-9一二三四五六七八九十]")
# Deadlines that count from the notice's date.
RELATIVE_RE = re.compile(
    r"(?P<day>今天|今日|当天|明天|明日|后天)|(?P<week>本|下个?|这)?(?:星期|周|礼拜)"
    r"(?P<wd>[一二三四五六日天])|(?:收到|接到|接)(?:本)?通知后\s*(?P<n>[0-9一二三四五六七八九十]{1,3})\s*个?"
    r"(?P<unit>工作日|天|日)")
# Requests that set no day: the unit reports "in time" or "afterwards".
VAGUE_RE = re.compile("及时|随后|尽快|按时|适时|[0-9一二三四五六七八九十]{1,3}个?(?:工作日|天|日)内")


def parse_date(text: str) -> dt.date | None:
    """The date the whole text writes (spaces allowed), or None if it is not exactly one date."""
    plain = "".join(text.translate(FULL_WIDTH_DIGITS).split())
    match = _DATE_RE.fullmatch(plain)
    if match:
        return _date_of(match)
    figures = _FIGURES_DATE_RE.fullmatch(plain)
    if figures:
        return _safe_date(int(figures["y"]), int(figures["m"]), int(figures["d"]))
    return None


def glued_dates(text: str) -> list[dt.date]:
    """The dates a line of figures alone may mean when a page lost its 年 and 月 ("2021429" is
    only 2021-04-29; "2021115" may be 2021-11-05 or 2021-01-15): every valid reading."""
    match = _GLUED_DATE_RE.fullmatch("".join(text.translate(FULL_WIDTH_DIGITS).split()))
    if match is None:
        return []
    year, digits = int(match["y"]), match["md"]
    found = []
    for cut in (1, 2):
        month, day = digits[:cut], digits[cut:]
        date = _safe_date(year, int(month), int(day)) if 1 <= len(day) <= 2 else None
        if date and date not in found:
            found.append(date)
    return found


def find_date(text: str) -> tuple[re.Match, dt.date | None] | None:
    """The first date written in the text (a match on the digit-normalized text) and its value."""
    match = _DATE_RE.search(text.translate(FULL_WIDTH_DIGITS))
    return (match, _date_of(match)) if match else None


def _date_of(match: re.Match) -> dt.date | None:
    if match["y"]:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    else:
        year, month, day = (_cn_year(match["cy"]), _cn_number(match["cm"]),
                            _cn_number(match["cd"]))
    return _safe_date(year, month, day)


def find_deadline(clause: str) -> re.Match | None:
    """The last dated deadline in the clause ("…前"), matched on the digit-normalized text."""
    matches = list(DEADLINE_RE.finditer(clause.translate(FULL_WIDTH_DIGITS)))
    return matches[-1] if matches else None


def relative_due(match: re.Match, doc_date: dt.date | None) -> dt.date | None:
    """The day a relative deadline falls on, counted from the notice's date (None without it):
    今天/明天/后天; a weekday (本周三: the first such day from the date on; 下周三: the Wednesday of
    the calendar week after the notice's);
    收到通知后N个工作日内 (working days, holidays included) or N天内."""
    if doc_date is None:
        return None
    if match["day"]:
        return doc_date + dt.timedelta(days={"今天": 0, "今日": 0, "当天": 0, "明天": 1,
                                             "明日": 1, "后天": 2}[match["day"]])
    if match["wd"]:
        wanted = "一二三四五六日".index(match["wd"].replace("天", "日"))
        if (match["week"] or "").startswith("下"):
            # 下周三: the Wednesday of the calendar week after the notice's.
            return doc_date + dt.timedelta(days=7 - doc_date.weekday() + wanted)
        return doc_date + dt.timedelta(days=(wanted - doc_date.weekday()) % 7)
    n = _number(match["n"])
    if n is None or n > 366:
        return None
    if match["unit"] != "工作日":
        return doc_date + dt.timedelta(days=n)
    from workflow.calendar import package_says  # the holiday calendar, loaded when needed

    day, left = doc_date, n
    while left:
        day += dt.timedelta(days=1)
        left -= package_says(day)
    return day


def day_due(match: re.Match, doc_date: dt.date | None, doc_year: int | None) -> dt.date | None:
    """The day of a DAY_RE match (no 前), its year as for a deadline."""
    return due_date(match, doc_date, doc_year)


def glued_due(match: re.Match, doc_date: dt.date | None = None,
              doc_year: int | None = None) -> dt.date | None:
    """The day of a GLUED_DEADLINE_RE match when its figures have one reading only ("510日" is
    5月10日); without a year, the document's."""
    if not match["y"] and len(match["md"]) <= 2:
        # A day alone ("29日下班前"): that day of the notice's month, or of the next month when
        # the notice is dated after it. Without the notice's date the month is unknown.
        day = int(match["md"])
        if doc_date is None or not 1 <= day <= 31:
            return None
        month_start = doc_date.replace(day=1)
        if day < doc_date.day:
            month_start = (month_start + dt.timedelta(days=32)).replace(day=1)
        return _safe_date(month_start.year, month_start.month, day)
    year = match["y"] or (str(doc_date.year) if doc_date else str(doc_year) if doc_year else None)
    if year is None:
        return None
    readings = glued_dates(year + match["md"])
    return readings[0] if len(readings) == 1 else None


def due_date(deadline: re.Match, doc_date: dt.date | None, doc_year: int | None) -> dt.date | None:
    """The day a deadline falls on.

    A deadline without a year takes the document's year — and the next year when its month is
    already past the month of the document's date (a notice of 20 December asking for 10 January).
    With only the year of the document number to go on, that year is taken as it is.
    """
    month = _number(deadline["m"])
    if deadline["y"]:
        year = _cn_year(deadline["y"])
    elif doc_date is not None:
        year = doc_date.year + (1 if month is not None and month < doc_date.month else 0)
    elif doc_year is not None:
        year = doc_year
    else:
        return None
    if month is None or year is None or not 1 <= month <= 12:
        return None
    if deadline.groupdict().get("end"):
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    day = _number(deadline["d"])
    return _safe_date(year, month, day) if day is not None else None


def deadline_words(deadline: re.Match, clause: str) -> str:
    """The deadline as the text writes it (original characters), spaces closed up."""
    return "".join(clause[deadline.start():deadline.end()].split())


def _safe_date(year: int | None, month: int | None, day: int | None) -> dt.date | None:
    try:
        return dt.date(year, month, day)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else _cn_number(text)


def _cn_year(text: str) -> int | None:
    """A year written digit by digit: 二〇一五 → 2015 (Arabic digits pass through)."""
    if text.isdigit():
        return int(text)
    digits = [_CN_DIGITS.get(ch) for ch in text]
    if None in digits:
        return None
    return int("".join(str(d) for d in digits))


def _cn_number(text: str) -> int | None:
    """A month or day in Chinese numerals: 八 → 8, 十 → 10, 十一 → 11, 二十 → 20, 三十一 → 31."""
    if text[:1] in "廿卅":  # 廿 is twenty, 卅 thirty: 廿九 is 29
        units = _CN_DIGITS.get(text[1:], None) if text[1:] else 0
        return None if units is None else (20 if text[0] == "廿" else 30) + units
    if "十" not in text:
        return _CN_DIGITS.get(text) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    tens_value = _CN_DIGITS.get(tens, None) if tens else 1
    units_value = _CN_DIGITS.get(units, None) if units else 0
    if tens_value is None or units_value is None:
        return None
    return tens_value * 10 + units_value
