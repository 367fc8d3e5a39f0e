"""The deployment's keys: `init_pki` makes its CA and a certificate per unit, a PKCS#12 from a real CA
can be imported instead, private keys are encrypted at rest under a secret kept outside the
database, rotating and revoking are audited commands, and only the 安全管理员 (or the operator on
the server) manages any of it.
"""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from tests.factories import at, refused
from tests.foreign_ca import ForeignCA
from workflow import commands as c
from workflow import pki
from workflow.errors import Forbidden, InvalidInput, InvalidState
from workflow.models import AuditEntry, SigningCertificate

SECRET = "a-signing-secret-of-the-tests-0123456789"


@pytest.fixture(autouse=True)
def secret():
    pki.use_secret(SECRET)
    yield
    pki.use_secret(None)


def actions(session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "certificate").order_by(AuditEntry.seq)))


def test_init_makes_one_ca_and_a_certificate_for_each_unit_once(world, session):
    made = pki.init_pki(session, None, now=at(0))
    session.commit()
    # The issuer, its three districts and the 抄送 unit: five units, none an internal department.
    assert [row.is_ca for row in made] == [True, False, False, False, False, False]
    assert pki.init_pki(session, None, now=at(1)) == []
    ca = pki.own_ca(session)
    unit_cert = x509.load_der_x509_certificate(pki.current_certificate(
        session, world.issuer.id).certificate_der)
    assert unit_cert.issuer == x509.load_der_x509_certificate(ca.certificate_der).subject
    assert unit_cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == \
        "示范市妇女联合会"
    assert actions(session) == ["certificate.CREATE_CA"] + ["certificate.ISSUE"] * 5


def test_private_keys_are_stored_encrypted_and_open_only_with_the_secret(world, session):
    pki.init_pki(session, None, now=at(0))
    session.commit()
    for row in session.scalars(select(SigningCertificate)):
        assert row.private_key.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        with pytest.raises((TypeError, ValueError)):
            serialization.load_pem_private_key(row.private_key, password=None)
        with pytest.raises(ValueError):
            serialization.load_pem_private_key(row.private_key, password=b"another-secret")
        key = serialization.load_pem_private_key(row.private_key, password=SECRET.encode())
        assert key.public_key().public_numbers() == x509.load_der_x509_certificate(
            row.certificate_der).public_key().public_numbers()


def test_without_the_secret_no_key_is_made(world, session, session_factory):
    pki.use_secret(None)
    message = refused(session, session_factory, lambda: pki.init_pki(session, None, now=at(0)),
                      pki.SecretMissing)
    assert "SIGNING_KEY" in message


def test_a_secret_too_short_to_protect_anything_is_refused():
    with pytest.raises(ValueError, match="太短"):
        pki.use_secret("short")


def test_only_the_security_officer_manages_keys(world, session, session_factory):
    """Not the system administrator, not the auditor, not a business role (of whatever unit), not
    a role-less account: the keys are the deployment's, one duty for the whole system."""
    nobody = c.create_user(session, None, username="nobody", display_name="无角色",
                           unit_id=world.issuer.id)
    session.commit()
    for actor in (world.admin, world.auditor, world.clerk, world.signatory, world.receiver1,
                  nobody):
        refused(session, session_factory, lambda actor=actor: pki.init_pki(
            session, actor, now=at(0)), Forbidden, "安全管理员")
    assert len(pki.init_pki(session, world.security, now=at(0))) == 6
    session.commit()
    cert = pki.current_certificate(session, world.issuer.id)
    for actor in (world.admin, world.clerk, nobody):
        refused(session, session_factory, lambda actor=actor: pki.rotate(
            session, actor, unit_id=world.issuer.id, now=at(1)), Forbidden, "安全管理员")
        refused(session, session_factory, lambda actor=actor: pki.revoke(
            session, actor, certificate_id=cert.id, reason="泄露", now=at(1)), Forbidden)
        refused(session, session_factory, lambda actor=actor: pki.import_pkcs12(
            session, actor, unit_id=world.issuer.id, data=b"x", passphrase=None, now=at(1)),
            Forbidden)


def test_rotating_retires_the_old_certificate_and_issues_a_new_one_audited(world, session):
    pki.init_pki(session, None, now=at(0))
    old = pki.current_certificate(session, world.issuer.id)
    new = pki.rotate(session, world.security, unit_id=world.issuer.id, reason="到期更换",
                     now=at(30))
    session.commit()
    assert pki.current_certificate(session, world.issuer.id).id == new.id != old.id
    assert old.retired_at == at(30) and old.revoked_at is None
    assert actions(session)[-2:] == ["certificate.RETIRE", "certificate.ISSUE"]


def test_revoking_needs_a_reason_and_happens_once(world, session, session_factory):
    pki.init_pki(session, None, now=at(0))
    cert = pki.current_certificate(session, world.issuer.id)
    refused(session, session_factory, lambda: pki.revoke(
        session, world.security, certificate_id=cert.id, reason="  ", now=at(1)), InvalidInput,
        "理由")
    pki.revoke(session, world.security, certificate_id=cert.id, reason="私钥泄露", now=at(1))
    session.commit()
    assert pki.current_certificate(session, world.issuer.id) is None
    assert actions(session)[-1] == "certificate.REVOKE"
    refused(session, session_factory, lambda: pki.revoke(
        session, world.security, certificate_id=cert.id, reason="再次", now=at(2)), InvalidState,
        "已经吊销")


def test_rotating_without_the_deployments_ca_says_how_to_make_it(world, session,
                                                                  session_factory):
    refused(session, session_factory, lambda: pki.rotate(
        session, None, unit_id=world.issuer.id, now=at(0)), InvalidState, "pki init")


def test_a_pkcs12_from_another_ca_is_imported_and_its_ca_trusted(world, session):
    ca = ForeignCA.make()
    row = pki.import_pkcs12(session, world.security, unit_id=world.issuer.id,
                            data=ca.pkcs12("示范市妇女联合会", b"p12-pass"), passphrase="p12-pass",
                            now=at(0))
    session.commit()
    assert pki.current_certificate(session, world.issuer.id).id == row.id
    assert row.private_key.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    trusted = [x509.load_der_x509_certificate(r.certificate_der) for r in pki.trusted_cas(session)]
    assert trusted == [ca.cert]
    assert actions(session) == ["certificate.TRUST_CA", "certificate.IMPORT"]


@pytest.mark.parametrize("case, words", [
    ("wrong passphrase", "口令不对"),
    ("not a PKCS#12 file", "无法读取"),
    ("without its CA", "根证书"),
    ("empty", "为空"),
])
def test_a_pkcs12_that_cannot_be_used_is_refused_in_chinese(world, session, session_factory,
                                                           case, words):
    ca = ForeignCA.make()
    data, passphrase = {
        "wrong passphrase": (ca.pkcs12("单位", b"right"), "wrong"),
        "not a PKCS#12 file": (b"%PDF-1.7 not a key", None),
        "without its CA": (ca.pkcs12("单位", None, with_ca=False), None),
        "empty": (b"", None),
    }[case]
    refused(session, session_factory, lambda: pki.import_pkcs12(
        session, world.security, unit_id=world.issuer.id, data=data, passphrase=passphrase,
        now=at(0)), InvalidInput, words)


def test_a_unit_without_a_key_gets_its_pdf_back_unsigned(world, session):
    assert pki.sign_pdf(session, world.issuer.id, b"%PDF-1.7 ...", now=at(0)) == \
        (b"%PDF-1.7 ...", None)
