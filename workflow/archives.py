"""Zip archives that come from outside (.zip, .docx, .xlsx, .ofd and their kin), opened safely.

Owns: the limits an uploaded archive is judged by — how many entries, how large once inflated,
how far each entry inflates — read from the zip's end record and central directory before a byte
is inflated; and inflation that never trusts a declared size: every read is capped, and an entry
that inflates to more than its directory says is refused. Every refusal is an `InvalidInput`
naming the file, in Chinese. Must not: decide what kind of file is acceptable (`filetypes`) or
what an entry means (`notice_files` reads a .docx's text).

The standard library's `zipfile` also stops at the declared size and checks the CRC; the caps
here do not rely on that, so that a change of library cannot reopen the hole.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from workflow.errors import InvalidInput

MAX_ENTRIES = 1000
MAX_INFLATED_BYTES = 200 * 2**20
# Office XML inflates some 10:1 and a dull spreadsheet up to 100:1; a bomb by hundreds or more.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 2**20  # a small entry may inflate as it likes: it stays small
# A central directory entry takes 46 bytes and its name; 1 KB each leaves room for long names
# and extra fields, and bounds what zipfile builds in memory whatever the end record claims.
MAX_DIRECTORY_BYTES = MAX_ENTRIES * 1024
CHUNK = 1 << 16

_END = b"PK\x05\x06"
_END_SIZE = 22
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"


class UnreadableArchive(InvalidInput):
    """Not a zip at all, or one whose directory cannot be read: a reader may say it its way."""


def _refuse(filename: str, what: str) -> InvalidInput:
    return InvalidInput(f"“{filename}”{what}")


def is_zip(head: bytes) -> bool:
    return head[:4] in (b"PK\x03\x04", _END)


def _directory(file: BinaryIO) -> tuple[int, int] | None:
    """(entries, directory size) from the end record (zip64's when there is one), or None."""
    file.seek(0, 2)
    length = file.tell()
    tail_start = max(0, length - (_END_SIZE + 0xFFFF))
    file.seek(tail_start)
    tail = file.read()
    at = tail.rfind(_END)
    if at < 0 or len(tail) - at < _END_SIZE:
        return None
    entries, size = struct.unpack_from("<HI", tail, at + 10)
    if at >= 20 and tail[at - 20:at - 16] == _END64_LOCATOR:
        (end64,) = struct.unpack_from("<Q", tail, at - 20 + 8)
        file.seek(end64)
        record = file.read(56)
        if len(record) == 56 and record[:4] == _END64:
            entries, size = struct.unpack_from("<QQ", record, 32)
    return entries, size


def display_name(info: zipfile.ZipInfo) -> str:
    """An entry's name as its maker wrote it: Windows zips store Chinese names in GBK, not in
    the CP437 that zipfile assumes when the UTF-8 flag is off."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return "".join(ch for ch in name if ch.isprintable())[:200]


def open_archive(file: BinaryIO, filename: str) -> zipfile.ZipFile:
    """The archive in `file`, its directory judged against the limits; nothing inflated yet."""
    unreadable = UnreadableArchive(f"“{filename}”无法作为压缩文件读取，文件可能已损坏")
    try:
        directory = _directory(file)
    except OSError as error:
        raise unreadable from error
    if directory is None:
        raise unreadable
    entries, size = directory
    if entries > MAX_ENTRIES or size > MAX_DIRECTORY_BYTES:
        raise _too_many(filename)
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, struct.error) as error:
        raise unreadable from error
    try:
        _judge(archive, filename)
    except BaseException:
        archive.close()
        raise
    return archive


def _too_many(filename: str) -> InvalidInput:
    return _refuse(filename, f"中的文件超过 {MAX_ENTRIES} 个，无法接收；请拆分后再上传")


def _judge(archive: zipfile.ZipFile, filename: str) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _too_many(filename)
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_INFLATED_BYTES:
            raise _refuse(filename, f"解压后超过 {MAX_INFLATED_BYTES // 2**20} MB，无法接收；"
                                    "请拆分后再上传")
        if info.flag_bits & 0x1:
            raise _refuse(filename, "含有加密的文件，无法检查其内容；请解除密码后再上传")
        if (info.file_size > RATIO_FLOOR_BYTES
                and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise _refuse(filename, f"中的“{display_name(info)}”压缩比超过 {MAX_RATIO}:1，"
                                    "疑为恶意构造的压缩文件，无法接收")


def inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, *,
            limit: int | None = None) -> Iterator[bytes]:
    """The inflated bytes of `info`, in chunks, never more than its declared size (nor `limit`):
    an entry that holds more than its directory says is refused, whoever reads it."""
    cap = info.file_size if limit is None else min(info.file_size, limit)
    read = 0
    try:
        with archive.open(info) as entry:
            while read < cap:
                chunk = entry.read(min(CHUNK, cap - read))
                if not chunk:
                    return  # shorter than declared: `verify` says so
                read += len(chunk)
                yield chunk
            if cap == info.file_size and entry.read(1):
                raise _refuse(filename, f"中的“{display_name(info)}”解压后比记录的大小更大，"
                                        "文件可能已损坏或被篡改")
    except InvalidInput:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError, ValueError) as error:
        raise _refuse(filename, f"中的“{display_name(info)}”无法解压，文件可能已损坏"
                                "或被篡改") from error


def head(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str,
         size: int) -> bytes:
    """The first `size` inflated bytes of an entry (for sniffing), capped as `inflate` is."""
    out = bytearray()
    for chunk in inflate(archive, info, filename, limit=size):
        out += chunk
        if len(out) >= size:
            break
    return bytes(out[:size])


def verify(archive: zipfile.ZipFile, filename: str) -> None:
    """Inflate every entry to its end, discarding the bytes: each must hold exactly what the
    directory says (size and CRC). Bounded by the judged total, so at most 200 MB of work."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        read = 0
        for chunk in inflate(archive, info, filename):
            read += len(chunk)
        if read != info.file_size:
            raise _refuse(filename, f"中的“{display_name(info)}”解压后与记录的大小不符，"
                                    "文件可能已损坏或被篡改")
