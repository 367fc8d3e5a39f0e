"""The thin Flask adapter over the engine: `create_app()` builds one configured application.

Owns: configuration in layers (DESIGN.md convention 12), binding the extensions, the SQLite read
discipline for GET requests, the security headers every response carries, and wiring the
blueprints, error pages, filters and CLI. Must not: hold business rules (those live in
`workflow/`) or create an app at import time (only `wsgi.py` does).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Flask, current_app, request
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from webui.config import Defaults
from webui.extensions import csrf, db, migrate
from webui.instance_keys import instance_secret_key, load_audit_key, load_signing_key
from workflow.attachments import AttachmentStore
from workflow.db import MAX_ID, configure_engine, read_only, write_late

# The migrations live beside the packages, not in the instance folder: they are code.
MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "migrations")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class RowIdConverter(IntegerConverter):
    """`<int:…>` bounded to the ids a row can have (1 … MAX_ID): any other number is a 404.

    It raises NotFound itself rather than failing the match: when a GET and a POST rule share a
    path, a failed match of one makes werkzeug answer 405 instead of 404.
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if not 1 <= number <= MAX_ID:
            raise HTTPNotFound()
        return number


def create_app(test_config: Mapping | None = None, *, instance_path: str | None = None) -> Flask:
    """A configured Gongwen web application.

    `instance_path` (or GONGWEN_INSTANCE_PATH) moves the instance folder, which holds config.py,
    the keys, the SQLite file and the demo logins; tests point it into a temporary folder.

    Refuses (RuntimeError) to make an app that will serve requests without an audit key: only the
    command line (which sets one up: `init-db`) and the tests may.
    """
    instance_path = instance_path or os.environ.get("GONGWEN_INSTANCE_PATH") or None
    if instance_path is not None:
        instance_path = os.path.abspath(instance_path)
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    # Before any route is added: `<int:…>` in every URL takes ids the database can hold, so that
    # /notices/9223372036854775808 is a 404, not an overflow in the driver.
    app.url_map.converters["int"] = RowIdConverter
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    os.makedirs(app.instance_path, exist_ok=True)
    _load_config(app, test_config)
    load_audit_key(app, serving=not app.testing
                   and os.environ.get("FLASK_RUN_FROM_CLI") != "true")
    load_signing_key(app)

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
    app.before_request(_begin_transaction)
    app.after_request(_add_security_headers)
    csrf.init_app(app)

    from webui import auth, cli, clock, desks, errors, filters, notifications
    from webui.views import BLUEPRINTS

    clock.init_app(app)
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
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    elif not isinstance(app.config["SECRET_KEY"], (str, bytes)):
        app.config["SECRET_KEY"] = str(app.config["SECRET_KEY"])  # GONGWEN_SECRET_KEY=123 → JSON int


def _sqlalchemy_url(url: str) -> str:
    """A plain PostgreSQL URL (postgres:// or postgresql://, as hosting platforms and libpq write
    them) is given psycopg 3, the driver Gongwen ships with; SQLAlchemy would pick psycopg2."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def _begin_transaction() -> None:
    """GET and HEAD change nothing, so their transaction begins as a reader (SQLite: DEFERRED).
    Any other method begins as a late writer: on SQLite the write lock is taken at its command
    (or first write), not while the user is loaded and the form checked (bench/HISTORY.md, B4)."""
    if request.endpoint == "static":
        return
    if request.method in ("GET", "HEAD"):
        read_only(db.session())
    else:
        write_late(db.session())


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
