"""The notice as a Word document (.docx, python-docx), for offices that finish it in Word or WPS.

Owns: the same texts as the print view, in the same order, on the same page: A4, 天头 37 mm,
订口 28 mm (mirrored margins for printing on both sides), 22 lines to the page (exact line spacing
of 225/22 mm), the red 标志 narrowed to the 版心, the 发文字号 with the red separator line as the
paragraph's bottom border 4 mm below it (上行文: 签发人 on the right of the same line), the
title, 主送, body with its heading fonts, 附件说明, 署名 and 成文日期 four characters from the
right, the seal (only if the issuing unit has one) floating over them, the 版记 between its rules,
and page numbers "— 1 —" on the outer side. The 版记 follows the 成文日期 rather than sitting on
the foot of the last page: a frame anchored to the bottom margin (w:framePr) is the only way
WordprocessingML offers, and LibreOffice drops both its position and its rules, so the office
moves it down when it finishes the document, as it does with any Word template.

Fonts are named as the standard names them (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312): the
document is finished on office machines, which have them; Word and WPS substitute where not.
Must not: decide what is printed (that is `layout`).
"""

from __future__ import annotations

import io
from copy import deepcopy

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from workflow.printing.layout import (
    ISSUER_MARK_HEIGHT_MM,
    TYPE_AREA_WIDTH_MM,
    PrintedNotice,
    signature_indents,
    text_width,
)

RED = RGBColor(0xE6, 0x00, 0x12)
GREY = RGBColor(0x99, 0x99, 0x99)
BIAOSONG, FANGSONG, HEI, KAI, SONG = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
LINE = Pt(28.95)  # 225 mm / 22 lines
BODY = Pt(16)  # 3号
SMALL = Pt(14)  # 4号: 版记 and 页码
SEAL_MM = 42.0


# WordprocessingML is strict about the order of a property element's children (Word calls a file
# that breaks it damaged): each element added by hand goes after those that must precede it.
_SETTINGS_BEFORE_MIRROR = ("writeProtection", "view", "zoom", "removePersonalInformation",
                           "removeDateAndTime", "doNotDisplayPageBoundaries",
                           "displayBackgroundShape", "printPostScriptOverText",
                           "printFractionalCharacterWidth", "printFormsData",
                           "embedTrueTypeFonts", "embedSystemFonts", "saveSubsetFonts",
                           "saveFormsData")
_PPR_BEFORE_FRAME = ("pStyle", "keepNext", "keepLines", "pageBreakBefore")
_PPR_BEFORE_BORDER = (*_PPR_BEFORE_FRAME, "framePr", "widowControl", "numPr",
                      "suppressLineNumbers")
_RPR_BEFORE_SPACING = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
                       "dstrike", "outline", "shadow", "emboss", "imprint", "noProof",
                       "snapToGrid", "vanish", "webHidden", "color")
_RPR_BEFORE_SCALE = (*_RPR_BEFORE_SPACING, "spacing")


def _place(parent, element, before: tuple[str, ...]):
    """Insert `element` into `parent` after every child named in `before`, ahead of the rest."""
    tags = {qn(f"w:{name}") for name in before}
    index = 0
    for position, child in enumerate(parent):
        if child.tag in tags:
            index = position + 1
    parent.insert(index, element)
    return element


