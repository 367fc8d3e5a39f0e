"""The text of a notice uploaded as a file: a .txt (UTF-8 or GB18030), a .docx or a PDF.

Owns: the length limit of a notice's text (`MAX_TEXT`, the same for pasted text and for a file),
refusing — never truncating — a file whose text is longer, and reading each kind within bounded
memory and time. `notice_file_text` serves 从文本导入 and `notice parse` (.txt, .docx and PDF, told by name, a
PDF's bytes checked too); `document_text` serves a 来文 registered from a file, its kind told by
its bytes (`workflow.filetypes`) and its name required to agree. `lines_are_paragraphs` says
whether a file's lines are its paragraphs (a .docx) or printed lines to be joined (PDF, text).

- .docx: the package is judged by `workflow.archives` before anything is inflated, its main part
  is inflated in capped chunks into a streaming XML parser (no entities, no network), and the
  body is read in order: each paragraph on a line of its own, each table row on a line of its
  own (its cells separated by a tab), the text as written — full-width spaces kept (python-docx's
  element classes give each paragraph's text); the reading stops as soon as the text passes
  the limit.
- PDF: read by pypdf under tighter limits than its own (every stream's inflated size, the page
  tree, no external decoder), at most `MAX_PDF_PAGES` pages and `MAX_PDF_CONTENT_BYTES` of page
  content in all; an encrypted PDF, a scan (no text on any page) and a malformed file are
  refused.

Refusals are `InvalidInput` in Chinese, never a stack trace. Must not: parse the notice
(`notice_text`) or touch the database.
"""
from __future__ import annotations

import io
import posixpath
import re

import docx.oxml  # noqa: F401  (registers python-docx's element classes on its lookup)
from docx.oxml.ns import qn
from docx.oxml.parser import element_class_lookup
from lxml import etree
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError

from workflow import archives, filetypes
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
# A 来文 file: the attachment limit. A PDF of a notice has a few pages; 200 is a thick report.
MAX_DOCUMENT_BYTES = 20 * 2**20
MAX_PDF_PAGES = 200
# One content stream of a dense page of a notice inflates to well under 1 MB; 4 MB leaves room
# and bounds what pypdf inflates per stream. All pages together may hold 32 MB of content.
MAX_PDF_STREAM_BYTES = 4 * 2**20
MAX_PDF_CONTENT_BYTES = 32 * 2**20

UNREADABLE_PDF = "无法读取该PDF文件，文件可能已损坏或不完整；请重新获取文件，或手工录入"
SCANNED_PDF = "该PDF没有可提取的文字（可能是扫描件），请手工录入"
ENCRYPTED_PDF = "该PDF已加密，无法读取其中的文字；请提供未加密的文件，或手工录入"
TOO_MANY_PAGES = f"该PDF超过{MAX_PDF_PAGES}页，无法读取；请只上传公文本身，或手工录入"
TOO_COMPLEX_PDF = "该PDF的内容超过读取上限（可能是异常文件），无法读取；请手工录入"
CONTROL_CHARACTERS = "文件中含有控制字符，不是正常的文本文件；请检查文件，或复制文字粘贴"
ACCEPTED_DOCUMENTS = "只能读取 PDF、Word（.docx）或纯文本（.txt）文件；其他格式请另存后再上传，或手工录入"
# pypdf's own limits are 75 MB a stream; ours are tighter, and no external JBIG2 decoder is run.
_PDF_LIMITS = {
    "maximum_declared_stream_length": MAX_DOCUMENT_BYTES,
    "array_based_stream_maximum_output_length": MAX_PDF_STREAM_BYTES,
    "jbig2_maximum_output_length": MAX_PDF_STREAM_BYTES,
    "lzw_maximum_output_length": MAX_PDF_STREAM_BYTES,
    "run_length_maximum_output_length": MAX_PDF_STREAM_BYTES,
    "zlib_maximum_output_length": MAX_PDF_STREAM_BYTES,
    "brotli_maximum_output_length": MAX_PDF_STREAM_BYTES,
    "image_maximum_buffer_size": MAX_PDF_STREAM_BYTES,
    "stream_decoding_work_maximum_length": 4 * MAX_PDF_STREAM_BYTES,
    "page_tree_maximum_entries": 4 * MAX_PDF_PAGES,
    "jbig2dec_binary": None,
    "disable_legacy_handling": True,
}
# Control characters other than tab, newline, carriage return and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_OFFICE_DOCUMENT = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                    "officeDocument")
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DOCUMENT, _BODY, _P, _T = qn("w:document"), qn("w:body"), qn("w:p"), qn("w:t")
_TBL, _TR, _TC = qn("w:tbl"), qn("w:tr"), qn("w:tc")


