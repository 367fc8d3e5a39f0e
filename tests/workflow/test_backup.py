"""Backups and restores (workflow.backup) on the test's own database, SQLite or PostgreSQL: the
drill with a real writer process, and every refusal that keeps a bad backup from replacing data."""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select, update

from tests import second_database
from tests.factories import AUDIT_KEY, build_world, notice_in, table_rows
from tests.system_parts import require
from workflow import audit, backup
from workflow import commands as c
from workflow.db import create_all, make_engine, make_session_factory, read_only
from workflow.models import AuditEntry, Notice, NumberSeries, Receipt, Report
from workflow.states import NoticeState, ReceiptState

ROOT = Path(__file__).resolve().parents[2]
second_database_url = second_database.second_database_url


@pytest.fixture(autouse=True)
def _postgresql_clients(database_url):
    """On PostgreSQL every test here needs pg_dump and pg_restore."""
    if database_url.startswith("postgresql"):
        require(bool(shutil.which("pg_dump") or glob.glob("/usr/lib/postgresql/*/bin/pg_dump")),
                "pg_dump is not installed (apt-get install postgresql-client)")


@pytest.fixture
def issued_world(world, session):
    """The small world with two issued notices, one of them signed for by one unit."""
    first = notice_in(world, NoticeState.ISSUED)
    notice_in(world, NoticeState.ISSUED, title="关于报送统计数据的通知")
    receipt = session.scalar(select(Receipt).where(Receipt.notice_id == first.id,
                                                   Receipt.unit_id == world.districts[0].id))
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id)
    session.commit()
    return world


@pytest.fixture
def target(second_database_url):
    """The engine of the database a backup is restored into (empty: no tables yet)."""
    engine = make_engine(second_database_url)
    yield engine
    engine.dispose()


def target_with_a_world(target):
    """Fill the target with data of its own, to see that a refused restore leaves it alone."""
    create_all(target)
    factory = make_session_factory(target)
    with factory() as s:
        notice_in(build_world(s), NoticeState.ISSUED, title="恢复目标库自己的通知")
        s.commit()
    return factory


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def damage(path, *, at: float, length: int = 4096) -> None:
    """Overwrite `length` bytes from `at` (a fraction of the file) with something else."""
    data = bytearray(Path(path).read_bytes())
    start = int(len(data) * at)
    for i in range(start, min(start + length, len(data))):
        data[i] ^= 0x5A
    Path(path).write_bytes(bytes(data))


def rewrite_checksum(path) -> None:
    """As if the checksum had been made after the damage: only the deeper checks are left."""
    Path(f"{path}.sha256").write_text(f"{sha256(path)}  {Path(path).name}\n")


def restore(engine, backup_or_path):
    """What `flask restore` does: replace the data, record the restore and commit it, check."""
    restored = backup.restore(engine, backup_or_path)
    with make_session_factory(engine)() as s:
        backup.record_restore(s, restored)
        s.commit()
    return backup.check_restored(engine, restored)


def entries(session_factory) -> list[tuple[int, str, str]]:
    with session_factory() as s:
        read_only(s)
        return s.execute(select(AuditEntry.seq, AuditEntry.action, AuditEntry.hash)
                         .order_by(AuditEntry.seq)).all()


# ------------------------------------------------------------------------------------------------
# Taking a backup.


def test_a_backup_holds_every_committed_row_and_comes_with_its_checksum_for_its_owner_only(
        issued_world, engine, session_factory, tmp_path):
    path = tmp_path / "gongwen.backup"
    report = backup.take(engine, str(path))

    assert report.ok and report.integrity.ok and report.chain.ok
    live = table_rows(session_factory)["counts"]
    assert report.contents == backup.Contents(notices=live["notice"], receipts=live["receipt"],
                                              audit_entries=live["audit_entry"])
    assert report.chain.checked == live["audit_entry"]
    assert report.size == path.stat().st_size > 0
    checksum = Path(f"{path}.sha256").read_text()
    assert checksum == f"{sha256(path)}  gongwen.backup\n" and report.sha256 == sha256(path)
    assert subprocess.run(["sha256sum", "--check", "--status", "gongwen.backup.sha256"],
                          cwd=tmp_path).returncode == 0
    for written in (path, Path(f"{path}.sha256")):
        assert stat.S_IMODE(written.stat().st_mode) == 0o600  # it holds every document
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("gongwen.backup")) == [
        "gongwen.backup", "gongwen.backup.sha256"]  # no temporary file left behind


