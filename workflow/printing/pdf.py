"""The print view as PDF, by WeasyPrint, with the fonts fontconfig finds on this machine.

Owns: asking fontconfig which font families are installed (once per process), narrowing the font
stacks of `html` to those, and refusing — in Chinese — when no Chinese font is installed at all,
rather than printing empty boxes. Debian's fonts-noto-cjk is the open font the project installs
(scripts/system-packages.sh). Must not: lay anything out itself (that is the HTML and its CSS).
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from workflow.errors import WorkflowError
from workflow.printing.html import FONT_CANDIDATES, FontStacks, font_stacks, render_html
from workflow.printing.layout import PrintedNotice


class PrintingUnavailable(WorkflowError):
    """This machine lacks what printing needs (a Chinese font)."""

    code = "printing_unavailable"


@functools.lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """Every font family fontconfig knows here (empty when fc-list is missing)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset()
    done = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=60,
                          check=False)
    families = set()
    for line in done.stdout.splitlines():
        # A font may carry several names (localised ones too), comma-separated.
        families.update(name.strip() for name in line.split(",") if name.strip())
    return frozenset(families)


def fonts_installed() -> bool:
    """Is one of the Chinese fonts the print view names installed here?"""
    known = {name for originals, substitutes, _ in FONT_CANDIDATES.values()
             for name in originals + substitutes}
    return bool(installed_families() & known)


def pdf_fonts() -> FontStacks:
    """The font stacks narrowed to what is installed; PrintingUnavailable without a CJK font."""
    if not fonts_installed():
        raise PrintingUnavailable("服务器未安装中文字体（如 fonts-noto-cjk），无法生成 PDF")
    return font_stacks(set(installed_families()))


def render_pdf(doc: PrintedNotice) -> bytes:
    """The notice as an A4 PDF laid out by GB/T 9704-2012, followed by the pages of each of its
    附件 that is a document of its own (a 转发's source, as issued), and then by its 版记: the
    附件 come before the 版记 (§8), and the pages are numbered on through them (§7.5)."""
    pages = _pages(doc, pdf_fonts())
    return pages[0].copy(pages=[page for document in pages for page in document.pages]) \
        .write_pdf()


def _pages(doc: PrintedNotice, fonts: FontStacks, first_page: int = 1) -> list:
    """The rendered documents of `doc` and of its 附件, in print order, the first numbered from
    `first_page`. Each is laid out with its own stylesheet (its measures depend on its texts),
    then their pages are put together. Without 附件 of their own pages the notice is one
    document, its 版记 at the foot of its last page."""
    from weasyprint import HTML  # loaded on first use: it takes a while to import

    def render(part: str, first: int):
        return HTML(string=render_html(doc, fonts=fonts, screen=False, part=part,
                                       first_page=first)).render()

    if not doc.annexes:
        return [render("whole", first_page)]
    rendered = [render("body", first_page)]
    for annex in doc.annexes:
        rendered += _pages(annex, fonts, first_page + _count(rendered))
    return [*rendered, render("imprint", first_page + _count(rendered))]


def _count(documents: list) -> int:
    return sum(len(document.pages) for document in documents)
