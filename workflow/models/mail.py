"""The mail outbox: one row per message to send, written in the event's transaction.

Owns: the `mail_message` table — whom, what, the place of the task, and the delivery bookkeeping
(status, attempts, the next attempt, the lease of the sender that holds it, the Message-ID). Must
not: send anything (that is `workflow.mail`, after commit) or know a workflow state. The column is
called `status`, not `state`: a message's delivery is bookkeeping, not a lifecycle of the tables in
`workflow.lifecycle`, and only `_advance` assigns a `state`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, utcnow
from workflow.models._columns import enum_column
from workflow.states import Labelled

if TYPE_CHECKING:  # the names in annotations; SQLAlchemy resolves them at run time
    from workflow.models.organisation import User


class MailStatus(Labelled):
    PENDING = "待发送"  # due at next_attempt_at
    SENDING = "发送中"  # claimed by a sender until claimed_until
    SENT = "已发送"  # the server accepted it (250)
    FAILED = "发送失败"  # refused for good, or out of attempts; last_error says why


class MailMessage(Base):
    """One mail to one person: a notification's text and where the task is done."""

    __tablename__ = "mail_message"
    __table_args__ = (
        # The sender's two questions: which pending messages are due, whose lease has lapsed.
        Index("ix_mail_message_status_due", "status", "next_attempt_at"),
        Index("ix_mail_message_status_lease", "status", "claimed_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"),
                                                        unique=True)
    to_addr: Mapped[str] = mapped_column(String(200))
    to_name: Mapped[str | None] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The notification's place of work (`workflow.places.Target` as text); the sender asks the
    # web layer's map for its page and puts the site's base URL before it.
    target: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[MailStatus] = enum_column(MailStatus, default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    claim_token: Mapped[str | None] = mapped_column(String(40))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # <gongwen.{id}@{domain}>, fixed at the first claim and kept for every retry, so that a
    # receiving system can drop the duplicate of the one unavoidable double (see workflow.mail).
    message_id: Mapped[str | None] = mapped_column(String(200), unique=True)

    user: Mapped[User] = relationship()
