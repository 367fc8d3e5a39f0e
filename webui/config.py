"""The defaults of the web application's configuration: the first of the layers (DESIGN.md convention 12).

Owns: every setting the web layer reads, with a value that is safe to run with. Later layers
override it: `instance/config.py`, then the FLASK_*/GONGWEN_* environment and DATABASE_URL, then the
test mapping. Must not: hold a secret (the keys live in the instance folder or the environment:
`webui.instance_keys`).
"""

from __future__ import annotations


class Defaults:
    # None means: generate once and keep in instance/secret_key (shared by every worker).
    SECRET_KEY = None
    # The key of the audit chain's HMAC, the same on every host. None means instance/audit_key,
    # which `flask --app wsgi init-db` makes; the web server refuses to start without either.
    AUDIT_KEY = None
    # The secret the units' signing keys are encrypted under (at least 32 characters), the same on
    # every host. None means instance/signing_key, which `flask --app wsgi pki init` makes.
    SIGNING_KEY = None
    # The address people reach Gongwen at, printed in the QR code of every 正式文件 (None:
    # MAIL_BASE_URL; without either, the request's own address, or http://127.0.0.1:5000 for
    # the command line and the demo).
    PUBLIC_URL = None
    # Where `flask --app wsgi audit anchor` appends the chain's head, and where `audit verify` and
    # `check` read it back (None: <instance>/audit-anchors.jsonl). Put it where the database's
    # users cannot write: another host's share, or a file only the operator's account may change.
    AUDIT_ANCHOR_FILE = None
    # None means: sqlite:///<instance_path>/gongwen.db.
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    # The login policy until the security officer stores one (管理 › 登录策略; then the database
    # wins, on every worker): after this many failed logins further attempts are delayed, for at
    # most LOGIN_LOCK_MINUTES, and a session idle for longer than LOGIN_IDLE_MINUTES is logged out.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15  # the longest delay after repeated failures (docs/security.md)
    LOGIN_IDLE_MINUTES = 30
    # How long before the idle logout the page warns and offers to stay logged in (继续使用).
    IDLE_WARNING_SECONDS = 60

    # How many proxies in front of the app add X-Forwarded-For (nginx: 1). The login throttle
    # counts failures by client address: behind a proxy, without this, every client would be
    # the proxy. 0 trusts no such header (a client could forge it).
    PROXY_FIX_X_FOR = 0

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Set GONGWEN_SESSION_COOKIE_SECURE=true behind HTTPS; the default lets `make run` work on http.
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "gongwen_session"

    # A working day: a long form must not expire in the hands of the one filling it in.
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )

    # The clock the views and CLI commands hand the engine as `now` (webui.clock): a callable
    # without arguments returning naive UTC (or an aware moment); None is the real time. Tests
    # fix it, so that no page depends on the day they run.
    CLOCK = None

    # Uploaded files live here (None: <instance>/attachments), never under static/.
    ATTACHMENT_DIR = None
    # Flask refuses larger request bodies with 413 before a view runs (attachments: 20 MB each).
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
