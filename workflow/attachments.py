"""The attachment store: file bytes under generated names, outside anything served statically.

Owns: writing an upload to `<root>/<aa>/<key>` (the key is random, never the user's file name),
refusing empty and oversized files, and reading a stored file back by key. The database holds
only the metadata (`models.Attachment`), recorded by a command in the same transaction as the
action the file belongs to. A file written for a command that is then refused stays behind
unreferenced; that is harmless and can be swept. Must not: decide who may read a file.
"""

from __future__ import annotations

import mimetypes
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from workflow.errors import InvalidInput, NotFound

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
_KEY = re.compile(r"^[0-9a-f]{32}$")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class StoredFile:
    """A file already written to the store, to be recorded against a notice or a report."""

    filename: str
    storage_key: str
    size: int
    content_type: str | None = None


def clean_filename(name: str | None) -> str:
    """The last path component of an uploaded name, without control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    return name[:200]


class AttachmentStore:
    def __init__(self, root: str | os.PathLike, max_bytes: int = MAX_ATTACHMENT_BYTES):
        self.root = Path(root)
        self.max_bytes = max_bytes

    def _path(self, key: str) -> Path:
        if not _KEY.match(key or ""):
            raise NotFound("找不到该附件")
        return self.root / key[:2] / key

    def save(self, stream: BinaryIO, filename: str | None) -> StoredFile:
        """Copy `stream` into the store under a new key; refuse empty or oversized files."""
        name = clean_filename(filename)
        if not name:
            raise InvalidInput("附件缺少文件名")
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        size = 0
        try:
            with open(temporary, "xb") as out:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise InvalidInput(
                            f"附件“{name}”超过 {self.max_bytes // 2**20} MB，请压缩或拆分后再上传")
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise InvalidInput(f"附件“{name}”是空文件")
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return StoredFile(filename=name, storage_key=key, size=size, content_type=content_type)

    def open(self, key: str) -> BinaryIO:
        """The stored bytes of `key`, for reading."""
        path = self._path(key)
        if not path.exists():
            raise NotFound("附件文件已丢失，请联系系统管理员")
        return open(path, "rb")
