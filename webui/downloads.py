"""Sending a stored attachment to the browser, the one way every desk does it.

Owns: the download response — `Content-Disposition: attachment` with the file's own name
(RFC 5987 `filename*`, via Flask's send_file), the Content-Type sniffed when the file was stored
if it is one of the safe types `workflow.filetypes` names (anything else, as an older row may say,
goes as application/octet-stream), nosniff, no caching — for stored files and for
documents made on the spot (a printed notice). Must not: decide who may
download; the caller has already asked the engine for an attachment the user may see.
"""

from __future__ import annotations

import io

from flask import send_file

from webui.extensions import attachment_store
from workflow.filetypes import safe_content_type


def send_attachment(attachment):
    """Stream a stored file as a download under its own name (RFC 5987 filename*)."""
    content_type = safe_content_type(attachment.content_type)
    response = send_file(
        attachment_store().open(attachment.storage_key), mimetype=content_type,
        as_attachment=True, download_name=attachment.filename)
    # Set as stored: a text type's charset is the file's own, not the app's default.
    response.headers["Content-Type"] = content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def send_document(data: bytes, *, mimetype: str, filename: str):
    """Send bytes made for this request (a printed notice) as a download named `filename`."""
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
