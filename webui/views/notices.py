"""The shared notice pages: the list of notices one may see, with progress, and one notice.

Owns: `/`, `/notices/`, `/notices/<id>`. What a user may see is the engine's answer
(`queries.notice_summaries`, `queries.get_notice`): another unit's notice is a 404.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from webui.extensions import db
from workflow import queries

bp = Blueprint("notices", __name__)


@bp.get("/")
def root():
    return redirect(url_for("notices.index"))


@bp.get("/notices/")
@login_required
def index():
    summaries = queries.notice_summaries(db.session, current_user.account)
    return render_template("notices/index.html", summaries=summaries)


@bp.get("/notices/<int:notice_id>")
@login_required
def show(notice_id: int):
    actor = current_user.account
    notice = queries.get_notice(db.session, notice_id, actor)
    return render_template(
        "notices/show.html", notice=notice,
        progress=queries.progress(db.session, [notice.id])[notice.id],
        receipts=queries.receipts(db.session, notice.id, actor),
        reports=queries.reports(db.session, notice.id, actor),
        trail=queries.audit_trail(db.session, notice.id, actor))
