"""Printing a notice by GB/T 9704-2012: the print model, the seal, and the seeds on paper.

The model is checked on notices made through the real commands. The seeds are issued by the demo
(workflow.demo) and rendered once per module; their PDFs are read back with poppler (pdftotext,
pdfinfo, pdftoppm) and their pixels with Pillow, their DOCX with python-docx. The expected texts
are written out here by hand from the seeds, not taken from the code that prints them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import HAN, at, draft, notice_in, refused
from tests.system_parts import require
from workflow import commands as c
from workflow import demo
from workflow.db import create_all, make_engine, make_session_factory
from workflow.errors import Forbidden, InvalidInput
from workflow.models import AuditEntry, Notice, Unit
from workflow.printing import printed_notice
from workflow.printing.html import render_html
from workflow.printing.layout import paragraph, title_lines
from workflow.printing.seal import check_png, set_seal
from workflow.states import Direction, NoticeState, Urgency

LINE_MM = 225 / 22  # GB/T 9704: 22 lines in the 225 mm of the 版心


def red_seal_png(size: int = 200) -> bytes:
    """A red ring on transparency: a stand-in seal made for the test, not anyone's seal."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, size - 4, size - 4), outline=(220, 0, 0, 255), width=10)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def flat(text: str) -> str:
    """Text without whitespace and page numbers: extraction breaks lines where the page did."""
    return re.sub(r"—\d+—", "", re.sub(r"\s+", "", text))


def assert_in_order(text: str, expected: list[str]) -> None:
    position = 0
    for item in expected:
        found = text.find(flat(item), position)
        assert found >= 0, f"{item!r} not found after position {position}"
        position = found + len(flat(item))


# ------------------------------------------------------------------------------------------------
# The print model


def test_a_heading_takes_its_level_from_its_numbering():
    assert paragraph("一、深刻领会会议精神").level == 1
    assert paragraph("（二）突出先进性").level == 2
    assert paragraph("(三)强化群众性").level == 2
    assert paragraph("1.认真组织学习").level == 3
    assert paragraph("2、加大宣传力度").level == 3  # what people type for the third level
    assert paragraph("（1）召开专题会议").level == 4
    assert paragraph("3.5亿元用于妇女创业贷款。").level == 0  # a number, not a heading
    assert paragraph("坚定政治性。要切实承担起政治任务。").level == 0


def test_a_heading_with_its_text_in_one_paragraph_is_a_heading_only_to_its_first_full_stop():
    p = paragraph("1、认真组织学习。各级妇联要把学习会议精神作为当前重要任务。")
    assert (p.level, p.lead, p.rest) == (3, "1、认真组织学习。", "各级妇联要把学习会议精神作为当前重要任务。")
    standing = paragraph("一、深刻领会市委党的群团工作会议的精神实质和深刻内涵")
    assert standing.lead == standing.text and standing.rest == ""


def test_a_long_title_breaks_between_words_into_lines_that_fit():
    lines = title_lines("关于认真学习宣传贯彻落实市委党的群团工作会议精神的通知")
    assert "".join(lines) == "关于认真学习宣传贯彻落实市委党的群团工作会议精神的通知"
    assert len(lines) == 2 and all(len(line) <= 20 for line in lines)
    assert lines[0].endswith("的")  # not "…市|委党…": the break falls after 的
    assert title_lines("关于举办全市妇联干部培训班的通知") == ["关于举办全市妇联干部培训班的通知"]
    # Arabic digits are half as wide: 22 characters that fit in the 20 of one line.
    assert len(title_lines("关于开展2016年“最美家庭”寻找活动的通知")) == 1
    assert title_lines("示范市妇联关于2016年上半年妇女儿童工作情况的报告")[0].endswith("年")
    three = title_lines("关于" + "认真学习贯彻落实" * 6 + "的通知")
    assert len(three) == 3 and all(len(line) <= 20 for line in three)