def test_a_backup_is_recorded_in_the_audit_trail_with_the_last_entry_it_holds(
        issued_world, engine, session_factory, tmp_path):
    report = backup.take(engine, str(tmp_path / "b"))
    with session_factory() as s:
        backup.record_backup(s, report)
        s.commit()
    with session_factory() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert last.action == "system.BACKUP" and last.actor_id is None
        assert last.seq == report.chain.checked + 1
        assert last.details["audit_seq"] == report.chain.checked
        assert last.details["sha256"] == report.sha256
        assert audit.verify(s).ok


def test_a_backup_refuses_an_existing_file_and_leaves_it_as_it_was(issued_world, engine,
                                                                  tmp_path):
    path = tmp_path / "b"
    path.write_text("上周的备份")
    with pytest.raises(backup.PathExists, match="已存在"):
        backup.take(engine, str(path))
    assert path.read_text() == "上周的备份"
    assert not Path(f"{path}.sha256").exists()

    backup.take(engine, str(tmp_path / "c"))
    path.unlink()  # only the checksum file is left of an old backup: still not overwritten
    Path(f"{tmp_path / 'c'}.sha256").rename(f"{path}.sha256")
    with pytest.raises(backup.PathExists):
        backup.take(engine, str(path))
    assert not path.exists()

    report = backup.take(engine, str(path), force=True)
    assert report.ok and sha256(path) == report.sha256
    assert Path(f"{path}.sha256").read_text().startswith(report.sha256)


def test_a_backup_refuses_a_folder_that_does_not_exist(issued_world, engine, tmp_path):
    with pytest.raises(backup.Refused, match="不存在"):
        backup.take(engine, str(tmp_path / "没有这个目录" / "b"))
    assert not (tmp_path / "没有这个目录").exists()


@pytest.mark.sqlite_only
def test_a_sqlite_backup_refuses_to_overwrite_the_database_itself(issued_world, engine):
    database = make_url(str(engine.url)).database
    with pytest.raises(backup.Refused, match="数据库文件本身"):
        backup.take(engine, database, force=True)


# ------------------------------------------------------------------------------------------------
# The drill: a backup while another process writes, restored into a fresh database.

WRITER = r"""
import os, sys, time
import datetime as dt
from sqlalchemy import select
from workflow import audit, commands as c, passwords
from workflow.db import make_engine, make_session_factory
from workflow.models import Receipt, User, UnitGroup, Unit

passwords.use_profile("CHEAPEST")
audit.use_key(sys.argv[3])
url, control = sys.argv[1], sys.argv[2]
factory = make_session_factory(make_engine(url))

def here(name):
    return os.path.exists(os.path.join(control, name))

def put(name, value):
    part = os.path.join(control, name + ".part")
    with open(part, "w") as file:
        file.write(str(value))
    os.replace(part, os.path.join(control, name))

with factory() as s:
    ids = {u.username: u.id for u in s.scalars(select(User))}
    receiver_of = {u.unit_id: u.id for u in s.scalars(select(User))
                   if u.username.startswith(("receiver", "cc_receiver"))}
    group = s.scalar(select(UnitGroup.id))
    cc = s.scalar(select(Unit.id).where(Unit.name == "示范省妇女联合会"))

T0 = dt.datetime(2016, 3, 7, 1, 0)
done = 0
while not here("stop"):
    now = T0 + dt.timedelta(minutes=done)
    with factory() as s:
        n = c.create_draft(s, ids["drafter"], title=f"关于第{done + 1}次调研的通知",
                           body="请各区妇联开展调研。", main_group_ids=[group], cc_unit_ids=[cc],
                           report_requests=[{"what": "调研报告", "due_date": dt.date(2016, 4, 30),
                                             "to_whom": "市妇联"}], now=now)
        c.submit(s, ids["drafter"], notice_id=n.id, now=now)
        c.pass_review(s, ids["reviewer"], notice_id=n.id, now=now)
        c.sign(s, ids["signatory"], notice_id=n.id, opinion="同意印发", now=now)
        s.commit()
        notice_id = n.id
    with factory() as s:
        issued = c.issue(s, ids["clerk"], notice_id=notice_id, now=now)
        if here("hold"):
            # Hold the issuing transaction open, written but not committed, until told.
            put("holding", issued.doc_number)
            while here("hold"):
                time.sleep(0.02)
        s.commit()
    with factory() as s:
        receipts = s.execute(select(Receipt.id, Receipt.unit_id)
                             .where(Receipt.notice_id == notice_id)).all()
    for receipt_id, unit_id in receipts:
        with factory() as s:
            c.acknowledge(s, receiver_of[unit_id], receipt_id=receipt_id, now=now)
            s.commit()
    done += 1
    put("progress", done)
"""


