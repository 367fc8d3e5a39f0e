"""The 正式文件 in the web layer: made after 印发, served as stored, made once for older notices.

Owns: the address of a notice's verification page for its QR code (`verify_url_for`), `make_after_issue` (the file made right
after the 印发 transaction commits, so that the second or more it takes holds no lock the 印发 needs;
a failure — no Chinese font, no signing secret — leaves it for the first download, and says why),
and `stored_file`, what every download of an issued notice serves. Must not: decide who may see a
notice (the engine's queries do), or render a file that is stored.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

from webui import clock
from webui.extensions import attachment_store, db
from workflow.db import read_only, write_late
from workflow.errors import WorkflowError
from workflow.models import Notice, User
from workflow.official import make_official, official_file

DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


def verify_url_for(notice_id: int, code: str) -> str:
    """The absolute address of the notice's verification page (its QR code): under the configured
    address (PUBLIC_URL, else MAIL_BASE_URL) — behind a proxy the request's own may be an inner
    one —, else the request's, else the demo's."""
    values = {"notice_id": notice_id, "code": code}
    configured = current_app.config.get("PUBLIC_URL") or current_app.config.get("MAIL_BASE_URL")
    if not configured and has_request_context():
        return url_for("verify.notice", _external=True, **values)
    parts = urlsplit(configured or DEFAULT_PUBLIC_URL)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "http")
    return adapter.build("verify.notice", values, force_external=True)


def make_after_issue(actor: User | None, notice_id: int) -> str | None:
    """Make and commit the 正式文件 of a notice just issued; None, or why it could not be made."""
    try:
        write_late(db.session())  # rendering takes no lock; recording the file takes it
        make_official(db.session, actor, notice_id=notice_id, store=attachment_store(),
                      verify_url_for=verify_url_for, now=clock.now())
        db.session.commit()
    except WorkflowError as error:
        db.session.rollback()
        return str(error)
    return None


def stored_file(actor: User | None, notice: Notice) -> bytes:
    """The stored 正式文件 of an issued notice the actor may see (found by the caller); made now,
    once, for a notice issued before files were kept (or whose making failed at 印发)."""
    if notice.official_file_key is None:
        # A GET's reader transaction ends; the making is a short write of its own, as the first
        # opening of a notice is (notices.show).
        db.session.commit()
        write_late(db.session())
        make_official(db.session, actor, notice_id=notice.id, store=attachment_store(),
                      verify_url_for=verify_url_for, now=clock.now())
        db.session.commit()
        read_only(db.session())
    return official_file(db.session, actor, notice_id=notice.id, store=attachment_store())[1]
