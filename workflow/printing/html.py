"""The print view as one HTML document with its stylesheet inside: for the browser and for WeasyPrint.

Owns: laying the print model out by GB/T 9704-2012 in HTML and CSS (templates/notice.html and
templates/notice.css, package data): A4 with its margins, mirrored on even pages; the 版心 of
156×225 mm with 22 lines of 28 characters; the red 标志 35 mm below the top of the 版心, the
发文字号 two lines below it, the red line 4 mm below that; page numbers "— 1 —" on the outer side;
the 版记 at the foot of the last page, with the QR code of the verification page on a 正式文件;
above the sheet, on a copy that is not the 正式文件, a line saying so. The document is self-contained (the seal, if any, is a
data: URI), so a file written by `notice render --format html` prints the same anywhere.

Fonts. The standard names 方正小标宋, 仿宋_GB2312, 黑体 and 楷体_GB2312, none of them free. Each
stack below names them first, so that a machine that has them uses them, then the open fonts that
stand in, from Debian's fonts-noto-cjk: Noto Serif CJK SC Bold for 小标宋 (a heavy Song face,
the nearest in weight and shape), Noto Serif CJK SC for 仿宋 (a Song face: there is no free 仿宋 in
Debian main, and a serif face keeps the body's character closer than a sans one), Noto Sans CJK SC
for 黑体 (a sans face, as 黑体 is), and for 楷体 AR PL UKai (fonts-arphic-ukai) where installed,
else Noto Serif CJK SC again. The PDF writer narrows these stacks to the fonts fontconfig has.

Must not: decide what is printed (that is `layout`), or load anything from outside the document.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape

from workflow.printing.layout import (
    ISSUER_MARK_HEIGHT_MM,
    TYPE_AREA_WIDTH_MM,
    PrintedNotice,
    signature_indents,
    text_width,
)

# Where the ink of a line of type sits in its box, measured on the rendered pages (Noto CJK):
# the 标志's characters begin this far below the top of their box, and the 发文字号's end this far
# above the bottom of its line.
MARK_INK_TOP_MM = 1.3
NUMBER_INK_BOTTOM_GAP_MM = 2.3
LINE_MM = 225 / 22
BODY_CHAR_MM = (16 - 0.22) * 25.4 / 72  # a character of the body, letter-spacing included
SEAL_MM = 42.0


@dataclass(frozen=True)
class FontStacks:
    """CSS font-family lists (and weights) for the four faces of the standard and for 页码."""

    biaosong: str
    biaosong_weight: int
    fangsong: str
    fangsong_weight: int
    hei: str
    hei_weight: int
    kai: str
    kai_weight: int
    song: str


# Each role: the standard's own fonts first, then the open ones, then a generic family.
FONT_CANDIDATES = {
    "biaosong": (["方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S"],
                 ["Noto Serif CJK SC", "Source Han Serif SC"], "serif"),
    "fangsong": (["仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong"],
                 ["FandolFang", "Noto Serif CJK SC", "Source Han Serif SC"], "serif"),
    "hei": (["黑体", "SimHei", "STHeiti"], ["Noto Sans CJK SC", "Source Han Sans SC"],
            "sans-serif"),
    "kai": (["楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti"],
            ["AR PL UKai CN", "FandolKai", "Noto Serif CJK SC", "Source Han Serif SC"], "serif"),
    "song": (["宋体", "SimSun", "STSong"], ["Noto Serif CJK SC", "Source Han Serif SC"], "serif"),
}


def font_stacks(installed: set[str] | None = None) -> FontStacks:
    """The stacks; given the installed families, only those (the open 小标宋 is set in bold)."""
    chosen: dict[str, list[str]] = {}
    for role, (originals, substitutes, _generic) in FONT_CANDIDATES.items():
        names = originals + substitutes
        chosen[role] = [n for n in names if installed is None or n in installed]

    def stack(role: str) -> str:
        return ", ".join([f'"{name}"' for name in chosen[role]] + [FONT_CANDIDATES[role][2]])

    originals = FONT_CANDIDATES["biaosong"][0]
    # 小标宋 is one heavy weight; its open stand-in must be set in bold to look like it. In a
    # browser, which of the stack it finds is unknown: bold, as most machines lack the original.
    plain_biaosong = installed is not None and bool(chosen["biaosong"]) and \
        chosen["biaosong"][0] in originals
    return FontStacks(
        biaosong=stack("biaosong"), biaosong_weight=400 if plain_biaosong else 700,
        fangsong=stack("fangsong"), fangsong_weight=400,
        hei=stack("hei"), hei_weight=400,
        kai=stack("kai"), kai_weight=400,
        song=stack("song"))


BROWSER_FONTS = font_stacks()

_ENV = Environment(loader=PackageLoader("workflow.printing", "templates"),
                   autoescape=select_autoescape(["html"]), keep_trailing_newline=True)
# The stylesheet is CSS, not HTML: its values are this module's numbers and font names.
_CSS_ENV = Environment(loader=PackageLoader("workflow.printing", "templates"), autoescape=False,
                       keep_trailing_newline=True)


def stylesheet(doc: PrintedNotice, fonts: FontStacks = BROWSER_FONTS, *,
               screen: bool = True, first_page: int = 1) -> str:
    """The CSS of this notice's print view (some measures depend on its texts); `screen` adds
    the rules for reading it on a screen (a sheet on a desk, a narrow phone). `first_page` is the
    number its first page gets when it is printed after others (a 附件 after the 正文: the pages
    are numbered on, GB/T 9704 §7.5), and decides which of its pages are the even ones."""
    mark_width = len(doc.issuer_mark) * ISSUER_MARK_HEIGHT_MM
    signer_right, date_right = signature_indents(doc.signer, doc.date)
    date_width = text_width(doc.date or "2000年10月10日")
    seal_centre = (date_right + date_width / 2) * BODY_CHAR_MM
    return _CSS_ENV.get_template("notice.css").render(
        doc=doc, fonts=fonts, screen=screen, first_page=first_page,
        # A layout's first page is a right-hand page: started on an even number, its right-hand
        # pages are the even ones.
        even_pages=":left" if first_page % 2 else ":right",
        odd_pages=":right" if first_page % 2 else ":left",
        issuer_top_mm=_mm(35 - MARK_INK_TOP_MM),
        mark_height_mm=_mm(ISSUER_MARK_HEIGHT_MM),
        mark_width_mm=_mm(mark_width),
        mark_left_mm=_mm((TYPE_AREA_WIDTH_MM - mark_width) / 2),
        red_line_gap_mm=_mm(4 - NUMBER_INK_BOTTOM_GAP_MM),
        title_gap_mm=_mm(2 * LINE_MM),
        signer_right_em=round(signer_right, 2), date_right_em=round(date_right, 2),
        seal_right_mm=_mm(seal_centre - SEAL_MM / 2),
        page_number_drop_mm=_mm(PAGE_NUMBER_DROP_MM),
    )


# The 页码's dash is 7 mm below the 版心: the top of its 14 pt line box sits this far down.
PAGE_NUMBER_DROP_MM = 4.5


PARTS = ("whole", "body", "imprint")


def render_html(doc: PrintedNotice, *, fonts: FontStacks = BROWSER_FONTS,
                links: tuple[tuple[str, str], ...] = (), screen: bool = True,
                part: str = "whole", first_page: int = 1) -> str:
    """The whole print view; `links` (label, url) make a bar above the sheet that is not printed.

    `screen=False` leaves out the rules for screens (WeasyPrint, which only prints, would warn
    about their media queries). `part` "body" is the notice without its 版记 and "imprint" the
    版记 alone, at the foot of a page of its own: a notice with 附件 of their own pages prints its
    版记 after them (GB/T 9704 §8). `first_page` numbers the pages on (`stylesheet`)."""
    if part not in PARTS:
        raise ValueError(f"no part {part!r} of a printed notice")
    return _ENV.get_template("notice.html").render(
        doc=doc, css=stylesheet(doc, fonts, screen=screen, first_page=first_page), links=links,
        part=part, seal_uri=seal_uri(doc.seal_png), qr_uri=qr_uri(doc.verify_url))


def style_hash(doc: PrintedNotice, fonts: FontStacks = BROWSER_FONTS) -> str:
    """The CSP source ('sha256-…') that allows exactly this view's stylesheet and nothing else."""
    digest = hashlib.sha256(stylesheet(doc, fonts).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def seal_uri(png: bytes | None) -> str | None:
    return f"data:image/png;base64,{base64.b64encode(png).decode()}" if png else None


def qr_uri(url: str | None) -> str | None:
    """The QR code of the verification page's address, as a data: SVG (drawn here, no network)."""
    if not url:
        return None
    import segno  # only a 正式文件 carries one

    return segno.make(url, error="m").svg_data_uri(border=0, dark="#000", light=None)


def _mm(value: float) -> str:
    return f"{value:.2f}"
