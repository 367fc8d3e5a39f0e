"""The thin Flask adapter over the engine: `create_app()` builds one configured application.

Owns: configuration in layers (DESIGN.md convention 12), binding the extensions, the SQLite read
discipline for GET requests, the security headers every response carries, and wiring the
blueprints, error pages, filters and CLI. Must not: hold business rules (those live in
`workflow/`) or create an app at import time (only `wsgi.py` does).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from webui.config import Defaults
from webui.extensions import csrf, db, migrate
from workflow.attachments import AttachmentStore
from workflow.db import configure_engine, read_only

SECRET_KEY_FILE = "secret_key"
# The migrations live beside the packages, not in the instance folder: they are code.
MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "migrations")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def create_app(test_config: Mapping | None = None, *, instance_path: str | None = None) -> Flask:
    """A configured Gongwen web application.

    `instance_path` (or GONGWEN_INSTANCE_PATH) moves the instance folder, which holds config.py,
    the secret key, the SQLite file and the demo logins; tests point it into a temporary folder.
    """
    instance_path = instance_path or os.environ.get("GONGWEN_INSTANCE_PATH") or None
    if instance_path is not None:
        instance_path = os.path.abspath(instance_path)
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    os.makedirs(app.instance_path, exist_ok=True)
    _load_config(app, test_config)

    db.init_app(app)
    # render_as_batch: SQLite alters a table by copying it, which Alembic's batch mode does.
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    app.extensions["gongwen_attachments"] = AttachmentStore(
        app.config["ATTACHMENT_DIR"] or os.path.join(app.instance_path, "attachments"))
    with app.app_context():
        # Before any connection exists: the SQLite pragmas and BEGIN IMMEDIATE for writers.
        for engine in db.engines.values():
            configure_engine(engine)

    if int(app.config["PROXY_FIX_X_FOR"]):
        # The client's address from the trusted proxies' X-Forwarded-For (the login throttle's).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]))

    # Registered before every other before_request function, so that nothing has queried yet.
    app.before_request(_begin_reads_deferred)
    app.after_request(_add_security_headers)
    csrf.init_app(app)

    from webui import auth, cli, desks, errors, filters, notifications
    from webui.views import BLUEPRINTS

    auth.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    desks.init_app(app)
    notifications.init_app(app)
    cli.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app


def _load_config(app: Flask, test_config: Mapping | None) -> None:
    """Defaults → instance/config.py → FLASK_*, DATABASE_URL, GONGWEN_* → the test mapping."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FLASK")
    if database_url := os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(database_url)
    app.config.from_prefixed_env("GONGWEN")  # values are parsed as JSON when they can be
    if test_config:
        app.config.from_mapping(test_config)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = os.path.join(app.instance_path, "gongwen.db")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A server database may drop idle connections (restarts, load balancers).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
    elif not isinstance(app.config["SECRET_KEY"], (str, bytes)):
        app.config["SECRET_KEY"] = str(app.config["SECRET_KEY"])  # GONGWEN_SECRET_KEY=123 → JSON int


def _sqlalchemy_url(url: str) -> str:
    """A plain PostgreSQL URL (postgres:// or postgresql://, as hosting platforms and libpq write
    them) is given psycopg 3, the driver Gongwen ships with; SQLAlchemy would pick psycopg2."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def _instance_secret_key(instance_path: str) -> str:
    """The key in instance/secret_key, generated on first use (0600), shared by every worker.

    Several workers may start at once: each writes a private temporary file and links it into
    place; os.link fails when the file exists, and the loser reads the winner's key.
    """
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    if not os.path.exists(path):
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
                pass
        finally:
            os.unlink(temporary)
    with open(path) as file:
        key = file.read().strip()
    if not key:
        raise RuntimeError(f"{path} 为空：请删除该文件后重新启动，以生成新的密钥")
    return key


def _begin_reads_deferred() -> None:
    """GET and HEAD change nothing, so their transaction begins as a reader (SQLite: DEFERRED)."""
    if request.method in ("GET", "HEAD") and request.endpoint != "static":
        read_only(db.session())


def _add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy",
                                current_app.config["CONTENT_SECURITY_POLICY"])
    if request.endpoint != "static":
        # Official documents on a shared office computer: nothing stays in the browser's cache
        # for the next person to find with the back button after logout.
        response.headers.setdefault("Cache-Control", "no-store")
    return response
