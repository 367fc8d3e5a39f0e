"""The persistent nouns of Gongwen, as SQLAlchemy models.

Owns: tables, columns, constraints and relationships. Must not: change a state (only
`commands._advance` does), check permissions, or know HTTP. Every row that a transition reads and
then writes carries a `version` column (optimistic locking, DESIGN.md convention 4).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, utcnow
from workflow.states import (
    Direction,
    NoticeAction,
    NoticeState,
    ReceiptState,
    RecipientKind,
    ReportState,
    Retention,
    Role,
    Urgency,
)


def enum_column(enum_cls, **kwargs):
    """Enums are stored by name in a VARCHAR (portable, readable, migration-friendly)."""
    return mapped_column(
        Enum(enum_cls, native_enum=False, length=24, validate_strings=True,
             name=enum_cls.__name__.lower()),
        **kwargs,
    )


unit_group_member = Table(
    "unit_group_member",
    Base.metadata,
    Column("group_id", ForeignKey("unit_group.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True),
)


class Unit(Base):
    """An organisation: the issuing federation, a district federation, a 妇委会, a department."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(50))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # 机关代字 of the unit's default series, e.g. 哈妇发; None for units that do not issue.
    doc_code: Mapped[str | None] = mapped_column(String(20))
    # 机构 part of archive codes (DA/T 22), e.g. HEBFL.
    org_code: Mapped[str | None] = mapped_column(String(20))
    # The route: does a draft of this unit pass the office's review (核稿) before sign-off?
    review_required: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name}>"


