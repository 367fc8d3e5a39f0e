"""The text of a notice file for 从文本导入 and `notice parse`: a .docx gives its body's paragraphs
and table rows in order, full-width spaces kept; a text PDF its lines, a scan is refused in
Chinese; each read within bounded memory — a bomb, a lying directory, an oversized main part and a text over
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
from workflow.notice_files import MAX_TEXT, lines_are_paragraphs, notice_file_text
from workflow.notice_text import parse_notice

TOO_LONG = "文件中的文字超过20万字"


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(InvalidInput) as refused:
        notice_file_text(name, data)
    return refused.value.message


def test_the_limit_is_the_pasted_texts_200_000_characters():
    assert MAX_TEXT == 200_000


def test_a_docx_gives_its_paragraphs_and_table_rows_in_order_with_tabs_and_breaks():
    document = docx.Document()
    document.add_paragraph("关于开展调研工作的通知")
    document.add_paragraph("")
    run = document.add_paragraph().add_run("附件：\t名单")
    run.add_break()
    run.add_text("第二行")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "单位", "联系人"
    table.cell(1, 0).text, table.cell(1, 1).text = "东城区妇联", "张　敏"
    document.add_paragraph("市妇联")
    out = io.BytesIO()
    document.save(out)
    assert notice_file_text("通知.docx", out.getvalue()) == (
        "关于开展调研工作的通知\n\n附件：\t名单\n第二行\n单位\t联系人\n东城区妇联\t张　敏\n市妇联")


def test_a_docx_keeps_full_width_spaces_and_each_paragraph_is_a_line_of_the_body():
    document = docx.Document()
    for text in ("关于开展主题活动的通知", "各区县妇联：", "\u3000\u3000现将有关事项通知如下：",
                 "一、活动主题", "巾帼心向党\u3000奋进新征程", "二、活动内容",
                 "（一）开展宣讲。", "联系人：张敏\u3000\u3000电话：12345678", "江州市妇联",
                 "2024年3月1日"):
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    text = notice_file_text("通知.docx", out.getvalue())
    assert "\n巾帼心向党\u3000奋进新征程\n" in text
    assert lines_are_paragraphs("通知.DOCX") and not lines_are_paragraphs("通知.pdf")
    body = parse_notice(text, lines_are_paragraphs=True).body
    assert body.splitlines() == ["现将有关事项通知如下：", "一、活动主题", "巾帼心向党\u3000奋进新征程",
                                 "二、活动内容", "（一）开展宣讲。", "联系人：张敏\u3000\u3000电话：12345678"]


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


def _pdf_of(html: str) -> bytes:
    from weasyprint import HTML  # slow to import: only the PDF tests need it

    return HTML(string=html).write_pdf()


NOTICE_HTML = """<html><head><style>
@page { size: A4; margin: 2cm } body { font-family: 'Noto Serif CJK SC'; font-size: 16pt }
p { margin: 0 }</style></head><body>
<p>江州市妇女联合会文件</p><p>江妇发〔2024〕3号</p>
<p>关于报送2023年度工作总结的通知</p><p>各区县妇联：</p>
<p>请各区县妇联于2024年1月20日前将年度工作总结报送市妇联办公室。</p>
<p>江州市妇女联合会</p><p>2024年1月5日</p></body></html>"""


@pytest.mark.slow
def test_a_text_pdf_gives_its_lines_and_the_parser_reads_them():
    text = notice_file_text("通知.PDF", _pdf_of(NOTICE_HTML))
    assert text.splitlines()[:4] == ["江州市妇女联合会文件", "江妇发〔2024〕3号",
                                     "关于报送2023年度工作总结的通知", "各区县妇联："]
    parsed = parse_notice(text)
    assert parsed.issuer == "江州市妇女联合会"
    assert parsed.doc_number.number.normalized == "江妇发〔2024〕3号"
    assert [(r.what, r.to, r.due_date.isoformat()) for r in parsed.report_requests] == [
        ("年度工作总结", "市妇联办公室", "2024-01-20")]


@pytest.mark.slow
def test_a_pdf_without_text_is_refused_in_chinese_as_a_scan():
    blank = _pdf_of("<html><body><div style='width:10cm;height:10cm;background:#888'></div>"
                    "</body></html>")
    assert refusal("扫描件.pdf", blank) == "该PDF没有可提取的文字（可能是扫描件），请手工录入"


def test_a_file_called_pdf_that_is_not_one_and_an_unknown_kind_are_refused_in_chinese():
    assert refusal("通知.pdf", b"PK\x03\x04") == (
        "该文件不是PDF文件，无法读取；请使用正确的扩展名后再上传，或手工录入")
    assert refusal("通知.pdf", b"%PDF-1.7\n garbage").startswith("无法读取该PDF文件")
    assert refusal("通知.doc", b"\xd0\xcf\x11\xe0").startswith("只能导入 .txt、.docx 或 PDF 文件")
