"""Backups of the whole database while the system runs, restores, and the checks that make both
trustworthy.

Split by noun:

- `taking`: `take()` — a consistent copy to a file while writers go on, checked and written beside
  a checksum file `PATH.sha256` (sha256sum's format) — and `record_backup()`, its audit entry;
- `checking`: `check()`, everything that can be checked before a backup replaces anything;
- `restoring`: `restore()`, which replaces the configured database with a checked backup;
  `record_restore()`, the restore's entry in the restored audit chain; `check_restored()`, the
  checks of the result (integrity and the audit chain) once the caller has committed the entry;
- `database`: the database behind an engine — its kind, tables, contents and integrity;
- `postgres`: PostgreSQL's client programs, pg_dump and pg_restore;
- `files`: checksum files, placing a finished file, a read-only SQLite backup;
- `reports`: the refusals and the plain values reported to the operator.

A restore never lets a bad backup replace good data: the checksum, the format, and on SQLite the
copy's integrity and audit chain are checked first; PostgreSQL restores in one transaction, so
an archive that fails halfway leaves the database as it was.

Connection parameters reach PostgreSQL's programs through the environment (PGHOST, PGPASSWORD …),
never on a command line that `ps` shows. Attachments are files outside the database
(`workflow.attachments`): they are not in a backup, and are copied by the operator.

Must not: import the web layer, decide who may run it (the command line is for operators), or
commit: `take` writes nothing, and the caller records and commits the backup's entry (so that a
backup never waits for a writer); a restore's data is committed by SQLite's backup API or by
pg_restore, and the caller records and commits the restore's entry before checking the result.
"""

from workflow.backup.checking import PG_ARCHIVE_MAGIC, SQLITE_MAGIC, check
from workflow.backup.database import contents_of, describe_database
from workflow.backup.files import CHECKSUM_SUFFIX
from workflow.backup.postgres import Clients, find_clients, libpq_environment
from workflow.backup.reports import (
    KIND_LABELS,
    Backup,
    BackupReport,
    Check,
    Contents,
    PathExists,
    Refused,
    RestoreReport,
)
from workflow.backup.restoring import check_restored, record_restore, restore
from workflow.backup.taking import record_backup, take

__all__ = [
    "CHECKSUM_SUFFIX", "KIND_LABELS", "PG_ARCHIVE_MAGIC", "SQLITE_MAGIC", "Backup", "BackupReport",
    "Check", "Clients", "Contents", "PathExists", "Refused", "RestoreReport", "check",
    "check_restored", "contents_of", "describe_database", "find_clients", "libpq_environment",
    "record_backup", "record_restore", "restore", "take",
]
