"""Printing a notice to paper by GB/T 9704-2012: one print model, three writers.

Owns: `printed_notice()`, the read of one notice the actor may see, turned into the print model
(`layout.PrintedNotice`); the writers `html.render_html`, `pdf.render_pdf` and `docx.render_docx`
lay that model out; `seal` keeps a unit's seal image. Must not: change a notice, or decide who may
see one (that is `queries.get_notice`, the same check as the notice page). The PDF and DOCX
writers are imported by name, so that loading this package does not load WeasyPrint.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflow.models import User
from workflow.printing.layout import Paragraph, PrintedNotice, layout
from workflow.queries.notices import get_notice

FORMATS = ("html", "pdf", "docx")


def printed_notice(session: Session, notice_id: int, actor: User | None = None) -> PrintedNotice:
    """The print model of a notice `actor` may see (None: every notice, for operators)."""
    return layout(get_notice(session, notice_id, actor))


__all__ = ["FORMATS", "Paragraph", "PrintedNotice", "layout", "printed_notice"]