class UnitGroup(Base):
    """A collective name on a 主送 line (各县（市）区妇联) that stands for the units it covers."""

    __tablename__ = "unit_group"
    __table_args__ = (UniqueConstraint("owner_unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    owner: Mapped[Unit] = relationship()
    members: Mapped[list[Unit]] = relationship(secondary=unit_group_member, order_by=Unit.id)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout, password change and role change: every older session is refused.
    session_generation: Mapped[int] = mapped_column(Integer, default=1)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def holds(self, role: Role, unit_id: int | None = None) -> bool:
        """Does this user hold `role` (in `unit_id`, when given)?"""
        return any(g.role == role and (unit_id is None or g.unit_id == unit_id) for g in self.grants)

    @property
    def roles(self) -> set[Role]:
        return {g.role for g in self.grants}

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleGrant(Base):
    """A role held within a unit."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[Role] = enum_column(Role)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))

    user: Mapped[User] = relationship(back_populates="grants")
    unit: Mapped[Unit] = relationship()


class Notice(Base):
    """One official document (公文), from draft to archive."""

    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("series_code", "doc_year", "doc_serial"),
        Index("ix_notice_issuer_state", "issuer_unit_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    drafter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="通知")  # 文种
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[Urgency] = enum_column(Urgency, default=Urgency.NORMAL)
    direction: Mapped[Direction] = enum_column(Direction, default=Direction.DOWNWARD)
    # 机关代字 of the series the number will come from (defaults to the issuer's doc_code).
    series_code: Mapped[str | None] = mapped_column(String(20))

    state: Mapped[NoticeState] = enum_column(NoticeState, default=NoticeState.DRAFT, index=True)
    last_action: Mapped[NoticeAction | None] = enum_column(NoticeAction, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    # Sign-off (签发): the opinion, who and when; 成文日期 is the sign-off date, never typed in.
    signatory_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    sign_opinion: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)

    # Registration (登记) and issue: the 发文字号 is fixed here and nowhere else.
    doc_year: Mapped[int | None] = mapped_column(Integer)
    doc_serial: Mapped[int | None] = mapped_column(Integer)
    doc_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    issued_on: Mapped[dt.date | None] = mapped_column(Date)  # 印发日期
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    archive_code: Mapped[str | None] = mapped_column(String(60), unique=True)
    retention: Mapped[Retention | None] = enum_column(Retention, nullable=True)

    # 撤销 (void from the start) and 废止 (no effect from that day on).
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    void_from_start: Mapped[bool] = mapped_column(Boolean, default=False)
    effective_until: Mapped[dt.date | None] = mapped_column(Date)

    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    issuer: Mapped[Unit] = relationship(foreign_keys=[issuer_unit_id], lazy="joined")
    drafter: Mapped[User] = relationship(foreign_keys=[drafter_id])
    signatory: Mapped[User | None] = relationship(foreign_keys=[signatory_id])
    addressees: Mapped[list[Addressee]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="Addressee.id"
    )
    report_requests: Mapped[list[ReportRequest]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="ReportRequest.position"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        primaryjoin="and_(Attachment.notice_id == Notice.id, Attachment.report_id.is_(None))",
        order_by="Attachment.id",
        viewonly=True,
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def main_addressees(self) -> list[Addressee]:
        return [a for a in self.addressees if a.kind == RecipientKind.MAIN]

    @property
    def cc_addressees(self) -> list[Addressee]:
        return [a for a in self.addressees if a.kind == RecipientKind.CC]

    def __repr__(self) -> str:
        return f"<Notice {self.id} {self.state.name} {self.doc_number or ''}>"


class Addressee(Base):
    """A 主送 or 抄送 entry of a draft: one unit or one unit group. Expanded into receipts on issue."""

    __tablename__ = "addressee"
    __table_args__ = (
        UniqueConstraint("notice_id", "kind", "unit_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RecipientKind] = enum_column(RecipientKind)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("unit_group.id"))

    notice: Mapped[Notice] = relationship(back_populates="addressees")
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    group: Mapped[UnitGroup | None] = relationship(lazy="joined")

    @property
    def name(self) -> str:
        return self.group.name if self.group is not None else self.unit.name


class ReportRequest(Base):
    """What a notice asks its 主送 units to report: what, by when (or none: 及时), to whom."""

    __tablename__ = "report_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    what: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    to_whom: Mapped[str | None] = mapped_column(String(100))

    notice: Mapped[Notice] = relationship(back_populates="report_requests")
    # Who must report: a subset of the 主送 units (seed 000: only 各县（市）区、开发区妇联 of four
    # 主送 groups). No parties means every 主送 unit.
    parties: Mapped[list[ReportRequestParty]] = relationship(
        cascade="all, delete-orphan", order_by="ReportRequestParty.id", lazy="selectin"
    )


class ReportRequestParty(Base):
    """A unit or unit group that a report request asks to report."""

    __tablename__ = "report_request_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("report_request.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("unit_group.id"))

    unit: Mapped[Unit | None] = relationship(lazy="joined")
    group: Mapped[UnitGroup | None] = relationship(lazy="joined")

    @property
    def name(self) -> str:
        return self.group.name if self.group is not None else self.unit.name


class Receipt(Base):
    """One recipient unit's copy of an issued notice: signed for (签收), or returned as misdirected."""

    __tablename__ = "receipt"
    __table_args__ = (
        UniqueConstraint("notice_id", "unit_id"),
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

    __mapper_args__ = {"version_id_col": version}


class Attachment(Base):
    """A file attached to a notice (附件) or to a report; the bytes live in the attachment store."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    storage_key: Mapped[str | None] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer, default=0)
    content_type: Mapped[str | None] = mapped_column(String(100))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


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


class AuditEntry(Base):
    """One line of the append-only, hash-chained audit trail."""

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
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head (one row): its lock serialises appends; it catches a truncated tail."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class LoginPolicy(Base):
    """The login policy the security officer sets (one row, id 1): lockout and idle timeout.

    No row means the defaults (from the code or the web layer's configuration) apply; see
    `workflow.settings`. Kept in the database so that every process enforces the same policy.
    """

    __tablename__ = "login_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    max_failures: Mapped[int] = mapped_column(Integer)
    lock_minutes: Mapped[int] = mapped_column(Integer)
    idle_minutes: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
