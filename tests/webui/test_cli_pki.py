"""`flask --app wsgi pki …` and `notice verify|render`: the operator makes the deployment's CA and the
units' certificates (and the signing secret, outside the database), revokes one with a reason;
`notice render --format pdf` gives an issued notice's stored, signed 正式文件; `notice verify` says
what a file is and exits non-zero on any doubt.
"""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import select

from tests.system_parts import require
from webui.extensions import db
from workflow import pki
from workflow.models import AuditEntry, SigningCertificate


@pytest.fixture(autouse=True)
def no_secret_left():
    yield
    pki.use_secret(None)  # the process-wide secret of one test's app is not the next one's


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_pki_init_makes_the_secret_file_the_ca_and_the_units_certificates(app, world):
    result = cli(app, "pki", "init")
    assert result.exit_code == 0, result.output
    path = os.path.join(app.instance_path, "signing_key")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "已生成签名密钥保护口令" in result.output
    assert "根证书：O=公文流转,CN=公文流转系统签章根证书" in result.output
    assert "单位证书：O=公文流转,CN=示范市妇女联合会" in result.output
    with app.app_context():
        assert db.session.scalar(select(SigningCertificate).where(
            SigningCertificate.is_ca.is_(True))) is not None
        with open(path) as file:
            secret = file.read().strip()
        keys = db.session.scalars(select(SigningCertificate.private_key)).all()
        assert all(secret.encode() not in key for key in keys)
    again = cli(app, "pki", "init")
    assert again.exit_code == 0 and "未作改动" in again.output


def test_pki_list_and_revoke_with_a_reason_audited(app, world):
    cli(app, "pki", "init")
    listed = cli(app, "pki", "list")
    assert "示范市妇女联合会" in listed.output and "使用中" in listed.output
    with app.app_context():
        cert_id = db.session.scalar(select(SigningCertificate.id).where(
            SigningCertificate.is_ca.is_(False)).order_by(SigningCertificate.id))
    refused = cli(app, "pki", "revoke", str(cert_id), "--reason", " ")
    assert refused.exit_code == 1 and "吊销证书必须说明理由" in refused.output
    done = cli(app, "pki", "revoke", str(cert_id), "--reason", "私钥泄露")
    assert done.exit_code == 0, done.output
    assert "已吊销" in cli(app, "pki", "list").output
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.note).where(
            AuditEntry.action == "certificate.REVOKE")) == "私钥泄露"


def test_notice_render_gives_the_stored_signed_file_and_verify_passes_it(app, world, tmp_path):
    from workflow.printing.pdf import fonts_installed

    require(fonts_installed(), "no Chinese font installed (apt-get install fonts-noto-cjk)")
    cli(app, "pki", "init")
    out, again = tmp_path / "a.pdf", tmp_path / "b.pdf"
    first = cli(app, "notice", "render", str(world.issued_id), "--format", "pdf", "-o", str(out))
    assert first.exit_code == 0, first.output
    cli(app, "notice", "render", str(world.issued_id), "--format", "pdf", "-o", str(again))
    assert out.read_bytes() == again.read_bytes()  # the stored file, not a new rendering
    result = cli(app, "notice", "verify", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "验证通过：这是本系统印发的正式文件，未被改动，数字签名有效。"
    assert f"发文字号：{world.issued_number}" in result.output

    tampered = bytearray(out.read_bytes())
    tampered[len(tampered) // 3] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(tampered))
    result = cli(app, "notice", "verify", str(bad))
    assert result.exit_code == 1
    assert result.output.startswith("验证未通过：")


def test_notice_verify_of_a_missing_file_or_not_a_pdf_exits_1_in_chinese(app, world, tmp_path):
    missing = cli(app, "notice", "verify", str(tmp_path / "none.pdf"))
    assert missing.exit_code == 1 and "找不到文件" in missing.output
    text = tmp_path / "text.pdf"
    text.write_text("不是 PDF")
    result = cli(app, "notice", "verify", str(text))
    assert result.exit_code == 1 and "验证未通过：这不是 PDF 文件" in result.output
