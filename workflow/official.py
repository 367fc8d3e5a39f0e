"""The 正式文件: an issued notice's PDF, made once, kept in the file store and served as it was made.

Owns: `make_official`, the command that renders the GB/T 9704 PDF of an issued notice as it was
issued (no 已撤销/已废止 mark: that is told by the verification, not written into the document),
has it signed by the issuing unit's key when the unit has one (`workflow.pki`), writes it to the
attachment store and records its storage key and SHA-256 on the notice with an audit entry — and
`official_file`, what a download serves: the stored file, or, for a notice issued before files
were kept, the file made then, once. The rendering (a second or more) happens before the notice's
row is locked; whoever records first wins, and a file made by a racing second request is left to
the store's sweep.

Must not: re-render a notice that has its file, change the file once recorded, or commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import secrets
from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.orm import Session

from workflow import audit
from workflow.attachments import AttachmentStore
from workflow.commands.savepoint import command
from workflow.db import as_utc
from workflow.errors import InvalidState
from workflow.loading import get_actor, get_or_404
from workflow.models import Notice, User
from workflow.printing.layout import layout
from workflow.queries.notices import get_notice

NOT_ISSUED = "该公文尚未印发，没有正式文件"
# Printed on the copies that are not the 正式文件 (the print view, the Word file).
NOT_AUTHORITATIVE = "非正式文本，仅供阅读和编辑；正式文件以系统印发的 PDF 为准"


def is_issued(notice: Notice) -> bool:
    """Has the notice been issued (numbered and sent), so that it has a 正式文件?"""
    return notice.doc_number is not None and notice.issued_at is not None


def render_official(notice: Notice, *, verify_url: str | None = None) -> bytes:
    """The PDF of the notice as it was issued (before any signature)."""
    from workflow.printing.pdf import render_pdf  # loads WeasyPrint: only when printing

    doc = dataclasses.replace(layout(notice), watermark=None, verify_url=verify_url)
    return render_pdf(doc)


def make_official(session: Session, actor: User | None, *, notice_id: int, store: AttachmentStore,
                  verify_url_for: Callable[[int, str], str] | None = None,
                  now: dt.datetime | None = None) -> Notice:
    """Render, sign (when the issuing unit has a key), store and record the 正式文件 of an issued
    notice the actor may see; a notice that has one keeps it.

    `verify_url_for(notice_id, code)` gives the address of the notice's verification page, printed
    as a QR code in the 版记 (None: none printed); `code` is made here, secret and random. The rendering and signing happen before any lock is taken (on
    SQLite the write lock would stop every other writer for as long)."""
    from workflow import pki  # pyHanko loads slowly: only when a file is made

    now, actor = as_utc(now), get_actor(session, actor)
    notice = get_notice(session, notice_id, actor)  # who first: a stranger learns nothing
    if not is_issued(notice):
        raise InvalidState(NOT_ISSUED)
    if notice.official_file_key is not None:
        return notice
    code = notice.verify_code or secrets.token_urlsafe(12)  # a code once given stays
    url = verify_url_for(notice.id, code) if verify_url_for is not None else None
    data, certificate = pki.sign_pdf(session, notice.issuer_unit_id,
                                     render_official(notice, verify_url=url), now=now)
    stored = store.save(io.BytesIO(data), f"{notice.doc_number}.pdf", session=session)
    return record_official(session, actor, notice_id=notice_id, storage_key=stored.storage_key,
                           sha256=stored.sha256, size=stored.size, verify_code=code,
                           certificate_id=certificate.id if certificate else None, now=now)


@command
def record_official(session: Session, actor: User | None, *, notice_id: int, storage_key: str,
                    sha256: str, size: int, verify_code: str | None = None,
                    certificate_id: int | None = None, now: dt.datetime | None = None) -> Notice:
    """Record a file already in the store as the notice's 正式文件, unless it has one already (a
    racing request recorded its own first: that one stays)."""
    now, actor = as_utc(now), get_actor(session, actor)
    notice = get_or_404(session, Notice, notice_id, label="公文")
    if not is_issued(notice):
        raise InvalidState(NOT_ISSUED)
    # One conditional UPDATE: whoever records first wins, without a lock held while rendering;
    # and not through the ORM, whose version counter would make every page open on the notice
    # stale — the file changes nothing anyone acts on.
    done = session.execute(
        update(Notice).where(Notice.id == notice_id, Notice.official_file_key.is_(None))
        .values(official_file_key=storage_key, official_sha256=sha256, official_made_at=now,
                official_certificate_id=certificate_id, verify_code=verify_code),
        execution_options={"synchronize_session": False})
    session.refresh(notice)
    if done.rowcount == 0:
        return notice
    certificate = notice.official_certificate
    audit.append(session, actor=actor, action="notice.MAKE_OFFICIAL", object_type="notice",
                 object_id=notice.id, notice_id=notice.id, at=now,
                 on_behalf_of=notice.issuer.name,
                 details={"sha256": sha256, "bytes": size,
                          "signed_by": certificate.fingerprint if certificate else None})
    return notice


def official_file(session: Session, actor: User | None, *, notice_id: int,
                  store: AttachmentStore) -> tuple[Notice, bytes]:
    """The stored 正式文件 of an issued notice the actor may see, with its bytes checked against
    the SHA-256 recorded when it was made; InvalidState when it has none yet."""
    notice = get_notice(session, notice_id, actor)
    if not is_issued(notice):
        raise InvalidState(NOT_ISSUED)
    if notice.official_file_key is None:
        raise InvalidState("该公文的正式文件尚未生成")
    with store.open(notice.official_file_key) as file:
        data = file.read()
    if hashlib.sha256(data).hexdigest() != notice.official_sha256:
        raise InvalidState("存档的正式文件与生成时的摘要不符，已拒绝提供：请联系安全管理员")
    return notice, data
