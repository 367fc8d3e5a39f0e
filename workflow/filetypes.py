"""What kind of file an attachment is, told by its bytes, and whether Gongwen accepts it.

Owns: the kinds accepted as 附件 — office documents (doc/docx/xls/xlsx/ppt/pptx/wps/et, odt/ods),
PDF, OFD (a zip with OFD.xml at its root), images (png/jpeg/gif/bmp/tiff/webp), plain text
(UTF-8 or GB18030, no control characters but tab, newline and form feed) and archives (zip/rar/7z)
of those — sniffed from the content (magic numbers through the `filetype` package, the zip and
OLE2 containers read here), the name's extension required to agree with what was found (a
download keeps the name, and the name is what a desktop opens it with), and the safe
Content-Type each kind is served with. A zip's entries are judged by name and by their first
bytes, within the limits of `workflow.archives`; archives inside an archive and the contents of
RAR and 7z files are judged by name and magic number only (the server never unpacks them).
Refusals are `InvalidInput`, in Chinese, naming the file. Must not: store anything or decide who
may upload or download.
"""

from __future__ import annotations

import codecs
import posixpath
import re
import struct
from dataclasses import dataclass
from typing import BinaryIO

import filetype

from workflow import archives
from workflow.errors import InvalidInput

HEAD_BYTES = 8192
MAX_TEXT_BYTES = 20 * 2**20


@dataclass(frozen=True)
class Kind:
    label: str  # what the file was found to be, in Chinese
    extensions: frozenset[str]


PDF = Kind("PDF 文件", frozenset({"pdf"}))
OFD = Kind("OFD 版式文件", frozenset({"ofd"}))
OLE2 = Kind("Office/WPS 文档（97-2003 格式）", frozenset({"doc", "xls", "ppt", "wps", "et", "dps"}))
OOXML = Kind("Office 文档", frozenset({"docx", "xlsx", "pptx"}))
ODF = Kind("OpenDocument 文档", frozenset({"odt", "ods"}))
IMAGE = Kind("图片", frozenset({"png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp"}))
TEXT = Kind("纯文本", frozenset({"txt", "csv"}))
ZIP = Kind("ZIP 压缩包", frozenset({"zip"}))
RAR = Kind("RAR 压缩包", frozenset({"rar"}))
SEVEN_ZIP = Kind("7z 压缩包", frozenset({"7z"}))
# Inside a zip an archive is not opened: any zip-based kind is known by name and magic only.
ZIP_BASED = Kind("ZIP 格式的文件", ZIP.extensions | OOXML.extensions | ODF.extensions
                 | OFD.extensions)

ACCEPTED_EXTENSIONS = frozenset().union(*(k.extensions for k in (
    PDF, OFD, OLE2, OOXML, ODF, IMAGE, TEXT, ZIP, RAR, SEVEN_ZIP)))

CONTENT_TYPES = {
    "pdf": "application/pdf", "ofd": "application/ofd",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint", "wps": "application/kswps",
    "et": "application/kset", "dps": "application/ksdps",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff", "webp": "image/webp",
    "txt": "text/plain", "csv": "text/csv",
    "zip": "application/zip", "rar": "application/vnd.rar", "7z": "application/x-7z-compressed",
}
TEXT_CHARSETS = ("utf-8", "gb18030")
SAFE_CONTENT_TYPES = frozenset(CONTENT_TYPES.values()) | frozenset(
    f"{CONTENT_TYPES[ext]}; charset={charset}" for ext in TEXT.extensions
    for charset in TEXT_CHARSETS)
FALLBACK_CONTENT_TYPE = "application/octet-stream"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The root CLSIDs of Windows Installer packages, transforms and patches ({000C1084-…} and kin):
# OLE2 files like a .doc, but they install programs.
_INSTALLER_CLSIDS = {bytes([low]) + b"\x10\x0c\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"
                     for low in (0x82, 0x84, 0x86)}
_MAGIC_KINDS = {"png": IMAGE, "jpg": IMAGE, "gif": IMAGE, "bmp": IMAGE, "tif": IMAGE,
                "webp": IMAGE, "pdf": PDF, "rar": RAR, "7z": SEVEN_ZIP}
_MARKUP = ("<!doctype", "<html", "<head", "<body", "<script", "<svg", "<iframe", "<?xml",
           "<meta", "#!")
# Control characters other than tab, newline, carriage return and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ODF_TYPES = {b"application/vnd.oasis.opendocument.text",
              b"application/vnd.oasis.opendocument.spreadsheet"}
ACCEPTED = "只接收 Office/WPS 文档、PDF、OFD、图片、纯文本及其压缩包（zip/rar/7z）"


def extension(name: str) -> str:
    base = posixpath.basename(name.replace("\\", "/"))
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def safe_content_type(stored: str | None) -> str:
    """The type a stored file is served with: one of ours, whatever an older row says."""
    return stored if stored in SAFE_CONTENT_TYPES else FALLBACK_CONTENT_TYPE


