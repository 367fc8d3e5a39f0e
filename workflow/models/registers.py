"""The registers: document-number series, the void register, archive counters, the audit chain.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, utcnow
from workflow.models._columns import enum_column

if TYPE_CHECKING:  # the names in annotations; SQLAlchemy resolves them at run time
    from workflow.models.organisation import Unit
from workflow.states import (
    Retention,
)


class NumberSeries(Base):
    """The counter row of one document-number series (机关代字, year)."""

    __tablename__ = "number_series"
    __table_args__ = (UniqueConstraint("code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    code: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    # Serials below start_serial were used before Gongwen (an office migrating mid-year).
    start_serial: Mapped[int] = mapped_column(Integer, default=1)
    next_serial: Mapped[int] = mapped_column(Integer, default=1)

    issuer: Mapped[Unit] = relationship()
    voided: Mapped[list[VoidedNumber]] = relationship(order_by="VoidedNumber.serial", viewonly=True)


class VoidedNumber(Base):
    """The void register: a serial that will never be handed out, with the reason."""

    __tablename__ = "voided_number"
    __table_args__ = (UniqueConstraint("series_id", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("number_series.id"))
    serial: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    voided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    voided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    series: Mapped[NumberSeries] = relationship(viewonly=True)


class ArchiveCounter(Base):
    """The next 件号 for archive codes of one (unit, year, retention)."""

    __tablename__ = "archive_counter"
    __table_args__ = (UniqueConstraint("unit_id", "year", "retention"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    retention: Mapped[Retention] = enum_column(Retention)
    next_item: Mapped[int] = mapped_column(Integer, default=1)


class AuditEntry(Base):
    """One line of the append-only, hash-chained audit trail (`workflow.audit`).

    `scheme` says how `hash` was made: 0 for the entries written before the chain was keyed (a
    plain SHA-256, kept verifiable as it was), 1 for an HMAC-SHA256 under the audit key.
    `digest` is the SHA-256 of the content the action fixed (`workflow.digests`): a notice's text
    and recipients at 签发 and 印发, a report's text and files at 上报; None for other actions.
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(50))
    on_behalf_of: Mapped[str | None] = mapped_column(String(100))  # the unit acted for
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int | None] = mapped_column(Integer)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"), index=True)
    state_before: Mapped[str | None] = mapped_column(String(24))
    state_after: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    digest: Mapped[str | None] = mapped_column(String(64))
    scheme: Mapped[int] = mapped_column(Integer, default=1)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head (one row): its lock serialises appends; it catches a truncated tail."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
