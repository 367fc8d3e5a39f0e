"""Anyone can check a 正式文件: signed with the issuing unit's key it verifies — with pyHanko through
`verify_pdf`, and independently with poppler's `pdfsig` —; a changed byte, an incremental update
appended, a signature by a certificate of another CA and one by a revoked certificate each fail
with a clear Chinese reason; a file signed before its certificate was rotated or revoked still
verifies.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import load_der_x509_certificate
from sqlalchemy import select

from tests.factories import at, notice_in
from tests.foreign_ca import ForeignCA, appended_update, sign_with
from tests.system_parts import require
from workflow import commands as c
from workflow import official, pki
from workflow.attachments import AttachmentStore
from workflow.models import Notice
from workflow.states import NoticeState, Role
from workflow.verification import verify_pdf

SECRET = "a-signing-secret-of-the-tests-0123456789"
NUMBER = "示妇发〔2016〕1号"

pytestmark = pytest.mark.slow  # each test renders and signs one or two PDFs


@pytest.fixture(autouse=True)
def secret():
    pki.use_secret(SECRET)
    yield
    pki.use_secret(None)


@pytest.fixture
def store(tmp_path):
    from workflow.printing.pdf import fonts_installed

    require(fonts_installed(), "no Chinese font installed (apt-get install fonts-noto-cjk)")
    return AttachmentStore(tmp_path / "files")


def issue_and_make(world, session, store, *, when=None, **fields) -> tuple[int, bytes]:
    n = notice_in(world, NoticeState.ISSUED, **fields)
    official.make_official(session, None, notice_id=n.id, store=store, now=when or at(1))
    session.commit()
    return n.id, official.official_file(session, None, notice_id=n.id, store=store)[1]


@pytest.fixture
def signed(world, session, store) -> bytes:
    pki.init_pki(session, None, now=at(0))
    session.commit()
    return issue_and_make(world, session, store)[1]


def pdfsig(data: bytes, tmp_path) -> str:
    require(shutil.which("pdfsig") is not None,
            "pdfsig is not installed (apt-get install poppler-utils)")
    path = tmp_path / "checked.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def test_a_signed_official_file_verifies_and_names_its_notice_and_unit(world, session, signed):
    verdict = verify_pdf(session, world.receiver1, signed)
    assert verdict.authentic and verdict.doubtless, verdict.lines()
    lines = verdict.lines()
    assert lines[0] == "验证通过：这是本系统印发的正式文件，未被改动，数字签名有效。"
    assert f"发文字号：{NUMBER}" in lines and "发文机关：示范市妇女联合会" in lines
    assert "签名单位：示范市妇女联合会" in lines
    assert "证书启用于：2016-03-07 09:00" in lines


def test_pdfsig_finds_the_signature_valid_and_covering_the_whole_file(signed, tmp_path):
    report = pdfsig(signed, tmp_path)
    assert "Signature is Valid." in report
    assert "Total document signed" in report
    assert "Signer Certificate Common Name: 示范市妇女联合会" in report


def test_one_changed_byte_fails_verification(world, session, signed, tmp_path):
    tampered = bytearray(signed)
    at_byte = len(signed) // 3  # inside the page content, well before the signature
    tampered[at_byte] ^= 0x01
    verdict = verify_pdf(session, None, bytes(tampered))
    assert not verdict.authentic
    assert verdict.lines()[0] in ("验证未通过：文件内容与签名不符：签名之后文件被改动过",
                                  "验证未通过：文件已损坏或被改动，无法读取其结构")
    assert "Signature is Valid." not in pdfsig(bytes(tampered), tmp_path)


def test_an_incremental_update_appended_after_signing_fails(world, session, signed, tmp_path):
    updated = appended_update(signed)
    verdict = verify_pdf(session, None, updated)
    assert not verdict.authentic
    assert verdict.problem == "签名不覆盖整个文件：签名之后文件被追加修改，或被其他程序另存过"
    assert "Total document signed" not in pdfsig(updated, tmp_path)


def test_a_file_saved_again_by_another_program_fails(world, session, signed, tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(signed)))  # opened and saved as a copy
    saved = io.BytesIO()
    writer.write(saved)
    verdict = verify_pdf(session, None, saved.getvalue())
    assert not verdict.authentic
    assert verdict.problem and re.search("[\u4e00-\u9fff]", verdict.problem)
    assert "Total document signed" not in pdfsig(saved.getvalue(), tmp_path)


def test_a_signature_by_a_certificate_of_another_ca_fails(world, session, store):
    n, unsigned = issue_and_make(world, session, store)  # the unit has no key: stored unsigned
    ca = ForeignCA.make()
    key, cert = ca.signer("示范市妇女联合会")
    verdict = verify_pdf(session, None, sign_with(unsigned, key, cert, [ca.cert]))
    assert not verdict.authentic
    assert verdict.problem == "签名证书不是由本系统信任的签章根证书签发的"


def test_a_file_signed_with_a_revoked_certificate_after_revocation_fails(world, session, signed):
    row = pki.current_certificate(session, world.issuer.id)
    pki.revoke(session, world.security, certificate_id=row.id, reason="私钥泄露", now=at(2))
    session.commit()
    # Whoever took the key (and the secret) signs a file of their own with it.
    key = serialization.load_pem_private_key(row.private_key, password=SECRET.encode())
    ca = load_der_x509_certificate(pki.own_ca(session).certificate_der)
    other = notice_in(world, NoticeState.ISSUED, title="关于另一件事的通知")
    forged = sign_with(official.render_official(other), key,
                       load_der_x509_certificate(row.certificate_der), [ca])
    verdict = verify_pdf(session, None, forged)
    assert not verdict.authentic
    assert verdict.problem == ("签名证书已于 2016-03-09 09:00 吊销（私钥泄露），"
                               "该文件不是吊销之前由本系统制作的")
    assert verify_pdf(session, None, signed).authentic  # made before the revocation


def test_a_file_made_before_its_certificate_was_rotated_and_revoked_still_verifies(
        world, session, store, signed):
    _, second = issue_and_make(world, session, store, when=at(1, hours=2))
    old = pki.current_certificate(session, world.issuer.id)
    pki.rotate(session, world.security, unit_id=world.issuer.id, now=at(3))
    pki.revoke(session, world.security, certificate_id=old.id, reason="更换后停用", now=at(4))
    session.commit()
    for data in (signed, second):
        verdict = verify_pdf(session, None, data)
        assert verdict.authentic, verdict.lines()
        assert verdict.certificate.id == old.id
    _, third = issue_and_make(world, session, store, when=at(5))
    verdict = verify_pdf(session, None, third)
    assert verdict.authentic and verdict.certificate.id != old.id


def test_a_file_issued_unsigned_is_recognised_but_not_passed_as_signed(world, session, store):
    _, unsigned = issue_and_make(world, session, store)
    verdict = verify_pdf(session, None, unsigned)
    assert not verdict.authentic and not verdict.doubtless
    assert verdict.lines()[0] == ("与本系统存档的正式文件一致，但该文件未经数字签名"
                                  "（发文单位印发时尚未配置签名证书）。")


def test_a_revoked_notice_verifies_as_authentic_but_not_in_force(world, session, signed):
    notice_id = session.scalar(select(Notice.id).where(Notice.official_file_key.is_not(None)))
    c.revoke(session, world.signatory, notice_id=notice_id, reason="政策调整", now=at(3))
    session.commit()
    verdict = verify_pdf(session, None, signed)
    assert verdict.authentic and not verdict.doubtless
    assert "注意：该公文已于2016年3月10日撤销，不再有效。" in verdict.lines()


@pytest.mark.parametrize("data, reason", [
    (b"", "文件是空的"),
    (b"PK\x03\x04 a zip file", "这不是 PDF 文件"),
    (b"%PDF-1.7\n" + b"1 0 obj << /Length 99999999 >> stream\n" + b"x" * 1000,
     "文件已损坏或被改动，无法读取其结构"),
])
def test_a_file_that_is_no_official_file_is_told_why(world, session, data, reason):
    verdict = verify_pdf(session, None, data)
    assert not verdict.authentic
    assert verdict.problem == reason


def test_an_unsigned_pdf_that_was_never_issued_here_is_told_so(world, session, store):
    pdf = official.render_official(notice_in(world, NoticeState.ISSUED))  # rendered, not stored
    verdict = verify_pdf(session, None, pdf)
    assert not verdict.authentic and verdict.notice is None
    assert verdict.problem == "文件没有数字签名，也与本系统印发的任何正式文件都不一致"


def test_anyone_logged_in_may_check_a_file(world, session, signed):
    """Another federation's receiver, an administrator, the auditor and a role-less account get
    the same answer: the file itself tells them which notice it is."""
    other = c.create_unit(session, None, name="他省妇女联合会")
    stranger = c.create_user(session, None, username="stranger", display_name="外人",
                             unit_id=other.id)
    c.grant_role(session, None, user_id=stranger.id, role=Role.RECEIVER, unit_id=other.id)
    nobody = c.create_user(session, None, username="nobody", display_name="无角色",
                           unit_id=world.issuer.id)
    session.commit()
    for actor in (stranger, world.admin, world.auditor, nobody):
        verdict = verify_pdf(session, actor, signed)
        assert verdict.authentic and verdict.notice.doc_number == NUMBER


def test_signing_and_checking_work_from_inside_a_running_event_loop(world, session, store):
    """pyHanko runs an event loop of its own; an async server's thread already runs one."""
    import asyncio
    import concurrent.futures

    pki.init_pki(session, None, now=at(0))
    session.commit()

    async def inside_a_loop():
        return issue_and_make(world, session, store)[1]

    def in_a_fresh_thread(coroutine):  # a loop of our own, whatever this thread runs already
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, coroutine).result()

    data = in_a_fresh_thread(inside_a_loop())

    async def check():
        return verify_pdf(session, None, data)

    assert in_a_fresh_thread(check()).authentic
