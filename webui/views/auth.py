"""Logging in and out.

Owns: the login form (GET shows it and changes nothing; POST checks it) and logout (POST only,
with CSRF; it ends every session of the user). The checks themselves live in `webui.auth`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from webui import auth
from webui.extensions import db
from webui.forms import LoginForm
from workflow.db import utcnow

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("notices.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        attempt = auth.attempt_login(
            db.session, form.username.data, form.password.data, now=utcnow(),
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        db.session.commit()  # failures and locks are kept whatever the outcome
        if attempt.account is not None:
            session.clear()  # a new session: nothing from before the login carries over
            login_user(auth.Identity(attempt.account))
            return redirect(_local_target(request.args.get("next")), 303)
        error = attempt.message
    return render_template("auth/login.html", form=form, error=error)


@bp.post("/logout")
@login_required
def logout():
    auth.end_sessions(db.session, current_user.account)
    db.session.commit()
    logout_user()
    session.clear()
    flash("您已退出登录", "info")
    return redirect(url_for("auth.login"), 303)


def _local_target(target: str | None) -> str:
    """Where to go after login: a path on this site, never another site (open redirect)."""
    if target:
        parts = urlsplit(target)
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and not target.startswith("//") and "\\" not in target):
            return target
    return url_for("notices.index")
