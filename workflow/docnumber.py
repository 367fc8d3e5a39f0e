"""发文字号 (document numbers): formatting, parsing and finding them in text.

Owns: the one canonical written form of a document number, GB/T 9704-2012 §7.2.5 —
机关代字 + the full year in 六角括号 〔〕 + the serial without leading zeros and without 第 + 号,
e.g. 哈妇发〔2015〕9号 — and the tolerant reading of the variants people actually type.

Must not: touch the database, allocate serials or know who may number what (that is numbering's
job). Everything here is a pure function of its arguments; it imports only the standard library
and `workflow.errors`. Every refusal is an `InvalidInput` whose message is Chinese, for users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflow.errors import InvalidInput

# Han characters: the unified block, extension A, the compatibility block, 〇, and the
# supplementary planes (extensions B and later), since a 机关代字 may use a rare character.
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CODE_CHARS = _HAN + "A-Za-z0-9"

# Year brackets seen in real documents. Only 〔〕 is correct; the rest are typing substitutes.
_OPEN = "〔[［(（【﹝〖"
_CLOSE = "〕]］)）】﹞〗"

# Full-width digits and Latin letters become ASCII. This is a one-to-one character mapping, so
# positions in a text do not move. (Not NFKC: that would also rewrite CJK compatibility
# ideographs inside a 机关代字.)
_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９"
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
    "0123456789"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "abcdefghijklmnopqrstuvwxyz",
)

_CODE_RE = re.compile(f"[{_CODE_CHARS}]+")

# parse_number works on text with every whitespace character already removed. The year is taken
# as any run of digits so that a short year gets its own message instead of "unrecognised".
# Any opening bracket may pair with any closing one: 〔2016) is a typo, not a different number.
_PARSE_RE = re.compile(
    f"(?P<code>[{_CODE_CHARS}]+)"
    f"[{re.escape(_OPEN)}](?P<year>[0-9]+)[{re.escape(_CLOSE)}]"
    "第?(?P<serial>[0-9]+)号?"
)

# find_numbers works on running text, so it is stricter than parse_number:
# - the code is the run of Han characters (2-10 of them; of a longer run, the last 10) right
#   before the bracket. Letters and digits are left out, since there they are too often the end
#   of the preceding sentence ("附件2", "表A"); so 国科发SZ〔2020〕1号 is not found in a text;
# - no spaces inside the code, since a space-separated word before it would be glued on;
# - the year is exactly four digits and 号 is required, so "（2016）年度" or "[2016]12" in a
#   sentence are not taken for numbers.
# Spaces remain allowed around the brackets, after 第 and before 号.
_FIND_RE = re.compile(
    f"(?P<code>[{_HAN}]{{2,10}})"
    rf"\s*[{re.escape(_OPEN)}]\s*(?P<year>[0-9]{{4}})\s*[{re.escape(_CLOSE)}]"
    r"\s*(?:第\s*)?(?P<serial>[0-9]+)\s*号"
)

# Running text has no spaces between words, so the Han run before a bracket may carry the end of
# the sentence with it ("根据中办发〔2012〕14号"). These words introduce a citation and do not occur
# in a 机关代字, so the code is taken to start after the last of them. Only words of two or more
# characters: a single character such as 经 or 市 may well begin a real code (哈经信发, 市府发).
_LEAD_INS = (
    "根据", "按照", "依据", "依照", "参照", "遵照", "对照", "参见", "详见", "另见", "参阅",
    "贯彻", "落实", "执行", "转发", "印发", "重申",
)
_LEAD_IN_RE = re.compile("|".join(_LEAD_INS))

YEAR_MIN = 1949
YEAR_MAX = 2999
# A unit issues tens to a few thousand documents a year; five digits leave room for any office
# and keep every serial far inside the database's integer (a series opened at 2**63 - 1 made the
# next issue fail with an overflow instead of a refusal).
SERIAL_MAX = 99_999


@dataclass(frozen=True)
class DocNumber:
    """A valid 发文字号: 机关代字, full year and serial. Invalid values raise InvalidInput."""

    code: str
    year: int
    serial: int

    def __post_init__(self) -> None:
        # Validate on construction so that a DocNumber in hand is always printable. The code is
        # stored stripped; object.__setattr__ because the dataclass is frozen.
        object.__setattr__(self, "code", _checked_code(self.code))
        _check_year(self.year)
        _check_serial(self.serial)

    @property
    def normalized(self) -> str:
        """The standard written form, e.g. 哈妇发〔2015〕9号."""
        return format_number(self.code, self.year, self.serial)


def format_number(code: str, year: int, serial: int) -> str:
    """Write a document number in the GB/T 9704-2012 form: 代字〔年份〕序号号."""
    code = _checked_code(code)
    _check_year(year)
    _check_serial(serial)
    return f"{code}〔{year}〕{serial}号"


def parse_number(text: str) -> DocNumber:
    """Read one document number in any common variant and return it normalized."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("发文字号不能为空")
    # Spaces carry no meaning anywhere in a number (a code may be letter-spaced: 哈 妇 发), so
    # remove all of them, full-width ones included, before matching.
    compact = "".join(text.translate(_FULL_WIDTH).split())
    match = _PARSE_RE.fullmatch(compact)
    if match is None:
        raise InvalidInput(f"无法识别的发文字号：{text.strip()}")
    year_digits = match["year"]
    if len(year_digits) == 2:
        # The standard requires the full year; guessing the century (98 -> 1998?) would invent data.
        raise InvalidInput(f"发文字号的年份须写全四位（如 2016），不能简写为两位：{text.strip()}")
    if len(year_digits) != 4:
        raise InvalidInput(f"发文字号的年份必须是四位数字：{text.strip()}")
    # int() drops leading zeros (09 -> 9); a serial of all zeros is refused by DocNumber.
    return DocNumber(match["code"], int(year_digits), int(match["serial"]))


