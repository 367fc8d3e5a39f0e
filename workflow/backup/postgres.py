"""PostgreSQL's client programs, pg_dump and pg_restore, as backups and restores run them.

Owns: finding a pair of clients not older than the server, the environment that takes them to
the database (connection parameters as libpq's PG* variables, never on a command line that `ps`
shows), running them with their failures in Chinese, and reading an archive's table of contents.
Must not: put a password or any connection parameter on a command line.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import URL

from workflow.backup.database import REQUIRED_TABLES
from workflow.backup.reports import Check, Refused

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


def server_major(connection) -> int:
    """The major version of the server behind `connection`."""
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


def run_client(arguments: list[str], environment: dict[str, str], program: str, *,
               failed: str | None = None) -> str:
    """Run a client program; its output, or Refused with the last lines of what it said."""
    done = subprocess.run(arguments, env=environment, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        said = " ".join(done.stderr.strip().splitlines()[-3:]) or (
            f"退出码 {done.returncode}" if done.returncode > 0
            else f"被信号 {-done.returncode} 终止")
        raise Refused(f"{failed or program + ' 失败'}：{said}")
    return done.stdout


def list_archive(clients: Clients, path: str, environment: dict[str, str]) -> str:
    """The table of contents of the pg_dump archive at `path` (`pg_restore --list`)."""
    try:
        return run_client([clients.pg_restore, "--list", path], environment,
                          "pg_restore --list", failed="无法读取 pg_dump 归档的目录")
    except Refused as error:
        raise Refused(f"{error}（归档可能已损坏，或由更新版本的 pg_dump 生成）") from None


def archive_check(listing: str) -> Check:
    """Whether an archive's table of contents holds the data of every required table."""
    data = {match.group(1) for match in re.finditer(r"TABLE DATA \S+ (\S+) ", listing)}
    missing = [name for name in REQUIRED_TABLES if name not in data]
    if missing:
        return Check(False, f"归档中没有数据表 {'、'.join(missing)} 的数据，不是公文流转的备份")
    return Check(True, f"通过（pg_restore --list 读出归档目录，含 {len(data)} 张数据表的数据）")
