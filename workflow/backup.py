"""Backups of the whole database while the system runs, restores, and the checks that make both
trustworthy.

Owns: `take()` — a consistent copy to a file while writers go on (SQLite: the online backup API,
one step under one read snapshot; PostgreSQL: `pg_dump --format=custom` on a snapshot exported
by our own REPEATABLE READ transaction, so that the rows we count and the audit chain we verify
are exactly those in the archive), each copy checked and written beside a checksum file
`PATH.sha256` (sha256sum's format); `record_backup()`, the audit entry of a backup; `check()`,
everything that can be checked before a backup replaces anything; and `restore()`, which
replaces the configured database with a checked backup, records the restore in the restored
audit chain, then checks the result (integrity and the audit chain).

A restore never lets a bad backup replace good data: the checksum, the format, and on SQLite the
copy's integrity and audit chain are checked first; PostgreSQL restores in one transaction, so
an archive that fails halfway leaves the database as it was.

Connection parameters reach PostgreSQL's programs through the environment (PGHOST, PGPASSWORD …),
never on a command line that `ps` shows. Attachments are files outside the database
(`workflow.attachments`): they are not in a backup, and are copied by the operator.

Must not: import the web layer, decide who may run it (the command line is for operators), or
commit anything but its own audit entry of a restore (`take` writes nothing; the caller records
and commits the backup's entry, so that a backup never waits for a writer).
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from workflow import audit
from workflow.db import SQLITE_BUSY_TIMEOUT_MS, as_utc, read_only
from workflow.errors import WorkflowError
from workflow.models import AuditEntry, Notice, Receipt

CHECKSUM_SUFFIX = ".sha256"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_ARCHIVE_MAGIC = b"PGDMP"
KIND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_CHUNK = 1 << 20

# libpq's own environment variables for the parameters a SQLAlchemy URL may carry in its query.
_LIBPQ_QUERY_ENV = {
    "host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "sslcrl": "PGSSLCRL",
    "sslcompression": "PGSSLCOMPRESSION", "channel_binding": "PGCHANNELBINDING",
    "gssencmode": "PGGSSENCMODE", "krbsrvname": "PGKRBSRVNAME", "passfile": "PGPASSFILE",
    "service": "PGSERVICE", "connect_timeout": "PGCONNECT_TIMEOUT", "options": "PGOPTIONS",
    "application_name": "PGAPPNAME", "target_session_attrs": "PGTARGETSESSIONATTRS",
    "client_encoding": "PGCLIENTENCODING",
}
# The tables whose rows a restore must bring back: a file without them is no backup of ours.
_REQUIRED_TABLES = ("notice", "receipt", "audit_entry", "audit_head", "user_account")


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


# ------------------------------------------------------------------------------------------------
# Taking a backup.


def take(engine: Engine, path: str, *, force: bool = False) -> BackupReport:
    """Copy the whole database behind `engine` to `path` while writers go on, and check the copy.

    Refuses (nothing written) when `path` or its checksum file exists (unless `force`), when its
    folder is missing, or when the copy fails its integrity check. A copy whose audit chain does
    not verify is kept — it is a faithful copy, and evidence — and says so in its report.
    """
    kind = _kind(engine)
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
        _fsync(temporary)
        size, digest = os.path.getsize(temporary), _sha256(temporary)
        checksum_path = path + CHECKSUM_SUFFIX
        _place(temporary, path, force=force)
        _write_checksum(checksum_path, digest, os.path.basename(path), force=force)
        _fsync_folder(os.path.dirname(path))
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
        database = _sqlite_path(engine)
        if os.path.abspath(database) in (path, path + "-wal", path + "-shm", path + "-journal"):
            raise Refused("备份文件不能就是数据库文件本身")
    if not force:
        for existing in (path, path + CHECKSUM_SUFFIX):
            if os.path.lexists(existing):
                raise PathExists(f"{existing} 已存在，未覆盖")


def _take_sqlite(engine: Engine, temporary: str) -> tuple[Contents, Check, audit.ChainReport]:
    database = _sqlite_path(engine)
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
            integrity = _sqlite_integrity(copy)
        finally:
            copy.close()
    finally:
        raw.close()
    with _sqlite_reader(temporary) as reader, Session(reader) as session:
        missing = _missing_tables(reader)
        if missing:
            raise Refused(f"数据库缺少数据表 {'、'.join(missing)}，不是完整的公文流转数据库")
        return _contents(session), integrity, audit.verify(session)


def _take_postgresql(engine: Engine, temporary: str) -> tuple[Contents, Check, audit.ChainReport]:
    environment = libpq_environment(engine.url)
    with engine.connect() as connection:
        clients = find_clients(_server_major(connection))
    connection = engine.connect().execution_options(isolation_level="REPEATABLE READ",
                                                     postgresql_readonly=True)
    try:
        with connection.begin():
            # The snapshot of this transaction is handed to pg_dump: the archive holds exactly
            # the rows counted and verified here, whatever is committed meanwhile.
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            missing = _missing_tables(connection)
            if missing:
                raise Refused(f"数据库缺少数据表 {'、'.join(missing)}，不是完整的公文流转数据库")
            with Session(bind=connection) as session:
                contents, chain = _contents(session), audit.verify(session)
            _run([clients.pg_dump, "--format=custom", f"--snapshot={snapshot}",
                  f"--file={temporary}", "--no-password"], environment, "pg_dump")
    finally:
        connection.close()
    listing = _list_archive(clients, temporary, environment)
    return contents, _archive_check(listing), chain


# ------------------------------------------------------------------------------------------------
# Checking a backup before restoring it.


def check(engine: Engine, path: str) -> Backup:
    """Every check of the backup at `path` that can be made before it replaces the database behind
    `engine`: its checksum file, its kind, and (SQLite) its integrity and audit chain, or
    (PostgreSQL) the clients' versions and the archive's table of contents. Refuses on any."""
    kind = _kind(engine)
    path = os.path.abspath(path)
    if not os.path.exists(path):
        raise Refused(f"找不到备份文件：{path}")
    if not os.path.isfile(path):
        raise Refused(f"{path} 不是文件")
    digest = _verify_checksum(path)
    size = os.path.getsize(path)
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    found = ("sqlite" if head.startswith(SQLITE_MAGIC)
             else "postgresql" if head.startswith(PG_ARCHIVE_MAGIC) else None)
    if found is None:
        raise Refused(f"{path} 不是公文流转的备份文件（既非 SQLite 数据库，也非 pg_dump 归档）")
    if found != kind:
        raise Refused(f"这是 {KIND_LABELS[found]} 数据库的备份，不能恢复到 {KIND_LABELS[kind]} 数据库")
    if kind == "sqlite":
        if _same_file(path, _sqlite_path(engine)):
            raise Refused("备份文件就是要恢复的数据库文件本身")
        contents, description = _check_sqlite_backup(path), "SQLite 数据库文件"
    else:
        contents, description = None, _check_postgresql_backup(engine, path)
    return Backup(path=path, kind=kind, size=size, sha256=digest, contents=contents,
                  description=description)


def _verify_checksum(path: str) -> str:
    checksum_path = path + CHECKSUM_SUFFIX
    try:
        with open(checksum_path, encoding="ascii") as file:
            recorded = file.read().split()
    except FileNotFoundError:
        raise Refused(f"找不到校验文件 {checksum_path}：无法确认备份完好，未恢复") from None
    except (OSError, UnicodeDecodeError) as error:
        raise Refused(f"无法读取校验文件 {checksum_path}：{error}") from None
    if not recorded or not re.fullmatch(r"[0-9a-f]{64}", recorded[0]):
        raise Refused(f"校验文件 {checksum_path} 的格式不对（应为 sha256sum 的输出）")
    digest = _sha256(path)
    if digest != recorded[0]:
        raise Refused(f"备份文件已损坏或被改动（SHA-256 与 {checksum_path} 不符），未恢复")
    return digest


def _check_sqlite_backup(path: str) -> Contents:
    try:
        connection = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            integrity = _sqlite_integrity(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise Refused(f"备份文件无法作为 SQLite 数据库打开（{error}），未恢复") from None
    if not integrity.ok:
        raise Refused(f"备份未通过完整性检查，未恢复：{integrity.text}")
    with _sqlite_reader(path) as reader, Session(reader) as session:
        missing = _missing_tables(reader)
        if missing:
            raise Refused(f"备份缺少数据表 {'、'.join(missing)}，不是公文流转的备份，未恢复")
        chain = audit.verify(session)
        if not chain.ok:
            raise Refused(f"备份的审计链校验未通过，未恢复：{chain}")
        return _contents(session)


def _check_postgresql_backup(engine: Engine, path: str) -> str:
    environment = libpq_environment(engine.url)
    with engine.connect() as connection:
        clients = find_clients(_server_major(connection))
    try:
        listing = _list_archive(clients, path, environment)
    except Refused as error:
        raise Refused(f"{error}，未恢复") from None
    archive = _archive_check(listing)
    if not archive.ok:
        raise Refused(f"{archive.text}，未恢复")

    def header(label: str, value: str = r".+") -> str:
        found = re.search(rf"^;\s*{label}\s*({value})", listing, re.MULTILINE)
        return found.group(1).strip() if found else "不详"

    created = header("Archive created at")
    dbname = header("dbname:")
    version = header("Dumped from database version:", r"\S+")
    return f"pg_dump 归档，生成于 {created}，来自数据库 {dbname}（PostgreSQL {version}）"


# ------------------------------------------------------------------------------------------------
# Restoring.


def restore(engine: Engine, backup: Backup | str, *, now: dt.datetime | None = None
            ) -> RestoreReport:
    """Replace everything in the database behind `engine` with the backup, then record and check.

    `backup` is what `check()` returned (its checksum is verified again: time passes while an
    operator confirms) or a path, which is checked first. Afterwards one entry `system.RESTORE`
    is appended to the restored audit chain and committed here, and the restored database's
    integrity and audit chain are checked and reported. Stop the application (and its scheduled
    jobs) first: their open transactions would make the restore wait, and their work since the
    backup is what a restore takes away.
    """
    if isinstance(backup, str):
        backup = check(engine, backup)
    elif _verify_checksum(backup.path) != backup.sha256:
        raise Refused(f"备份文件 {backup.path} 在检查之后被改动，未恢复")
    engine.dispose()  # our own idle connections: nothing of ours holds a lock or an old page
    if backup.kind == "sqlite":
        _restore_sqlite(engine, backup.path)
    else:
        _restore_postgresql(engine, backup.path)
    engine.dispose()
    integrity = _integrity(engine)
    with Session(engine) as session:
        audit.append(
            session, actor=None, action="system.RESTORE", object_type="system", object_id=None,
            at=as_utc(now), note=f"从备份 {backup.path} 恢复",
            details={"path": backup.path, "kind": backup.kind, "bytes": backup.size,
                     "sha256": backup.sha256})
        session.commit()
    with Session(engine) as session:
        read_only(session)
        chain, contents = audit.verify(session), _contents(session)
    return RestoreReport(backup=backup, database=describe_database(engine), contents=contents,
                         integrity=integrity, chain=chain)


def _restore_sqlite(engine: Engine, path: str) -> None:
    target = _sqlite_path(engine)
    if not os.path.isdir(os.path.dirname(os.path.abspath(target))):
        raise Refused(f"数据库所在目录 {os.path.dirname(target)} 不存在")
    source = sqlite3.connect(_read_only_uri(path), uri=True)
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
        clients = find_clients(_server_major(connection))
    engine.dispose()
    # One transaction: an archive that fails halfway (a damaged block, a missing role) leaves
    # the database as it was. --clean --if-exists drops what the archive is about to recreate.
    _run([clients.pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--no-password", f"--dbname={environment['PGDATABASE']}", path], environment,
         "pg_restore", failed="恢复失败，数据库未作改动")


# ------------------------------------------------------------------------------------------------
# Checks of a live database.


def contents_of(engine: Engine) -> Contents | None:
    """What the database behind `engine` holds now; None when it has no Gongwen tables yet."""
    if engine.dialect.name == "sqlite" and not os.path.exists(_sqlite_path(engine)):
        return None  # and do not create the file by looking
    if _missing_tables(engine):
        return None
    with Session(engine) as session:
        read_only(session)
        return _contents(session)


def describe_database(engine: Engine) -> str:
    """The database's URL as an operator may see it (the password hidden)."""
    return engine.url.render_as_string(hide_password=True)