def find_numbers(text: str) -> list[DocNumber]:
    """Every document number cited in a longer text, in order of appearance, repeats included."""
    if not isinstance(text, str):
        raise InvalidInput("要查找发文字号的内容必须是文本")
    found = []
    for match in _FIND_RE.finditer(text.translate(_FULL_WIDTH)):
        code = _without_lead_in(match["code"])
        try:
            found.append(DocNumber(code, int(match["year"]), int(match["serial"])))
        except InvalidInput:
            # Looks like a number but cannot be one (year 1900, serial 0): not a citation.
            continue
    return found


def _without_lead_in(code: str) -> str:
    """What follows the last citation word (根据, 按照 …) in the run, if two characters remain."""
    cut = max((m.end() for m in _LEAD_IN_RE.finditer(code)), default=0)
    return code[cut:] if len(code) - cut >= 2 else code


def _checked_code(code: str) -> str:
    """The stripped code, or InvalidInput if it is empty or has other than Han/letters/digits."""
    if not isinstance(code, str) or not code.strip():
        raise InvalidInput("发文字号的机关代字不能为空")
    code = code.strip()
    if not _CODE_RE.fullmatch(code):
        raise InvalidInput(f"发文字号的机关代字只能由汉字、字母和数字组成，不能含括号或空格：{code}")
    return code


def _check_year(year: int) -> None:
    """InvalidInput unless year is an int in YEAR_MIN..YEAR_MAX (always four digits)."""
    # bool is an int subclass; True is not a year.
    if not isinstance(year, int) or isinstance(year, bool):
        raise InvalidInput("发文字号的年份必须是四位整数")
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise InvalidInput(f"发文字号的年份须写全四位，且在 {YEAR_MIN} 至 {YEAR_MAX} 之间：{year}")


def _check_serial(serial: int) -> None:
    """InvalidInput unless serial is an int in 1..SERIAL_MAX."""
    if not isinstance(serial, int) or isinstance(serial, bool) or not 1 <= serial <= SERIAL_MAX:
        raise InvalidInput(f"发文字号的顺序号必须是 1 至 {SERIAL_MAX} 之间的整数")
