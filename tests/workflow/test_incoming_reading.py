"""A 来文 registered from a file: its text read from a PDF, a .docx or a .txt (`document_text`) and
its registration fields read from that text (`read_incoming`).

The seeds are issued by the demo and printed by Gongwen's own printing (PDF by WeasyPrint, .docx
by python-docx), then read back; the expected fields are written here by hand from the seeds.
Hostile files are made in the test with pypdf: each is refused in Chinese, in a process of its
own, in under 2 s and without the worker growing by 100 MB.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    NameObject,
    NumberObject,
)
from sqlalchemy import select

from tests import archives
from tests.factories import HAN
from tests.system_parts import require
from workflow import demo
from workflow.db import create_all, make_engine, make_session_factory
from workflow.errors import InvalidInput
from workflow.models import Notice
from workflow.notice_files import document_text
from workflow.notice_text import read_incoming
from workflow.printing import printed_notice
from workflow.states import Urgency

ROOT = Path(__file__).resolve().parents[2]
SEED_FILES = {"长妇通字〔2016〕4号": ROOT / "tests/workflow/notice_corpus/seed_000_changchun_fulian.txt",
              "哈妇发〔2015〕9号": ROOT / "tests/workflow/notice_corpus/seed_001_harbin_fulian.txt"}
TIME_BOUND_S = 2.0
# The worker's resident size may not grow by 100 MB; what Python allocates while reading (its
# peak, by tracemalloc) may not pass 64 MB — pypdf's own limit of 75 MB a stream would.
MEMORY_BOUND_MB = 100
PEAK_BOUND_MB = 64

# Read off the seeds by hand: (what, due date, to whom) of each report request.
SEED_000 = {
    "issuer": "长春市妇女联合会", "doc_number": "长妇通字〔2016〕4号",
    "title": "关于认真学习宣传贯彻落实市委党的群团工作会议精神的通知",
    "urgency": None, "secrecy": None,
    "requests": [("学习贯彻落实会议精神情况", dt.date(2016, 3, 31), "市妇联"),
                 ("调研报告", dt.date(2016, 4, 30), "市妇联")],
}
SEED_001 = {
    "issuer": "哈尔滨市妇女联合会", "doc_number": "哈妇发〔2015〕9号",
    "title": "哈尔滨市妇联关于认真学习贯彻中央党的群团工作会议精神的通知",
    "urgency": None, "secrecy": None,
    "requests": [("学习贯彻情况", None, "市妇联宣传部")],  # "及时": no date
}
SEEDS = {"长妇通字〔2016〕4号": SEED_000, "哈妇发〔2015〕9号": SEED_001}
# The text of seed 000 as published carries no date.
TEXT_DATES = {"长妇通字〔2016〕4号": None, "哈妇发〔2015〕9号": dt.date(2015, 8, 11)}
# The demo built on Thursday 2026-12-03 issues each seed in the year of its issue, its text as it
# is: seed 000 as 长妇通字〔2026〕4号 signed Wednesday 2026-11-18 (printed 2026年11月18日), whose
# undated "3月31日" and "4月30日" a reader takes as the next ones after that day; seed 001 as
# 哈妇发〔2026〕9号 signed Tuesday 2026-11-24.
DEMO_TODAY = dt.date(2026, 12, 3)
PRINTED = {
    "长妇通字〔2016〕4号": {**SEED_000, "doc_number": "长妇通字〔2026〕4号", "date": dt.date(2026, 11, 18),
                      "requests": [("学习贯彻落实会议精神情况", dt.date(2027, 3, 31), "市妇联"),
                                   ("调研报告", dt.date(2027, 4, 30), "市妇联")]},
    "哈妇发〔2015〕9号": {**SEED_001, "doc_number": "哈妇发〔2026〕9号", "date": dt.date(2026, 11, 24)},
}


def assert_fields(found, expected: dict, date: dt.date | None) -> None:
    assert found.issuer == expected["issuer"]
    assert found.doc_number == expected["doc_number"]
    assert found.title == expected["title"]
    assert found.urgency == expected["urgency"]
    assert found.secrecy == expected["secrecy"]
    assert found.date == date
    assert [(r.what, r.due_date, r.to) for r in found.report_requests] == expected["requests"]


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(InvalidInput) as refused:
        document_text(name, data)
    message = refused.value.message
    assert HAN.search(message), message
    return message


# ------------------------------------------------------------------------------------------------
# The seeds, printed by Gongwen and read back


@pytest.fixture(scope="module")
def seed_docs(tmp_path_factory):
    """Both seed notices as the demo issues them, as print models (by the seed's own number)."""
    path = tmp_path_factory.mktemp("seeds") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    create_all(engine)
    with make_session_factory(engine)() as session:
        demo.build(session, today=DEMO_TODAY)
        session.commit()
        ids = dict(session.execute(select(Notice.doc_number, Notice.id)).all())
        docs = {number: printed_notice(session, ids[PRINTED[number]["doc_number"]])
                for number in SEEDS}
    engine.dispose()
    return docs


@pytest.fixture(scope="module")
def seed_pdfs(seed_docs):
    from workflow.printing.pdf import fonts_installed, render_pdf

    require(fonts_installed(), "no Chinese font installed (apt-get install fonts-noto-cjk)")
    return {number: render_pdf(doc) for number, doc in seed_docs.items()}


@pytest.mark.slow
@pytest.mark.parametrize("number", list(SEEDS))
def test_each_seed_printed_as_pdf_reads_back_to_its_registration_fields(seed_pdfs, number):
    text = document_text("来文.pdf", seed_pdfs[number])
    assert_fields(read_incoming(text), PRINTED[number], PRINTED[number]["date"])


@pytest.mark.slow
@pytest.mark.parametrize("number", list(SEEDS))
def test_each_seed_printed_as_docx_reads_back_to_its_registration_fields(seed_docs, number):
    from workflow.printing.docx import render_docx

    text = document_text("来文.docx", render_docx(seed_docs[number]))
    assert_fields(read_incoming(text), PRINTED[number], PRINTED[number]["date"])


@pytest.mark.slow
def test_the_secrecy_and_urgency_marks_printed_top_left_are_read_from_the_pdf(seed_docs):
    from workflow.printing.pdf import fonts_installed, render_pdf

    require(fonts_installed(), "no Chinese font installed (apt-get install fonts-noto-cjk)")
    marked = replace(seed_docs["哈妇发〔2015〕9号"], marks=("机密★1年", "特急"))
    found = read_incoming(document_text("来文.pdf", render_pdf(marked)))
    assert (found.urgency, found.secrecy) == (Urgency.VERY_URGENT, "机密")
    assert found.doc_number == "哈妇发〔2026〕9号" and found.issuer == "哈尔滨市妇女联合会"


@pytest.mark.parametrize("number", list(SEEDS))
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_each_seed_as_a_text_file_reads_to_its_registration_fields(number, encoding):
    data = SEED_FILES[number].read_text(encoding="utf-8").encode(encoding)
    assert_fields(read_incoming(document_text("来文.txt", data)), SEEDS[number],
                  TEXT_DATES[number])


# ------------------------------------------------------------------------------------------------
# Markings, and text that is not a 来文


SEED_001_TEXT = SEED_FILES["哈妇发〔2015〕9号"].read_text(encoding="utf-8")


@pytest.mark.parametrize(("head", "urgency", "secrecy"), [
    ("机密★1年\n特急\n", Urgency.VERY_URGENT, "机密"),
    ("000001  秘密★5年   加 急\n", Urgency.URGENT, "秘密"),  # 份号, 密级 and 紧急程度 on one line
    ("绝 密\n", None, "绝密"),
    ("特提\n", Urgency.VERY_URGENT, None),
    ("", None, None),
])
def test_urgency_and_secrecy_are_read_from_the_header_marks(head, urgency, secrecy):
    found = read_incoming(head + SEED_001_TEXT)
    assert (found.urgency, found.secrecy) == (urgency, secrecy)
    assert found.doc_number == "哈妇发〔2015〕9号" and found.title == SEED_001["title"]


def test_a_secret_or_urgent_word_in_the_body_is_not_a_marking():
    text = SEED_001_TEXT.replace("请各地妇联将学习贯彻情况", "机密\n特急\n请各地妇联将学习贯彻情况")
    found = read_incoming(text)
    assert (found.urgency, found.secrecy) == (None, None)


def test_text_without_a_notice_gives_empty_fields_for_the_clerk_to_fill():
    found = read_incoming("今天下午三点开会。")
    assert (found.issuer, found.doc_number, found.title, found.urgency, found.secrecy,
            found.date, found.report_requests) == (None, None, None, None, None, None, ())


def test_the_fields_have_a_json_form_with_the_chinese_labels():
    found = read_incoming("特急\n" + SEED_001_TEXT)
    assert found.to_json_dict() == {
        "issuer": "哈尔滨市妇女联合会", "doc_number": "哈妇发〔2015〕9号",
        "title": SEED_001["title"], "urgency": "特急", "secrecy": None, "date": "2015-08-11",
        "report_requests": [{"what": "学习贯彻情况", "who": "各地妇联", "to": "市妇联宣传部",
                             "deadline_text": "及时", "due_date": None}]}


@pytest.mark.parametrize(("text", "words"), [
    ("关于开会的通知\x00\x07", "控制字符"),
    ("通" * 200_001, "超过20万字"),
])
def test_text_with_control_characters_or_over_the_limit_is_refused(text, words):
    with pytest.raises(InvalidInput) as refused:
        read_incoming(text)
    assert words in refused.value.message


# ------------------------------------------------------------------------------------------------
# Hostile and unreadable files, made here with pypdf


def pdf_bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    return pdf_bytes(writer)


def text_pdf(content: bytes) -> bytes:
    """One page drawing `content` (a content stream) in the standard Helvetica."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)
    return pdf_bytes(writer)


def deflated_pages(pages: int, inflated_mb: int) -> bytes:
    """`pages` pages whose content is `inflated_mb` MB of zero bytes, deflated (a bomb)."""
    squeezer = zlib.compressobj(9)
    chunk = b"\0" * 2**20
    data = b"".join(squeezer.compress(chunk) for _ in range(inflated_mb)) + squeezer.flush()
    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(595, 842)
        stream = EncodedStreamObject()
        stream._data = data
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        page[NameObject("/Contents")] = writer._add_object(stream)
    return pdf_bytes(writer)


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("口令", algorithm="RC4-128")
    return pdf_bytes(writer)


def lying_page_count_pdf() -> bytes:
    """2,000 pages whose page tree says it holds one: walking it stops at pypdf's limit, 800."""
    writer = PdfWriter()
    for _ in range(2_000):
        writer.add_blank_page(595, 842)
    writer._root_object["/Pages"].get_object()[NameObject("/Count")] = NumberObject(1)
    return pdf_bytes(writer)


def test_a_pdfs_text_is_read_and_a_stray_control_character_dropped():
    assert document_text("来文.pdf", text_pdf(b"BT /F1 12 Tf 72 700 Td (Hello \\001world) Tj ET")
                         ) == "Hello world"


def test_a_pdf_whose_page_count_is_an_indirect_object_is_read():
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf(b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET")))
    tree = writer._root_object["/Pages"].get_object()
    tree[NameObject("/Count")] = writer._add_object(NumberObject(1))
    assert document_text("来文.pdf", pdf_bytes(writer)) == "Hello"


def test_a_pdf_whose_pages_carry_no_text_is_refused_as_a_scan():
    assert refusal("扫描件.pdf", blank_pdf(3)) == "该PDF没有可提取的文字（可能是扫描件），请手工录入"


def test_a_pdf_of_201_pages_is_refused_and_one_of_200_is_read_page_by_page():
    assert "超过200页" in refusal("厚.pdf", blank_pdf(201))
    assert "扫描件" in refusal("厚.pdf", blank_pdf(200))  # read to the end: no text anywhere


def test_a_pdf_with_more_than_200_000_characters_is_refused_not_truncated():
    assert "超过20万字" in refusal("长.pdf", text_pdf(
        b"BT /F1 12 Tf 72 700 Td (" + b"a" * 200_001 + b") Tj ET"))


def test_an_encrypted_pdf_is_refused():
    assert refusal("加密.pdf", encrypted_pdf()).startswith("该PDF已加密")


def test_a_truncated_pdf_is_refused_as_damaged():
    whole = text_pdf(b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET")
    for cut in (len(whole) // 2, 100, 10):
        assert refusal("断.pdf", whole[:cut]).startswith("无法读取该PDF文件")


@pytest.mark.parametrize(("name", "data", "words"), [
    ("来文.pdf", "关于开会的通知".encode(), "的内容是纯文本，与文件名不符"),
    ("来文.txt", b"%PDF-1.4\n", "的内容是PDF 文件，与文件名不符"),
    ("来文.pdf", archives.word_docx(["关于开会的通知"]), "的内容是Office 文档，与文件名不符"),
    ("来文.docx", archives.excel_xlsx(), "无法读取该 Word 文件"),
    ("来文.txt", "关于开会的通知\x00\x07".encode(), "控制字符"),
    ("来文.txt", b"\xff\xfe\xff\xff", "无法识别该文本文件的编码"),
    ("来文.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "只能读取 PDF、Word（.docx）或纯文本（.txt）文件"),
    ("来文.pdf", b"", "文件是空的"),
    ("来文.pdf", b"%PDF" + b"\0" * (20 * 2**20), "文件不能超过 20 MB"),
])
def test_a_file_whose_name_and_content_disagree_or_that_is_no_text_is_refused(name, data, words):
    assert words in refusal(name, data)


# Each hostile file is read in a process of its own, as a server worker would; it prints what it
# measured as JSON on its last line.
WORKER = r"""
import json, resource, sys, time, tracemalloc
from workflow.errors import InvalidInput
from workflow.notice_files import document_text

data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
# The worker's own CPU time, not the wall clock: a loaded machine slows the clock, not the work.
started = time.process_time()
try:
    document_text(sys.argv[2], data)
    message = None
except InvalidInput as error:
    message = error.message
seconds = time.process_time() - started
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"message": message, "seconds": seconds, "grew_mb": (after - before) / 1024,
                  "peak_mb": peak / 2**20}, ensure_ascii=False))
"""


def _limit_memory():
    """The worker may not take the machine with it when the code under test is wrong."""
    resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))


def read_in_a_worker(tmp_path, name: str, data: bytes) -> dict:
    path = tmp_path / "upload"
    path.write_bytes(data)
    result = subprocess.run([sys.executable, "-c", WORKER, str(path), name], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, preexec_fn=_limit_memory,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


HOSTILE = {
    # 200 MB of zeros deflated into 0.2 MB: refused at pypdf's inflation limit, set to 4 MB.
    "bomb": (lambda: deflated_pages(1, 200), "该PDF的内容超过读取上限"),
    # Twelve pages of 3 MB each, every one under the limit of a stream, 36 MB together.
    "many_small_bombs": (lambda: deflated_pages(12, 3), "该PDF的内容超过读取上限"),
    "ten_thousand_pages": (lambda: blank_pdf(10_000), "超过200页"),
    "lying_page_count": (lying_page_count_pdf, "该PDF的内容超过读取上限"),
    "encrypted": (encrypted_pdf, "该PDF已加密"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_pdf_is_refused_in_chinese_fast_and_the_worker_stays_small(tmp_path, case):
    make, words = HOSTILE[case]
    data = make()
    if case == "bomb":
        assert len(data) < 2**20  # the facts of the file itself: under 1 MB, inflating to 200
    measured = read_in_a_worker(tmp_path, "来文.pdf", data)
    assert measured["message"] is not None and words in measured["message"], measured
    assert measured["seconds"] < TIME_BOUND_S, measured
    assert measured["grew_mb"] < MEMORY_BOUND_MB, measured
    assert measured["peak_mb"] < PEAK_BOUND_MB, measured