class Writer:
    """Another process issuing notices and signing for them in a loop, one commit at a time."""

    def __init__(self, url: str, control: Path):
        self.control = control
        control.mkdir()
        self.errors = open(control / "stderr", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen([sys.executable, "-c", WRITER, url, str(control), AUDIT_KEY],
                                        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.errors)

    def progress(self) -> int:
        path = self.control / "progress"
        return int(path.read_text()) if path.exists() else 0

    def wait_for(self, ready, what: str):
        # A guard against a writer that died or hangs, not a measure of speed.
        deadline = time.monotonic() + 120
        while not (found := ready()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the writer never {what}: {(self.control / 'stderr').read_text()}")
            time.sleep(0.02)
        return found

    def hold(self) -> str:
        """Have the writer stop inside its next issue, uncommitted; the number it holds."""
        (self.control / "hold").touch()
        holding = self.control / "holding"
        return self.wait_for(lambda: holding.exists() and holding.read_text(), "held an issue")

    def release(self) -> None:
        (self.control / "hold").unlink()

    def stop(self) -> int:
        (self.control / "stop").touch()
        (self.control / "hold").unlink(missing_ok=True)
        try:
            return self.process.wait(timeout=120)
        finally:
            self.errors.close()


@pytest.mark.slow
def test_the_drill_a_backup_taken_while_another_process_writes_restores_to_one_moment(
        world, engine, session_factory, target, tmp_path):
    path = tmp_path / "drill.backup"
    writer = Writer(engine.url.render_as_string(hide_password=False), tmp_path / "writer")
    try:
        writer.wait_for(lambda: writer.progress() >= 3, "got going")
        held_number = writer.hold()
        # Taken while the writer's issue is written but not committed: the backup neither
        # waits for it nor holds any of it.
        report = backup.take(engine, str(path))
        writer.release()
        after_backup = writer.progress()
        writer.wait_for(lambda: writer.progress() >= after_backup + 2, "went on after the backup")
    finally:
        assert writer.stop() == 0, (tmp_path / "writer" / "stderr").read_text()
    with session_factory() as s:
        backup.record_backup(s, report)
        s.commit()
    assert report.ok, (report.integrity, report.chain)

    restored = restore(target, str(path))

    assert restored.integrity.ok, restored.integrity
    assert restored.chain.ok, restored.chain
    restored_factory = make_session_factory(target)
    live, copy = table_rows(session_factory), table_rows(restored_factory)
    for table, count in copy["counts"].items():
        assert count <= live["counts"][table], table
    assert copy["counts"]["notice"] < live["counts"]["notice"]  # the writer went on
    assert copy["counts"]["notice"] == report.contents.notices >= 3
    assert restored.contents.audit_entries == report.contents.audit_entries + 1  # the restore's

    with restored_factory() as s:
        read_only(s)
        numbers = set(s.scalars(select(Notice.doc_number).where(Notice.doc_number.is_not(None))))
        assert held_number not in numbers  # the transaction in flight is not half in the copy
        assert_consistent(s)
    with session_factory() as s:
        assert s.scalar(select(Notice.id).where(Notice.doc_number == held_number)) is not None

    # The restored trail is the live trail as of one moment, then the restore's own entry.
    live_trail, restored_trail = entries(session_factory), entries(restored_factory)
    assert restored_trail[:-1] == live_trail[:len(restored_trail) - 1]
    assert restored_trail[-1][1] == "system.RESTORE"


def assert_consistent(s) -> None:
    """Every notice's state matches its receipts and reports, and the registers match the trail."""
    notices = s.scalars(select(Notice).order_by(Notice.id)).all()
    issued = [n for n in notices if n.doc_number is not None]
    for n in notices:
        receipts = s.scalars(select(Receipt).where(Receipt.notice_id == n.id)).all()
        reports = s.scalar(select(func.count()).select_from(Report).where(Report.notice_id == n.id))
        if n.doc_number is None:
            assert n.state == NoticeState.SIGNED and receipts == [] and reports == 0, n
        else:
            assert n.state == NoticeState.ISSUED, n
            assert len(receipts) == 4 and reports == 3, n  # 3 districts and the 抄送 unit
    serials = sorted(n.doc_serial for n in issued)
    assert serials == list(range(1, len(issued) + 1))
    assert s.scalar(select(NumberSeries.next_serial)) == len(issued) + 1

    def logged(action: str) -> list[int]:
        return sorted(s.scalars(select(AuditEntry.object_id).where(AuditEntry.action == action)))

    assert logged("notice.ISSUE") == sorted(n.id for n in issued)
    acknowledged = s.scalars(select(Receipt.id).where(
        Receipt.state == ReceiptState.ACKNOWLEDGED)).all()
    assert logged("receipt.ACKNOWLEDGE") == sorted(acknowledged)
    assert all(r.acted_at is not None for r in s.scalars(
        select(Receipt).where(Receipt.state == ReceiptState.ACKNOWLEDGED)))


# ------------------------------------------------------------------------------------------------
# Restoring, and what a restore refuses.


def test_a_restore_brings_back_the_data_and_records_itself_in_the_restored_trail(
        issued_world, engine, session_factory, target, tmp_path):
    path = str(tmp_path / "b")
    backup.take(engine, path)
    checked = backup.check(target, path)
    assert checked.sha256 == sha256(path)

    report = restore(target, checked)

    assert report.ok
    live, copy = table_rows(session_factory), table_rows(make_session_factory(target))
    assert copy["states"] == live["states"] and copy["series"] == live["series"]
    assert copy["counts"]["audit_entry"] == live["counts"]["audit_entry"] + 1
    last = entries(make_session_factory(target))[-1]
    assert last[1] == "system.RESTORE"
    with make_session_factory(target)() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.seq == last[0]))
        assert entry.actor_id is None and entry.details["sha256"] == checked.sha256


