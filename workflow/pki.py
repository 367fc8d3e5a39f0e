"""The deployment's keys: its own CA, a signing certificate per unit, and the PAdES signature.

Owns: the signing secret of this process (`use_secret`, given by whoever starts it, read from the
instance folder or the environment like the audit key — never from the database), with which every
private key is encrypted at rest (PKCS#8, PBES2/AES-256); the commands of the 安全管理员 —
`init_pki` (the deployment's CA and a certificate for each unit that has none), `import_pkcs12`
(a unit's key and certificate from a real CA; the self-signed CA certificates in the file become
trusted), `rotate` (a new certificate, the old one retired: what it signed stays verifiable) and
`revoke` — each audited; and `sign_pdf`, the PAdES signature (pyHanko) of a 正式文件 by the issuing
unit's current key, covering the whole file.

Keys are RSA 2048 (poppler's `pdfsig` and every PDF reader verify it); the CA is valid 30 years,
a unit's certificate 20. Must not: write a private key in clear anywhere, or commit.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import io

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.commands.savepoint import command
from workflow.db import as_utc
from workflow.errors import InvalidInput, InvalidState, NotFound, WorkflowError
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import SigningCertificate, Unit, User
from workflow.permissions import Right, demand

KEY_BITS = 2048
CA_YEARS, UNIT_YEARS = 30, 20
MIN_SECRET_LENGTH = 32
MAX_PKCS12_BYTES = 1024 * 1024
DEFAULT_CA_NAME = "公文流转系统签章根证书"
SOURCE_OWN, SOURCE_PKCS12 = "本系统签发", "PKCS#12 导入"

_secret: bytes | None = None


class SecretMissing(WorkflowError):
    """No signing secret was given to this process: no private key can be used or made."""

    code = "signing_secret_missing"

    def __init__(self):
        super().__init__("未配置签名密钥保护口令（SIGNING_KEY）：不能生成或使用单位的签名私钥")


def check_secret(secret: str | bytes) -> bytes:
    raw = secret.encode() if isinstance(secret, str) else bytes(secret)
    if len(raw.strip()) < MIN_SECRET_LENGTH:
        raise ValueError(f"签名密钥保护口令太短：至少要 {MIN_SECRET_LENGTH} 个字符")
    return raw.strip()


def use_secret(secret: str | bytes | None) -> None:
    """Give this process the secret the private keys are encrypted under (None: none)."""
    global _secret
    _secret = None if secret is None else check_secret(secret)


def _current_secret() -> bytes:
    if _secret is None:
        raise SecretMissing()
    return _secret


# ------------------------------------------------------------------------------------------------
# Reading what is stored.

def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def current_certificate(session: Session, unit_id: int) -> SigningCertificate | None:
    """The unit's certificate it signs with now (neither retired nor revoked), if any."""
    return session.scalar(select(SigningCertificate).where(
        SigningCertificate.unit_id == unit_id, SigningCertificate.is_ca.is_(False),
        SigningCertificate.retired_at.is_(None), SigningCertificate.revoked_at.is_(None)))


def own_ca(session: Session) -> SigningCertificate | None:
    """The deployment's own CA (the one with a key), if `init_pki` made it."""
    return session.scalar(select(SigningCertificate).where(
        SigningCertificate.is_ca.is_(True), SigningCertificate.private_key.is_not(None),
        SigningCertificate.revoked_at.is_(None)).order_by(SigningCertificate.id))


def trusted_cas(session: Session) -> list[SigningCertificate]:
    """The CAs a signature must chain to: the deployment's own and those imported with a unit's
    PKCS#12 (none revoked)."""
    return list(session.scalars(select(SigningCertificate).where(
        SigningCertificate.is_ca.is_(True), SigningCertificate.revoked_at.is_(None))
        .order_by(SigningCertificate.id)))


def certificates(session: Session) -> list[SigningCertificate]:
    """Every certificate, the CAs first, then by unit and age (for the 安全管理员's list)."""
    return list(session.scalars(select(SigningCertificate).order_by(
        SigningCertificate.is_ca.desc(), SigningCertificate.unit_id, SigningCertificate.id)))


def _private_key(row: SigningCertificate):
    return serialization.load_pem_private_key(row.private_key, password=_current_secret())


def _encrypted(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.BestAvailableEncryption(_current_secret()))


# ------------------------------------------------------------------------------------------------
# Making certificates.

