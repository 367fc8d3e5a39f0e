"""Verifying a PDF someone holds: is it a 正式文件 Gongwen issued, unaltered, and signed by whom.

Owns: `verify_pdf`, which answers from the file and the database alone (offline): the PAdES
signature checked by pyHanko against the CAs this deployment trusts (`pki.trusted_cas`), covering
the whole file (an incremental update appended after signing, or the file saved again by another
program, fails); the signing certificate found among the registered ones, and its revocation
judged by the moment Gongwen made the file; the file matched byte for byte with a stored 正式文件,
which names the notice. Every doubt is a `Verdict` with its reason in Chinese, never an exception.

Must not: say anything about a notice but what the file itself carries (its number, title, issuer
and dates) and whether it is still in force; or change anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.deadlines import chinese_date, local_time
from workflow.errors import NotFound
from workflow.models import Notice, SigningCertificate, User
from workflow.permissions import Right, demand

MAX_BYTES = 30 * 1024 * 1024


@dataclass
class Verdict:
    """What a verification found. `authentic`: signed by a registered unit certificate under a
    trusted CA, the signature covering the whole file, and the file is one Gongwen issued."""

    authentic: bool = False
    problem: str = ""  # why not (Chinese), when not authentic
    notice: Notice | None = None
    signed: bool = False
    certificate: SigningCertificate | None = None
    signing_time: dt.datetime | None = None  # as the signer states it
    notes: list[str] = field(default_factory=list)

    @property
    def in_force(self) -> bool:
        return self.notice is not None and self.notice.ended_at is None

    @property
    def doubtless(self) -> bool:
        """Authentic and in force: the one answer a program may rely on (exit code 0)."""
        return self.authentic and self.in_force

    def lines(self) -> list[str]:
        """The verdict as a person reads it, first line the answer."""
        if self.authentic:
            head = "验证通过：这是本系统印发的正式文件，未被改动，数字签名有效。"
        elif self.notice is not None and not self.signed:
            head = "与本系统存档的正式文件一致，但该文件未经数字签名（发文单位印发时尚未配置签名证书）。"
        else:
            head = f"验证未通过：{self.problem}"
        lines = [head]
        n = self.notice
        if n is not None:
            lines += [f"发文字号：{n.doc_number}", f"标题：{n.title}", f"发文机关：{n.issuer.name}",
                      f"印发日期：{chinese_date(n.issued_on)}"]
            if n.ended_at is not None:
                verb = "撤销" if n.void_from_start else "废止"
                lines.append(f"注意：该公文已于{chinese_date(local_time(n.ended_at).date())}{verb}，"
                             "不再有效。")
        c = self.certificate
        if c is not None:
            lines += [f"签名单位：{c.unit.name if c.unit else c.subject}",
                      f"签名证书：{c.subject}（SHA-256 指纹 {c.fingerprint[:16]}…）",
                      f"证书启用于：{local_time(c.created_at):%Y-%m-%d %H:%M}"]
            if c.revoked_at is not None:
                lines.append(f"证书已于 {local_time(c.revoked_at):%Y-%m-%d %H:%M} 吊销"
                             f"（{c.revoke_reason}）；本文件制作于吊销之前。" if self.authentic
                             else f"证书已于 {local_time(c.revoked_at):%Y-%m-%d %H:%M} 吊销。")
        if self.signing_time is not None:
            lines.append(f"签名时间（签名者所述）：{local_time(self.signing_time):%Y-%m-%d %H:%M}")
        return lines + self.notes


def verify_pdf(session: Session, actor: User | None, data: bytes) -> Verdict:
    """Check a PDF: see the module docstring."""
    demand(actor, Right.VERIFY_DOCUMENT)
    if not data:
        return Verdict(problem="文件是空的")
    if len(data) > MAX_BYTES:
        return Verdict(problem=f"文件超过 {MAX_BYTES // 2**20} MB，不是本系统印发的正式文件")
    if not data.startswith(b"%PDF-"):
        return Verdict(problem="这不是 PDF 文件")
    digest = hashlib.sha256(data).hexdigest()
    notice = session.scalar(select(Notice).where(Notice.official_sha256 == digest))
    verdict = Verdict(notice=notice)
    try:
        signatures = _signatures(data)
    except Exception:  # noqa: BLE001 — any fault of a hostile file is a doubt, not a crash
        verdict.problem = "文件已损坏或被改动，无法读取其结构"
        return verdict
    if not signatures:
        if notice is not None and notice.official_certificate_id is None:
            return verdict  # the stored file itself, issued unsigned
        verdict.problem = ("文件没有数字签名" + ("" if notice else "，也与本系统印发的任何正式文件"
                                                  "都不一致"))
        return verdict
    verdict.signed = True
    if len(signatures) > 1:
        verdict.problem = "文件含有多个签名：本系统印发的正式文件只有一个签名，其后又被签署或改动过"
        return verdict
    return _judge(session, verdict, signatures[0])


def _signatures(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    return list(PdfFileReader(io.BytesIO(data)).embedded_signatures)


def _judge(session: Session, verdict: Verdict, signature) -> Verdict:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    from workflow import pki

    roots = [asn1_x509.Certificate.load(ca.certificate_der) for ca in pki.trusted_cas(session)]
    context = ValidationContext(trust_roots=roots, allow_fetching=False,
                                revocation_mode="soft-fail")
    try:
        status = pki.off_the_loop(validate_pdf_signature, signature, context, skip_diff=True)
    except Exception:  # noqa: BLE001 — a damaged signature is a doubt, not a crash
        verdict.problem = "签名数据已损坏，无法校验"
        return verdict
    cert = status.signing_cert
    row = session.scalar(select(SigningCertificate).where(
        SigningCertificate.fingerprint == pki.fingerprint(cert.dump()))) if cert else None
    verdict.certificate = row
    verdict.signing_time = (status.signer_reported_dt.astimezone(dt.UTC).replace(tzinfo=None)
                            if status.signer_reported_dt else None)
    notice = verdict.notice
    if not status.intact or not status.valid:
        verdict.problem = "文件内容与签名不符：签名之后文件被改动过"
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        verdict.problem = ("签名不覆盖整个文件：签名之后文件被追加修改，或被其他程序另存过")
    elif not status.trusted:
        verdict.problem = "签名证书不是由本系统信任的签章根证书签发的"
    elif row is None or row.is_ca:
        verdict.problem = "签名证书不是本系统登记的单位证书"
    elif row.revoked_at is not None and not (
            notice is not None and notice.official_certificate_id == row.id
            and notice.official_made_at is not None and notice.official_made_at < row.revoked_at):
        verdict.problem = (f"签名证书已于 {local_time(row.revoked_at):%Y-%m-%d %H:%M} 吊销"
                           f"（{row.revoke_reason}），该文件不是吊销之前由本系统制作的")
    elif notice is None:
        verdict.problem = "签名有效，但本系统中没有与该文件完全一致的正式文件"
    elif notice.official_certificate_id != row.id:
        verdict.problem = "签名证书与本系统印发该文件时所用的证书不符"
    else:
        verdict.authentic = True
    return verdict


def notice_by_code(session: Session, actor: User | None, *, notice_id: int, code: str) -> Notice:
    """The issued notice whose verification page this is (its id and the code in its QR code);
    NotFound for any other id or code, so that the page is not found by counting ids."""
    demand(actor, Right.VERIFY_DOCUMENT)
    notice = session.get(Notice, notice_id) if isinstance(notice_id, int) else None
    if notice is None or notice.verify_code is None or not hmac.compare_digest(
            notice.verify_code.encode(), (code or "").encode()):
        raise NotFound("找不到该核验页：二维码或地址不完整")
    return notice
