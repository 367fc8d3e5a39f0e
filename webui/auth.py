"""Who is logged in: the Flask-Login user loader, the idle timeout, the login half-way through
its second factor, the forced password change, and where a user's home is.

Owns: the session identity (user id and session generation, so that bumping the generation in the
database ends every session at once, on every worker — sessions are signed cookies and keep no
state on the server), the last-seen time in the session (the idle timeout), the pending login
between the password and the second factor (who, which step, where to go after, until when),
starting a fresh session for a user, sending one whose password must be changed to the password
page from everywhere else, the client's address, and the login policy's defaults from the
configuration. The checks of a login (password, codes, the throttle) and their audit entries are
the engine's: `workflow.commands.accounts`. Must not: decide what a user may do
(workflow.permissions does) or render anything.

The engine's User stays free of Flask-Login: `Identity` wraps it, and views hand the engine
`current_user.account`, the User itself.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from webui import autosave
from webui.extensions import db, login_manager
from workflow import settings
from workflow.models import User
from workflow.states import ADMIN_ROLES, BUSINESS_ROLES

# The session key of the last request's time (whole seconds since the epoch). The cookie is signed,
# so it cannot be moved forward; a replayed old cookie carries its old time and is idle.
LAST_SEEN = "seen"
IDLE_MESSAGE = "您已超过{minutes:g}分钟未操作，为保护账号安全已自动退出，请重新登录"
KEPT_MESSAGE = "您填写的内容已自动保存，登录后将回到原页面继续填写"
# The session key of a login whose password was right and whose second factor is still to come.
PENDING = "pending_login"
PENDING_SECONDS = 5 * 60  # time to take out the phone, not to walk away from the screen
# What a person who must change their password may still reach.
_WHILE_CHANGING = frozenset({"auth.password", "auth.logout", "static"})


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
    # Registered after create_app's transaction discipline, so that the first query of a GET is
    # already a reader's and that of any other method a late writer's.
    app.before_request(end_idle_session)
    app.before_request(require_password_change)
    app.context_processor(idle_watch)


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
                           idle_minutes=_minutes(config["LOGIN_IDLE_MINUTES"]))


def _minutes(value) -> int | float:
    """Whole minutes, or a fraction of one where the configuration gives it (a trial, a test)."""
    number = float(value)
    return int(number) if number.is_integer() else number


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


def client_address() -> str | None:
    """The address the request came from (the proxy's X-Forwarded-For when PROXY_FIX_X_FOR
    says how many proxies to trust; see webui/__init__.py)."""
    return request.remote_addr


def await_second_factor(account: User, step: str, target: str | None) -> None:
    """The password was right; the person is not logged in until `step` ("code" or "enrol")
    is done. Nothing from before carries over, as in start_session."""
    session.clear()
    session[PENDING] = {"user": account.id, "generation": account.session_generation,
                        "step": step, "next": target, "until": int(time.time()) + PENDING_SECONDS}


def pending_login() -> tuple[User, str, str | None] | None:
    """(account, step, target) of the login half-way through, or None: none started, its five
    minutes are over, or its account has since been stopped or had its sessions ended."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    account = db.session.get(User, pending.get("user"))
    if (account is None or not account.active
            or account.session_generation != pending.get("generation")):
        return None
    return account, pending.get("step"), pending.get("next")


def forget_pending_login() -> None:
    session.pop(PENDING, None)


def require_password_change():
    """Someone whose password another person set sees nothing but the password page until they
    have changed it (every other page redirects there)."""
    if (request.endpoint in _WHILE_CHANGING or not current_user.is_authenticated
            or not current_user.account.must_change_password):
        return None
    return redirect(url_for("auth.password"), 303 if request.method == "POST" else 302)


def end_idle_session():
    """Log out a session idle for longer than the policy allows; otherwise note this request.

    A post that arrives too late is not simply lost: the fields of a form that keeps typed input
    (a draft, a report) are kept for the person first (webui.autosave), and the login leads back
    to that form, which shows them again. The page's script (autosave, keep-alive) is answered
    401 with where to log in, not a login page."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    seen = session.get(LAST_SEEN)
    minutes = login_policy().idle_minutes
    # A session without a last-seen time was not started by start_session: treat it as idle.
    if not isinstance(seen, int) or now - seen > minutes * 60:
        kept = None
        if request.method == "POST":
            kept = autosave.keep_posted(current_user.account)
        end_session()
        flash(IDLE_MESSAGE.format(minutes=minutes), "info")
        if kept is not None:
            flash(KEPT_MESSAGE, "info")
        target = kept.url if kept else (
            request.full_path.rstrip("?") if request.method == "GET" else None)
        login = url_for("auth.login", next=target)
        if autosave.is_background():
            return jsonify(expired=True, login=login), 401
        return redirect(login)
    session[LAST_SEEN] = now
    g.idle_seconds = round(minutes * 60)
    return None


def idle_watch() -> dict:
    """What the page's script needs to warn before the idle logout: the seconds a session may
    stay idle, how long before the end to warn, and the warning's words."""
    seconds = g.get("idle_seconds")
    if seconds is None or not current_user.is_authenticated:
        return {"idle_watch": None}
    warn = min(int(current_app.config["IDLE_WARNING_SECONDS"]), seconds)
    when = "一分钟" if warn == 60 else f"{warn // 60}分钟" if warn % 60 == 0 else f"{warn}秒"
    return {"idle_watch": {"seconds": seconds, "warn": warn,
                           "message": f"{when}后将因长时间未操作而退出登录"}}


def home_url(account: User) -> str:
    """Where a user lands after login: the admin desk for the three administrator duties,
    我的待办 for those who do business, the notice list for an account without roles yet."""
    if account.roles & ADMIN_ROLES:
        return url_for("admin.index")
    if account.roles & BUSINESS_ROLES:
        return url_for("inbox.index")
    return url_for("notices.index")
