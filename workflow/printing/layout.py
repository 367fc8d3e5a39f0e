"""The print model of a notice: every text a GB/T 9704-2012 page carries, in the order it is printed.

Owns: turning a loaded `Notice` (with its issuer, addressees and attachments) into a
`PrintedNotice` — plain strings and tuples, no ORM rows — that the HTML, PDF and DOCX writers only
lay out. Here is decided what is printed and how it reads: the 发文机关标志 (the issuer's full name +
文件), the 发文字号, the 签发人 (上行文 only, 条例第九条), the title broken into balanced lines, the
主送 and 抄送 lines, the body's paragraphs with their heading levels (一、 （一） 1. （1）), the 附件说明,
署名 and 成文日期 (Arabic numerals, 2015年8月11日, as GB/T 9704-2012 writes them), the 版记, the seal
(only the issuer's own configured image, never a stand-in) and the mark of a draft, which has no
number yet; and what a 转发 carries as its first 附件: the notice it forwards, laid out as that
notice was issued, with its label (附件) on its first page.

Must not: query the database, reword the body (paragraphs are split and classified, never
changed), or invent what the notice does not hold: a field it lacks is printed as absent.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from workflow.checks import document_names
from workflow.deadlines import chinese_date
from workflow.states import Direction, Urgency

# GB/T 9704 §5.2.2: the 版心 is 156 mm wide; the title is 2号 (22 pt) 小标宋.
TYPE_AREA_WIDTH_MM = 156.0
TITLE_SIZE_PT = 22.0
MM_PER_PT = 25.4 / 72
TITLE_CHARS_PER_LINE = int(TYPE_AREA_WIDTH_MM / (TITLE_SIZE_PT * MM_PER_PT))  # 20

# The four heading levels of GB/T 9704 §7.3.3, and "1、", which people type for the third.
_HEADINGS = (
    (1, re.compile(r"^[一二三四五六七八九十百]+、")),
    (2, re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")),
    (3, re.compile(r"^[0-9０-９]{1,2}[.．、](?![0-9０-９])")),
    (4, re.compile(r"^[（(][0-9０-９]{1,2}[）)]")),
)
# A heading followed by its text in one paragraph ("1.认真组织学习。要…"): the heading runs to the
# first sentence end; without one the whole paragraph is the heading.
_SENTENCE_END = re.compile(r"[。！？]")
# The 附件说明 as the drafter typed it at the end of the body: "附件：1.…" and "2.…" lines.
_ATTACHMENT_HEAD = re.compile(r"^附\s*件\s*[：:]")
_ATTACHMENT_ITEM = re.compile(r"^[0-9]{1,2}\s*[.．、]")
# Where a title may break: after these characters, or before those (a word stays whole).
_BREAK_AFTER = "于的、，和及与年》”）"
_BREAK_BEFORE = "《“（"
_WORD_SPLIT_PENALTY = 6
# 发文机关标志: the height of its characters; a long name is narrowed to fit the 版心.
ISSUER_MARK_HEIGHT_MM = 17.0
ISSUER_MARK_MAX_WIDTH_MM = 150.0
DATE_RIGHT_CHARS = 4


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the body: its heading level (0: plain text) and its heading part."""

    level: int
    lead: str  # the heading, printed in the level's font ("" for plain text)
    rest: str  # what follows it in the same paragraph

    @property
    def text(self) -> str:
        return self.lead + self.rest