def test_the_print_model_holds_the_notices_texts_in_the_order_of_the_paper(session, world):
    w = world
    notice = notice_in(w, NoticeState.ISSUED, body="为做好调研工作，现通知如下。\n一、调研内容\n请各区妇联开展调研。")
    session.commit()
    doc = printed_notice(session, notice.id)
    assert doc.issuer_mark == "示范市妇女联合会文件"
    assert doc.doc_number == notice.doc_number and doc.watermark is None
    assert doc.main_line == "各区妇联：" and doc.cc_line == "抄送：示范省妇女联合会。"
    assert [p.level for p in doc.paragraphs] == [0, 1, 0]
    assert doc.date == "2016年3月7日"  # 成文日期 = the sign-off day, Arabic numerals, no zeros
    assert doc.print_date == "2016年3月8日印发"
    assert doc.signer == doc.printed_by == "示范市妇女联合会"
    assert doc.texts == [
        "示范市妇女联合会文件", notice.doc_number, "关于开展调研的通知", "各区妇联：",
        "为做好调研工作，现通知如下。", "一、调研内容", "请各区妇联开展调研。",
        "示范市妇女联合会", "2016年3月7日", "抄送：示范省妇女联合会。", "示范市妇女联合会",
        "2016年3月8日印发"]


def test_main_recipients_read_as_recorded_units_joined_by_a_dun_and_groups_set_off(session, world):
    w = world
    notice = draft(w, main_group_ids=[w.group.id], main_unit_ids=[w.districts[0].id,
                                                                 w.districts[1].id])
    session.commit()
    line = printed_notice(session, notice.id).main_line
    assert line.endswith("：")
    assert set(line.rstrip("：").replace("，", "|").replace("、", "|").split("|")) == {
        "各区妇联", "示范市第1区妇联", "示范市第2区妇联"}
    assert "示范市第1区妇联、示范市第2区妇联" in line  # two units in a row: 、


def test_an_upward_notice_prints_its_signatory_and_a_downward_one_does_not(session, world):
    w = world
    up = notice_in(w, NoticeState.ISSUED, title="示范市妇联关于调研情况的报告", kind="报告",
                   direction=Direction.UPWARD, main_group_ids=[], main_unit_ids=[w.cc_unit.id],
                   cc_unit_ids=[], requests=[])
    down = notice_in(w, NoticeState.ISSUED)
    session.commit()
    upward = printed_notice(session, up.id)
    assert upward.upward and upward.signatory == w.signatory.display_name
    assert upward.texts.index(f"签发人：{w.signatory.display_name}") == 2  # after the number
    downward = printed_notice(session, down.id)
    assert downward.signatory is None and not downward.upward
    html = render_html(upward)
    assert "签发人：" in html and "签发人：" not in render_html(downward)


def test_a_draft_prints_without_a_number_and_marked_as_a_draft(session, world):
    notice = draft(world)
    session.commit()
    doc = printed_notice(session, notice.id)
    assert doc.doc_number is None and doc.date is None and doc.print_date is None
    assert doc.watermark == "草稿"
    assert doc.filename_stem == f"草稿-{notice.id}"
    assert 'class="watermark"' in render_html(doc)


def test_a_revoked_notice_stays_marked_as_revoked_once_archived(session, world):
    revoked = notice_in(world, NoticeState.REVOKED)
    c.archive(session, world.clerk, notice_id=revoked.id, retention="Y10", now=at(3))
    session.commit()
    assert printed_notice(session, revoked.id).watermark == "已撤销"


def test_urgency_is_printed_top_left_only_when_set(session, world):
    urgent = draft(world, urgency=Urgency.URGENT)
    plain = draft(world)
    session.commit()
    assert printed_notice(session, urgent.id).marks == ("加急",)
    assert printed_notice(session, plain.id).marks == ()


def test_the_attachment_note_is_made_from_the_files_or_taken_from_the_body(session, world):
    from workflow.attachments import StoredFile

    w = world
    files = draft(w)
    for name in ("名单.xlsx", "调研提纲.docx"):
        c.add_attachment(session, w.drafter, notice_id=files.id, now=at(0),
                         stored=StoredFile(filename=name, storage_key="0" * 32, size=1))
    typed = draft(w, body="请开展调研。\n附件：1.名单\n2.调研提纲")
    session.commit()
    assert printed_notice(session, files.id).attachment_lines == ("附件：1.名单", "2.调研提纲")
    doc = printed_notice(session, typed.id)
    assert doc.attachment_lines == ("附件：1.名单", "2.调研提纲")
    assert [p.text for p in doc.paragraphs] == ["请开展调研。"]  # not printed twice