def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "公文流转")])


def _row(cert: x509.Certificate, *, unit_id: int | None, key, source: str,
         issuer: SigningCertificate | None, now: dt.datetime) -> SigningCertificate:
    der = cert.public_bytes(serialization.Encoding.DER)
    return SigningCertificate(
        unit_id=unit_id, is_ca=unit_id is None, subject=cert.subject.rfc4514_string()[:300],
        serial=format(cert.serial_number, "x"), fingerprint=fingerprint(der),
        issuer_fingerprint=issuer.fingerprint if issuer is not None else None,
        not_before=cert.not_valid_before_utc.replace(tzinfo=None),
        not_after=cert.not_valid_after_utc.replace(tzinfo=None), certificate_der=der,
        private_key=_encrypted(key) if key is not None else None, source=source,
        created_at=now)


def _make_ca(name: str, now: dt.datetime):
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    subject = _name(name)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _make_unit_certificate(unit: Unit, ca_row: SigningCertificate, now: dt.datetime):
    ca_key = _private_key(ca_row)
    ca_cert = x509.load_der_x509_certificate(ca_row.certificate_der)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    cert = (x509.CertificateBuilder().subject_name(_name(unit.name)).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(min(now + dt.timedelta(days=365 * UNIT_YEARS),
                                 ca_cert.not_valid_after_utc.replace(tzinfo=None)))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _log(session, actor, action: str, row: SigningCertificate, now, note=None, **details):
    audit.append(session, actor=actor, action=action, object_type="certificate",
                 object_id=row.id, at=now, note=note,
                 details={"subject": row.subject, "fingerprint": row.fingerprint,
                          "unit_id": row.unit_id, **details})


def _issue_for(session, actor, unit: Unit, ca_row: SigningCertificate, now) -> SigningCertificate:
    key, cert = _make_unit_certificate(unit, ca_row, now)
    row = _row(cert, unit_id=unit.id, key=key, source=SOURCE_OWN, issuer=ca_row, now=now)
    session.add(row)
    session.flush()
    _log(session, actor, "certificate.ISSUE", row, now, unit=unit.name)
    return row


@command
def init_pki(session: Session, actor: User | None, *, ca_name: str | None = None,
             now: dt.datetime | None = None) -> list[SigningCertificate]:
    """Make the deployment's CA (once) and a certificate for every unit that issues documents
    (not an internal department) and has none; returns the certificates made."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_SIGNING_KEYS)
    _current_secret()  # refused before anything is made
    made = []
    ca_row = own_ca(session)
    if ca_row is None:
        key, cert = _make_ca(clean_text(ca_name) or DEFAULT_CA_NAME, now)
        ca_row = _row(cert, unit_id=None, key=key, source=SOURCE_OWN, issuer=None, now=now)
        session.add(ca_row)
        session.flush()
        _log(session, actor, "certificate.CREATE_CA", ca_row, now)
        made.append(ca_row)
    for unit in session.scalars(select(Unit).where(Unit.internal.is_(False)).order_by(Unit.id)):
        if current_certificate(session, unit.id) is None:
            made.append(_issue_for(session, actor, unit, ca_row, now))
    return made


@command
def rotate(session: Session, actor: User | None, *, unit_id: int, reason: str | None = None,
           now: dt.datetime | None = None) -> SigningCertificate:
    """Give a unit a new key and certificate from the deployment's CA; its current one is retired
    (what it signed stays verifiable)."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_SIGNING_KEYS)
    unit = get_or_404(session, Unit, unit_id, label="单位")
    ca_row = own_ca(session)
    if ca_row is None:
        raise InvalidState("本系统尚未建立签章根证书：请先运行 flask --app wsgi pki init")
    old = current_certificate(session, unit.id)
    if old is not None:
        old.retired_at = now
        session.flush()
        _log(session, actor, "certificate.RETIRE", old, now, note=clean_text(reason) or None)
    return _issue_for(session, actor, unit, ca_row, now)


@command
def revoke(session: Session, actor: User | None, *, certificate_id: int, reason: str,
           now: dt.datetime | None = None) -> SigningCertificate:
    """Revoke a certificate (a key lost or stolen): from now on nothing is signed with it, and a
    file signed with it verifies only if Gongwen made it before this moment."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_SIGNING_KEYS)
    reason = clean_text(reason)
    if not reason:
        raise InvalidInput("吊销证书必须说明理由")
    row = get_or_404(session, SigningCertificate, certificate_id, label="证书")
    if row.revoked_at is not None:
        raise InvalidState("该证书已经吊销")
    row.revoked_at, row.revoke_reason = now, reason
    session.flush()
    _log(session, actor, "certificate.REVOKE", row, now, note=reason)
    return row


@command
def import_pkcs12(session: Session, actor: User | None, *, unit_id: int, data: bytes,
                  passphrase: str | None, now: dt.datetime | None = None) -> SigningCertificate:
    """A unit's key and certificate from a PKCS#12 file (a real CA's); its current one is retired.
    The self-signed CA certificates in the file are trusted from now on."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.MANAGE_SIGNING_KEYS)
    unit = get_or_404(session, Unit, unit_id, label="单位")
    if not data or len(data) > MAX_PKCS12_BYTES:
        raise InvalidInput("PKCS#12 文件为空或超过 1 MB")
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            data, passphrase.encode() if passphrase else None)
    except ValueError:
        raise InvalidInput("无法读取该 PKCS#12 文件：口令不对，或文件已损坏") from None
    if key is None or cert is None:
        raise InvalidInput("该 PKCS#12 文件中没有私钥和与之对应的证书")
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < KEY_BITS:
        raise InvalidInput(f"只接受至少 {KEY_BITS} 位的 RSA 私钥")
    if cert.not_valid_after_utc.replace(tzinfo=None) <= now:
        raise InvalidInput("该证书已过期")
    issuer = None
    for ca in extra or []:
        if ca.subject != ca.issuer or ca.subject != cert.issuer:
            continue
        der = ca.public_bytes(serialization.Encoding.DER)
        issuer = session.scalar(select(SigningCertificate).where(
            SigningCertificate.fingerprint == fingerprint(der)))
        if issuer is None:
            issuer = _row(ca, unit_id=None, key=None, source=SOURCE_PKCS12, issuer=None, now=now)
            session.add(issuer)
            session.flush()
            _log(session, actor, "certificate.TRUST_CA", issuer, now)
    if issuer is None:
        raise InvalidInput("PKCS#12 文件中须附有签发该证书的根证书")
    if session.scalar(select(SigningCertificate.id).where(SigningCertificate.fingerprint == fingerprint(
            cert.public_bytes(serialization.Encoding.DER)))) is not None:
        raise InvalidInput("该证书已经导入过")
    old = current_certificate(session, unit.id)
    if old is not None:
        old.retired_at = now
        session.flush()
        _log(session, actor, "certificate.RETIRE", old, now, note="导入新证书")
    row = _row(cert, unit_id=unit.id, key=key, source=SOURCE_PKCS12, issuer=issuer, now=now)
    session.add(row)
    session.flush()
    _log(session, actor, "certificate.IMPORT", row, now, unit=unit.name)
    return row


