"""The Flask extensions, created unbound here and bound to an app in `create_app`.

Owns: `db` (Flask-SQLAlchemy on the engine's own declarative Base, so the web layer and the engine
share one set of tables), `migrate` (Flask-Migrate: `flask db upgrade` from migrations/),
`login_manager` and `csrf`. Must not: create an app or touch a database.
"""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from workflow.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def attachment_store():
    """The app's attachment store (files under the configured ATTACHMENT_DIR)."""
    from flask import current_app

    return current_app.extensions["gongwen_attachments"]
