"""The one place where refusals and failures become pages (DESIGN.md convention 6).

Owns: mapping the engine's WorkflowError kinds to HTTP statuses, rolling back the request's
transaction, and the Chinese error pages (never a stack trace). A refused form submission (by the
engine, or a form posted from another page that did not validate: `refused_form`) is
flashed and sent back to the page it came from, so the user sees the message where they acted;
a refused post of a form that keeps typed input (a draft, a report, a 收文's registration) keeps
its fields first, and a body too large to be read (413) goes back to its form, which shows what
the page's script kept as the person typed — a refusal never drops what was typed. The page's
script (autosave, keep-alive) gets JSON, never a page or a flash.
Must not: decide anything about the workflow.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webui import autosave
from webui.extensions import db
from workflow.db import read_only
from workflow.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound, WorkflowError

STATUS_OF = [(NotFound, 404), (Forbidden, 403), (Conflict, 409), (InvalidState, 409),
             (InvalidInput, 400)]

PAGES = {
    400: ("请求有误", "请求无法处理，请检查填写的内容后重试。"),
    403: ("无权办理", "您没有权限查看此页面或办理此项。"),
    404: ("找不到页面", "您要找的页面不存在，或您无权查看。"),
    405: ("请求方式不允许", "此页面不支持这种请求方式。"),
    409: ("情况已有变化", "该事项的状态已经变化，请刷新后再看。"),
    413: ("文件过大", "上传的内容超过了允许的大小。"),
    500: ("系统出错", "系统出现意外错误，已记录在日志中。请稍后重试，或联系系统管理员。"),
}

CSRF_MESSAGE = "页面已过期或表单来源无法验证，请刷新页面后重新提交。"
LOGGED_OUT = "登录已失效，请重新登录后继续填写"
TOO_LARGE = ("上传的文件过大（每个附件不超过 20 MB，一次合计不超过 {limit} MB），未能提交。"
             "已填写的内容已保留，请重新选择文件后再提交。")


def init_app(app: Flask) -> None:
    app.register_error_handler(WorkflowError, workflow_error)
    app.register_error_handler(CSRFError, csrf_error)
    for code in PAGES:
        if code != 409:
            app.register_error_handler(code, http_error)


def workflow_error(error: WorkflowError):
    """The engine refused: undo the request's changes and show its message."""
    _roll_back()
    status = next((code for kind, code in STATUS_OF if isinstance(error, kind)), 400)
    if autosave.is_background():
        return answer(status, message=error.message)
    back = _same_site_referrer()
    if request.method == "POST" and status in (400, 409) and back:
        if current_user.is_authenticated:
            # The form it came from shows the refused fields again (webui.autosave).
            autosave.keep_posted(current_user.account)
        flash(error.message, "error")
        return redirect(back, 303)
    return error_page(status, message=error.message)


def refused_form(form, back: str):
    """A form that did not validate, posted from a page that is not its own (a button of a list,
    the opinion box of a sheet): every message of it is flashed and the person goes back to
    `back`. A form with a page of its own is shown again instead, each message beside its field
    (`_forms.html`)."""
    for message in form_messages(form.errors):
        flash(message, "error")
    return redirect(back, 303)


def form_messages(errors) -> list[str]:
    """Every message of a form's `errors`, in the form's order, rows of rows included."""
    if isinstance(errors, str):
        return [errors] if errors else []
    values = errors.values() if isinstance(errors, dict) else errors
    return [message for value in values for message in form_messages(value)]


def csrf_error(_error: CSRFError):
    _roll_back()
    if autosave.is_background():
        return answer(400, message=CSRF_MESSAGE)
    if not current_user.is_authenticated and request.endpoint in autosave.FORMS:
        # The session ended (its token with it) while the form was open: log in and come back
        # to the form, which shows what its script kept.
        flash(LOGGED_OUT, "info")
        return redirect(url_for("auth.login", next=_this_page()), 303)
    return error_page(400, message=CSRF_MESSAGE)


def http_error(error: HTTPException):
    code = error.code if error.code in PAGES else 500
    if code == 413 and request.endpoint in autosave.FORMS:
        _roll_back()
        limit = current_app.config["MAX_CONTENT_LENGTH"] // 2**20
        if autosave.is_background():
            return answer(413, message=TOO_LARGE.format(limit=limit))
        flash(TOO_LARGE.format(limit=limit), "error")
        return redirect(_this_page(), 303)
    if code >= 500:
        db.session.rollback()  # and no more: the database may be what failed
    else:
        _roll_back()
    return error_page(code)


def error_page(code: int, *, message: str | None = None):
    title, default_message = PAGES[code]
    # A 500 may come from the database itself: the page then must not query it (the user bar).
    return render_template("errors/error.html", code=code, title=title,
                           message=message or default_message, plain=code >= 500), code


def _roll_back() -> None:
    """Undo the request's changes; a GET's next transaction (the error page) still only reads."""
    db.session.rollback()
    if request.method in ("GET", "HEAD"):
        read_only(db.session())


def answer(status: int, **body):
    """A JSON answer to the page's script, its Chinese as it is (readable in any log)."""
    return current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                      mimetype="application/json")


def _this_page() -> str:
    """The page a form posts to is the page it is on (GET and POST share the path)."""
    return request.full_path.rstrip("?")


def _same_site_referrer() -> str | None:
    """The page the request came from, if it is on this site (never an open redirect)."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