def _integrity(engine: Engine) -> Check:
    missing = _missing_tables(engine)
    if missing:
        return Check(False, f"未通过：缺少数据表 {'、'.join(missing)}")
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            return _sqlite_integrity(raw.driver_connection)
        finally:
            raw.close()
    return _postgresql_integrity(engine)


def _sqlite_integrity(connection: sqlite3.Connection) -> Check:
    problems = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
    if problems != ["ok"]:
        return Check(False, "未通过：" + "；".join(problems[:5]))
    orphans = connection.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        shown = "；".join(f"{table} 第 {rowid} 行指向不存在的 {parent}"
                         for table, rowid, parent, _ in orphans[:5])
        return Check(False, f"未通过：{len(orphans)} 处外键不一致（{shown}）")
    return Check(True, "通过（PRAGMA integrity_check、foreign_key_check）")


def _postgresql_integrity(engine: Engine) -> Check:
    # pg_restore adds every foreign key and unique constraint after loading the rows, and
    # PostgreSQL checks the rows as it does; a constraint left NOT VALID was never checked.
    with engine.connect() as connection:
        unchecked = connection.scalars(text(
            "SELECT c.conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
            " WHERE n.nspname = current_schema() AND NOT c.convalidated")).all()
        constraints = connection.scalar(text(
            "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
            " WHERE n.nspname = current_schema() AND c.contype IN ('f', 'u', 'p')"))
    if unchecked:
        return Check(False, f"未通过：约束未经校验（{'、'.join(unchecked[:5])}）")
    return Check(True, f"通过（数据表齐全，{constraints} 个主键、外键和唯一约束均已校验）")