def test_the_restore_commits_nothing_itself_and_its_entry_is_the_callers_to_commit(
        issued_world, engine, session_factory, target, tmp_path):
    path = str(tmp_path / "b")
    backup.take(engine, path)
    target_factory = make_session_factory(target)

    restored = backup.restore(target, path)
    assert restored.path == path and restored.sha256 == sha256(path)
    assert entries(target_factory) == entries(session_factory)  # the backup's trail, no more

    with target_factory() as s:
        backup.record_restore(s, restored)
        s.rollback()  # the caller did not commit: no entry
    assert entries(target_factory) == entries(session_factory)
    unrecorded = backup.check_restored(target, restored)
    assert unrecorded.ok
    assert unrecorded.contents.audit_entries == len(entries(session_factory))

    with target_factory() as s:
        backup.record_restore(s, restored)
        s.commit()
    report = backup.check_restored(target, restored)
    assert report.ok and report.chain.checked == len(entries(session_factory)) + 1
    assert report.contents.audit_entries == len(entries(session_factory)) + 1
    assert entries(target_factory)[-1][1] == "system.RESTORE"


def test_a_backup_with_flipped_bytes_is_refused_and_the_target_keeps_its_data(
        issued_world, engine, target, tmp_path):
    path = tmp_path / "b"
    backup.take(engine, str(path))
    target_factory = target_with_a_world(target)
    before = table_rows(target_factory)
    damage(path, at=0.5, length=8)

    with pytest.raises(backup.Refused, match="已损坏或被改动"):
        backup.restore(target, str(path))
    assert table_rows(target_factory) == before


def test_a_damaged_backup_whose_checksum_was_remade_is_still_refused_and_the_target_kept(
        issued_world, engine, target, tmp_path):
    path = tmp_path / "b"
    backup.take(engine, str(path))
    target_factory = target_with_a_world(target)
    before = table_rows(target_factory)
    # SQLite: a whole page in the middle of the file, its structure broken (a value changed
    # inside a row passes the integrity check: that is what the checksum is for). PostgreSQL:
    # the compressed table data at the end of the archive; its table of contents still reads.
    if engine.dialect.name == "sqlite":
        damage(path, at=0.7, length=4096)
    else:
        damage(path, at=0.95, length=64)
    rewrite_checksum(path)

    # SQLite: the copy's integrity check refuses it before the target is touched; PostgreSQL:
    # pg_restore fails inside its single transaction, which leaves the target as it was.
    with pytest.raises(backup.Refused, match="未恢复|未作改动"):
        backup.restore(target, str(path))
    assert table_rows(target_factory) == before
    with target_factory() as s:
        assert audit.verify(s).ok


def test_a_backup_without_its_checksum_file_is_refused(issued_world, engine, target, tmp_path):
    path = tmp_path / "b"
    backup.take(engine, str(path))
    Path(f"{path}.sha256").unlink()
    with pytest.raises(backup.Refused, match="找不到校验文件"):
        backup.check(target, str(path))


