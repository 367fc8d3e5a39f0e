"""A certificate authority Gongwen does not know, made here as an outside CA would make one.

Owns: `ForeignCA` (a self-signed CA certificate and its key, made with `cryptography` alone), a
signer's certificate under it, a PKCS#12 of the two (what a real CA hands an office), and signing a
PDF with any key and certificate through pyHanko directly — what someone outside Gongwen could do
with a key of their own, or with a unit's key taken from the database. Must not: use
`workflow.pki` (the tests compare its work with this independent one).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from workflow import pki

START = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2045, 1, 1, tzinfo=dt.UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@dataclass
class ForeignCA:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @classmethod
    def make(cls, name: str = "外部测试根证书") -> ForeignCA:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (x509.CertificateBuilder().subject_name(_name(name)).issuer_name(_name(name))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(START).not_valid_after(END)
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                             False), critical=True)
                .sign(key, hashes.SHA256()))
        return cls(key, cert)

    def signer(self, name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (x509.CertificateBuilder().subject_name(_name(name)).issuer_name(self.cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(START).not_valid_after(END)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                             False), critical=True)
                .sign(self.key, hashes.SHA256()))
        return key, cert

    def pkcs12(self, name: str, passphrase: bytes | None, *, with_ca: bool = True) -> bytes:
        key, cert = self.signer(name)
        encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                      else serialization.NoEncryption())
        return pkcs12.serialize_key_and_certificates(
            name.encode(), key, cert, [self.cert] if with_ca else None, encryption)


def sign_with(pdf: bytes, key, cert: x509.Certificate, chain=()) -> bytes:
    """`pdf` signed (PAdES, SHA-256) by `key` and `cert` through pyHanko, with nothing of ours."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain]))
    meta = signers.PdfSignatureMetadata(field_name="Other", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    # Off the loop a browser test of the same worker may have left running in this thread.
    return pki.off_the_loop(signers.sign_pdf, IncrementalPdfFileWriter(io.BytesIO(pdf)), meta,
                            signer=signer).getvalue()


def appended_update(pdf: bytes) -> bytes:
    """`pdf` with an incremental update appended after its signature, as an editor saving a small
    change would (here: the document's language)."""
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root[NameObject("/Lang")] = TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