def _missing_tables(bind) -> list[str]:
    present = set(inspect(bind).get_table_names())
    return [name for name in _REQUIRED_TABLES if name not in present]


def _contents(session: Session) -> Contents:
    def count(model) -> int:
        return session.scalar(select(func.count()).select_from(model))

    return Contents(notices=count(Notice), receipts=count(Receipt),
                    audit_entries=count(AuditEntry))


# ------------------------------------------------------------------------------------------------
# PostgreSQL's client programs.


@dataclass(frozen=True)
class Clients:
    """pg_dump and pg_restore of one PostgreSQL version."""

    pg_dump: str
    pg_restore: str
    major: int


def find_clients(server_major: int) -> Clients:
    """The newest pg_dump/pg_restore pair on PATH or in /usr/lib/postgresql/*/bin; refuses when
    there is none or when it is older than the server (pg_dump cannot read a newer server)."""
    folders = []
    on_path = shutil.which("pg_dump")
    if on_path:
        folders.append(os.path.dirname(on_path))
    folders += sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    found: list[Clients] = []
    for folder in folders:
        dump, restore_ = os.path.join(folder, "pg_dump"), os.path.join(folder, "pg_restore")
        if not (os.access(dump, os.X_OK) and os.access(restore_, os.X_OK)):
            continue
        major = _client_major(dump)
        if major is not None:
            found.append(Clients(dump, restore_, major))
    if not found:
        raise Refused("找不到 PostgreSQL 的客户端程序 pg_dump 和 pg_restore：请在本机安装 "
                      f"postgresql-client（版本不低于数据库服务器的 {server_major}）")
    newest = max(found, key=lambda clients: clients.major)
    if newest.major < server_major:
        raise Refused(f"本机的 pg_dump 是 PostgreSQL {newest.major} 版，低于数据库服务器的 "
                      f"{server_major} 版：请安装 postgresql-client-{server_major} 或更新的版本")
    return newest