def test_a_file_that_is_no_backup_is_refused(engine, target, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("这不是备份")
    rewrite_checksum(path)
    with pytest.raises(backup.Refused, match="不是公文流转的备份文件"):
        backup.check(target, str(path))
    with pytest.raises(backup.Refused, match="找不到备份文件"):
        backup.check(target, str(tmp_path / "missing"))


def test_a_backup_of_the_other_kind_of_database_is_refused(engine, target, tmp_path):
    other = tmp_path / "other"
    other.write_bytes(b"PGDMP" + bytes(100) if engine.dialect.name == "sqlite"
                      else b"SQLite format 3\x00" + bytes(100))
    rewrite_checksum(other)
    with pytest.raises(backup.Refused, match="不能恢复到"):
        backup.check(target, str(other))


def tamper_with_the_trail(session_factory) -> None:
    with session_factory() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(note="改过了"))
        s.commit()


@pytest.mark.sqlite_only
def test_a_sqlite_backup_of_a_tampered_trail_says_so_and_is_refused_before_the_target_is_touched(
        issued_world, engine, session_factory, target, tmp_path):
    tamper_with_the_trail(session_factory)
    path = tmp_path / "b"
    report = backup.take(engine, str(path))
    assert not report.ok and report.chain.broken_seq == 3 and path.exists()  # kept as evidence
    target_factory = target_with_a_world(target)
    before = table_rows(target_factory)

    with pytest.raises(backup.Refused, match="审计链校验未通过"):
        backup.restore(target, str(path))
    assert table_rows(target_factory) == before


@pytest.mark.postgres_only
def test_a_postgresql_backup_of_a_tampered_trail_says_so_and_so_does_its_restore(
        issued_world, engine, session_factory, target, tmp_path):
    tamper_with_the_trail(session_factory)
    path = tmp_path / "b"
    report = backup.take(engine, str(path))
    assert not report.ok and report.chain.broken_seq == 3

    restored = restore(target, str(path))  # an archive's trail is read only once restored
    assert not restored.ok and restored.chain.broken_seq == 3 and restored.integrity.ok


# ------------------------------------------------------------------------------------------------
# PostgreSQL's client programs.


def test_connection_parameters_go_to_the_clients_as_environment_variables():
    url = make_url("postgresql+psycopg://gongwen:p%40ss%20word@db.example.org:5433/gongwen"
                   "?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem")
    environment = backup.libpq_environment(url)
    assert {key: environment[key] for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD",
                                              "PGDATABASE", "PGSSLMODE", "PGSSLROOTCERT")} == {
        "PGHOST": "db.example.org", "PGPORT": "5433", "PGUSER": "gongwen",
        "PGPASSWORD": "p@ss word", "PGDATABASE": "gongwen", "PGSSLMODE": "verify-full",
        "PGSSLROOTCERT": "/etc/ssl/ca.pem"}
    with pytest.raises(backup.Refused, match="prepare_threshold"):
        backup.libpq_environment(make_url("postgresql+psycopg://u@h/d?prepare_threshold=0"))


def test_clients_older_than_the_server_are_refused():
    require(bool(shutil.which("pg_dump") or glob.glob("/usr/lib/postgresql/*/bin/pg_dump")),
            "pg_dump is not installed (apt-get install postgresql-client)")
    newest = backup.find_clients(9)
    assert newest.major >= 9 and os.path.basename(newest.pg_dump) == "pg_dump"
    assert os.path.dirname(newest.pg_dump) == os.path.dirname(newest.pg_restore)
    with pytest.raises(backup.Refused, match=f"PostgreSQL {newest.major} 版，低于数据库服务器的 99 版"):
        backup.find_clients(99)


FAKE_CLIENT = """#!/bin/sh
# Stands in for a PostgreSQL client: says it is version 99, writes down how it was called.
if [ "$1" = --version ]; then echo "$(basename "$0") (PostgreSQL) 99.0"; exit 0; fi
printf '%s\\n' "$@" > "{log}/$(basename "$0").argv"
printf '%s\\n' "$PGPASSWORD" > "{log}/$(basename "$0").password"
exit 3
"""


@pytest.mark.postgres_only
def test_the_password_reaches_pg_dump_in_its_environment_and_never_on_its_command_line(
        world, database_url, tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("pg_dump", "pg_restore"):
        program = folder / name
        program.write_text(FAKE_CLIENT.replace("{log}", str(tmp_path)))
        program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    # The test server trusts loopback and ignores the password; the clients must still get it.
    engine = make_engine(make_url(database_url).set(password="geheim-42").render_as_string(
        hide_password=False))
    try:
        with pytest.raises(backup.Refused, match="pg_dump 失败"):
            backup.take(engine, str(tmp_path / "b"))
    finally:
        engine.dispose()
    argv = (tmp_path / "pg_dump.argv").read_text()
    assert "--format=custom" in argv and "geheim" not in argv
    assert (tmp_path / "pg_dump.password").read_text() == "geheim-42\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("b.")]  # nothing left
