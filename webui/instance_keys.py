"""What a deployment keeps outside its database: the secret key, the audit key, the anchor file,
the signing secret.

Owns: reading each from the configuration (SECRET_KEY / AUDIT_KEY in instance/config.py, or
GONGWEN_SECRET_KEY / GONGWEN_AUDIT_KEY in the environment) or else from its file in the instance
folder (`secret_key`, `audit_key`: 0600, never in the repository — .gitignore keeps instance/ out),
writing such a file, giving the audit key to the engine (`workflow.audit.use_key`), and the path
of the audit anchor file (AUDIT_ANCHOR_FILE, else instance/audit-anchors.jsonl).

They are made at different moments. The secret key is generated on the first start of any process,
since a host with a key of its own only logs its users out elsewhere. The audit key is made only
when a database is set up (`init-db`, `demo`: `create_audit_key`): every host must verify the chain
that every other host wrote, so a web server that finds no audit key refuses to start rather than
make one of its own. The signing secret (SIGNING_KEY / GONGWEN_SIGNING_KEY, else
instance/signing_key), under which the units' private keys are encrypted, is made with the keys
themselves (`pki init`, `demo`); a server without it issues unsigned — or refuses to sign for a
unit that has a key, saying why. Must not: print a key, or put one in the database.
"""

from __future__ import annotations

import os
import secrets

from flask import Flask

from workflow import audit, pki

SECRET_KEY_FILE = "secret_key"
AUDIT_KEY_FILE = "audit_key"
SIGNING_KEY_FILE = "signing_key"
ANCHOR_FILE = "audit-anchors.jsonl"
NO_AUDIT_KEY = (
    "未配置审计密钥，拒绝启动：请先运行 flask --app wsgi init-db（在实例目录生成 audit_key），"
    "或设置 GONGWEN_AUDIT_KEY / instance/config.py 中的 AUDIT_KEY。多台主机必须使用同一密钥。")


def instance_secret_key(instance_path: str) -> str:
    """The key in instance/secret_key, generated on first use (0600), shared by every worker."""
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    if not os.path.exists(path):
        write_new_key(path)
    return read_key(path)


def write_new_key(path: str) -> bool:
    """Write a new random key to `path` (0600) unless the file exists; True when this call wrote it.

    Several processes may start at once: each writes a private temporary file and links it into
    place; os.link fails when the file exists, and the loser keeps the winner's key.
    """
    temporary = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(temporary)


def read_key(path: str) -> str:
    with open(path) as file:
        key = file.read().strip()
    if not key:
        raise RuntimeError(f"{path} 为空：请删除该文件后重新启动，以生成新的密钥")
    return key


def audit_key_path(app: Flask) -> str:
    return os.path.join(app.instance_path, AUDIT_KEY_FILE)


def _configured_key(app: Flask, name: str, path: str, check) -> str | bytes | None:
    """The key `name` from the configuration, else from the instance file `path`, judged by
    `check` (a bad one stops the process, naming it); stored back in app.config (None: none)."""
    key = app.config.get(name)
    if key is not None and not isinstance(key, (str, bytes)):
        key = str(key)  # GONGWEN_<NAME> of digits only is parsed as a JSON number
    if not key and os.path.exists(path):
        key = read_key(path)
    if key:
        try:
            check(key)
        except ValueError as error:
            raise RuntimeError(f"{error}（{name}）") from None
    app.config[name] = key or None
    return key or None


def load_audit_key(app: Flask, *, serving: bool) -> None:
    """Put the audit key in app.config["AUDIT_KEY"] (None when there is none) and give it to the
    engine. `serving`: the process will answer requests, and must not do so without a key."""
    key = _configured_key(app, "AUDIT_KEY", audit_key_path(app), audit.check_key)
    audit.use_key(key)
    if not key and serving:
        raise RuntimeError(NO_AUDIT_KEY)


def _create_key(app: Flask, name: str, path: str, use) -> str | None:
    """Make the instance's key file `path` when no key `name` is configured, and `use` it;
    returns its path when this call wrote it."""
    if app.config.get(name):
        return None
    wrote = write_new_key(path)
    app.config[name] = read_key(path)
    use(app.config[name])
    return path if wrote else None


def create_audit_key(app: Flask) -> str | None:
    """Make the instance's audit key file when no audit key is configured, and use it; returns its
    path when this call wrote it."""
    return _create_key(app, "AUDIT_KEY", audit_key_path(app), audit.use_key)


def anchor_file(app: Flask) -> str:
    """Where the audit chain's anchors are appended and read back."""
    return app.config.get("AUDIT_ANCHOR_FILE") or os.path.join(app.instance_path, ANCHOR_FILE)


def signing_key_path(app: Flask) -> str:
    return os.path.join(app.instance_path, SIGNING_KEY_FILE)


def load_signing_key(app: Flask) -> None:
    """Give the engine the secret the units' private keys are encrypted under, if there is one."""
    pki.use_secret(_configured_key(app, "SIGNING_KEY", signing_key_path(app), pki.check_secret))


def create_signing_key(app: Flask) -> str | None:
    """Make the instance's signing secret file when none is configured, and use it; returns its
    path when this call wrote it."""
    return _create_key(app, "SIGNING_KEY", signing_key_path(app), pki.use_secret)
