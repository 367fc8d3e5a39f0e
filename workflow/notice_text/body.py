"""The 正文 as paragraphs: the lines PDF extraction broke up, joined back.

Owns: deciding where a paragraph ends. Extracted text comes in two shapes. Either each paragraph
is one line, broken only where a page ended ("…情况上" / "报市妇联。") — then a line ends its
paragraph when it ends a sentence, or when it is a heading ("一、…") that ends without a comma.
Or the text is hard-wrapped at the printed line width (about 28 characters, GB/T 9704) — then a
line ends its paragraph when it is shorter than the full width, or ends a sentence and the next
line is indented. (A Word file's text is neither: each line is a paragraph, kept as written.)
Page numbers are already gone (`text.to_lines`). Must not: reword anything;
only spaces that PDF extraction put into hard-wrapped lines are removed — a page's own spaces, in
text with a paragraph per line, are kept (full-width ones too).
"""

from __future__ import annotations

import re

from workflow.notice_text.text import Line, close_up, ends_sentence, width

# Headings of the four levels (GB/T 9704 §7.3.3): 一、 （一） 1. （1）, and 1、 which people type.
HEADING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]"
    r"|[0-9]{1,2}\s*[.．、]|[（(][0-9]{1,2}[）)]|第[一二三四五六七八九十百]+[条章节])"
)

# How much shorter than the full width a line may be and still count as full (punctuation
# compression and half-width digits make full lines differ by a character or so).
_FULL_SLACK = 1.5
_INDENT = 2.0
_DIGIT_SLACK = 1.5


def tidy(lines: list[Line], lines_are_paragraphs: bool = False) -> str:
    """The lines joined into paragraphs, one paragraph per output line. Lines that are already
    paragraphs (a Word file's) are kept as they are written, inner full-width spaces too."""
    if lines_are_paragraphs:
        return "\n".join(line.text for line in lines)
    texts = [close_up(line.text) for line in lines]
    full = _wrap_width(texts)
    if full is None:
        # A paragraph per line (a web page's text): its spaces are the page's own ("联系人:张 婧"),
        # kept; only a PDF's hard-wrapped lines carry extraction's stray spaces.
        texts = [line.text.strip() for line in lines]
    paragraphs: list[str] = []
    current = ""
    for index, text in enumerate(texts):
        first = not current
        current += text
        following = lines[index + 1] if index + 1 < len(lines) else None
        if following is None or _ends_paragraph(current, text, first, following,
                                                texts[index + 1], full):
            paragraphs.append(current)
            current = ""
    return "\n".join(paragraphs)


_CLOSING_RE = re.compile(r"^特此(?:通知|函告|通告|函复|批复|报告|函达)[。！!]?$")
_ENDS_WITH_PHONE_RE = re.compile(r"[0-9]{7,}$")
# A line of its own on web pages: a contact, telephone, mailbox or address ("联系人:周敏 6573").
CONTACT_RE = re.compile(r"^(?:联\s*系\s*人(?:(?:及|和|、)?(?:联系)?(?:电话|方式))?|联系电话|联系方式|电\s*话|邮\s*箱|电子邮箱|"
                        r"地\s*址|传\s*真|邮\s*编)\s*[:：]")


def _ends_paragraph(paragraph: str, text: str, first: bool, following: Line, next_text: str,
                    full: float | None) -> bool:
    next_is_heading = bool(HEADING_RE.match(next_text))
    if full is None and (CONTACT_RE.match(text) or CONTACT_RE.match(next_text)
                         or _CLOSING_RE.match(next_text) or _ENDS_WITH_PHONE_RE.search(text)):
        return True  # "档案管理科:82288090" / "特此通知。": lines of their own on web copies
    if full is None and following.indented and not text.endswith(("，", ",", "、", "：", ":", "（", "(")):
        # A paragraph a line whose end lost its 。 ("地点定于院楼B103"): the next line's indent
        # starts a paragraph (a line broken at a page's end goes on unindented).
        return True
    if full is not None:
        # Hard-wrapped: only the last line of a paragraph falls short of the full width. The
        # first line is indented two characters, and Arabic digits, counted half, are spread
        # out by justification, so a line is short only by more than that.
        slack = _FULL_SLACK + (_INDENT + _DIGIT_SLACK if first else _DIGIT_SLACK)
        short = width(text) < full - slack
        if ends_sentence(text):
            return short or following.indented or next_is_heading
        return width(text) < full * 0.75 or (short and next_is_heading)
    if (first and len(text) <= 10 and not re.search(r"[，,。；;：:、（(）)0-9０-９]", text)
            and not text.startswith(("请", "各", "于", "在", "将"))):
        return True  # "报送时间和方式": a heading without a number, a line of its own
    if ends_sentence(text) or next_is_heading:
        # A heading starts a paragraph of its own: web copies end lines without punctuation.
        return True
    if HEADING_RE.match(paragraph) and not re.search("[。！？；]", paragraph):
        # A heading line carries no final punctuation; one broken after a comma goes on. A
        # heading followed by its text in the same paragraph ("1、认真组织学习。…") is text.
        return not text.endswith(("，", ",", "、"))
    return False


def _wrap_width(texts: list[str]) -> float | None:
    """The printed line width if the text is hard-wrapped, else None (one paragraph per line).

    Hard-wrapped text has many lines of (nearly) the same, greatest width, and most of them stop
    in mid-sentence. Text with a paragraph per line has lines of all lengths that end sentences.
    """
    if len(texts) < 6:
        return None
    widths = sorted(width(t) for t in texts)
    full = widths[int(len(widths) * 0.9) - 1]
    if full > 45:
        return None
    near_full = sum(1 for w in widths if w >= full - _FULL_SLACK - _INDENT - _DIGIT_SLACK)
    mid_sentence = sum(1 for t in texts if not ends_sentence(t))
    if near_full < len(texts) * 0.4 or mid_sentence < len(texts) * 0.4:
        return None
    return full
