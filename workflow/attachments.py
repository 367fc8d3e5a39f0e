"""The attachment store: file bytes under generated names, outside anything served statically.

Owns: writing an upload to `<root>/<aa>/<key>` (the key is random, never the user's file name)
once it is judged acceptable — not empty, not oversized, of a kind `workflow.filetypes` accepts
by its content —, reading a stored file back by key, the SHA-256 of each file as it is written, and the rule that a file is kept only if the
transaction that records it commits: `save` ties the file to a session, and a session's
transaction that ends without committing (a refusal, any exception, a rollback, a request that
never commits) deletes the files saved for it. The database holds only the metadata
(`models.Attachment`), recorded by a command in the same transaction. A process that dies between
writing and committing leaves a file no row names; `sweep` removes such files once they are old
enough that no request can still be recording them. Must not: decide who may read a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

from workflow import filetypes
from workflow.db import utcnow
from workflow.errors import InvalidInput, NotFound
from workflow.models import Attachment, Incoming, Notice

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
_KEY = re.compile(r"^[0-9a-f]{32}$")
_PART = re.compile(r"^[0-9a-f]{32}\.part$")
_CHUNK = 1 << 16
# session.info key: the files saved for the session's current transaction, not yet committed.
_PENDING = "gongwen_pending_files"


@dataclass(frozen=True)
class StoredFile:
    """A file already written to the store, to be recorded against a notice or a report."""

    filename: str
    storage_key: str
    size: int
    content_type: str | None = None
    # SHA-256 of the bytes, taken while they were written (None: recorded before it was kept).
    sha256: str | None = None


@dataclass(frozen=True)
class Orphan:
    """A stored file that no attachment row names (or a write that never finished)."""

    path: Path
    size: int
    modified: dt.datetime  # naive UTC


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

    def save(self, stream: BinaryIO, filename: str | None, *,
             session: Session | scoped_session) -> StoredFile:
        """Copy `stream` into the store under a new key, kept only if `session` commits; refuse
        an empty or oversized file or one whose content is not of an accepted kind."""
        name = clean_filename(filename)
        if not name:
            raise InvalidInput("附件缺少文件名")
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        size = 0
        hasher = hashlib.sha256()
        try:
            with open(temporary, "xb+") as out:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise InvalidInput(
                            f"附件“{name}”超过 {self.max_bytes // 2**20} MB，请压缩或拆分后再上传")
                    out.write(chunk)
                    hasher.update(chunk)
                if size == 0:
                    raise InvalidInput(f"附件“{name}”是空文件")
                out.seek(0)
                content_type = filetypes.judge(out, name)
                out.flush()
                os.fsync(out.fileno())
            if isinstance(session, scoped_session):
                session = session()  # the request's own session, whose events fire
            if not session.in_transaction():
                session.begin()  # a transaction to end: nothing is asked of the database yet
            os.replace(temporary, path)
            session.info.setdefault(_PENDING, []).append(path)
        finally:
            temporary.unlink(missing_ok=True)
        return StoredFile(filename=name, storage_key=key, size=size, content_type=content_type,
                          sha256=hasher.hexdigest())

    def open(self, key: str) -> BinaryIO:
        """The stored bytes of `key`, for reading."""
        path = self._path(key)
        if not path.exists():
            raise NotFound("附件文件已丢失，请联系系统管理员")
        return open(path, "rb")

    def files(self):
        """Every file in the store's key folders: stored files and unfinished writes."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if not (folder.is_dir() and re.fullmatch(r"[0-9a-f]{2}", folder.name)):
                continue
            for path in sorted(folder.iterdir()):
                if path.is_file() and (_KEY.match(path.name) or _PART.match(path.name)) \
                        and path.name.startswith(folder.name):
                    yield path


@event.listens_for(Session, "after_commit")
def _keep_saved_files(session: Session) -> None:
    # A savepoint's release fires this too; only the outermost commit makes the rows lasting.
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _delete_uncommitted_files(session: Session, transaction: SessionTransaction) -> None:
    # After a commit the list is already empty; any other end of the outermost transaction
    # (rollback, close, a failed commit) leaves the saved files referenced by nothing.
    if transaction.parent is None:
        for path in session.info.pop(_PENDING, ()):
            path.unlink(missing_ok=True)


def unreferenced(session: Session, store: AttachmentStore, *, older_than: dt.timedelta,
                 now: dt.datetime | None = None) -> list[Orphan]:
    """The store's files that no attachment row names, last written before `now - older_than`."""
    cutoff = (now or utcnow()) - older_than
    referenced = set(session.scalars(select(Attachment.storage_key)
                                     .where(Attachment.storage_key.is_not(None))))
    # An external 收文's own file and the 答复 sent for it are kept on the 收文 itself.
    # So is an issued notice's 正式文件 (workflow.official).
    for column in (Incoming.source_file_key, Incoming.reply_file_key, Notice.official_file_key):
        referenced.update(session.scalars(select(column).where(column.is_not(None))))
    found = []
    for path in store.files():
        if path.name in referenced:
            continue
        status = path.stat()
        modified = dt.datetime.fromtimestamp(status.st_mtime, dt.UTC).replace(tzinfo=None)
        if modified < cutoff:
            found.append(Orphan(path, status.st_size, modified))
    return found


def sweep(session: Session, store: AttachmentStore, *, older_than: dt.timedelta,
          now: dt.datetime | None = None) -> list[Orphan]:
    """Delete the files `unreferenced` finds; returns them."""
    orphans = unreferenced(session, store, older_than=older_than, now=now)
    for orphan in orphans:
        orphan.path.unlink(missing_ok=True)
    return orphans
