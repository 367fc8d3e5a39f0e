"""The deployment's signing certificates: its own CA, the trusted CAs, and each unit's key.

Owns: `SigningCertificate`, one row per certificate Gongwen signs with or trusts. A CA row
(`unit_id` None) is a trust anchor of the verification; a unit's row holds its certificate and its
private key, encrypted at rest under the signing secret kept outside the database
(`workflow.pki`). A unit has at most one current row (neither retired nor revoked); a retired row
(rotated out) keeps verifying what it signed, a revoked one verifies only the files Gongwen itself
made with it before the revocation. Must not: hold a private key in clear, or a secret.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, utcnow
from workflow.models.organisation import Unit


class SigningCertificate(Base):
    """An X.509 certificate: a CA Gongwen trusts, or a unit's signing certificate with its key."""

    __tablename__ = "signing_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)  # None: a CA
    is_ca: Mapped[bool] = mapped_column(Boolean, default=False)
    subject: Mapped[str] = mapped_column(String(300))
    serial: Mapped[str] = mapped_column(String(64))  # hexadecimal
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the DER
    issuer_fingerprint: Mapped[str | None] = mapped_column(String(64))  # None: self-signed
    not_before: Mapped[dt.datetime] = mapped_column(DateTime)
    not_after: Mapped[dt.datetime] = mapped_column(DateTime)
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary)
    # PKCS#8, encrypted under the signing secret (None: a CA trusted without its key).
    private_key: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    source: Mapped[str] = mapped_column(String(20))  # 本系统签发 or PKCS#12 导入
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # rotated out
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit | None] = relationship()

    @property
    def current(self) -> bool:
        return self.retired_at is None and self.revoked_at is None
