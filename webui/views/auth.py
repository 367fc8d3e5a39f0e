"""Logging in (the password, then the second factor or setting it up), logging out, and
changing one's own password.

Owns: the login form (GET shows it and changes nothing; POST checks it), the second-factor page,
the enrolment page (its QR code drawn here as inline SVG, with no request to anywhere) and the
page of recovery codes shown once in the response to the enrolment that made them, logout (POST
only, with CSRF; it ends every session of the user) and the password page. The checks and their
audit entries live in the engine (`workflow.commands.accounts`); the session in `webui.auth`.
These steps take the real time (`utcnow()`), not the app's clock: a phone's code and the
throttle's delays follow the real clock, whatever day the app's business runs on.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, urlsplit

import segno
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from webui import auth
from webui.extensions import db
from webui.forms import CodeForm, LoginForm, PasswordChangeForm
from workflow import commands
from workflow import second_factor as totp
from workflow.commands.accounts import CODE, ENROL
from workflow.db import utcnow
from workflow.errors import WorkflowError
from workflow.passwords import MIN_LENGTH

bp = Blueprint("auth", __name__)

AGAIN = "登录验证已超时或已失效，请重新登录"
# Every printable ASCII character but the space: what a target may keep as it is.
_KEEP = "".join(chr(c) for c in range(0x21, 0x7F))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(auth.home_url(current_user.account))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            result = commands.log_in(db.session, username=form.username.data,
                                     password=form.password.data,
                                     address=auth.client_address(),
                                     defaults=auth.policy_defaults(), now=utcnow())
        except WorkflowError as refusal:
            # The views of the login's steps keep a refusal's writes: the failure counts and their
            # audit entries are the point (webui.errors would roll them back), and the message
            # belongs on the form itself.
            db.session.commit()
            error = refusal.message
        else:
            db.session.commit()
            target = local_target(request.args.get("next"))
            if result.then is not None:
                auth.await_second_factor(result.user, result.then, target)
                step = "auth.second_factor" if result.then == CODE else "auth.enrol"
                return redirect(url_for(step), 303)
            return _logged_in(result.user, target)
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor():
    if current_user.is_authenticated:
        return redirect(auth.home_url(current_user.account))
    pending = auth.pending_login()
    if pending is None or pending[1] != CODE:
        return _start_again()
    account, _, target = pending
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        try:
            result = commands.pass_second_factor(
                db.session, user_id=account.id, code=form.code.data,
                address=auth.client_address(), defaults=auth.policy_defaults(), now=utcnow())
        except WorkflowError as refusal:
            db.session.commit()
            error = refusal.message
        else:
            db.session.commit()
            if result.recovery_codes_left is not None:
                flash(f"您使用恢复码登录，还剩 {result.recovery_codes_left} 个恢复码。"
                      "如手机已遗失，请联系运维人员重置两步验证。", "info")
            return _logged_in(result.user, target)
    return render_template("auth/code.html", form=form, error=error, account=account)


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol():
    if current_user.is_authenticated:
        return redirect(auth.home_url(current_user.account))
    pending = auth.pending_login()
    if pending is None or pending[1] != ENROL or pending[0].totp_secret is None:
        return _start_again()
    account, _, target = pending
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        try:
            user, codes = commands.confirm_enrolment(
                db.session, user_id=account.id, code=form.code.data,
                address=auth.client_address(), defaults=auth.policy_defaults(), now=utcnow())
        except WorkflowError as refusal:
            db.session.commit()
            error = refusal.message
        else:
            db.session.commit()
            auth.start_session(user)
            # Shown in this response only: the codes are kept hashed, and a redirect would have
            # to carry them in the session cookie.
            return _private(render_template("auth/recovery_codes.html", codes=codes,
                                            next_url=_after_login(user, target)))
    uri = totp.provisioning_uri(account.totp_secret, account.username)
    return _private(render_template(
        "auth/enrol.html", form=form, error=error, account=account,
        secret=totp.grouped(account.totp_secret), qr=qr_svg(uri)))


@bp.post("/logout")
@login_required
def logout():
    commands.log_out(db.session, current_user.account, now=utcnow())
    db.session.commit()
    auth.end_session()
    flash("您已退出登录", "info")
    return redirect(url_for("auth.login"), 303)


@bp.post("/session/keep-alive")
@login_required
def keep_alive():
    """继续使用: this request is itself the activity that webui.auth.end_idle_session notes."""
    return "", 204


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        account = commands.change_password(db.session, current_user.account,
                                           old_password=form.old_password.data,
                                           new_password=form.new_password.data, now=utcnow())
        db.session.commit()
        # Every session of the account has ended; this browser goes on, on the new generation.
        auth.start_session(account)
        flash("密码已修改。其他设备上的登录已全部退出。", "info")
        return redirect(auth.home_url(account), 303)
    return render_template("auth/password.html", form=form, min_length=MIN_LENGTH,
                           forced=current_user.account.must_change_password)


def qr_svg(text: str) -> Markup:
    """`text` as a QR code, an inline SVG that scales with its box (no image request)."""
    svg = segno.make(text, error="m").svg_inline(scale=1, omitsize=True, svgclass="qr", light="#fff",
                                                 lineclass=None, title="扫码添加到验证器")
    return Markup(svg)


def local_target(target: str | None) -> str | None:
    """Where to go after login, if `next` names a page of this site: a path, never another site
    (an open redirect) and never a character that could split a header (CR, LF, any control or
    space). Anything else is ignored (None: the home page)."""
    if not target or len(target) > 2000:
        return None
    if any(unicodedata.category(ch)[0] in "CZ" for ch in target):  # controls, spaces, separators
        return None
    target = quote(target, safe=_KEEP)  # non-ASCII letters as %XX, the rest as it was
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target):
        return None
    return target


def _logged_in(account, target: str | None):
    auth.start_session(account)
    return redirect(_after_login(account, target), 303)


def _after_login(account, target: str | None) -> str:
    """The password page first for one who must change theirs; else the target, else home."""
    if account.must_change_password:
        return url_for("auth.password")
    return target or auth.home_url(account)


def _start_again():
    auth.forget_pending_login()
    flash(AGAIN, "info")
    return redirect(url_for("auth.login"), 303)


def _private(body):
    """A page with a secret on it (the enrolment key, recovery codes): kept in no cache."""
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response