# ------------------------------------------------------------------------------------------------
# Signing.

def sign_pdf(session: Session, unit_id: int, pdf: bytes, *, now: dt.datetime
             ) -> tuple[bytes, SigningCertificate | None]:
    """The PDF signed (PAdES baseline B, SHA-256) by the unit's current key, and the certificate;
    the PDF as it is and None when the unit has no key."""
    row = current_certificate(session, unit_id)
    if row is None or row.private_key is None:
        return pdf, None
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = _private_key(row)
    chain = []
    issuer = session.scalar(select(SigningCertificate).where(
        SigningCertificate.fingerprint == row.issuer_fingerprint)) if row.issuer_fingerprint \
        else None
    if issuer is not None:
        chain.append(asn1_x509.Certificate.load(issuer.certificate_der))
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(row.certificate_der),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs(chain))
    unit = session.get(Unit, unit_id)
    meta = signers.PdfSignatureMetadata(
        field_name="Gongwen", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason="印发", name=unit.name if unit else None)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = off_the_loop(signers.sign_pdf, writer, meta, signer=signer)
    return out.getvalue(), row


def off_the_loop(fn, *args, **kwargs):
    """Call one of pyHanko's synchronous functions, which run their own event loop
    (asyncio.run): in a thread of its own when this thread already runs one (an async server,
    a test driving a browser), where asyncio.run would refuse."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def certificate_of(session: Session, certificate_id: int) -> SigningCertificate:
    row = session.get(SigningCertificate, certificate_id)
    if row is None:
        raise NotFound("找不到该证书")
    return row
