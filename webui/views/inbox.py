"""我的待办 — the home page of everyone who does business: what waits for me, across my roles.

Owns: `/inbox/`. The tasks and their order come from `workflow.queries.inbox`; this view only
links each task to the desk page where it is done.
"""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from webui import clock
from webui.desks import desk_required
from webui.extensions import db
from workflow.queries import inbox as inbox_queries

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

# Where each kind of task is done: (endpoint, the argument that names the object).
TASK_PAGES = {
    "draft": ("drafting.edit", "notice_id"),
    "returned": ("drafting.edit", "notice_id"),
    "review": ("signoff.sheet", "notice_id"),
    "sign": ("signoff.sheet", "notice_id"),
    "issue": ("dispatch.confirm", "notice_id"),
    "archive": ("dispatch.index", None),
    "misdirected": ("dispatch.returned", "receipt_id"),
    "acknowledge": ("receiving.index", None),
    "report": ("receiving.report", "report_id"),
    "check": ("tracking.report", "report_id"),
    "overdue": ("tracking.matrix", "notice_id"),
    "propose": ("incoming.show", "incoming_id"),
    "instruct": ("incoming.show", "incoming_id"),
    "handle": ("incoming.show", "incoming_id"),
    "read": ("incoming.show", "incoming_id"),
}


def task_url(task: inbox_queries.Task) -> str:
    """The page where `task` is done. A renamed endpoint fails loudly (a test builds every one)
    rather than quietly sending people somewhere else."""
    endpoint, argument = TASK_PAGES[task.kind]
    values = {} if argument is None else {
        argument: task.notice_id if argument == "notice_id" else task.object_id}
    return url_for(endpoint, **values)


@bp.get("/")
@desk_required("inbox")
def index():
    box = inbox_queries.inbox(db.session, current_user.account, now=clock.now())
    return render_template("inbox/index.html", inbox=box, kinds=inbox_queries.KINDS,
                           task_url=task_url)
