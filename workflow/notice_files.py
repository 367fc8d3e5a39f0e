"""The text of a notice uploaded as a file for 从文本导入: a .txt (UTF-8 or GB18030) or a .docx.

Owns: the length limit of a notice's text (`MAX_TEXT`, the same for pasted text and for a file),
refusing — never truncating — a file whose text is longer, and reading a .docx within bounded
memory: the package is judged by `workflow.archives` before anything is inflated, its main part
is inflated in capped chunks into a streaming XML parser (no entities, no network), only the
paragraphs of the body are kept (tables are left out, as python-docx's `Document.paragraphs`
does; its own element classes give each paragraph's text), and the reading stops as soon as the
text passes the limit. Refusals are `InvalidInput` in Chinese. Must not: parse the notice
(`notice_text`) or touch the database.
"""

from __future__ import annotations

import io
import posixpath

import docx.oxml  # noqa: F401  (registers python-docx's element classes on its lookup)
from docx.oxml.ns import qn
from docx.oxml.parser import element_class_lookup
from lxml import etree

from workflow import archives
from workflow.errors import InvalidInput

MAX_TEXT = 200_000
# A character takes at most four bytes in UTF-8 or GB18030 (and a BOM three more).
MAX_TEXT_FILE_BYTES = 4 * MAX_TEXT + 3
# The main part of a .docx: its text and the markup around it. A notice of 200,000 characters
# takes a few MB of XML; 32 MB leaves room for heavy formatting and bounds the parser's memory.
MAX_DOCUMENT_XML_BYTES = 32 * 2**20
MAX_RELS_BYTES = 2**20

TOO_LONG = f"文件中的文字超过{MAX_TEXT // 10_000}万字，请删减后再导入，或分几次导入"
UNREADABLE_WORD = "无法读取该 Word 文件，文件可能已损坏或不是 .docx 格式"
_OFFICE_DOCUMENT = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                    "officeDocument")
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DOCUMENT, _BODY, _P, _T = qn("w:document"), qn("w:body"), qn("w:p"), qn("w:t")


def notice_file_text(filename: str, data: bytes) -> str:
    """The plain text of an uploaded .txt or .docx, within `MAX_TEXT` characters."""
    name = filename.lower()
    if name.endswith(".txt"):
        return _plain_text(data)
    if name.endswith(".docx"):
        return _docx_text(filename, data)
    raise InvalidInput("只能导入 .txt 或 .docx 文件；.doc、PDF 等请先另存为 .docx，或复制文字粘贴")


def _plain_text(data: bytes) -> str:
    if len(data) > MAX_TEXT_FILE_BYTES:
        raise InvalidInput(TOO_LONG)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(text) > MAX_TEXT:
            raise InvalidInput(TOO_LONG)
        return text
    raise InvalidInput("无法识别该文本文件的编码，请另存为 UTF-8 或 GB18030 编码后重试")


def _docx_text(filename: str, data: bytes) -> str:
    """The body's paragraphs joined by newlines."""
    try:
        archive = archives.open_archive(io.BytesIO(data), filename)
    except archives.UnreadableArchive as error:
        raise InvalidInput(UNREADABLE_WORD) from error
    with archive:
        main = _main_part(archive, filename)
        try:
            info = archive.getinfo(main)
        except KeyError as error:
            raise InvalidInput(UNREADABLE_WORD) from error
        if info.file_size > MAX_DOCUMENT_XML_BYTES:
            raise InvalidInput(_too_large(filename))
        return "\n".join(_paragraphs(archive, info, filename))


def _too_large(filename: str) -> str:
    return (f"“{filename}”的正文部分解压后超过 {MAX_DOCUMENT_XML_BYTES // 2**20} MB，"
            "无法导入；请复制文字粘贴")


def _main_part(archive, filename: str) -> str:
    """The main document's part name, as the package's relationships give it."""
    try:
        info = archive.getinfo("_rels/.rels")
    except KeyError as error:
        raise InvalidInput(UNREADABLE_WORD) from error
    if info.file_size > MAX_RELS_BYTES:
        raise InvalidInput(UNREADABLE_WORD)
    xml = b"".join(archives.inflate(archive, info, filename))
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise InvalidInput(UNREADABLE_WORD) from error
    for relationship in root.iter(_RELATIONSHIP):
        if relationship.get("Type") == _OFFICE_DOCUMENT and relationship.get("Target"):
            return posixpath.normpath(relationship.get("Target").lstrip("/"))
    raise InvalidInput(UNREADABLE_WORD)


def _paragraphs(archive, info, filename: str) -> list[str]:
    """The text of each paragraph directly in the body, read as the part streams in."""
    parser = etree.XMLPullParser(events=("start", "end"), resolve_entities=False,
                                 no_network=True, remove_blank_text=True)
    parser.set_element_class_lookup(element_class_lookup)
    paragraphs: list[str] = []
    depth = 0
    total = 0  # characters of the paragraphs so far, the newlines between them included
    current = 0  # characters of the paragraph being read: a long one is caught midway
    in_paragraph = False
    try:
        for chunk in archives.inflate(archive, info, filename, limit=MAX_DOCUMENT_XML_BYTES):
            parser.feed(chunk)
            for event, element in parser.read_events():
                if event == "start":
                    depth += 1
                    if depth == 1 and element.tag != _DOCUMENT:
                        raise InvalidInput(UNREADABLE_WORD)
                    in_paragraph = in_paragraph or (depth == 3 and element.tag == _P)
                    continue
                depth -= 1
                if in_paragraph and element.tag == _T:
                    current += len(element.text or "")
                elif depth == 2:  # a child of the body has ended: keep its text, drop it
                    if element.tag == _P:
                        text = element.text
                        total += len(text) + (1 if paragraphs else 0)
                        paragraphs.append(text)
                    in_paragraph, current = False, 0
                    element.clear()
                    while element.getprevious() is not None:
                        del element.getparent()[0]
                if total + current > MAX_TEXT:
                    raise InvalidInput(TOO_LONG)
        parser.close()
    except etree.XMLSyntaxError as error:
        raise InvalidInput(UNREADABLE_WORD) from error
    if depth != 0:
        raise InvalidInput(UNREADABLE_WORD)
    return paragraphs