def judge(file: BinaryIO, filename: str) -> str:
    """The Content-Type of an uploaded file (seekable, at its start) if Gongwen accepts it;
    InvalidInput naming `filename` otherwise."""
    head = file.read(HEAD_BYTES)
    ext = extension(filename)
    if ext in TEXT.extensions:
        file.seek(0)
        charset = _text_charset(file.read(MAX_TEXT_BYTES + 1), final=True)
        if charset:
            return f"{CONTENT_TYPES[ext]}; charset={charset}"
    kind, content_type = _kind(file, head, filename)
    if kind is None:
        raise InvalidInput(f"附件“{filename}”不是允许的文件类型；{ACCEPTED}")
    if ext not in kind.extensions:
        wanted = "、".join(f".{e}" for e in sorted(kind.extensions))
        raise InvalidInput(f"附件“{filename}”的内容是{kind.label}，与文件名不符；"
                           f"请使用正确的扩展名（{wanted}）后再上传")
    return content_type or CONTENT_TYPES[ext]


def content_kind(file: BinaryIO, filename: str) -> Kind | None:
    """What a file (seekable, at its start) is by its bytes alone, whatever its name says; None
    when it is none of the accepted kinds. Plain text with control characters is None."""
    return _kind(file, file.read(HEAD_BYTES), filename)[0]


def _kind(file: BinaryIO, head: bytes, filename: str) -> tuple[Kind | None, str | None]:
    if archives.is_zip(head):
        file.seek(0)
        with archives.open_archive(file, filename) as archive:
            kind = _zip_kind(archive, filename)
            archives.verify(archive, filename)
        return kind, None
    if head.startswith(_OLE2):
        return (None if _is_installer(file, head) else OLE2), None
    found = filetype.guess(head)
    if found is not None and found.extension in _MAGIC_KINDS and _plausible(found.extension, head):
        kind = _MAGIC_KINDS[found.extension]
        return kind, found.mime if kind is IMAGE else None
    file.seek(0)
    if _text_charset(file.read(MAX_TEXT_BYTES + 1), final=True):
        return TEXT, None  # text under another name: said so, not taken
    return None, None


def _plausible(ext: str, head: bytes) -> bool:
    """filetype knows a BMP by "BM" alone, which many a text starts with; a real one has four
    reserved zero bytes after its size."""
    return ext != "bmp" or head[6:10] == b"\x00\x00\x00\x00"


def _is_installer(file: BinaryIO, head: bytes) -> bool:
    """Whether an OLE2 file's root entry names it a Windows Installer package."""
    if len(head) < 0x34:
        return False
    sector_size = 1 << min(struct.unpack_from("<H", head, 0x1E)[0], 16)
    (first_directory_sector,) = struct.unpack_from("<I", head, 0x30)
    offset = (first_directory_sector + 1) * sector_size + 0x50
    file.seek(offset)
    return file.read(16) in _INSTALLER_CLSIDS


def _zip_kind(archive, filename: str) -> Kind:
    names = {info.filename for info in archive.infolist()}
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names and any(
            n.startswith(("word/", "xl/", "ppt/")) for n in names):
        return OOXML
    if "mimetype" in names:
        kind = archives.head(archive, archive.getinfo("mimetype"), filename, 80).strip()
        if kind in _ODF_TYPES:
            return ODF
    _judge_entries(archive, filename)
    return ZIP


def _judge_entries(archive, filename: str) -> None:
    """Every entry of a plain zip: a safe path, an accepted name, first bytes that agree."""
    for info in archive.infolist():
        name = archives.display_name(info)
        path = info.filename.replace("\\", "/")
        if path.startswith("/") or ".." in path.split("/") or ":" in path.split("/")[0]:
            raise InvalidInput(f"压缩包“{filename}”中的“{name}”路径不安全，无法接收")
        if info.is_dir():
            continue
        ext = extension(name)
        if ext not in ACCEPTED_EXTENSIONS:
            raise InvalidInput(f"压缩包“{filename}”中的“{name}”不是允许的文件类型；{ACCEPTED}")
        if info.file_size == 0:
            continue
        head = archives.head(archive, info, filename, HEAD_BYTES)
        kind = _head_kind(head, ext, complete=info.file_size <= HEAD_BYTES)
        if kind is None or ext not in kind.extensions:
            raise InvalidInput(f"压缩包“{filename}”中的“{name}”的内容与文件名不符，"
                               f"或不是允许的文件类型；{ACCEPTED}")


def _head_kind(head: bytes, ext: str, *, complete: bool) -> Kind | None:
    """The kind of an entry from its first bytes alone (an archive within is not opened)."""
    if ext in TEXT.extensions and _text_charset(head, final=complete):
        return TEXT
    if archives.is_zip(head):
        return ZIP_BASED
    if head.startswith(_OLE2):
        return OLE2
    found = filetype.guess(head)
    if found is not None and found.extension in _MAGIC_KINDS and _plausible(found.extension, head):
        return _MAGIC_KINDS[found.extension]
    return None


def _text_charset(data: bytes, *, final: bool) -> str | None:
    """The charset `data` is plain text in (UTF-8 first, then GB18030), or None: not text, or
    markup or a script that only poses as text. `final` is False for the head of a longer file,
    whose last character may be cut."""
    if len(data) > MAX_TEXT_BYTES or b"\x00" in data:
        return None
    for charset in TEXT_CHARSETS:
        decoder = codecs.getincrementaldecoder("utf-8-sig" if charset == "utf-8" else charset)()
        try:
            text = decoder.decode(data, final)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            return None
        if text.lstrip()[:16].lower().startswith(_MARKUP):
            return None
        return charset
    return None
