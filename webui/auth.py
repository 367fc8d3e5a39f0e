"""Who is logged in: the Flask-Login user loader, the idle timeout, and where a user's home is.

Owns: the session identity (user id and session generation, so that bumping the generation in the
database ends every session at once, on every worker — sessions are signed cookies and keep no
state on the server), the last-seen time in the session (the idle timeout), starting a fresh
session for a user, and the login policy's defaults from the configuration. The checks of a login
(password, failures, lock) and their audit entries are the engine's: `workflow.commands.accounts`.
Must not: decide what a user may do (workflow.permissions does) or render anything.

The engine's User stays free of Flask-Login: `Identity` wraps it, and views hand the engine
`current_user.account`, the User itself.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from webui.extensions import db, login_manager
from workflow import settings
from workflow.models import User
from workflow.states import ADMIN_ROLES, BUSINESS_ROLES

# The session key of the last request's time (whole seconds since the epoch). The cookie is signed,
# so it cannot be moved forward; a replayed old cookie carries its old time and is idle.
LAST_SEEN = "seen"
IDLE_MESSAGE = "您已超过{minutes}分钟未操作，为保护账号安全已自动退出，请重新登录"


class Identity:
    """The logged-in person as Flask-Login sees them; `account` is the engine's User."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, account: User):
        self.account = account

    @property
    def is_active(self) -> bool:
        return bool(self.account.active)

    def get_id(self) -> str:
        # What the session cookie stores: a login from before the last logout no longer matches.
        return f"{self.account.id}:{self.account.session_generation}"


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    # Registered after create_app's read discipline, so a GET's first query is already a reader.
    app.before_request(end_idle_session)


# Run on every request, so built once: one statement, the unit and the role grants joined (the
# grants would otherwise be a second SELECT, User.grants being loaded "selectin").
_LOAD_ACCOUNT = (select(User).where(User.id == bindparam("user_id"))
                 .options(joinedload(User.unit), joinedload(User.grants)))


@login_manager.user_loader
def load_identity(session_id: str) -> Identity | None:
    """The session's user, unless inactive or the session belongs to an older generation."""
    user_id, _, generation = session_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    account = db.session.scalars(_LOAD_ACCOUNT, {"user_id": int(user_id)}).unique().one_or_none()
    if account is None or not account.active or account.session_generation != int(generation):
        return None
    return Identity(account)


def policy_defaults() -> settings.Policy:
    """The login policy from the configuration: in force until the security officer stores one."""
    config = current_app.config
    return settings.Policy(max_failures=int(config["LOGIN_MAX_FAILURES"]),
                           lock_minutes=int(config["LOGIN_LOCK_MINUTES"]),
                           idle_minutes=int(config["LOGIN_IDLE_MINUTES"]))


def login_policy() -> settings.Policy:
    """The login policy in force (the database's, else the configuration's)."""
    return settings.login_policy(db.session, policy_defaults())


def start_session(account: User) -> None:
    """A new session for `account`: nothing from before carries over (no session fixation)."""
    session.clear()
    login_user(Identity(account))
    session[LAST_SEEN] = int(time.time())


def end_session() -> None:
    logout_user()
    session.clear()


def end_idle_session():
    """Log out a session idle for longer than the policy allows; otherwise note this request."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    seen = session.get(LAST_SEEN)
    minutes = login_policy().idle_minutes
    # A session without a last-seen time was not started by start_session: treat it as idle.
    if not isinstance(seen, int) or now - seen > minutes * 60:
        end_session()
        flash(IDLE_MESSAGE.format(minutes=minutes), "info")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target))
    session[LAST_SEEN] = now
    return None


def home_url(account: User) -> str:
    """Where a user lands after login: the admin desk for the three administrator duties,
    我的待办 for those who do business, the notice list for an account without roles yet."""
    if account.roles & ADMIN_ROLES:
        return url_for("admin.index")
    if account.roles & BUSINESS_ROLES:
        return url_for("inbox.index")
    return url_for("notices.index")
