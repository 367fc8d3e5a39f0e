"""What a person has typed into a form and not yet saved: one row per person and form.

Owns: the `autosave` table — whose it is, which form (`form_key`: "draft:new:<unit>",
"draft:<notice>", "report:<report>", "incoming:register"), the form's fields as JSON text (name →
list of values, as a browser posts them) and when it was last written. Must not: hold a state or
anything the office acts on: it is a copy of typed text, read back only by the person who typed it
(`workflow.queries.autosave`), written and cleared by `workflow.commands.autosave`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base


class Autosave(Base):
    """One person's unsaved input of one form."""

    __tablename__ = "autosave"
    __table_args__ = (UniqueConstraint("user_id", "form_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Deleting an account takes its typed text with it (nobody else may read it).
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    form_key: Mapped[str] = mapped_column(String(60))
    fields: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