# ------------------------------------------------------------------------------------------------
# The seal


def test_a_seal_is_printed_only_when_the_issuing_unit_has_one(session, world):
    notice = notice_in(world, NoticeState.ISSUED)
    session.commit()
    without = printed_notice(session, notice.id)
    assert without.seal_png is None
    assert "<img" not in render_html(without) and "印章" not in render_html(without).split(
        "<body>")[1]
    png = red_seal_png()
    set_seal(session, None, unit_id=world.issuer.id, png=png)
    session.commit()
    sealed = printed_notice(session, notice.id)
    assert sealed.seal_png == png
    assert render_html(sealed).count('<img class="seal" src="data:image/png;base64,') == 1
    set_seal(session, None, unit_id=world.issuer.id, png=None)
    session.commit()
    assert printed_notice(session, notice.id).seal_png is None


def test_setting_a_seal_is_written_to_the_audit_trail(session, world):
    png = red_seal_png()
    set_seal(session, None, unit_id=world.issuer.id, png=png, now=at(1))
    session.commit()
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "unit.SET_SEAL" and entry.object_id == world.issuer.id
    assert entry.details["width"] == 200 and len(entry.details["sha256"]) == 64


@pytest.mark.parametrize("data, words", [
    (b"", "空文件"),
    (b"GIF89a" + b"\0" * 40, "PNG"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "IHDR"),
])
def test_a_seal_that_is_not_a_sound_png_is_refused_in_chinese(data, words):
    with pytest.raises(InvalidInput) as caught:
        check_png(data)
    assert words in str(caught.value) and HAN.search(str(caught.value))


def test_a_seal_too_small_to_print_is_refused():
    with pytest.raises(InvalidInput, match="像素"):
        check_png(red_seal_png(size=20))


def test_only_the_system_administrator_sets_a_seal(session, session_factory, world):
    png = red_seal_png()
    refused(session, session_factory,
            lambda: set_seal(session, world.drafter, unit_id=world.issuer.id, png=png),
            Forbidden, "系统管理员")
    set_seal(session, world.admin, unit_id=world.issuer.id, png=png)
    session.commit()
    assert session.get(Unit, world.issuer.id).seal_png == png


# ------------------------------------------------------------------------------------------------
# The seeds on paper


# As the demo built on Thursday 2026-12-03 issues them, each numbered in the year of its issue:
# seed 000 signed Wednesday 11-18 and issued the next day, seed 001 signed and issued Tuesday
# 11-24 (workflow/demo); their texts are the originals'.
SEED_000 = ["长妇通字〔2026〕4号", "关于认真学习宣传贯彻落实市委党的群团工作会议精神的通知",
            "各县（市）区妇联，开发区妇联，市直机关妇委会，大专院校妇委会：",
            "一、深刻领会市委党的群团工作会议的精神实质和深刻内涵",
            "请各县（市）区、开发区妇联于4月30日前将调研报告上报市妇联。",
            "长春市妇女联合会", "2026年11月18日", "抄送：吉林省妇女联合会。",
            "长春市妇女联合会", "2026年11月19日印发"]
SEED_001 = ["哈妇发〔2026〕9号", "哈尔滨市妇联关于认真学习贯彻中央党的群团工作会议精神的通知",
            "各区县（市）妇联，市直妇委会，市妇联团体会员：",
            "7月6日至7日，中央召开党的群团工作会议",
            "请各地妇联将学习贯彻情况及时报市妇联宣传部。",
            "哈尔滨市妇女联合会", "2026年11月24日", "抄送：黑龙江省妇女联合会。",
            "哈尔滨市妇女联合会", "2026年11月24日印发"]
SEEDS = {"长妇通字〔2026〕4号": SEED_000, "哈妇发〔2026〕9号": SEED_001}


