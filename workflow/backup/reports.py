"""What backups and restores answer: a refusal, what a database holds, and how it checked.

Owns: `Refused` and `PathExists`, the refusals of a backup or restore that was not done; the plain
values reported to the operator — `Contents` (rows counted), `Check` (an integrity check in
words), `BackupReport` (a backup written), `Backup` (a backup file that passed every check made
before restoring it) and `RestoreReport` (a restore done, with the checks of its result).
Must not: compute anything; the other modules of `workflow.backup` fill these in.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow import audit
from workflow.errors import WorkflowError

KIND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class Refused(WorkflowError):
    """A backup or restore that was not done; nothing was written or replaced."""

    code = "backup_refused"


class PathExists(Refused):
    """The backup file (or its checksum file) is already there and was not overwritten."""

    code = "backup_path_exists"


@dataclass(frozen=True)
class Contents:
    """What a database holds, counted."""

    notices: int
    receipts: int
    audit_entries: int

    def __str__(self) -> str:
        return (f"公文 {self.notices} 件，签收记录 {self.receipts} 条，"
                f"审计记录 {self.audit_entries} 条")


@dataclass(frozen=True)
class Check:
    """The outcome of an integrity check, in words for the operator."""

    ok: bool
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class BackupReport:
    """A backup written to `path` (and its checksum to `checksum_path`), and its checks."""

    path: str
    checksum_path: str
    kind: str
    size: int
    sha256: str
    contents: Contents
    integrity: Check
    chain: audit.ChainReport

    @property
    def ok(self) -> bool:
        return self.integrity.ok and self.chain.ok


@dataclass(frozen=True)
class Backup:
    """A backup file that passed every check that can be made before restoring it.

    `contents` is known for a SQLite backup (it was opened and counted); a PostgreSQL archive is
    described by its own header (`description`) instead.
    """

    path: str
    kind: str
    size: int
    sha256: str
    contents: Contents | None
    description: str


@dataclass(frozen=True)
class RestoreReport:
    """A restore done: from which backup, into which database, and the checks of the result."""

    backup: Backup
    database: str
    contents: Contents
    integrity: Check
    chain: audit.ChainReport

    @property
    def ok(self) -> bool:
        return self.integrity.ok and self.chain.ok
