"""A 转发 printed: district 1's 一区妇发〔2016〕1号 forwards the city's 示妇发〔2016〕1号, which is not
copied into its body but printed after it as its 附件 — the city's notice as it was issued, its
标志, 发文字号 and body on pages of its own, labelled 附件 on the first. The 正式文件 of the 转发 made
at 印发 carries the same pages and, signed with district 1's key, verifies. A 转发 of that 转发
(东风街道's) carries district 1's, which carries the city's.
"""

from __future__ import annotations

import io
import shutil

import pytest
from pypdf import PdfReader

from tests.factories import at
from tests.system_parts import require
from tests.workflow.test_statistics_levels import three_levels  # noqa: F401  (a fixture)
from workflow import commands as c
from workflow import official, pki
from workflow.attachments import AttachmentStore
from workflow.printing import layout
from workflow.verification import verify_pdf

pytestmark = pytest.mark.slow  # each test renders two or three PDFs

SOURCE_NUMBER = "示妇发〔2016〕1号"
OWN_NUMBER = "一区妇发〔2016〕1号"
SECRET = "a-signing-secret-of-the-tests-0123456789"


@pytest.fixture
def fonts():
    from workflow.printing.pdf import fonts_installed

    require(fonts_installed(), "no Chinese font installed (apt-get install fonts-noto-cjk)")


@pytest.fixture
def forwarded(cascade, session):
    w = cascade
    notice = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    c.update_draft(session, w.d1_drafter, notice_id=notice.id,
                   main_unit_ids=[s.id for s in w.streets], cc_unit_ids=[], now=at(3))
    c.submit(session, w.d1_drafter, notice_id=notice.id, now=at(3.1))
    c.sign(session, w.d1_signatory, notice_id=notice.id, opinion="同意", now=at(3.2))
    c.issue(session, w.d1_clerk, notice_id=notice.id, now=at(3.3))
    session.commit()
    return w, notice


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return "".join(text.split())


OWN_IMPRINT = "2016年3月10日印发"  # district 1's 印发日期, at 印发 (at(3.3))
SOURCE_IMPRINT = "2016年3月8日印发"  # the city's, as it was issued


def test_the_printed_forward_carries_the_source_as_issued_after_its_own_pages(forwarded,
                                                                              fonts):
    from workflow.printing.pdf import render_pdf

    w, notice = forwarded
    doc = layout(notice)
    assert doc.attachment_lines == (f"附件：关于开展调研的通知（{SOURCE_NUMBER}）",)
    whole = pages_of(render_pdf(doc))
    source = pages_of(render_pdf(layout(w.incoming.notice)))
    own = next(i for i, text in enumerate(whole) if "示范市妇女联合会文件" in flat(text))
    # Its own pages, the source's pages, then one page for its own 版记 (GB/T 9704 §8: the 附件
    # before the 版记).
    assert len(whole) == own + len(source) + 1
    annex = [flat(text) for text in whole[own:own + len(source)]]
    # The first page after the 转发's own: the label, the city's 标志 and 发文字号, its title and
    # body — the source as it was issued, not retyped. (The text comes out of a PDF in the order
    # it was drawn, not read: within a page only what is there is asserted.)
    for printed in ("附件", "示范市妇女联合会文件", SOURCE_NUMBER, "关于开展调研的通知",
                    "请各区妇联开展调研", SOURCE_IMPRINT):
        assert printed in annex[0], printed
    assert OWN_NUMBER not in "".join(annex)
    # The 转发's own pages: its number and its opening, which names the source; never its body,
    # nor yet its 版记.
    mine = flat("".join(whole[:own]))
    assert OWN_NUMBER in mine and "转发给你们" in mine
    assert "请各区妇联开展调研" not in mine and OWN_IMPRINT not in mine
    # The last page: the 转发's 版记, and nothing of either notice's text.
    last = flat(whole[-1])
    assert OWN_IMPRINT in last and "示范市第1区妇联" in last
    assert not any(words in last for words in ("转发给你们", "请各区妇联开展调研", SOURCE_IMPRINT))