def render_docx(doc: PrintedNotice) -> bytes:
    """The notice as .docx bytes."""
    document = Document()
    _page(document)
    _normal_style(document)
    if doc.watermark:
        _watermark(document, doc.watermark)
    if doc.copy_note:
        _copy_note(document, doc.copy_note)
    _story(document, doc)  # the main story, where every paragraph goes in reading order
    _page_numbers(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _story(body, doc: PrintedNotice) -> None:
    """One printed notice in reading order. Its 附件 that are documents of their own (a 转发's
    source, as issued) follow on new pages, and its 版记 after them, on a page of its own: the
    附件 come before the 版记 (GB/T 9704 §8); Word numbers the pages on through them."""
    if doc.annex_label:
        _paragraph(body, doc.annex_label, font=HEI)
    for mark in doc.marks:
        _paragraph(body, mark, font=HEI)
    _issuer_mark(body, doc)
    _blank(body, 2)
    _number_line(body, doc)
    _blank(body, 2)
    for line in doc.title_lines:
        _paragraph(body, line, font=BIAOSONG, size=Pt(22), bold=True,
                   align=WD_ALIGN_PARAGRAPH.CENTER, spacing=0)
    if doc.main_line:
        _blank(body, 1)
        _paragraph(body, doc.main_line)
    for para in doc.paragraphs:
        p = body.add_paragraph()
        p.paragraph_format.first_line_indent = BODY * 2
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if para.lead:
            _run(p, para.lead, font={1: HEI, 2: KAI}.get(para.level, FANGSONG))
        if para.rest:
            _run(p, para.rest)
    if doc.attachment_lines:
        _blank(body, 1)
        for index, line in enumerate(doc.attachment_lines):
            p = _paragraph(body, line)
            p.paragraph_format.left_indent = BODY * 5
            p.paragraph_format.first_line_indent = BODY * -3 if index == 0 else 0
    _signature(body, doc)
    for annex in doc.annexes:
        body.add_page_break()
        _story(body, annex)
    if doc.annexes:
        body.add_page_break()
    _imprint(body, doc)


def _page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # The 页码's dash 7 mm below the 版心: the footer's line ends about 12 mm lower.
    section.footer_distance = Mm(35 - 7 - 5)
    settings = document.settings
    settings.odd_and_even_pages_header_footer = True
    _place(settings.element, OxmlElement("w:mirrorMargins"), _SETTINGS_BEFORE_MIRROR)


def _normal_style(document) -> None:
    style = document.styles["Normal"]
    style.font.size = BODY
    _fonts(style.element.get_or_add_rPr(), FANGSONG)
    fmt = style.paragraph_format
    fmt.line_spacing, fmt.space_before, fmt.space_after = LINE, Pt(0), Pt(0)
    # 28 characters to the line: each advances 156/28 mm, a fifth of a point less than 16 pt.
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), "-4")
    _place(style.element.get_or_add_rPr(), spacing, _RPR_BEFORE_SPACING)


def _fonts(rpr, name: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _run(paragraph, text: str, *, font: str | None = None, size=None, bold: bool = False,
         color: RGBColor | None = None):
    run = paragraph.add_run(text)
    if font:
        _fonts(run._element.get_or_add_rPr(), font)
    if size is not None:
        run.font.size = size
    run.font.bold = bold or None
    if color is not None:
        run.font.color.rgb = color
    return run


def _paragraph(container, text: str, *, font: str | None = None, size=None, bold=False,
               align=None, color=None, spacing: int | None = None):
    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    run = _run(p, text, font=font, size=size, bold=bold, color=color)
    if spacing is not None:  # the title, the 标志 and the 版记 keep their letters' own width
        element = OxmlElement("w:spacing")
        element.set(qn("w:val"), str(spacing))
        _place(run._element.get_or_add_rPr(), element, _RPR_BEFORE_SPACING)
    return p


def _blank(container, lines: int) -> None:
    for _ in range(lines):
        container.add_paragraph()


def _issuer_mark(body, doc: PrintedNotice) -> None:
    """发文机关标志: red, centred, its top 35 mm below the 版心's, narrowed to fit."""
    size = Pt(ISSUER_MARK_HEIGHT_MM / 25.4 * 72)
    p = _paragraph(body, doc.issuer_mark, font=BIAOSONG, size=size, bold=True, color=RED,
                   align=WD_ALIGN_PARAGRAPH.CENTER, spacing=0)
    fmt = p.paragraph_format
    fmt.space_before = Mm(35 - 1.5)
    fmt.line_spacing = Pt(size.pt * 1.1)
    scale = OxmlElement("w:w")
    scale.set(qn("w:val"), str(max(1, round(doc.issuer_mark_scale * 100))))
    _place(p.runs[0]._element.get_or_add_rPr(), scale, _RPR_BEFORE_SCALE)


def _number_line(body, doc: PrintedNotice) -> None:
    """发文字号 (and 签发人 on 上行文), with the red line as the paragraph's bottom border."""
    p = body.add_paragraph()
    if doc.upward:
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = BODY
        p.paragraph_format.tab_stops.add_tab_stop(Mm(TYPE_AREA_WIDTH_MM) - BODY * 2,
                                                  WD_TAB_ALIGNMENT.RIGHT)
        _run(p, doc.doc_number or "")
        if doc.signatory:
            _run(p, "\t签发人：")
            _run(p, doc.signatory, font=KAI)
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, doc.doc_number or "")
    _border(p, "bottom", size_eighths=12, space_pt=11, color="E60012")


def _border(paragraph, side: str, *, size_eighths: int, space_pt: int = 1,
            color: str = "000000") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = _place(ppr, OxmlElement("w:pBdr"), _PPR_BEFORE_BORDER)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), str(space_pt))
    edge.set(qn("w:color"), color)
    borders.append(edge)


