"""A document and what it carries: addressees, report requests, attachments.
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

from workflow.db import Base, utcnow
from workflow.models._columns import enum_column

if TYPE_CHECKING:  # the names in annotations; SQLAlchemy resolves them at run time
    from workflow.models.organisation import Unit, UnitGroup, User
    from workflow.models.signing import SigningCertificate
from workflow.states import (
    Direction,
    NoticeAction,
    NoticeState,
    RecipientKind,
    Retention,
    Urgency,
)


class Notice(Base):
    """One official document (公文), from draft to archive."""

    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("series_code", "doc_year", "doc_serial"),
        # A unit's notices in a state (the desks' lists), the newest first: the 督办's list reads
        # the open ones (queries.tracking.tracked_notices) along it, without a sort.
        Index("ix_notice_issuer_state_issued", "issuer_unit_id", "state", "issued_at", "id"),
        # ... and then the newest of the others, whatever their state.
        Index("ix_notice_issuer_issued", "issuer_unit_id", "issued_at", "id"),
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
    # The 正式文件 (workflow.official): made once at 印发, kept in the file store, served as made.
    official_file_key: Mapped[str | None] = mapped_column(String(80))
    official_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    official_made_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    official_certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("signing_certificate.id"))
    # The secret part of the verification page's address printed in its QR code: the page tells
    # the notice's number and title, so its address is not guessed from the notice's id.
    verify_code: Mapped[str | None] = mapped_column(String(32))
    # 签收期限: fixed at issue from the 紧急程度 in working days (workflow/calendar.py).
    receipt_due_on: Mapped[dt.date | None] = mapped_column(Date)
    remind_every_days: Mapped[int | None] = mapped_column(Integer)  # 催办间隔; None: the policy's

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
    # 转发: the notice this one forwards down (a notice of a superior its unit received). The
    # notices so linked make a tree, rooted at a notice that forwards nothing.
    forwards_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"), index=True)

    issuer: Mapped[Unit] = relationship(foreign_keys=[issuer_unit_id], lazy="joined")
    forwards: Mapped[Notice | None] = relationship(remote_side=[id], foreign_keys=[forwards_id])
    drafter: Mapped[User] = relationship(foreign_keys=[drafter_id])
    signatory: Mapped[User | None] = relationship(foreign_keys=[signatory_id])
    official_certificate: Mapped[SigningCertificate | None] = relationship()
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
    # In a 转发: the request of the forwarded notice this one passes down (what the unit itself
    # owes upward, asked of its own units earlier), which its reports may be summed up into.
    source_request_id: Mapped[int | None] = mapped_column(ForeignKey("report_request.id"))

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
    # SHA-256 of the stored bytes, taken when they were stored; the digests of 签发, 印发 and 上报
    # cover it. None on files stored before it was kept.
    sha256: Mapped[str | None] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
