"""我的待办 — the home page of everyone who does business: what waits for me, across my roles.

Owns: `/inbox/`. The tasks and their order come from `workflow.queries.inbox`; this view only
links each task to the page of its place (`webui.pages`).
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from webui import clock
from webui.desks import desk_required
from webui.extensions import db
from webui.pages import url_of
from workflow.queries import inbox as inbox_queries

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.get("/")
@desk_required("inbox")
def index():
    box = inbox_queries.inbox(db.session, current_user.account, now=clock.now())
    return render_template("inbox/index.html", inbox=box, kinds=inbox_queries.KINDS,
                           task_url=lambda task: url_of(task.target))
