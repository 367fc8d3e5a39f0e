"""Character-level helpers for notice text: lines as extracted, letter-spacing, spaces, widths.

Owns: turning raw extracted text into a list of `Line`s (blank lines, page numbers and rule lines
dropped, letter-spaced lines closed up) and the small predicates the other parts share (is this a
Han character, how wide is this line on the page, does it end a sentence). Must not: decide what a
line *is* in the notice (that is `layout`), touch the database or import the web layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Han characters (unified, extension A, compatibility, 〇) — what Chinese running text is made of.
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RE = re.compile(f"[{HAN}]")

# Full-width digits become ASCII for matching. One character for one, so spans stay valid.
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９：", "0123456789:")

# Brackets that group words: a "、" inside them does not separate recipients.
OPENING = "（(〔[［【《“‘「『"
CLOSING = "）)〕]］】》”’」』"

# A sentence (or a paragraph) ends with one of these, possibly followed by a closing quote/bracket.
_SENTENCE_END = "。！？!?；;：:…"
_TRAILING_CLOSERS = "”’」』）)】》"

# Page numbers as PDF extraction leaves them: "— 1 —", "-2-", "－ 3 －", "第 4 页", "第4页 共9页",
# or a bare number of up to three digits alone on a line. Rule lines (the red separator, the
# 版记 rules) come out as runs of dashes or underscores.
_PAGE_NUMBER_RE = re.compile(
    r"[-—–－─_~～·\s]*[0-9０-９]{1,3}[-—–－─_~～·\s]*"
    r"|第\s*[0-9０-９]+\s*页(?:\s*[，,/]?\s*共\s*[0-9０-９]+\s*页)?"
)
_RULE_RE = re.compile(r"[-—–－─━_＿=＝~～·*\s]{3,}")

# A letter-spaced line: single Han characters separated by spaces, at least two ("团 委").
# Red headers and signatures are often set this way and come out of a PDF as "哈 尔 滨 市 …";
# two Han characters alone on a line with a space between are never two words of a notice.
_LETTER_SPACED_RE = re.compile(f"(?:[{HAN}][ \\t\u3000\u00a0]+)+[{HAN}]")

_SPACE_RUN_RE = re.compile(r"[ \t\u3000\u00a0\u2002-\u200b]+")


@dataclass(frozen=True)
class Line:
    """One non-empty line of the notice: its text (trimmed) and whether it was indented."""

    text: str
    indented: bool = False


_CLOSING_MARKS = set("：:。；;，,")


def to_lines(text: str) -> list[Line]:
    """The notice's non-empty lines, without page numbers or rules, letter-spacing closed up."""
    # Form feeds mark PDF page breaks; a page break is only a line break for us.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\ufeff", "")
    lines = []
    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped or _PAGE_NUMBER_RE.fullmatch(stripped) or _RULE_RE.fullmatch(stripped):
            continue
        if stripped[-1] in "?？" and stripped[-2:-1] in _CLOSING_MARKS:
            stripped = stripped[:-1]  # "…通知如下:?": a character the page lost, not a question
        if _LETTER_SPACED_RE.fullmatch(stripped):
            stripped = "".join(stripped.split())
        lines.append(Line(stripped, indented=raw[:1].isspace()))
    return lines


def close_up(text: str) -> str:
    """Remove the spaces PDF extraction puts into Chinese text, keeping those between Latin words.

    Chinese running text has no spaces, so a space next to a Han character or full-width mark is an
    artefact ("7月 6日", "2015 年", "群团 工作"); between two ASCII letters or digits it is real
    ("Windows 10").
    """

    def keep(match: re.Match) -> str:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return " " if before.isascii() and after.isascii() and before and after else ""

    return _SPACE_RUN_RE.sub(keep, text).strip()


def no_spaces(text: str) -> str:
    """The text with every space removed (names, numbers and dates carry no spaces)."""
    return "".join(text.split())


def width(text: str) -> float:
    """How much of a printed line the text takes: Han characters and full-width marks 1, ASCII ½."""
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


def ends_sentence(text: str) -> bool:
    """Whether the text ends a sentence: 。！？；： (or …), possibly inside a closing quote."""
    stripped = text.rstrip(_TRAILING_CLOSERS) or text
    return stripped[-1:] in tuple(_SENTENCE_END) or text[-1:] == "…"


# A bracket still open this many characters on was never closed (pages lose closing brackets).
_LONGEST_BRACKET = 80


def split_top_level(text: str, separators: str) -> list[str]:
    """Split at the separators that are not inside brackets or quotes; empty pieces dropped. A
    bracket left open by a damaged page stops counting after `_LONGEST_BRACKET` characters."""
    pieces, depth, current = [], 0, []
    opened = 0
    for index, ch in enumerate(text):
        if depth and index - opened > _LONGEST_BRACKET:
            depth = 0
        if ch in OPENING:
            depth += 1
            opened = index
        elif ch in CLOSING:
            depth = max(0, depth - 1)
        if ch in separators and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return [p.strip() for p in pieces if p.strip()]
