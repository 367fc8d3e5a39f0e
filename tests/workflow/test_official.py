"""The 正式文件 is made once: at 印发 (or, for a notice issued before files were kept, on its first
download) the PDF is rendered, stored and recorded with its SHA-256; afterwards it is served as
stored, whatever happens to the notice, and nobody who may not see the notice reaches it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select, update

from tests.factories import at, notice_in, refused
from tests.system_parts import require
from workflow import attachments, official
from workflow import commands as c
from workflow.attachments import AttachmentStore
from workflow.errors import InvalidState, NotFound
from workflow.models import AuditEntry, Notice
from workflow.states import NoticeState, Role


@pytest.fixture
def store(tmp_path):
    from workflow.printing.pdf import fonts_installed

    require(fonts_installed(), "no Chinese font installed (apt-get install fonts-noto-cjk)")
    return AttachmentStore(tmp_path / "files")


def made(session, notice_id: int, store, actor=None, when=None) -> Notice:
    notice = official.make_official(session, actor, notice_id=notice_id, store=store,
                                    now=when or at(1, hours=1))
    session.commit()
    return notice


def entries(session, notice_id: int) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "notice.MAKE_OFFICIAL", AuditEntry.notice_id == notice_id))


def test_the_official_file_is_stored_once_with_the_sha256_of_its_bytes(world, session, store):
    n = notice_in(world, NoticeState.ISSUED)
    session.commit()
    first = made(session, n.id, store)
    key, digest = first.official_file_key, first.official_sha256
    again = made(session, n.id, store, when=at(2))
    assert (again.official_file_key, again.official_sha256) == (key, digest)
    _, data = official.official_file(session, world.receiver1, notice_id=n.id, store=store)
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == digest
    assert entries(session, n.id) == 1
    assert again.official_made_at == at(1, hours=1)
    assert again.official_certificate_id is None  # the unit has no key: issued unsigned


def test_the_stored_file_is_served_unchanged_after_the_notice_is_revoked(world, session, store):
    n = notice_in(world, NoticeState.ISSUED)
    session.commit()
    made(session, n.id, store)
    _, before = official.official_file(session, None, notice_id=n.id, store=store)
    c.revoke(session, world.signatory, notice_id=n.id, reason="政策调整", now=at(3))
    session.commit()
    _, after = official.official_file(session, None, notice_id=n.id, store=store)
    assert after == before


def test_a_notice_not_yet_issued_has_no_official_file(world, session, session_factory, store):
    n = notice_in(world, NoticeState.SIGNED)
    session.commit()
    message = refused(session, session_factory, lambda: official.make_official(
        session, world.clerk, notice_id=n.id, store=store, now=at(1)), InvalidState)
    assert message == "该公文尚未印发，没有正式文件"


def test_an_issued_notice_without_its_file_yet_says_so_rather_than_render_it(world, session,
                                                                               store):
    n = notice_in(world, NoticeState.ISSUED)
    session.commit()
    with pytest.raises(InvalidState, match="正式文件尚未生成"):
        official.official_file(session, world.receiver1, notice_id=n.id, store=store)


def test_a_stored_file_changed_on_disk_is_refused_rather_than_served(world, session, store):
    n = notice_in(world, NoticeState.ISSUED)
    session.commit()
    key = made(session, n.id, store).official_file_key
    path = store.root / key[:2] / key
    path.write_bytes(path.read_bytes().replace(b"%PDF-", b"%PDF+", 1))
    with pytest.raises(InvalidState, match="与生成时的摘要不符"):
        official.official_file(session, None, notice_id=n.id, store=store)


def test_the_sweep_of_unreferenced_files_keeps_the_official_files(world, session, store):
    n = notice_in(world, NoticeState.ISSUED)
    session.commit()
    key = made(session, n.id, store).official_file_key
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=30)
    found = attachments.unreferenced(session, store, older_than=dt.timedelta(hours=1), now=later)
    assert key not in [orphan.path.name for orphan in found]


def test_a_unit_not_concerned_cannot_make_or_read_the_file(world, session, store):
    """Another federation's receiver, an administrator and a role-less account learn nothing."""
    n = notice_in(world, NoticeState.ISSUED)
    stranger_unit = c.create_unit(session, None, name="他省妇女联合会")
    stranger = c.create_user(session, None, username="stranger", display_name="外人",
                             unit_id=stranger_unit.id)
    c.grant_role(session, None, user_id=stranger.id, role=Role.RECEIVER, unit_id=stranger_unit.id)
    roleless = c.create_user(session, None, username="nobody", display_name="无角色",
                             unit_id=world.issuer.id)
    session.commit()
    for actor in (stranger, world.admin, roleless):
        with pytest.raises(NotFound):
            official.make_official(session, actor, notice_id=n.id, store=store, now=at(1))
        session.rollback()
    made(session, n.id, store)
    for actor in (stranger, world.admin, roleless):
        with pytest.raises(NotFound):
            official.official_file(session, actor, notice_id=n.id, store=store)


def test_a_second_request_that_made_its_own_file_finds_the_first_one_recorded(world, session,
                                                                               store):
    n = notice_in(world, NoticeState.ISSUED)
    session.commit()
    key = made(session, n.id, store).official_file_key
    notice = official.record_official(session, None, notice_id=n.id, storage_key="f" * 32,
                                      sha256="0" * 64, size=1, now=at(2))
    session.commit()
    assert notice.official_file_key == key
    assert entries(session, n.id) == 1


def test_the_official_file_carries_no_revoked_mark_even_when_first_made_after_revocation(
        world, session, store):
    require_poppler()
    import subprocess

    n = notice_in(world, NoticeState.REVOKED)
    session.execute(update(Notice).where(Notice.id == n.id).values(official_file_key=None))
    session.commit()
    made(session, n.id, store)
    _, data = official.official_file(session, None, notice_id=n.id, store=store)
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()
    assert "关于开展调研的通知" in text and "已撤销" not in text


def require_poppler() -> None:
    import shutil

    require(shutil.which("pdftotext") is not None,
            "pdftotext is not installed (apt-get install poppler-utils)")
