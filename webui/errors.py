"""The one place where refusals and failures become pages (DESIGN.md convention 6).

Owns: mapping the engine's WorkflowError kinds to HTTP statuses, rolling back the request's
transaction, and the Chinese error pages (never a stack trace). A refused form submission is
flashed and sent back to the page it came from, so the user sees the message where they acted.
Must not: decide anything about the workflow.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, flash, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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
    back = _same_site_referrer()
    if request.method == "POST" and status in (400, 409) and back:
        flash(error.message, "error")
        return redirect(back, 303)
    return error_page(status, message=error.message)


def csrf_error(_error: CSRFError):
    _roll_back()
    return error_page(400, message=CSRF_MESSAGE)


def http_error(error: HTTPException):
    code = error.code if error.code in PAGES else 500
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


def _same_site_referrer() -> str | None:
    """The page the request came from, if it is on this site (never an open redirect)."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