NOT_A_PDF = "该文件不是PDF文件，无法读取；请使用正确的扩展名后再上传，或手工录入"
IMPORTABLE = "只能导入 .txt、.docx 或 PDF 文件；.doc 等请先另存为 .docx，或复制文字粘贴"


def notice_file_text(filename: str, data: bytes) -> str:
    """The plain text of an uploaded .txt, .docx or PDF, within `MAX_TEXT` characters."""
    name = filename.lower()
    if name.endswith(".txt"):
        return _plain_text(data)
    if name.endswith(".docx"):
        return _docx_text(filename, data)
    if name.endswith(".pdf"):
        if len(data) > MAX_DOCUMENT_BYTES:
            raise InvalidInput(f"文件不能超过 {MAX_DOCUMENT_BYTES // 2**20} MB")
        # The header may follow a little junk (PDF readers allow 1 KB); anything else is not one.
        if b"%PDF-" not in data[:1024]:
            raise InvalidInput(NOT_A_PDF)
        return _pdf_text(data)
    raise InvalidInput(IMPORTABLE)


def lines_are_paragraphs(filename: str) -> bool:
    """Whether each line of the file's text is one paragraph (a .docx's text, as read here)."""
    return filename.lower().endswith(".docx")


def document_text(filename: str, data: bytes) -> str:
    """The plain text of a 来文 file — PDF, .docx or .txt, told by its bytes — within `MAX_TEXT`
    characters. A name that disagrees with the content is refused: the file is kept under it."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(f"文件不能超过 {MAX_DOCUMENT_BYTES // 2**20} MB")
    if not data:
        raise InvalidInput("文件是空的")
    ext = filetypes.extension(filename)
    if archives.is_zip(data[:4]):
        # Read as Word without unpacking the rest: the reader refuses a zip that is not one.
        kind = filetypes.OOXML
    else:
        kind = filetypes.content_kind(io.BytesIO(data), filename)
    if kind is None and ext == "txt":  # not text to filetypes: say why in the reader's words
        text = _plain_text(data)
        raise InvalidInput(CONTROL_CHARACTERS if _CONTROL.search(text) else ACCEPTED_DOCUMENTS)
    if kind not in (filetypes.PDF, filetypes.OOXML, filetypes.TEXT):
        raise InvalidInput(ACCEPTED_DOCUMENTS)
    wanted = {filetypes.PDF: "pdf", filetypes.OOXML: "docx", filetypes.TEXT: "txt"}[kind]
    if ext != wanted:
        raise InvalidInput(f"“{filename}”的内容是{kind.label}，与文件名不符；"
                           f"请使用正确的扩展名（.{wanted}）后再上传")
    if kind is filetypes.PDF:
        return _pdf_text(data)
    if kind is filetypes.OOXML:
        return _docx_text(filename, data)
    return _plain_text(data)


def _pdf_text(data: bytes) -> str:
    """The text of every page, pages separated by a newline."""
    # pypdf raises many kinds of error on a malformed file (its own, and ValueError, KeyError,
    # RecursionError… from deep inside): any of them means the file cannot be read.
    try:
        with apply_configuration(**_PDF_LIMITS):
            return _pdf_pages_text(PdfReader(io.BytesIO(data)))
    except InvalidInput:
        raise
    except LimitReachedError as error:
        raise InvalidInput(TOO_COMPLEX_PDF) from error
    except Exception as error:  # noqa: BLE001  (see above)
        raise InvalidInput(UNREADABLE_PDF) from error


def _pdf_pages_text(reader: PdfReader) -> str:
    if reader.is_encrypted:
        raise InvalidInput(ENCRYPTED_PDF)
    # The declared count first: a huge tree is refused before pypdf walks it.
    tree = reader.trailer["/Root"]["/Pages"]
    declared = tree["/Count"] if "/Count" in tree else None  # [] resolves an indirect value
    if (isinstance(declared, int) and declared > MAX_PDF_PAGES) \
            or len(reader.pages) > MAX_PDF_PAGES:
        raise InvalidInput(TOO_MANY_PAGES)
    texts: list[str] = []
    content = total = 0
    for page in reader.pages:
        stream = page.get_contents()
        content += len(stream.get_data()) if stream is not None else 0
        if content > MAX_PDF_CONTENT_BYTES:
            raise InvalidInput(TOO_COMPLEX_PDF)
        # A glyph the font maps to no character may come out as a control character: dropped.
        text = _CONTROL.sub("", _page_text(page))
        total += len(text) + (1 if texts else 0)
        if total > MAX_TEXT:
            raise InvalidInput(TOO_LONG)
        texts.append(text)
    if not any(text.strip() for text in texts):
        raise InvalidInput(SCANNED_PDF)
    return "\n".join(texts)


def _page_text(page) -> str:
    """A page's text top to bottom, each printed line on a line of its own.

    pypdf gives the text in the order it is drawn, and a print view may draw its header last;
    its layout mode pads every gap with up to 10,000 spaces, which a hostile page multiplies.
    So each run of text is taken with its position (pypdf's visitor) and the runs are sorted
    here: by height, those on one baseline left to right, joined by a space.
    """
    runs: list[tuple[float, float, float, str]] = []

    def visit(text, cm, tm, _font, size):
        if text.strip():
            # The run's origin in page space: the text matrix's translation through the CTM.
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((-y, x, abs(size * cm[3]) or 1.0, text.strip("\n")))

    page.extract_text(visitor_text=visit)
    runs.sort()
    lines: list[list[tuple[float, str]]] = []
    baseline = None
    for top, x, height, text in runs:
        if baseline is None or top - baseline > height / 2:
            lines.append([])
            baseline = top
        lines[-1].append((x, text))
    return "\n".join(" ".join(text for _, text in sorted(line)) for line in lines)


def plain_text(data: bytes) -> str:
    """The text of a .txt file: UTF-8 (with or without BOM), else GB18030, within `MAX_TEXT`."""
    return _plain_text(data)


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
    """The body's paragraphs and table rows, in order, joined by newlines."""
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
    """The text of each paragraph and table row directly in the body, read as the part streams
    in."""
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
                    in_paragraph = in_paragraph or (depth == 3 and element.tag in (_P, _TBL))
                    continue
                depth -= 1
                if in_paragraph and element.tag == _T:
                    current += len(element.text or "")
                elif depth == 2:  # a child of the body has ended: keep its text, drop it
                    texts = ([element.text] if element.tag == _P
                             else _rows(element) if element.tag == _TBL else [])
                    for text in texts:
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


def _rows(table) -> list[str]:
    """A table's rows, each one line: its cells' text separated by a tab, a cell's paragraphs
    by a space (a table in a cell is read into its cell)."""
    rows = []
    for row in table.iterchildren(_TR):
        cells = [" ".join(p.text for p in cell.iter(_P) if p.text)
                 for cell in row.iterchildren(_TC)]
        rows.append("\t".join(cells))
    return rows
