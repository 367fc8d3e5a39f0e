"""The text of a notice file for 从文本导入: a .docx gives its body's paragraphs (not its tables),
read within bounded memory — a bomb, a lying directory, an oversized main part and a text over
the limit are refused in Chinese before they cost anything — and a .txt has the same limit as
pasted text, refused, never truncated."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import docx
import pytest

from tests import archives
from workflow.errors import InvalidInput
from workflow.notice_files import MAX_TEXT, notice_file_text

TOO_LONG = "文件中的文字超过20万字"


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(InvalidInput) as refused:
        notice_file_text(name, data)
    return refused.value.message


def test_the_limit_is_the_pasted_texts_200_000_characters():
    assert MAX_TEXT == 200_000


def test_a_docx_gives_its_body_paragraphs_with_tabs_and_breaks_and_not_its_tables():
    document = docx.Document()
    document.add_paragraph("关于开展调研工作的通知")
    document.add_paragraph("")
    run = document.add_paragraph().add_run("附件：\t名单")
    run.add_break()
    run.add_text("第二行")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "表格里的字"
    document.add_paragraph("市妇联")
    out = io.BytesIO()
    document.save(out)
    assert notice_file_text("通知.docx", out.getvalue()) == (
        "关于开展调研工作的通知\n\n附件：\t名单\n第二行\n市妇联")


def test_a_docx_bomb_is_refused_fast_and_small():
    bomb = archives.docx_bomb()
    tracemalloc.start()
    try:
        started = time.monotonic()
        message = refusal("通知.docx", bomb)
        seconds = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message.startswith("“通知.docx”解压后超过 200 MB")
    assert seconds < 2
    assert peak < 5 * 2**20, peak  # the file is 0.4 MB; inflated, 256 MB


def test_a_docx_whose_directory_lies_is_refused_having_read_no_more_than_it_declared():
    lying = archives.docx_lying_bomb()
    tracemalloc.start()
    try:
        message = refusal("通知.docx", lying)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message == "“通知.docx”中的“word/document.xml”无法解压，文件可能已损坏或被篡改"
    assert peak < 5 * 2**20, peak


def test_a_main_part_over_32_mb_is_refused_from_the_directory():
    xml = (f'<w:document xmlns:w="{archives.W_NS}"><w:body>'.encode()
           + b"<w:p/>" * (33 * 2**20 // 6) + b"</w:body></w:document>")
    big = archives.zip_of({"[Content_Types].xml": archives.CONTENT_TYPES.encode(),
                           "_rels/.rels": archives.RELS.encode(), "word/document.xml": xml},
                          compression=zipfile.ZIP_STORED)
    assert "“大.docx”的正文部分解压后超过 32 MB" in refusal("大.docx", big)


def test_a_docx_over_the_limit_is_refused_and_so_is_one_long_paragraph():
    assert refusal("长.docx", archives.word_docx(["通" * 100_000, "知" * 100_000])) == (
        f"{TOO_LONG}，请删减后再导入，或分几次导入")
    assert notice_file_text("满.docx", archives.word_docx(["通" * 100_000, "知" * 99_999]))
    assert TOO_LONG in refusal("长.docx", archives.word_docx("通" * 200_001))


def test_a_workbook_renamed_docx_is_not_read_as_word():
    assert refusal("表.docx", archives.excel_xlsx()) == (
        "无法读取该 Word 文件，文件可能已损坏或不是 .docx 格式")


def test_a_docx_with_an_entity_is_read_without_expanding_it():
    xml = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "{"啊" * 1000}">'
           f'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
           f'<w:document xmlns:w="{archives.W_NS}"><w:body><w:p><w:r><w:t>&b;&b;&b;</w:t>'
           f'</w:r></w:p></w:body></w:document>').encode()
    data = archives.zip_of({"[Content_Types].xml": archives.CONTENT_TYPES.encode(),
                            "_rels/.rels": archives.RELS.encode(), "word/document.xml": xml})
    assert "啊" not in notice_file_text("实体.docx", data)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_text_file_at_the_limit_is_read_and_one_over_it_is_refused(encoding):
    at_limit = ("关于开展调研工作的通知。" * MAX_TEXT)[:MAX_TEXT]
    assert notice_file_text("通知.txt", at_limit.encode(encoding)) == at_limit
    assert refusal("通知.txt", (at_limit + "知").encode(encoding)).startswith(TOO_LONG)


def test_a_4_mb_text_file_is_refused_at_once():
    data = ("关于开展调研工作的通知。\n" * 200_000).encode()[:4 * 2**20]
    started = time.monotonic()
    assert refusal("通知.txt", data).startswith(TOO_LONG)
    assert time.monotonic() - started < 2
