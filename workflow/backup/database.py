"""The database behind an engine, as backups see it: its kind, its file, its tables, what it holds
and whether it is whole.

Owns: which databases can be backed up (SQLite in a file, PostgreSQL), the tables a database of
ours must have, counting what it holds (`contents_of`, `count_contents`), its URL as an operator
may see it, and its integrity check (SQLite: `PRAGMA integrity_check` and `foreign_key_check`;
PostgreSQL: no constraint left unchecked).
Must not: write anything, or create a SQLite file by looking at it.
"""

from __future__ import annotations

import os
import sqlite3

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from workflow.backup.reports import KIND_LABELS, Check, Contents, Refused
from workflow.db import read_only
from workflow.models import AuditEntry, Notice, Receipt

# The tables whose rows a restore must bring back: a file without them is no backup of ours.
REQUIRED_TABLES = ("notice", "receipt", "audit_entry", "audit_head", "user_account")


def kind_of(engine: Engine) -> str:
    """"sqlite" or "postgresql"; refuses any other database."""
    if engine.dialect.name not in KIND_LABELS:
        raise Refused(f"不支持备份 {engine.dialect.name} 数据库")
    return engine.dialect.name


def sqlite_path(engine: Engine) -> str:
    """The absolute path of the SQLite file behind `engine`; refuses a database in memory."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise Refused("只能备份和恢复保存在文件中的 SQLite 数据库")
    return os.path.abspath(database)


def contents_of(engine: Engine) -> Contents | None:
    """What the database behind `engine` holds now; None when it has no Gongwen tables yet."""
    if engine.dialect.name == "sqlite" and not os.path.exists(sqlite_path(engine)):
        return None  # and do not create the file by looking
    if missing_tables(engine):
        return None
    with Session(engine) as session:
        read_only(session)
        return count_contents(session)


def describe_database(engine: Engine) -> str:
    """The database's URL as an operator may see it (the password hidden)."""
    return engine.url.render_as_string(hide_password=True)


def missing_tables(bind) -> list[str]:
    """The required tables that the database behind `bind` (an engine or a connection) lacks."""
    present = set(inspect(bind).get_table_names())
    return [name for name in REQUIRED_TABLES if name not in present]


def count_contents(session: Session) -> Contents:
    """What the session's database holds, as the session sees it."""
    def count(model) -> int:
        return session.scalar(select(func.count()).select_from(model))

    return Contents(notices=count(Notice), receipts=count(Receipt),
                    audit_entries=count(AuditEntry))


def integrity(engine: Engine) -> Check:
    """The integrity check of the live database behind `engine`."""
    missing = missing_tables(engine)
    if missing:
        return Check(False, f"未通过：缺少数据表 {'、'.join(missing)}")
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            return sqlite_integrity(raw.driver_connection)
        finally:
            raw.close()
    return _postgresql_integrity(engine)


def sqlite_integrity(connection: sqlite3.Connection) -> Check:
    """`PRAGMA integrity_check` and `foreign_key_check` of a SQLite connection's database."""
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