def _signature(body, doc: PrintedNotice) -> None:
    signer_right, date_right = signature_indents(doc.signer, doc.date)
    _blank(body, 2)
    signer = _paragraph(body, doc.signer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    signer.paragraph_format.right_indent = Pt(BODY.pt * signer_right)
    signer.paragraph_format.keep_with_next = True
    date = _paragraph(body, doc.date or "", align=WD_ALIGN_PARAGRAPH.RIGHT)
    date.paragraph_format.right_indent = Pt(BODY.pt * date_right)
    if doc.seal_png:
        date_width = text_width(doc.date or "2000年10月10日")
        centre_from_right = Pt(BODY.pt * (date_right + date_width / 2))
        left = Mm(TYPE_AREA_WIDTH_MM) - centre_from_right - Mm(SEAL_MM / 2)
        _floating_picture(signer, doc.seal_png, left=left, top=-Mm(SEAL_MM / 2))


def _floating_picture(paragraph, png: bytes, *, left: int, top: int) -> None:
    """The seal over the 署名 and date, in front of the text, placed from the 版心's left edge."""
    run = paragraph.add_run()
    run.add_picture(io.BytesIO(png), width=Mm(SEAL_MM), height=Mm(SEAL_MM))
    inline = run._element.find(qn("w:drawing")).find(qn("wp:inline"))
    anchor = OxmlElement("wp:anchor")
    for name, value in (("distT", "0"), ("distB", "0"), ("distL", "0"), ("distR", "0"),
                        ("simplePos", "0"), ("relativeHeight", "251659264"),
                        ("behindDoc", "0"), ("locked", "0"), ("layoutInCell", "1"),
                        ("allowOverlap", "1")):
        anchor.set(name, value)
    simple = OxmlElement("wp:simplePos")
    simple.set("x", "0")
    simple.set("y", "0")
    anchor.append(simple)
    for axis, relative, offset in (("H", "margin", left), ("V", "paragraph", top)):
        position = OxmlElement(f"wp:position{axis}")
        position.set("relativeFrom", relative)
        value = OxmlElement("wp:posOffset")
        value.text = str(int(Emu(offset)))
        position.append(value)
        anchor.append(position)
    anchor.append(deepcopy(inline.find(qn("wp:extent"))))
    effect = OxmlElement("wp:effectExtent")
    for side in ("l", "t", "r", "b"):
        effect.set(side, "0")
    anchor.append(effect)
    anchor.append(OxmlElement("wp:wrapNone"))
    for tag in ("wp:docPr", "wp:cNvGraphicFramePr", "a:graphic"):
        element = inline.find(qn(tag))
        if element is not None:
            anchor.append(deepcopy(element))
    inline.getparent().replace(inline, anchor)


def _imprint(body, doc: PrintedNotice) -> None:
    """版记 between its rules, after the 成文日期 (see the module's docstring for why not lower)."""
    _blank(body, 1)
    paragraphs = []
    if doc.cc_line:
        cc = _paragraph(body, doc.cc_line, size=SMALL, spacing=0)
        cc.paragraph_format.left_indent = SMALL * 4
        cc.paragraph_format.first_line_indent = SMALL * -3
        cc.paragraph_format.right_indent = SMALL
        paragraphs.append(cc)
    printed = body.add_paragraph()
    printed.paragraph_format.left_indent = printed.paragraph_format.right_indent = SMALL
    printed.paragraph_format.tab_stops.add_tab_stop(Mm(TYPE_AREA_WIDTH_MM) - SMALL * 2,
                                                    WD_TAB_ALIGNMENT.RIGHT)
    _run(printed, doc.printed_by, size=SMALL)
    _run(printed, "\t" + (doc.print_date or ""), size=SMALL)
    paragraphs.append(printed)
    for p in paragraphs:
        p.paragraph_format.line_spacing = Pt(22)
    first, last = paragraphs[0], paragraphs[-1]
    _border(first, "top", size_eighths=8)  # 0.35 mm
    if first is not last:
        _border(first, "bottom", size_eighths=6)  # 0.25 mm
    _border(last, "bottom", size_eighths=8)


def _page_numbers(document) -> None:
    section = document.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = SMALL
        else:
            p.paragraph_format.left_indent = SMALL
        _run(p, "— ", font=SONG, size=SMALL)
        _field(p, "PAGE")
        _run(p, " —", font=SONG, size=SMALL)


def _field(paragraph, instruction: str) -> None:
    run = _run(paragraph, "", font=SONG, size=SMALL)
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._element.append(element)


def _watermark(document, word: str) -> None:
    section = document.sections[0]
    for header in (section.header, section.even_page_header):
        p = header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(p, word, font=HEI, size=Pt(22), color=GREY)


def _copy_note(document, note: str) -> None:
    """A copy that is not the 正式文件 says so in the header of every page, outside the 版心."""
    section = document.sections[0]
    for header in (section.header, section.even_page_header):
        p = header.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, note, font=FANGSONG, size=Pt(10.5), color=GREY)
