"""Restoring: the configured database replaced by a checked backup, the restore recorded in the
restored audit chain, and the result checked.

Owns: `restore()`, `record_restore()` and `check_restored()`, the three steps of a restore, which
the caller takes in that order and commits between the second and the third. The steps are apart
because the restored data is committed by SQLite's backup API or by pg_restore's own transaction,
which no session of ours can join: the restore's audit entry can only follow it, in the caller's
transaction on the restored database, and the checks of the result read what was committed (the
entry included).

A restore never lets a bad backup replace good data: the backup is checked first (`checking`), its
checksum again just before; SQLite writes the target through the backup API in one transaction
under its write lock, PostgreSQL restores in one transaction, so that an archive that fails
halfway leaves the database as it was.
Must not: restore a backup that failed its checks, or commit (the caller owns the transaction).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from workflow import audit
from workflow.backup.checking import check
from workflow.backup.database import count_contents, describe_database, integrity, sqlite_path
from workflow.backup.files import read_only_uri, verify_checksum
from workflow.backup.postgres import find_clients, libpq_environment, run_client, server_major
from workflow.backup.reports import Backup, Refused, RestoreReport
from workflow.db import SQLITE_BUSY_TIMEOUT_MS, as_utc, read_only
from workflow.models import AuditEntry


def restore(engine: Engine, backup: Backup | str) -> Backup:
    """Replace everything in the database behind `engine` with the backup; the backup restored.

    `backup` is what `check()` returned (its checksum is verified again: time passes while an
    operator confirms) or a path, which is checked first. Stop the application (and its scheduled
    jobs) first: their open transactions would make the restore wait, and their work since the
    backup is what a restore takes away. Then the caller records the restore in the restored
    trail (`record_restore`), commits, and checks the result (`check_restored`).
    """
    if isinstance(backup, str):
        backup = check(engine, backup)
    elif verify_checksum(backup.path) != backup.sha256:
        raise Refused(f"备份文件 {backup.path} 在检查之后被改动，未恢复")
    engine.dispose()  # our own idle connections: nothing of ours holds a lock or an old page
    if backup.kind == "sqlite":
        _restore_sqlite(engine, backup.path)
    else:
        _restore_postgresql(engine, backup.path)
    engine.dispose()
    return backup


def record_restore(session: Session, backup: Backup, *,
                   now: dt.datetime | None = None) -> AuditEntry:
    """Append the entry `system.RESTORE` (actor: the system) to the restored audit chain, in the
    caller's transaction on the restored database."""
    return audit.append(
        session, actor=None, action="system.RESTORE", object_type="system", object_id=None,
        at=as_utc(now), note=f"从备份 {backup.path} 恢复",
        details={"path": backup.path, "kind": backup.kind, "bytes": backup.size,
                 "sha256": backup.sha256})


def check_restored(engine: Engine, backup: Backup) -> RestoreReport:
    """The checks of the restored database behind `engine`, as committed: its integrity, its audit
    chain (the restore's own entry included, once the caller committed it) and what it holds."""
    checked = integrity(engine)
    with Session(engine) as session:
        read_only(session)
        chain, contents = audit.verify(session), count_contents(session)
    return RestoreReport(backup=backup, database=describe_database(engine), contents=contents,
                         integrity=checked, chain=chain)


def _restore_sqlite(engine: Engine, path: str) -> None:
    target = sqlite_path(engine)
    if not os.path.isdir(os.path.dirname(os.path.abspath(target))):
        raise Refused(f"数据库所在目录 {os.path.dirname(target)} 不存在")
    source = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        destination = sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            # The backup API writes the target in one transaction under its write lock: other
            # connections see the old database or the new one, never a mixture; a target in WAL
            # mode stays in WAL mode.
            source.backup(destination, pages=-1)
        except sqlite3.Error as error:
            raise Refused(f"恢复失败，数据库未作改动：{error}") from None
        finally:
            destination.close()
    finally:
        source.close()


def _restore_postgresql(engine: Engine, path: str) -> None:
    environment = libpq_environment(engine.url)
    with engine.connect() as connection:
        clients = find_clients(server_major(connection))
    engine.dispose()
    # One transaction: an archive that fails halfway (a damaged block, a missing role) leaves
    # the database as it was. --clean --if-exists drops what the archive is about to recreate.
    run_client([clients.pg_restore, "--clean", "--if-exists", "--no-owner",
                "--single-transaction", "--no-password",
                f"--dbname={environment['PGDATABASE']}", path], environment,
               "pg_restore", failed="恢复失败，数据库未作改动")