@pytest.fixture(scope="module")
def seed_docs(tmp_path_factory):
    """Both seed notices as the demo issues them, as print models (built once per module)."""
    path = tmp_path_factory.mktemp("seeds") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    create_all(engine)
    with make_session_factory(engine)() as session:
        demo.build(session, today=dt.date(2026, 12, 3))
        session.commit()
        ids = dict(session.execute(select(Notice.doc_number, Notice.id)
                                   .where(Notice.doc_number.in_(SEEDS))).all())
        docs = {number: printed_notice(session, ids[number]) for number in SEEDS}
    engine.dispose()
    return docs


def test_the_seeds_print_models_hold_their_texts_in_order(seed_docs):
    for number, expected in SEEDS.items():
        assert_in_order(flat("".join(seed_docs[number].texts)), expected)


@pytest.fixture(scope="module")
def seed_pdfs(seed_docs, tmp_path_factory):
    """Both seeds rendered to PDF files, once."""
    from workflow.printing.pdf import fonts_installed, render_pdf

    require(fonts_installed(), "no Chinese font installed (apt-get install fonts-noto-cjk)")
    for program in ("pdftotext", "pdfinfo", "pdftoppm"):
        require(shutil.which(program) is not None,
                f"{program} is not installed (apt-get install poppler-utils)")
    folder = tmp_path_factory.mktemp("pdf")
    files = {}
    for number, doc in seed_docs.items():
        files[number] = folder / f"{doc.notice_id}.pdf"
        files[number].write_bytes(render_pdf(doc))
    return files


def _run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.mark.parametrize("number", list(SEEDS))
def test_each_seeds_pdf_holds_its_number_title_recipients_and_dates_in_order(seed_pdfs, number):
    text = flat(_run("pdftotext", "-enc", "UTF-8", str(seed_pdfs[number]), "-"))
    assert_in_order(text, SEEDS[number])
    first_page = _run("pdftotext", "-f", "1", "-l", "1", str(seed_pdfs[number]), "-")
    assert re.sub(r"\s+", "", first_page).endswith("—1—")  # 页码: the number between dashes


@pytest.mark.parametrize("number", list(SEEDS))
def test_each_seeds_pdf_is_a4_on_every_page(seed_pdfs, number):
    info = _run("pdfinfo", "-f", "1", "-l", "99", str(seed_pdfs[number]))
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert len(sizes) >= 2
    assert {(round(float(w), 1), round(float(h), 1)) for w, h in sizes} == {(595.3, 841.9)}


DPI = 100


def _mm(pixels: float) -> float:
    return pixels * 25.4 / DPI


def _first_page_pixels(pdf: Path, folder: Path):
    from PIL import Image

    stem = folder / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-png", "-singlefile",
                    str(pdf), str(stem)], check=True, timeout=120)
    image = Image.open(f"{stem}.png").convert("RGB")
    return image.size, image.load()


def _red(pixel) -> bool:
    r, g, b = pixel
    return r > 180 and g < 90 and b < 90


def _dark(pixel) -> bool:
    return max(pixel) < 110


@pytest.mark.parametrize("number", list(SEEDS))
def test_page_one_has_the_red_header_and_the_red_line_where_gb_t_9704_puts_them(
        seed_pdfs, number, tmp_path):
    (width, height), px = _first_page_pixels(seed_pdfs[number], tmp_path)
    assert abs(_mm(width) - 210) < 1 and abs(_mm(height) - 297) < 1
    red_rows = [sum(_red(px[x, y]) for x in range(width)) for y in range(height)]
    # The red line: a row red across most of the 156 mm of the 版心.
    line = next(y for y in range(height) if red_rows[y] > 150 / 25.4 * DPI)
    reds = [x for x in range(width) if _red(px[x, line])]
    assert _mm(reds[-1] - reds[0]) > 150
    assert abs(_mm(reds[0]) - 28) < 2 and abs(_mm(reds[-1]) - 184) < 2  # from 订口 to 版心 edge
    # The 发文机关标志 above it: red, its top 35 mm below the top of the 版心 (37 + 35 mm).
    mark = [y for y in range(line - 2) if red_rows[y]]
    assert abs(_mm(mark[0]) - 72) <= 3
    band = [px[x, y] for y in range(mark[0], mark[-1] + 1) for x in range(0, width, 2)]
    inked = [p for p in band if max(p) < 240]
    assert sum(map(_red, inked)) > 0.8 * len(inked)  # the header band is red, not black
    # The 发文字号 two lines below the 标志, and the line 4 mm below the 发文字号.
    number_rows = [y for y in range(mark[-1] + 1, line)
                   if any(_dark(px[x, y]) for x in range(0, width))]
    assert abs(_mm(number_rows[0] - mark[-1]) - 2 * LINE_MM) <= 3
    assert abs(_mm(line - number_rows[-1]) - 4) <= 1.5
    assert 105 < _mm(line) < 135  # what those rules add up to with a 标志 of 15–20 mm


