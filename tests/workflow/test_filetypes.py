"""Attachments are judged by their bytes: real files of every accepted kind pass with the type
they are served with; an executable under a harmless name, a script, a web page, an installer, a
zip carrying any of those, and a zip bomb are refused in Chinese, naming the file."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from tests import archives
from workflow import filetypes
from workflow.errors import InvalidInput

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def judge(name: str, data: bytes) -> str:
    return filetypes.judge(io.BytesIO(data), name)


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(InvalidInput) as refused:
        judge(name, data)
    return refused.value.message


@pytest.mark.parametrize(("name", "make", "served_as"), [
    ("图.png", archives.tiny_png, "image/png"),
    ("照片.jpg", archives.tiny_jpeg, "image/jpeg"),
    ("照片.jpeg", archives.tiny_jpeg, "image/jpeg"),
    ("截图.jpg", archives.tiny_png, "image/png"),  # any picture under any picture's name
    ("图.gif", lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    ("图.bmp", lambda: b"BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00" + b"\x00" * 40,
     "image/bmp"),
    ("图.tif", lambda: b"II*\x00\x08\x00\x00\x00" + b"\x00" * 16, "image/tiff"),
    ("图.webp", lambda: b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "image/webp"),
    ("方案.pdf", archives.pdf, "application/pdf"),
    ("通知.docx", archives.word_docx, DOCX),
    ("统计.xlsx", archives.excel_xlsx, XLSX),
    ("旧稿.doc", archives.ole2, "application/msword"),
    ("旧表.xls", archives.ole2, "application/vnd.ms-excel"),
    ("金山.wps", archives.ole2, "application/kswps"),
    ("金山.et", archives.ole2, "application/kset"),
    ("版式.ofd", archives.ofd, "application/ofd"),
    ("文档.odt", lambda: archives.zip_of(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
        compression=zipfile.ZIP_STORED), "application/vnd.oasis.opendocument.text"),
    ("说明.txt", lambda: "请各单位报送。\n".encode(), "text/plain; charset=utf-8"),
    ("说明.txt", lambda: "请各单位报送。\n".encode("gb18030"), "text/plain; charset=gb18030"),
    ("名单.csv", lambda: "单位,人数\r\n第一区,12\r\n".encode(), "text/csv; charset=utf-8"),
    ("材料.zip", lambda: archives.zip_of({"方案.pdf": archives.pdf(),
                                          "表/统计.xlsx": archives.excel_xlsx(),
                                          "图.png": archives.tiny_png(),
                                          "说明.txt": "说明".encode()}), "application/zip"),
    ("材料.rar", lambda: b"Rar!\x1a\x07\x01\x00" + b"\x00" * 32, "application/vnd.rar"),
    ("材料.7z", lambda: b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 32,
     "application/x-7z-compressed"),
])
def test_each_accepted_kind_passes_with_its_served_type(name, make, served_as):
    assert judge(name, make()) == served_as
    assert served_as in filetypes.SAFE_CONTENT_TYPES


@pytest.mark.parametrize(("name", "make"), [
    ("方案.pdf", archives.exe),  # a Windows program renamed
    ("旧稿.doc", archives.elf),
    ("说明.txt", archives.exe),
    ("安装.exe", archives.exe),
    ("脚本.txt", lambda: b"#!/bin/sh\nrm -rf ~\n"),
    ("网页.txt", lambda: b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("网页.html", lambda: b"<html><body>hi</body></html>"),
    ("报表.xls", lambda: b"<html><table><tr><td>1</td></tr></table></html>"),
    ("图.svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'),
    ("控制.txt", lambda: b"text with an escape \x1b[2J"),
    ("安装.doc", lambda: archives.ole2(archives.MSI_CLSID)),
    ("说明.bat", lambda: b"del /q *.*\r\n"),
])
def test_what_is_not_an_accepted_kind_is_refused_naming_the_file(name, make):
    message = refusal(name, make())
    assert f"附件“{name}”" in message
    assert "不是允许的文件类型" in message or "与文件名不符" in message


def test_an_exe_renamed_pdf_is_refused_as_not_an_accepted_kind():
    assert refusal("方案.pdf", archives.exe()) == (
        f"附件“方案.pdf”不是允许的文件类型；{filetypes.ACCEPTED}")


def test_a_file_whose_name_disagrees_with_its_content_is_refused_saying_what_it_is():
    assert "的内容是图片，与文件名不符" in refusal("方案.pdf", archives.tiny_png())
    assert "的内容是Office 文档，与文件名不符" in refusal("统计.zip", archives.excel_xlsx())
    assert "与文件名不符" in refusal("方案.pdf", "纯文本".encode())
    assert "的内容是ZIP 压缩包" in refusal("说明.txt", archives.zip_of({"a.txt": b"a"}))


@pytest.mark.parametrize(("entries", "named"), [
    ({"setup.exe": archives.exe()}, "setup.exe"),
    ({"方案.pdf": archives.pdf(), "说明.pdf": archives.exe()}, "说明.pdf"),
    ({"run.sh": b"#!/bin/sh\n"}, "run.sh"),
    ({"index.html": b"<html></html>"}, "index.html"),
    ({"note.txt": b"<!doctype html><p>x</p>"}, "note.txt"),
    ({"表.xlsx": archives.exe()}, "表.xlsx"),
    ({"../../etc/cron.d/x.txt": b"x"}, "../../etc/cron.d/x.txt"),
])
def test_a_zip_carrying_anything_else_is_refused_naming_the_entry(entries, named):
    message = refusal("材料.zip", archives.zip_of(entries))
    assert f"压缩包“材料.zip”中的“{named}”" in message


def test_a_zip_bomb_attachment_is_refused_from_its_directory_at_once():
    bomb = archives.docx_bomb()
    started = time.monotonic()
    assert "“通知.docx”解压后超过 200 MB" in refusal("通知.docx", bomb)
    assert time.monotonic() - started < 2


def test_an_entry_inflating_over_200_to_1_is_refused_even_under_the_total():
    zeros = archives.zip_of({"表.csv": b"0" * (20 * 2**20)})
    assert len(zeros) * 200 < 20 * 2**20  # the fact: more than 200:1
    assert "中的“表.csv”压缩比超过 200:1" in refusal("材料.zip", zeros)


def test_more_than_a_thousand_entries_are_refused_before_the_directory_is_read():
    many = archives.zip_of({f"{i}.txt": b"x" for i in range(1001)})
    assert "中的文件超过 1000 个" in refusal("材料.zip", many)
    assert judge("材料.zip", archives.zip_of({f"{i}.txt": b"x" for i in range(1000)}))


def test_a_zip_whose_directory_understates_an_entry_is_refused():
    lying = archives.lying_zip(archives.pdf() * 4000, 1024, name="方案.pdf")
    assert "中的“方案.pdf”" in refusal("材料.zip", lying)


def test_an_encrypted_entry_cannot_be_checked_and_is_refused():
    data = bytearray(archives.zip_of({"方案.pdf": archives.pdf()}))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + flags_at] |= 0x1
    assert "含有加密的文件" in refusal("材料.zip", bytes(data))


def test_a_broken_zip_is_refused_in_chinese():
    assert "无法作为压缩文件读取" in refusal("材料.zip", b"PK\x03\x04 not a zip at all")


@pytest.mark.parametrize(("stored", "served"), [
    ("application/pdf", "application/pdf"),
    ("text/plain; charset=gb18030", "text/plain; charset=gb18030"),
    ("text/html", "application/octet-stream"),
    ("image/svg+xml", "application/octet-stream"),
    ("application/x-msdownload", "application/octet-stream"),
    (None, "application/octet-stream"),
])
def test_a_stored_type_is_served_only_if_it_is_one_of_the_safe_ones(stored, served):
    assert filetypes.safe_content_type(stored) == served


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("来文.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", filetypes.PDF),
    ("来文.pdf", "关于开会的通知".encode("gb18030"), filetypes.TEXT),
    ("来文.pdf", "关于开会的通知\x07".encode(), None),  # a control character: not text
    ("来文.pdf", b"<html><script>alert(1)</script>", None),
])
def test_the_content_kind_is_told_by_the_bytes_whatever_the_name(name, data, kind):
    assert filetypes.content_kind(io.BytesIO(data), name) is kind
