"""Logging in and out, and changing one's own password.

Owns: the login form (GET shows it and changes nothing; POST checks it), logout (POST only, with
CSRF; it ends every session of the user) and the password page. The checks and their audit
entries live in the engine (`workflow.commands.accounts`); the session in `webui.auth`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webui import auth
from webui.extensions import db
from webui.forms import LoginForm, PasswordChangeForm
from workflow import commands
from workflow.errors import WorkflowError
from workflow.passwords import MIN_LENGTH

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(auth.home_url(current_user.account))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            account = commands.log_in(db.session, username=form.username.data,
                                      password=form.password.data,
                                      defaults=auth.policy_defaults())
        except WorkflowError as refusal:
            # The one view that keeps a refusal's writes: the failure count, the lock and their
            # audit entries are the point (webui.errors would roll them back), and the message
            # belongs on the login form itself.
            db.session.commit()
            error = refusal.message
        else:
            db.session.commit()
            auth.start_session(account)
            return redirect(_local_target(request.args.get("next"), account), 303)
    return render_template("auth/login.html", form=form, error=error)


@bp.post("/logout")
@login_required
def logout():
    commands.log_out(db.session, current_user.account)
    db.session.commit()
    auth.end_session()
    flash("您已退出登录", "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        account = commands.change_password(db.session, current_user.account,
                                           old_password=form.old_password.data,
                                           new_password=form.new_password.data)
        db.session.commit()
        # Every session of the account has ended; this browser goes on, on the new generation.
        auth.start_session(account)
        flash("密码已修改。其他设备上的登录已全部退出。", "info")
        return redirect(auth.home_url(account), 303)
    return render_template("auth/password.html", form=form, min_length=MIN_LENGTH)


def _local_target(target: str | None, account) -> str:
    """Where to go after login: a path on this site, never another site (open redirect)."""
    if target:
        parts = urlsplit(target)
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and not target.startswith("//") and "\\" not in target):
            return target
    return auth.home_url(account)