@pytest.mark.parametrize("number", list(SEEDS))
def test_each_seeds_docx_opens_and_holds_the_same_text_in_the_same_order(seed_docs, number):
    import docx

    from workflow.printing.docx import render_docx

    document = docx.Document(io.BytesIO(render_docx(seed_docs[number])))
    text = flat("".join(p.text for p in document.paragraphs))
    assert_in_order(text, SEEDS[number])
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin,
                                  section.left_margin, section.right_margin)] == [37, 35, 28, 26]
    footer = "".join(p.text for p in section.footer.paragraphs).replace(" ", "")
    assert footer == "—1—"  # the PAGE field's cached value between the dashes


def test_a_sealed_seed_prints_the_seal_over_its_signature(seed_docs, seed_pdfs, tmp_path):
    """The red of the seal appears on the last page only when the issuer has a seal."""
    from dataclasses import replace

    from workflow.printing.pdf import render_pdf

    doc = seed_docs["哈妇发〔2026〕9号"]
    sealed = tmp_path / "sealed.pdf"
    sealed.write_bytes(render_pdf(replace(doc, seal_png=red_seal_png())))

    def red_on_last_page(pdf: Path) -> int:
        from PIL import Image

        pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf)))[1])
        subprocess.run(["pdftoppm", "-r", "50", "-f", str(pages), "-l", str(pages), "-png",
                        "-singlefile", str(pdf), str(tmp_path / pdf.stem)], check=True)
        data = Image.open(tmp_path / f"{pdf.stem}.png").convert("RGB").tobytes()
        return sum(_red(data[i:i + 3]) for i in range(0, len(data), 3))

    assert red_on_last_page(seed_pdfs["哈妇发〔2026〕9号"]) == 0
    assert red_on_last_page(sealed) > 100


LONG = "各级妇联要把学习贯彻会议精神作为当前和今后一个时期的重要政治任务，" * 12
SHORT = "本段较短，只为把后面的长段一点点推向页面底部。" * 2


def test_the_signature_never_stands_on_a_page_without_body_text(seed_docs, seed_pdfs):
    """GB/T 9704 §7.3.5: no page of the 署名 and 成文日期 alone (no "此页无正文"). When they do
    not fit below the last paragraph, its last lines go over with them — leaving blank the room
    those lines and the signature would have taken on the page before, which is the blank a
    reader sees there. Pushed down a line at a time, the last paragraph ends at every height of
    a page; each time the page with the date holds some of its text."""
    from workflow.printing.layout import Paragraph
    from workflow.printing.pdf import render_pdf

    doc = seed_docs["哈妇发〔2026〕9号"]
    tail = LONG[-12:]  # the paragraph's last words
    for shorts in range(3, 12):
        paragraphs = (*[Paragraph(0, "", SHORT)] * shorts, Paragraph(0, "", LONG))
        pdf = render_pdf(dataclasses.replace(doc, paragraphs=paragraphs, attachment_lines=()))
        pages = [flat(page) for page in _pdf_text(pdf).split("\f") if page.strip()]
        dated = [p for p in pages if re.search("2026年11月24日(?!印发)", p)]  # 成文日期
        assert len(dated) == 1, shorts
        assert tail in dated[0], f"{shorts} short paragraphs: the date stands without body text"


def _pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True, timeout=120).stdout.decode("utf-8")
