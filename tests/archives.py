"""Files made in memory for the upload tests: real bytes of every kind an office sends, and the
hostile ones — a .docx whose document.xml is compressed 500:1, a zip whose directory lies about
its sizes, an executable under a harmless name.

Nothing here reads our code: each file is built with the standard library, python-docx or
openpyxl, so a test compares our judgement with bytes made by someone else's writer.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib

import docx
from openpyxl import Workbook

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>')

# A 1×1 transparent PNG (signature, IHDR, IDAT, IEND), built by hand below.
TINY_PNG_PIXELS = b"\x00\x00\x00\x00\x00"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def tiny_png() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"IDAT", zlib.compress(TINY_PNG_PIXELS)) + _png_chunk(b"IEND", b""))


def tiny_jpeg() -> bytes:
    """The start of a JPEG/JFIF file: SOI and an APP0 JFIF segment (what a sniffer sees)."""
    return (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + b"\xff\xd9")


def pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")


def word_docx(lines: list[str] | str = "关于开展调研工作的通知") -> bytes:
    """A .docx made by python-docx: one paragraph per line."""
    document = docx.Document()
    for line in [lines] if isinstance(lines, str) else lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def excel_xlsx() -> bytes:
    book = Workbook()
    book.active.append(["单位", "人数"])
    book.active.append(["第一区妇联", 12])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ole2(root_clsid: bytes = b"\x06\x09\x02\x00" + b"\x00" * 4 + b"\xc0" + b"\x00" * 6 + b"\x46"
         ) -> bytes:
    """A minimal OLE2 compound file (the container of .doc/.xls/.ppt/.wps/.et and of .msi):
    a 512-byte header and one directory sector holding the Root Entry with `root_clsid` (by
    default Word's {00020906-0000-0000-C000-000000000046})."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHH", header, 0x18, 0x3E, 0x3, 0xFFFE)  # minor, major 3, little-endian
    struct.pack_into("<H", header, 0x1E, 9)  # 512-byte sectors
    struct.pack_into("<H", header, 0x20, 6)
    struct.pack_into("<I", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<I", header, 0x30, 0)  # the directory starts in sector 0
    struct.pack_into("<I", header, 0x38, 4096)
    struct.pack_into("<I", header, 0x3C, 0xFFFFFFFE)
    struct.pack_into("<I", header, 0x44, 0xFFFFFFFE)
    struct.pack_into("<I", header, 0x4C, 1)  # the FAT is sector 1
    for i in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * i, 0xFFFFFFFF)
    directory = bytearray(512)
    name = "Root Entry".encode("utf-16-le") + b"\x00\x00"
    directory[0:len(name)] = name
    struct.pack_into("<H", directory, 0x40, len(name))
    directory[0x42] = 5  # root storage
    struct.pack_into("<III", directory, 0x44, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    directory[0x50:0x60] = root_clsid
    struct.pack_into("<I", directory, 0x74, 0xFFFFFFFE)
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFE, 0xFFFFFFFD)
    return bytes(header + directory + fat)


MSI_CLSID = b"\x84\x10\x0c\x00" + b"\x00" * 4 + b"\xc0" + b"\x00" * 6 + b"\x46"


def exe() -> bytes:
    """The start of a Windows program: the MZ header, its PE offset and the PE signature."""
    head = bytearray(256)
    head[0:2] = b"MZ"
    struct.pack_into("<I", head, 0x3C, 0x80)
    head[0x80:0x84] = b"PE\x00\x00"
    head[0x4E:0x4E + 39] = b"This program cannot be run in DOS mode."
    return bytes(head)


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 108


def zip_of(entries: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def ofd() -> bytes:
    """An OFD package (GB/T 33190): a zip with OFD.xml at its root."""
    return zip_of({"OFD.xml": b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD '
                              b'xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>',
                   "Doc_0/Document.xml": b"<ofd:Document/>"})


# One paragraph of 6,000 characters: long runs of one pattern are what deflate shrinks most.
BOMB_PARAGRAPH = f'<w:p><w:r><w:t>{"通知" * 3000}</w:t></w:r></w:p>'.encode()


@functools.cache  # bytes are immutable: one build per test process
def docx_bomb(uncompressed: int = 256 * 2**20) -> bytes:
    """A .docx whose word/document.xml is `uncompressed` bytes of paragraphs, deflated at best
    (over 500:1): half a megabyte on the wire for a quarter of a gigabyte of XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        info = zipfile.ZipInfo("word/document.xml", (2016, 3, 7, 9, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                       f'<w:document xmlns:w="{W_NS}"><w:body>'.encode())
            chunk = BOMB_PARAGRAPH * (2**20 // len(BOMB_PARAGRAPH))
            written = 0
            while written < uncompressed:
                part.write(chunk)
                written += len(chunk)
            part.write(b"</w:body></w:document>")
    return out.getvalue()


def lying_zip(real: bytes, declared_size: int, name: str = "word/document.xml",
              others: dict[str, str] | None = None) -> bytes:
    """A zip holding `real` under `name`, whose local header and central directory both claim
    the entry is `declared_size` bytes once inflated (the lie a bomb tells a size check)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for other, text in (others or {}).items():
            archive.writestr(other, text)
        archive.writestr(name, real)
    data = bytearray(out.getvalue())
    true_size = struct.pack("<I", len(real))
    encoded = name.encode()
    # Local header: the uncompressed size is at +22; central header: at +24.
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30:local + 30 + name_length] == encoded:
            assert data[local + 22:local + 26] == true_size
            struct.pack_into("<I", data, local + 22, declared_size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + name_length] == encoded:
            assert data[central + 24:central + 28] == true_size
            struct.pack_into("<I", data, central + 24, declared_size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def docx_lying_bomb(paragraphs: int = 2_000) -> bytes:
    """A .docx whose document.xml is many megabytes but declared as 4 KB."""
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'.encode()
           + BOMB_PARAGRAPH * paragraphs + b"</w:body></w:document>")
    return lying_zip(xml, 4096, others={"[Content_Types].xml": CONTENT_TYPES,
                                        "_rels/.rels": RELS})