def test_the_pages_of_the_forward_and_its_annex_are_numbered_on_odd_right_even_left(
        forwarded, fonts):
    """GB/T 9704 §7.5: the 附件 bound with the 正文 are numbered on; an odd number stands on the
    right of the page, an even one on the left."""
    from workflow.printing.pdf import render_pdf

    _, notice = forwarded
    pdf = render_pdf(layout(notice))
    numbers = _page_numbers(pdf)
    assert [n for n, _ in numbers] == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 4
    for number, side in numbers:
        assert side == ("right" if number % 2 else "left"), (number, side)


def _page_numbers(pdf: bytes) -> list[tuple[int, str]]:
    """(the number printed at the foot, the side it stands on) of each page of `pdf`."""
    import re
    import subprocess

    require(shutil.which("pdftotext") is not None,
            "pdftotext is not installed (apt-get install poppler-utils)")
    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True,
                           check=True, timeout=120).stdout.decode("utf-8")
    found = []
    for page in boxes.split("<page ")[1:]:
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">'
                           r'(\d+)</word>', page)
        # Below the 版心 (its foot is 35 mm above the page's): only the 页码 stands there.
        feet = [(int(text), float(x)) for x, y, text in words
                if float(y) > height - 35 / 25.4 * 72]
        assert len(feet) == 1, feet
        number, x = feet[0]
        found.append((number, "left" if x < width / 2 else "right"))
    return found


def test_the_forward_in_word_carries_the_source_then_its_own_imprint(forwarded):
    from docx import Document

    from workflow.printing.docx import render_docx

    _, notice = forwarded
    texts = [p.text for p in Document(io.BytesIO(render_docx(layout(notice)))).paragraphs
             if p.text.strip()]
    text = "\n".join(texts)
    order = ["转发给你们", "示范市第1区妇联", "附件", "示范市妇女联合会文件", SOURCE_NUMBER,
             "请各区妇联开展调研", SOURCE_IMPRINT.removesuffix("印发"),
             OWN_IMPRINT.removesuffix("印发")]
    at = 0
    for words in order:
        found = text.find(words, at)
        assert found >= 0, f"{words} not after position {at}"
        at = found + len(words)
    # Its own 版记 is the document's last line; the source's stays with the source.
    assert "示范市第1区妇联" in texts[-1] and OWN_IMPRINT.removesuffix("印发") in texts[-1]


def test_a_notice_that_forwards_nothing_carries_no_annex(forwarded, fonts):
    w, _ = forwarded
    assert layout(w.incoming.notice).annexes == ()


def test_the_signed_official_file_of_the_forward_carries_the_source_and_verifies(
        forwarded, session, fonts, tmp_path):
    w, notice = forwarded
    pki.use_secret(SECRET)
    try:
        pki.init_pki(session, None, now=at(0))
        session.commit()
        store = AttachmentStore(tmp_path / "files")
        official.make_official(session, None, notice_id=notice.id, store=store, now=at(3.4))
        session.commit()
        _, data = official.official_file(session, w.d1_drafter, notice_id=notice.id,
                                         store=store)
        verdict = verify_pdf(session, w.users["street1"], data)
        assert verdict.authentic and verdict.doubtless, verdict.lines()
        assert f"发文字号：{OWN_NUMBER}" in verdict.lines()
        pages = [flat(text) for text in pages_of(data)]
        opening = next(i for i, text in enumerate(pages) if "转发给你们" in text)
        source = next(i for i, text in enumerate(pages) if "示范市妇女联合会文件" in text)
        assert opening < source and SOURCE_NUMBER in pages[source]
        assert "请各区妇联开展调研" in "".join(pages[source:])
    finally:
        pki.use_secret(None)



def test_a_forward_of_a_forward_carries_its_source_with_the_source_it_carries(
        three_levels):  # noqa: F811  (the fixture imported above)
    _, _, _, third = three_levels
    doc = layout(third)
    assert doc.attachment_lines == (
        f"附件：一区妇联关于转发《关于开展调研的通知》的通知（{OWN_NUMBER}）",)
    district = doc.annexes[0]
    assert (district.annex_label, district.doc_number) == ("附件", OWN_NUMBER)
    city = district.annexes[0]
    assert (city.annex_label, city.doc_number, city.annexes) == ("附件", SOURCE_NUMBER, ())
    assert doc.annex_label is None  # the 转发 itself is no one's 附件
