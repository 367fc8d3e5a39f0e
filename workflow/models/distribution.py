"""What an issued notice creates per unit: receipts and reports; reminders and notifications; who
of a recipient unit has opened it (已读); the counts of each issued 转发's subtree.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, utcnow
from workflow.models._columns import enum_column

if TYPE_CHECKING:  # the names in annotations; SQLAlchemy resolves them at run time
    from workflow.models.documents import Attachment, Notice, ReportRequest
    from workflow.models.organisation import Unit, User
from workflow.states import (
    ReceiptState,
    RecipientKind,
    ReportState,
)


class Receipt(Base):
    """One recipient unit's copy of an issued notice: signed for (签收), or returned as misdirected."""

    __tablename__ = "receipt"
    __table_args__ = (
        UniqueConstraint("notice_id", "unit_id"),
        Index("ix_receipt_notice_state", "notice_id", "state"),
        Index("ix_receipt_unit_state", "unit_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[RecipientKind] = enum_column(RecipientKind)
    state: Mapped[ReceiptState] = enum_column(ReceiptState, default=ReceiptState.PENDING)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    acted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    acted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    # 改发: the returned receipt this one replaces (None: a recipient of the issue itself).
    redirected_from_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id"))

    notice: Mapped[Notice] = relationship()
    unit: Mapped[Unit] = relationship(lazy="joined")
    acted_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Report(Base):
    """One 主送 unit's answer to one report request."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("request_id", "unit_id"),
        Index("ix_report_notice_state", "notice_id", "state"),
        Index("ix_report_unit_state", "unit_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"))
    request_id: Mapped[int] = mapped_column(ForeignKey("report_request.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    state: Mapped[ReportState] = enum_column(ReportState, default=ReportState.DUE)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    return_reason: Mapped[str | None] = mapped_column(Text)

    notice: Mapped[Notice] = relationship()
    request: Mapped[ReportRequest] = relationship(lazy="joined")
    unit: Mapped[Unit] = relationship(lazy="joined")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id", viewonly=True)
    # The same unit's copy of the notice: a report is submitted only once it is signed for.
    receipt: Mapped[Receipt | None] = relationship(
        primaryjoin="and_(Report.notice_id == foreign(Receipt.notice_id), "
                    "Report.unit_id == foreign(Receipt.unit_id))",
        viewonly=True, uselist=False)
    # 汇总上报: the sub-units' accepted reports this one carries up, by reference.
    inclusions: Mapped[list[ReportInclusion]] = relationship(
        foreign_keys="ReportInclusion.report_id", cascade="all, delete-orphan",
        order_by="ReportInclusion.id")

    __mapper_args__ = {"version_id_col": version}


class ReportInclusion(Base):
    """汇总上报: a sub-unit's accepted report (of a 转发) carried in its unit's report upward."""

    __tablename__ = "report_inclusion"
    __table_args__ = (UniqueConstraint("report_id", "included_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"),
                                           index=True)
    included_id: Mapped[int] = mapped_column(ForeignKey("report.id"))

    included: Mapped[Report] = relationship(foreign_keys=[included_id], lazy="joined")


class Reminder(Base):
    """A 催办: who reminded which unit of which notice, when and by which channel."""

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_notice_unit", "notice_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    channel: Mapped[str] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(Text)
    # Scheduled reminders carry a key so that each is sent once and only once.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    unit: Mapped[Unit] = relationship(lazy="joined")
    by_user: Mapped[User | None] = relationship()


class NoticeReading(Base):
    """The first time one person of a recipient unit opened an issued notice (已读).

    One row per person and notice, whatever the number of opens or of recipient units the person
    belongs to: `unit_id` is the recipient unit through which they see it.
    """

    __tablename__ = "notice_reading"
    __table_args__ = (
        UniqueConstraint("notice_id", "user_id"),
        Index("ix_notice_reading_notice_unit", "notice_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    first_read_at: Mapped[dt.datetime] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class Notification(Base):
    """An outbox row: someone is told something. Written in the event's transaction; sends nothing."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"))
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Where the person acts on it: a `workflow.places.Target` as text (signoff:12, sign_for:3),
    # which the web layer turns into a link.
    target: Mapped[str | None] = mapped_column(String(40))


class ForwardTally(Base):
    """The counts of an issued 转发's subtree: its own 主送 units and those of every 转发 below it
    (a cancelled draft holds none), kept by the commands in the transaction of each change
    (`workflow.commands.forward_counts`), so that a tracking page reads one row per 转发."""

    __tablename__ = "forward_tally"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), primary_key=True)
    # The 转发 this one forwards, when that is itself a 转发 (its counts include this one's);
    # None at the first level below a notice that forwards nothing.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("forward_tally.notice_id"))
    units: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    signed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    owing: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reported: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ForwardDue(Base):
    """Of a 转发's subtree, how many 主送 units of open notices have `due_on` as the earliest
    deadline of what they still owe (signing for, or a report): those of the days before today
    are the overdue ones, whatever day it is."""

    __tablename__ = "forward_due"

    notice_id: Mapped[int] = mapped_column(ForeignKey("forward_tally.notice_id"),
                                           primary_key=True)
    due_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    units: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