def _client_major(program: str) -> int | None:
    try:
        done = subprocess.run([program, "--version"], capture_output=True, text=True,
                              timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", done.stdout)
    return int(found.group(1)) if done.returncode == 0 and found else None


def _server_major(connection) -> int:
    return int(connection.scalar(text("SHOW server_version_num"))) // 10000


def libpq_environment(url: URL) -> dict[str, str]:
    """The environment for pg_dump/pg_restore that reaches the database of `url`: this process's
    environment with host, port, user, password, database and the URL's libpq parameters set as
    PG* variables (never command-line arguments, which every user of the machine can read)."""
    environment = dict(os.environ)
    for value, name in ((url.host, "PGHOST"), (url.port, "PGPORT"), (url.username, "PGUSER"),
                        (url.password, "PGPASSWORD"), (url.database, "PGDATABASE")):
        if value is not None:
            environment[name] = str(value)
    for key, value in url.query.items():
        if key not in _LIBPQ_QUERY_ENV or not isinstance(value, str):
            raise Refused(f"数据库地址中的连接参数 {key} 无法交给 pg_dump 和 pg_restore")
        environment[_LIBPQ_QUERY_ENV[key]] = value
    if not environment.get("PGDATABASE"):
        raise Refused("数据库地址中没有数据库名")
    return environment


def _run(arguments: list[str], environment: dict[str, str], program: str, *,
         failed: str | None = None) -> str:
    done = subprocess.run(arguments, env=environment, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        said = " ".join(done.stderr.strip().splitlines()[-3:]) or (
            f"退出码 {done.returncode}" if done.returncode > 0
            else f"被信号 {-done.returncode} 终止")
        raise Refused(f"{failed or program + ' 失败'}：{said}")
    return done.stdout


def _list_archive(clients: Clients, path: str, environment: dict[str, str]) -> str:
    try:
        return _run([clients.pg_restore, "--list", path], environment, "pg_restore --list",
                    failed="无法读取 pg_dump 归档的目录")
    except Refused as error:
        raise Refused(f"{error}（归档可能已损坏，或由更新版本的 pg_dump 生成）") from None


def _archive_check(listing: str) -> Check:
    data = {match.group(1) for match in re.finditer(r"TABLE DATA \S+ (\S+) ", listing)}
    missing = [name for name in _REQUIRED_TABLES if name not in data]
    if missing:
        return Check(False, f"归档中没有数据表 {'、'.join(missing)} 的数据，不是公文流转的备份")
    return Check(True, f"通过（pg_restore --list 读出归档目录，含 {len(data)} 张数据表的数据）")


# ------------------------------------------------------------------------------------------------
# Files.


def _kind(engine: Engine) -> str:
    if engine.dialect.name not in KIND_LABELS:
        raise Refused(f"不支持备份 {engine.dialect.name} 数据库")
    return engine.dialect.name


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise Refused("只能备份和恢复保存在文件中的 SQLite 数据库")
    return os.path.abspath(database)


def _read_only_uri(path: str) -> str:
    # immutable: a backup is never written while we read it, so take no locks and create no
    # -wal/-shm files beside it (its folder may be read-only).
    return f"file:{quote(os.path.abspath(path))}?mode=ro&immutable=1"


def _sqlite_reader(path: str) -> Engine:
    """A read-only engine on a backup file (without Gongwen's pragmas, which would turn on WAL)."""
    uri = _read_only_uri(path)
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True),
                           poolclass=NullPool)
    return _Disposing(engine)


class _Disposing:
    """An engine used in a with-block and disposed after it."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def __enter__(self) -> Engine:
        return self.engine

    def __exit__(self, *exc) -> None:
        self.engine.dispose()


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: str) -> None:
    try:
        _fsync(folder)
    except OSError:
        pass  # not every file system lets a folder be synced; the files themselves were


def _place(temporary: str, path: str, *, force: bool) -> None:
    """Move the finished file into place; without `force`, never over an existing file (a link
    fails when the name exists, so that two backups started at once cannot overwrite each other)."""
    if force:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise PathExists(f"{path} 已存在，未覆盖") from None
    except OSError:  # a file system without hard links
        if os.path.lexists(path):
            raise PathExists(f"{path} 已存在，未覆盖") from None
        os.replace(temporary, path)
        return
    os.unlink(temporary)


def _write_checksum(path: str, digest: str, name: str, *, force: bool) -> None:
    temporary = f"{path}.part-{os.getpid()}-{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(f"{digest}  {name}\n")  # sha256sum -c reads this
            file.flush()
            os.fsync(file.fileno())
        _place(temporary, path, force=force)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
