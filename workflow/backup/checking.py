"""Checking a backup file before it replaces anything.

Owns: `check()` — the backup's checksum file, its kind (a SQLite file or a pg_dump archive, and
the same kind as the target database), and then SQLite: the copy's integrity, its tables and its
audit chain; PostgreSQL: the clients' versions and the archive's table of contents and header.
Must not: write anything, to the backup or to the database.
"""

from __future__ import annotations

import os
import re
import sqlite3

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
from workflow.backup.files import read_only_uri, same_file, sqlite_reader, verify_checksum
from workflow.backup.postgres import (
    archive_check,
    find_clients,
    libpq_environment,
    list_archive,
    server_major,
)
from workflow.backup.reports import KIND_LABELS, Backup, Contents, Refused

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_ARCHIVE_MAGIC = b"PGDMP"


def check(engine: Engine, path: str) -> Backup:
    """Every check of the backup at `path` that can be made before it replaces the database behind
    `engine`: its checksum file, its kind, and (SQLite) its integrity and audit chain, or
    (PostgreSQL) the clients' versions and the archive's table of contents. Refuses on any."""
    kind = kind_of(engine)
    path = os.path.abspath(path)
    if not os.path.exists(path):
        raise Refused(f"找不到备份文件：{path}")
    if not os.path.isfile(path):
        raise Refused(f"{path} 不是文件")
    digest = verify_checksum(path)
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
        if same_file(path, sqlite_path(engine)):
            raise Refused("备份文件就是要恢复的数据库文件本身")
        contents, description = _check_sqlite_backup(path), "SQLite 数据库文件"
    else:
        contents, description = None, _check_postgresql_backup(engine, path)
    return Backup(path=path, kind=kind, size=size, sha256=digest, contents=contents,
                  description=description)


def _check_sqlite_backup(path: str) -> Contents:
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            integrity = sqlite_integrity(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise Refused(f"备份文件无法作为 SQLite 数据库打开（{error}），未恢复") from None
    if not integrity.ok:
        raise Refused(f"备份未通过完整性检查，未恢复：{integrity.text}")
    with sqlite_reader(path) as reader, Session(reader) as session:
        missing = missing_tables(reader)
        if missing:
            raise Refused(f"备份缺少数据表 {'、'.join(missing)}，不是公文流转的备份，未恢复")
        chain = audit.verify(session)
        if not chain.ok:
            raise Refused(f"备份的审计链校验未通过，未恢复：{chain}")
        return count_contents(session)


def _check_postgresql_backup(engine: Engine, path: str) -> str:
    environment = libpq_environment(engine.url)
    with engine.connect() as connection:
        clients = find_clients(server_major(connection))
    try:
        listing = list_archive(clients, path, environment)
    except Refused as error:
        raise Refused(f"{error}，未恢复") from None
    archive = archive_check(listing)
    if not archive.ok:
        raise Refused(f"{archive.text}，未恢复")

    def header(label: str, value: str = r".+") -> str:
        found = re.search(rf"^;\s*{label}\s*({value})", listing, re.MULTILINE)
        return found.group(1).strip() if found else "不详"

    created = header("Archive created at")
    dbname = header("dbname:")
    version = header("Dumped from database version:", r"\S+")
    return f"pg_dump 归档，生成于 {created}，来自数据库 {dbname}（PostgreSQL {version}）"