@dataclass(frozen=True)
class PrintedNotice:
    """Everything printed on the paper of one notice, top to bottom (GB/T 9704-2012 §7)."""

    notice_id: int
    marks: tuple[str, ...]  # 份号, 密级, 紧急程度: top left; Gongwen holds only the 紧急程度
    issuer_mark: str  # 发文机关标志, e.g. 哈尔滨市妇女联合会文件
    issuer_mark_scale: float  # horizontal scale that fits the 标志 into the 版心 (≤ 1)
    doc_number: str | None  # None: not registered yet
    signatory: str | None  # 签发人, printed on 上行文 only
    upward: bool  # 上行文: the number goes left, the 签发人 right
    title: str
    title_lines: tuple[str, ...]
    main_line: str | None  # 主送, ending in a full-width colon
    paragraphs: tuple[Paragraph, ...]
    attachment_lines: tuple[str, ...]  # 附件说明: "附件：1.…", then "2.…" aligned under "1."
    signer: str  # 发文机关署名
    date: str | None  # 成文日期, e.g. 2015年8月11日; None before sign-off
    seal_png: bytes | None  # the issuer's configured seal; None: no seal and no placeholder
    cc_line: str | None  # 抄送：…。
    printed_by: str  # 印发机关
    print_date: str | None  # e.g. 2015年8月11日印发; None before issue
    watermark: str | None  # 草稿 (no number yet), 已撤销 or 已废止
    # The 正式文件's verification page, printed as a QR code in the 版记 (None: no code).
    verify_url: str | None = None
    # Printed above the sheet of a copy that is not the 正式文件 (the print view, the Word file).
    copy_note: str | None = None
    # A document printed as another's 附件: its label (附件, 附件1) at the top left of its first
    # page (GB/T 9704 §8), in the place of the 份号, 密级 and 紧急程度, above them.
    annex_label: str | None = None
    # The documents printed after this one as its 附件, each on pages of its own: a 转发 carries
    # the notice it forwards as issued (its 标志, 发文字号 and body), never copied into its body.
    annexes: tuple[PrintedNotice, ...] = ()

    @property
    def filename_stem(self) -> str:
        """A file name for downloads: the 发文字号, or the draft's id."""
        return self.doc_number or f"草稿-{self.notice_id}"

    @property
    def texts(self) -> list[str]:
        """Every printed text in reading order (the writers print exactly these)."""
        lines = [*self.marks, self.issuer_mark]
        if self.doc_number:
            lines.append(self.doc_number)
        if self.signatory:
            lines.append(f"签发人：{self.signatory}")
        lines += [*self.title_lines]
        if self.main_line:
            lines.append(self.main_line)
        lines += [p.text for p in self.paragraphs]
        lines += [*self.attachment_lines, self.signer]
        if self.date:
            lines.append(self.date)
        if self.cc_line:
            lines.append(self.cc_line)
        lines.append(self.printed_by)
        if self.print_date:
            lines.append(self.print_date)
        return lines


# A 转发 of a 转发 … carries its chain of sources, each inside the one after it; no chain is
# longer than the federation is deep (转发 only goes down, and never in a circle).
MAX_ANNEX_DEPTH = 8


def layout(notice, *, _depth: int = 0) -> PrintedNotice:
    """The print model of a loaded notice (issuer, addressees and attachments reachable); a
    转发's source comes along as its first 附件."""
    issuer = notice.issuer
    body_lines = [line.strip() for line in (notice.body or "").splitlines() if line.strip()]
    body_lines, typed_attachments = _split_attachment_note(body_lines)
    upward = notice.direction == Direction.UPWARD
    mark = f"{issuer.name}文件"
    return PrintedNotice(
        notice_id=notice.id,
        marks=(notice.urgency.label,) if notice.urgency != Urgency.NORMAL else (),
        issuer_mark=mark,
        issuer_mark_scale=issuer_mark_scale(mark),
        doc_number=notice.doc_number,
        signatory=(notice.signatory.display_name if upward and notice.signatory else None),
        upward=upward,
        title=notice.title,
        title_lines=tuple(title_lines(notice.title)),
        main_line=_recipient_line(notice.main_addressees, "："),
        paragraphs=tuple(paragraph(line) for line in body_lines),
        attachment_lines=typed_attachments or _attachment_note(
            _forwarded(notice) + document_names(a.filename for a in notice.attachments)),
        signer=issuer.name,
        date=chinese_date(notice.signed_on) if notice.signed_on else None,
        seal_png=issuer.seal_png or None,
        cc_line=("抄送：" + _recipient_line(notice.cc_addressees, "。")
                 if notice.cc_addressees else None),
        printed_by=issuer.name,
        print_date=f"{chinese_date(notice.issued_on)}印发" if notice.issued_on else None,
        watermark=_watermark(notice),
        annexes=_forwarded_annex(notice, _depth),
    )


def paragraph(text: str) -> Paragraph:
    """A body paragraph with its heading level (GB/T 9704 §7.3.3) and the heading's extent."""
    for level, pattern in _HEADINGS:
        if pattern.match(text):
            end = _SENTENCE_END.search(text)
            cut = end.end() if end else len(text)
            return Paragraph(level, text[:cut], text[cut:])
    return Paragraph(0, "", text)


def issuer_mark_scale(mark: str) -> float:
    """How much the 标志's characters are narrowed so that the whole name fits the 版心."""
    natural = len(mark) * ISSUER_MARK_HEIGHT_MM
    return round(min(1.0, ISSUER_MARK_MAX_WIDTH_MM / natural), 3) if natural else 1.0


