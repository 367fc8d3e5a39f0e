"""Taking a backup: a consistent copy of the whole database to a file while writers go on.

Owns: `take()` — SQLite: the online backup API, one step under one read snapshot; PostgreSQL:
`pg_dump --format=custom` on a snapshot exported by our own REPEATABLE READ transaction, so that
the rows we count and the audit chain we verify are exactly those in the archive — each copy
checked and written beside its checksum file; and `record_backup()`, the audit entry of a backup.
Must not: write to the database (`take` writes nothing; the caller records and commits the
backup's entry, so that a backup never waits for a writer), or overwrite a file unless forced.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sqlite3

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from workflow import audit
from workflow.backup.database import (
    count_contents,
    kind_of,
    missing_tables,
    sqlite_integrity,
    sqlite_path,
)
from workflow.backup.files import (
    CHECKSUM_SUFFIX,
    fsync,
    fsync_folder,
    place,
    sha256_of,
    sqlite_reader,
    write_checksum,
)
from workflow.backup.postgres import (
    archive_check,
    find_clients,
    libpq_environment,
    list_archive,
    run_client,
    server_major,
)
from workflow.backup.reports import BackupReport, Check, Contents, PathExists, Refused
from workflow.db import as_utc
from workflow.models import AuditEntry


def take(engine: Engine, path: str, *, force: bool = False) -> BackupReport:
    """Copy the whole database behind `engine` to `path` while writers go on, and check the copy.

    Refuses (nothing written) when `path` or its checksum file exists (unless `force`), when its
    folder is missing, or when the copy fails its integrity check. A copy whose audit chain does
    not verify is kept — it is a faithful copy, and evidence — and says so in its report.
    """
    kind = kind_of(engine)
    path = os.path.abspath(path)
    _check_destination(engine, path, force=force)
    temporary = f"{path}.part-{os.getpid()}-{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # it holds everything
    os.close(fd)
    try:
        if kind == "sqlite":
            contents, integrity, chain = _take_sqlite(engine, temporary)
        else:
            contents, integrity, chain = _take_postgresql(engine, temporary)
        if not integrity.ok:
            raise Refused(f"备份未通过完整性检查，未保留：{integrity.text}（数据库本身可能已损坏）")
        fsync(temporary)
        size, digest = os.path.getsize(temporary), sha256_of(temporary)
        checksum_path = path + CHECKSUM_SUFFIX
        place(temporary, path, force=force)
        write_checksum(checksum_path, digest, os.path.basename(path), force=force)
        fsync_folder(os.path.dirname(path))
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return BackupReport(path=path, checksum_path=checksum_path, kind=kind, size=size,
                        sha256=digest, contents=contents, integrity=integrity, chain=chain)


def record_backup(session: Session, report: BackupReport, *,
                  now: dt.datetime | None = None) -> AuditEntry:
    """Append the audit entry of a backup (actor: the system) in the caller's transaction.

    `details.audit_seq` is the last audit entry inside the backup, so that the trail tells which
    of its entries a given backup file holds.
    """
    return audit.append(
        session, actor=None, action="system.BACKUP", object_type="system", object_id=None,
        at=as_utc(now), note=f"备份到 {report.path}",
        details={"path": report.path, "kind": report.kind, "bytes": report.size,
                 "sha256": report.sha256, "notices": report.contents.notices,
                 "audit_seq": report.chain.checked, "chain_ok": report.chain.ok})


def _check_destination(engine: Engine, path: str, *, force: bool) -> None:
    folder = os.path.dirname(path)
    if os.path.isdir(path):
        raise Refused(f"{path} 是目录，请给出备份文件名")
    if not os.path.isdir(folder):
        raise Refused(f"备份目录 {folder} 不存在：请先创建它")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise Refused(f"没有写入备份目录 {folder} 的权限")
    if engine.dialect.name == "sqlite":
        database = sqlite_path(engine)
        if os.path.abspath(database) in (path, path + "-wal", path + "-shm", path + "-journal"):
            raise Refused("备份文件不能就是数据库文件本身")
    if not force:
        for existing in (path, path + CHECKSUM_SUFFIX):
            if os.path.lexists(existing):
                raise PathExists(f"{existing} 已存在，未覆盖")


def _take_sqlite(engine: Engine, temporary: str) -> tuple[Contents, Check, audit.ChainReport]:
    database = sqlite_path(engine)
    if not os.path.isfile(database):
        raise Refused(f"数据库文件 {database} 不存在，没有可备份的数据")
    raw = engine.raw_connection()  # with Gongwen's pragmas: WAL, busy timeout
    try:
        copy = sqlite3.connect(temporary)
        try:
            # pages=-1: the whole copy in one step, under one read snapshot. In WAL mode the
            # snapshot does not block writers, and what they commit meanwhile is not in the copy
            # (copying in several steps would restart whenever another process wrote).
            raw.driver_connection.backup(copy, pages=-1)
            # The copy inherits WAL mode from the header; a backup is one self-contained file.
            copy.execute("PRAGMA journal_mode = DELETE")
            integrity = sqlite_integrity(copy)
        finally:
            copy.close()
    finally:
        raw.close()
    with sqlite_reader(temporary) as reader, Session(reader) as session:
        missing = missing_tables(reader)
        if missing:
            raise Refused(f"数据库缺少数据表 {'、'.join(missing)}，不是完整的公文流转数据库")
        return count_contents(session), integrity, audit.verify(session)


def _take_postgresql(engine: Engine, temporary: str) -> tuple[Contents, Check, audit.ChainReport]:
    environment = libpq_environment(engine.url)
    with engine.connect() as connection:
        clients = find_clients(server_major(connection))
    connection = engine.connect().execution_options(isolation_level="REPEATABLE READ",
                                                     postgresql_readonly=True)
    try:
        with connection.begin():
            # The snapshot of this transaction is handed to pg_dump: the archive holds exactly
            # the rows counted and verified here, whatever is committed meanwhile.
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            missing = missing_tables(connection)
            if missing:
                raise Refused(f"数据库缺少数据表 {'、'.join(missing)}，不是完整的公文流转数据库")
            with Session(bind=connection) as session:
                contents, chain = count_contents(session), audit.verify(session)
            run_client([clients.pg_dump, "--format=custom", f"--snapshot={snapshot}",
                        f"--file={temporary}", "--no-password"], environment, "pg_dump")
    finally:
        connection.close()
    listing = list_archive(clients, temporary, environment)
    return contents, archive_check(listing), chain
