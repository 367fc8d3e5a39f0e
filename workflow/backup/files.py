"""The files of a backup: checksum files, putting a finished file in place, and opening a SQLite
backup without touching it.

Owns: the checksum file `PATH.sha256` in sha256sum's format (written, and verified against the
backup), moving a finished temporary file to its name without ever overwriting one that appeared
meanwhile (unless forced), syncing files and folders to disk, and a read-only engine on a SQLite
backup file that takes no locks and creates no files beside it.
Must not: know what is inside a backup (that is `database` and `postgres`).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
from urllib.parse import quote

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from workflow.backup.reports import PathExists, Refused

CHECKSUM_SUFFIX = ".sha256"
_CHUNK = 1 << 20


def sha256_of(path: str) -> str:
    """The SHA-256 of a file, read in chunks (a backup may be larger than memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_checksum(path: str) -> str:
    """The SHA-256 of the backup at `path`, once it matches its checksum file; refuses otherwise."""
    checksum_path = path + CHECKSUM_SUFFIX
    try:
        with open(checksum_path, encoding="ascii") as file:
            recorded = file.read().split()
    except FileNotFoundError:
        raise Refused(f"找不到校验文件 {checksum_path}：无法确认备份完好，未恢复") from None
    except (OSError, UnicodeDecodeError) as error:
        raise Refused(f"无法读取校验文件 {checksum_path}：{error}") from None
    if not recorded or not re.fullmatch(r"[0-9a-f]{64}", recorded[0]):
        raise Refused(f"校验文件 {checksum_path} 的格式不对（应为 sha256sum 的输出）")
    digest = sha256_of(path)
    if digest != recorded[0]:
        raise Refused(f"备份文件已损坏或被改动（SHA-256 与 {checksum_path} 不符），未恢复")
    return digest


def write_checksum(path: str, digest: str, name: str, *, force: bool) -> None:
    """Write the checksum file at `path` for the backup file `name`, synced, placed like a backup."""
    temporary = f"{path}.part-{os.getpid()}-{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(f"{digest}  {name}\n")  # sha256sum -c reads this
            file.flush()
            os.fsync(file.fileno())
        place(temporary, path, force=force)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def place(temporary: str, path: str, *, force: bool) -> None:
    """Move the finished file into place; without `force`, never over an existing file (a link
    fails when the name exists, so that two backups started at once cannot overwrite each other)."""
    if force:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise PathExists(f"{path} 已存在，未覆盖") from None
    except OSError:  # a file system without hard links
        if os.path.lexists(path):
            raise PathExists(f"{path} 已存在，未覆盖") from None
        os.replace(temporary, path)
        return
    os.unlink(temporary)


def fsync(path: str) -> None:
    """Have the file (or folder) at `path` written to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: str) -> None:
    """Have a folder's entries written to disk, where the file system allows it."""
    try:
        fsync(folder)
    except OSError:
        pass  # not every file system lets a folder be synced; the files themselves were


def same_file(a: str, b: str) -> bool:
    """Whether two paths name one file (False when either is missing)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def read_only_uri(path: str) -> str:
    """A SQLite URI that opens the file at `path` read-only and as immutable."""
    # immutable: a backup is never written while we read it, so take no locks and create no
    # -wal/-shm files beside it (its folder may be read-only).
    return f"file:{quote(os.path.abspath(path))}?mode=ro&immutable=1"


def sqlite_reader(path: str) -> _Disposing:
    """A read-only engine on a backup file (without Gongwen's pragmas, which would turn on WAL),
    for a with-block that disposes of it."""
    uri = read_only_uri(path)
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True),
                           poolclass=NullPool)
    return _Disposing(engine)


class _Disposing:
    """An engine used in a with-block and disposed after it."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def __enter__(self) -> Engine:
        return self.engine

    def __exit__(self, *exc) -> None:
        self.engine.dispose()
