"""The attachment store keeps a file only if the transaction that records it commits: a refusal,
a rollback, a closed session or a failed command leaves nothing behind, a savepoint released on
the way is not a commit; and the sweep removes an unreferenced file older than its threshold, and
nothing else."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest

from tests import archives
from tests.factories import notice_in
from workflow import attachments
from workflow import commands as c
from workflow.attachments import AttachmentStore
from workflow.errors import InvalidInput, NotFound
from workflow.states import NoticeState

NOW = dt.datetime(2026, 3, 2, 12, 0)


@pytest.fixture
def store(tmp_path) -> AttachmentStore:
    return AttachmentStore(tmp_path / "files")


def stored_files(store: AttachmentStore) -> list[str]:
    return sorted(p.name for p in store.root.rglob("*") if p.is_file())


def test_a_file_recorded_by_a_committed_command_is_kept(store, world, session):
    draft = notice_in(world, NoticeState.DRAFT)
    saved = store.save(io.BytesIO(archives.pdf()), "方案.pdf", session=session)
    c.add_attachment(session, world.drafter, notice_id=draft.id, stored=saved)
    session.commit()
    assert stored_files(store) == [saved.storage_key]
    assert saved.content_type == "application/pdf"


def test_a_file_whose_command_is_refused_is_deleted_with_the_rollback(store, world, session):
    draft = notice_in(world, NoticeState.DRAFT)
    session.commit()
    saved = store.save(io.BytesIO(archives.pdf()), "方案.pdf", session=session)
    assert stored_files(store) == [saved.storage_key]  # written before the command
    with pytest.raises(NotFound):
        c.add_attachment(session, world.drafter, notice_id=draft.id + 1000, stored=saved)
    session.rollback()
    assert stored_files(store) == []


def test_a_savepoint_released_on_the_way_is_not_the_commit(store, world, session):
    saved = store.save(io.BytesIO(archives.pdf()), "方案.pdf", session=session)
    with session.begin_nested():  # as every state change does (workflow/commands/_advance.py)
        notice_in(world, NoticeState.IN_REVIEW)
    assert stored_files(store) == [saved.storage_key]
    session.rollback()
    assert stored_files(store) == []


def test_a_session_closed_without_a_commit_leaves_nothing(store, session_factory):
    with session_factory() as session:
        store.save(io.BytesIO(archives.pdf()), "方案.pdf", session=session)
        assert len(stored_files(store)) == 1
    assert stored_files(store) == []


def test_a_file_saved_before_any_query_still_ends_with_its_transaction(store, session_factory):
    with session_factory() as session:
        assert not session.in_transaction()
        store.save(io.BytesIO(archives.pdf()), "方案.pdf", session=session)
        session.rollback()
        assert stored_files(store) == []


def test_files_saved_after_a_commit_belong_to_the_next_transaction(store, session):
    kept = store.save(io.BytesIO(archives.pdf()), "方案.pdf", session=session)
    session.commit()
    store.save(io.BytesIO(archives.tiny_png()), "图.png", session=session)
    session.rollback()
    assert stored_files(store) == [kept.storage_key]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("方案.pdf", archives.exe(), "附件“方案.pdf”不是允许的文件类型"),
    ("空.txt", b"", "附件“空.txt”是空文件"),
    ("", b"x", "附件缺少文件名"),
])
def test_a_refused_upload_writes_nothing_not_even_a_part_file(store, session, name, data,
                                                              message):
    with pytest.raises(InvalidInput) as refused:
        store.save(io.BytesIO(data), name, session=session)
    assert message in refused.value.message
    assert stored_files(store) == []


def test_an_oversized_upload_is_refused_while_it_streams(tmp_path, session):
    small = AttachmentStore(tmp_path / "files", max_bytes=1024)
    with pytest.raises(InvalidInput, match="超过"):
        small.save(io.BytesIO(b"a" * 2048), "说明.txt", session=session)
    assert stored_files(small) == []


# ------------------------------------------------------------------------------------------------
# The sweep.


def _age(store: AttachmentStore, key_or_path, hours: float) -> None:
    path = key_or_path
    if isinstance(key_or_path, str):
        path = store.root / key_or_path[:2] / key_or_path
    moment = (NOW - dt.timedelta(hours=hours)).replace(tzinfo=dt.UTC).timestamp()
    os.utime(path, (moment, moment))


def test_the_sweep_takes_an_old_orphan_and_keeps_a_young_one_and_every_referenced_file(
        store, world, session):
    draft = notice_in(world, NoticeState.DRAFT)
    referenced = store.save(io.BytesIO(archives.pdf()), "方案.pdf", session=session)
    c.add_attachment(session, world.drafter, notice_id=draft.id, stored=referenced)
    old_orphan = store.save(io.BytesIO(archives.tiny_png()), "图.png", session=session)
    young_orphan = store.save(io.BytesIO("说明".encode()), "说明.txt", session=session)
    session.commit()  # as if the worker had died after writing the two orphans' files
    part = store.root / "ab" / ("ab" + "0" * 30 + ".part")
    part.parent.mkdir(exist_ok=True)
    part.write_bytes(b"half a write")
    _age(store, referenced.storage_key, 30 * 24)
    _age(store, old_orphan.storage_key, 25)
    _age(store, young_orphan.storage_key, 23)
    _age(store, part, 48)

    removed = attachments.sweep(session, store, older_than=dt.timedelta(hours=24), now=NOW)
    assert sorted(o.path.name for o in removed) == sorted([old_orphan.storage_key, part.name])
    assert sum(o.size for o in removed) == len(archives.tiny_png()) + len(b"half a write")
    assert stored_files(store) == sorted([referenced.storage_key, young_orphan.storage_key])

    # A shorter threshold takes the young orphan too, never the referenced file.
    again = attachments.sweep(session, store, older_than=dt.timedelta(hours=1), now=NOW)
    assert [o.path.name for o in again] == [young_orphan.storage_key]
    assert stored_files(store) == [referenced.storage_key]


def test_the_sweep_leaves_alone_what_is_not_a_stored_file(store, session):
    store.root.mkdir(parents=True)
    (store.root / "README").write_text("operator's note")
    (store.root / "zz").mkdir()
    (store.root / "zz" / "notes.txt").write_text("not ours")
    for path in (store.root / "README", store.root / "zz" / "notes.txt"):
        _age(store, path, 100)
    assert attachments.sweep(session, store, older_than=dt.timedelta(hours=24), now=NOW) == []
