"""The organisation: units, unit groups, people, their roles, the login policy; and what a login
needs beyond the password — the throttle's counters and the one-time recovery codes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, utcnow
from workflow.models._columns import enum_column
from workflow.states import (
    Role,
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
    # An internal department (办公室, 宣传部 …) of its parent: it handles and reads its parent's
    # 收文 but receives and issues nothing itself.
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    # The 收文 route: does a 阅件 go to the leader for 批办, or straight to its readers?
    reading_needs_instruction: Mapped[bool] = mapped_column(Boolean, default=True)
    # The seal image (PNG), printed only when configured; deferred: units load everywhere.
    seal_png: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

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
    # Set when someone else chose the password (a reset, a new account): the holder must change
    # it before doing anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # The second factor (TOTP, RFC 6238): the shared secret (base32), set when enrolment begins;
    # it counts only once confirmed with a code. The last time step a code was accepted for, so
    # that no code is accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # The client address (IPv4, or an IPv6 /64) of the last complete login: the "usual" address,
    # from which others' failed attempts do not hold the person back (workflow.throttle).
    last_login_address: Mapped[str | None] = mapped_column(String(64))
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

    @property
    def has_second_factor(self) -> bool:
        """Enrolled and confirmed: a code is asked for after the password."""
        return self.totp_secret is not None and self.totp_confirmed_at is not None

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
    # Business roles whose holders need a second factor too (names of Role members); the three
    # administrators and signatories always do.
    second_factor_roles: Mapped[list | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class RecoveryCode(Base):
    """One of a person's one-time recovery codes (used when the phone is not at hand), hashed as
    passwords are; `used_at` is set when it is spent."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LoginThrottle(Base):
    """Failed logins counted under one key — a typed username, a client address, or the pair of
    a username and its usual address — and until when attempts under it are held back.

    In the database so that every worker and host counts the same failures (workflow.throttle).
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