def title_lines(title: str, per_line: float = TITLE_CHARS_PER_LINE) -> list[str]:
    """The title in as few lines as fit, of balanced length, broken between words if possible.

    GB/T 9704 §7.3.1: a title over several lines keeps its words whole and is laid out as a
    trapezoid or a diamond. Without a dictionary, a break after 关于/的/年/、 or before 《 counts
    as between words; a break elsewhere costs as much as six characters of imbalance. Widths are
    in characters, Arabic digits counting half.
    """
    title = title.strip()
    total = text_width(title)
    if total <= per_line:
        return [title]
    count = math.ceil(total / per_line)
    while True:  # one more line when no balanced cut fits (a long word at the wrong place)
        lines = _balanced_lines(title, count, per_line)
        if lines is not None:
            return lines
        count += 1


def _balanced_lines(title: str, count: int, per_line: float) -> list[str] | None:
    """The cut into `count` lines of at most `per_line` that is cheapest, or None."""
    n = len(title)
    prefix = [0.0]
    for ch in title:
        prefix.append(prefix[-1] + text_width(ch))
    target = prefix[n] / count
    # best[k][i]: (cost, cuts) of title[:i] in k lines.
    best: list[dict[int, tuple[float, list[int]]]] = [{0: (0.0, [])}] + [{} for _ in range(count)]
    for k in range(1, count + 1):
        for i in range(1, n + 1):
            if k == count and i != n:
                continue
            for j, (cost, cuts) in best[k - 1].items():
                width = prefix[i] - prefix[j]
                if j >= i or width > per_line:
                    continue
                line_cost = abs(width - target)
                if i < n and not _between_words(title, i):
                    line_cost += _WORD_SPLIT_PENALTY
                if i not in best[k] or cost + line_cost < best[k][i][0]:
                    best[k][i] = (cost + line_cost, [*cuts, i])
    if n not in best[count]:
        return None
    bounds = [0, *best[count][n][1]]
    return [title[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _between_words(title: str, cut: int) -> bool:
    before, after = title[cut - 1], title[cut]
    if before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
        return False
    return (before in _BREAK_AFTER or after in _BREAK_BEFORE
            or title[cut - 2:cut] == "关于" or title[cut:cut + 2] == "关于")


def text_width(text: str) -> float:
    """Width in characters of the body's size: ASCII letters, digits and spaces count half."""
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


def signature_indents(signer: str, date: str | None) -> tuple[float, float]:
    """Right indents, in characters, of the 署名 and the 成文日期 (GB/T 9704 §7.3.5.1).

    The date stands four characters from the right; the 署名 is centred on the date, and when it
    is too long for that, it stops at the right edge of the 版心.
    """
    date_right = DATE_RIGHT_CHARS
    date_width = text_width(date) if date else text_width("2000年10月10日")
    signer_right = date_right + date_width / 2 - text_width(signer) / 2
    return max(0.0, signer_right), float(date_right)


def _recipient_line(addressees, end: str) -> str | None:
    """Names as the notice records them: units of a run joined by 、, groups set off by ，."""
    if not addressees:
        return None
    text = ""
    for index, addressee in enumerate(addressees):
        if index:
            both_units = addressee.group is None and addressees[index - 1].group is None
            text += "、" if both_units else "，"
        text += addressee.name
    return text + end


def _split_attachment_note(lines: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """The body without a 附件说明 typed at its end, and that note's lines."""
    for index, line in enumerate(lines):
        if _ATTACHMENT_HEAD.match(line) and all(
                _ATTACHMENT_ITEM.match(rest) for rest in lines[index + 1:]):
            return lines[:index], tuple(lines[index:])
    return lines, ()


def _forwarded(notice) -> list[str]:
    """A 转发's first 附件: the forwarded document as issued, its 发文字号 intact."""
    source = notice.forwards
    if source is None:
        return []
    return [f"{source.title}（{source.doc_number}）" if source.doc_number else source.title]


def _forwarded_annex(notice, depth: int) -> tuple[PrintedNotice, ...]:
    """The source of a 转发, laid out as it was issued, labelled as the 转发's first 附件 (附件1
    when the 附件说明 is numbered, i.e. more than one 附件)."""
    source = notice.forwards
    if source is None or depth >= MAX_ANNEX_DEPTH:
        return ()
    label = "附件1" if notice.attachments else "附件"
    return (replace(layout(source, _depth=depth + 1), annex_label=label),)


def _attachment_note(names: list[str]) -> tuple[str, ...]:
    """附件说明 from the attachments' names: "附件：名称", or numbered "附件：1.名称" lines."""
    if not names:
        return ()
    if len(names) == 1:
        return (f"附件：{names[0]}",)
    return (f"附件：1.{names[0]}", *(f"{i}.{name}" for i, name in enumerate(names[1:], 2)))


def _watermark(notice) -> str | None:
    # The fields, not the state: an archived notice that was revoked stays marked.
    if notice.ended_at is not None:
        return "已撤销" if notice.void_from_start else "已废止"
    if notice.doc_number is None:
        return "草稿"
    return None
