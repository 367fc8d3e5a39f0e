"""What a unit does with a document it received (收文办理): the 收文 itself, its 收文编号 counter,
who handles it (承办) and who reads it (传阅).

Owns: the tables of the 收文 register. One `Incoming` per receipt signed for (its notice came
through Gongwen) or per external document registered by hand (paper, mail, another system).
Must not: change a state (commands._advance does) or decide who may see a row (permissions.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
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

from workflow.db import Base
from workflow.models._columns import enum_column
from workflow.states import (
    CirculationState,
    IncomingKind,
    IncomingState,
    Retention,
    Secrecy,
    Urgency,
)

if TYPE_CHECKING:  # the names in annotations; SQLAlchemy resolves them at run time
    from workflow.models.distribution import Receipt, Report
    from workflow.models.documents import Notice
    from workflow.models.organisation import Unit, User


class IncomingCounter(Base):
    """The counter row of one unit's 收文编号 in one year: gapless, like a 发文字号's series."""

    __tablename__ = "incoming_counter"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    next_serial: Mapped[int] = mapped_column(Integer, default=1)


class Incoming(Base):
    """One entry of a unit's 收文登记簿, and the document's life inside the unit."""

    __tablename__ = "incoming"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "serial"),
        UniqueConstraint("receipt_id"),
        Index("ix_incoming_unit_state", "unit_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    # Through Gongwen: the receipt signed for, and its notice. External: both None.
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"), index=True)
    # The register's columns (条例 Art. 24 登记).
    source_organ: Mapped[str] = mapped_column(String(100))  # 来文机关
    source_number: Mapped[str | None] = mapped_column(String(50))  # 来文字号
    title: Mapped[str] = mapped_column(String(300))
    urgency: Mapped[Urgency] = enum_column(Urgency, default=Urgency.NORMAL)
    secrecy: Mapped[Secrecy] = enum_column(Secrecy, default=Secrecy.NONE)
    received_on: Mapped[dt.date] = mapped_column(Date)  # 收文日期 (Asia/Shanghai)
    pages: Mapped[int | None] = mapped_column(Integer)  # 页数, for paper
    copies: Mapped[int | None] = mapped_column(Integer)  # 份数, for paper
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # An external document's text (typed, or read from its file) and the file itself.
    body: Mapped[str | None] = mapped_column(Text, deferred=True)
    source_file_key: Mapped[str | None] = mapped_column(String(80))
    source_filename: Mapped[str | None] = mapped_column(String(200))
    # 拟办: what it is, by when, and the office's proposal.
    kind: Mapped[IncomingKind | None] = enum_column(IncomingKind, nullable=True)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    proposal: Mapped[str | None] = mapped_column(Text)  # 拟办意见
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # 批办: the leader's 批示 (or the reason it went back to 拟办).
    instruction: Mapped[str | None] = mapped_column(Text)
    instructed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    instructed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    returned_reason: Mapped[str | None] = mapped_column(Text)
    # 承办 and 办结: what was done; for an external document, the 答复 sent outside.
    result: Mapped[str | None] = mapped_column(Text)  # 办理结果
    reply_on: Mapped[dt.date | None] = mapped_column(Date)
    reply_file_key: Mapped[str | None] = mapped_column(String(80))
    reply_filename: Mapped[str | None] = mapped_column(String(200))
    finished_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # 归档, with the unit's own archive code (DA/T 22), as a 发文.
    retention: Mapped[Retention | None] = enum_column(Retention, nullable=True)
    archive_code: Mapped[str | None] = mapped_column(String(60))
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    state: Mapped[IncomingState] = enum_column(IncomingState, default=IncomingState.REGISTERED)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    unit: Mapped[Unit] = relationship(lazy="joined")
    receipt: Mapped[Receipt | None] = relationship()
    notice: Mapped[Notice | None] = relationship()
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    instructed_by: Mapped[User | None] = relationship(foreign_keys=[instructed_by_id])
    finished_by: Mapped[User | None] = relationship(foreign_keys=[finished_by_id])
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="incoming", cascade="all, delete-orphan", lazy="selectin",
        order_by="(Assignment.lead.desc(), Assignment.unit_id)")
    circulations: Mapped[list[Circulation]] = relationship(
        back_populates="incoming", order_by="Circulation.id", viewonly=True)
    # The unit's reports on the notice, when it came through Gongwen: its 答复.
    reports: Mapped[list[Report]] = relationship(
        primaryjoin="and_(Incoming.notice_id == foreign(Report.notice_id), "
                    "Incoming.unit_id == foreign(Report.unit_id))",
        order_by="Report.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}

    @property
    def number(self) -> str:
        """The 收文编号 as the register shows it: 收〔2015〕12号."""
        return f"收〔{self.year}〕{self.serial}号"

    @property
    def lead_unit_id(self) -> int | None:
        """The 主办 department (or the unit itself), once 拟办 named one."""
        return next((a.unit_id for a in self.assignments if a.lead), None)

    @property
    def lead_person_id(self) -> int | None:
        """The 承办人 named by name for the 主办 department, if one was."""
        return next((a.person_id for a in self.assignments if a.lead), None)

    @property
    def external(self) -> bool:
        return self.receipt_id is None

    def __repr__(self) -> str:
        return f"<Incoming {self.id} {self.number} {self.state.name}>"


class Assignment(Base):
    """A department named to handle a 收文 (承办): one 主办 (lead), any number of 协办. The 主办 may
    also name its 承办人 (`person_id`): then that person, not any 承办人 of the department, handles
    it."""

    __tablename__ = "incoming_assignment"
    __table_args__ = (UniqueConstraint("incoming_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incoming_id: Mapped[int] = mapped_column(ForeignKey("incoming.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    incoming: Mapped[Incoming] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship(lazy="joined")
    person: Mapped[User | None] = relationship(lazy="joined")


class Circulation(Base):
    """One person asked to read a 收文 (传阅), and what became of it."""

    __tablename__ = "circulation"
    __table_args__ = (
        UniqueConstraint("incoming_id", "reader_id"),
        Index("ix_circulation_reader_state", "reader_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incoming_id: Mapped[int] = mapped_column(ForeignKey("incoming.id"), index=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # A required reader holds up 办结 until they have read it, or their sender waives them.
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime)
    state: Mapped[CirculationState] = enum_column(CirculationState,
                                                  default=CirculationState.PENDING)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    opinion: Mapped[str | None] = mapped_column(Text)  # the reader's 阅批意见, optional
    reason: Mapped[str | None] = mapped_column(Text)  # why it was waived
    acted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # recalled or waived
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    incoming: Mapped[Incoming] = relationship(back_populates="circulations")
    reader: Mapped[User] = relationship(foreign_keys=[reader_id], lazy="joined")
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])

    __mapper_args__ = {"version_id_col": version}


class IncomingReminder(Base):
    """A 催办 inside the unit (by the tick): one person reminded of one 收文 at one point of its
    schedule. The key makes it once and only once, however many ticks run at once."""

    __tablename__ = "incoming_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    incoming_id: Mapped[int] = mapped_column(ForeignKey("incoming.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    point: Mapped[dt.date] = mapped_column(Date)  # the point of the deadline's schedule
    message: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
