"""通知: the list behind the bell, opening one (it is then read), and marking all read.

Owns: `/notifications/…`. The list is the engine's `queries.notifications` (only one's own); opening
is a POST that marks the notification read and sends the person, 303, to the page where they act
on it (nothing changes on GET); another person's notification is a 404 from the engine. Open to
those who do business — the 我的待办 desk's roles; the administrator duties get no notifications.
Must not: run SQL or decide anything.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webui import clock
from webui.desks import desk_required
from webui.extensions import db
from webui.forms.fields import id_argument
from webui.pages import url_of
from workflow.commands import notifications as notification_commands
from workflow.queries import notifications as notification_queries

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@desk_required("inbox")
def index():
    listing = notification_queries.notifications(
        db.session, current_user.account, page=request.args.get("page", 1, type=id_argument))
    return render_template("notifications/index.html", listing=listing)


@bp.post("/<int:notification_id>/open", endpoint="open")
@desk_required("inbox")
def open_notification(notification_id: int):
    notification = notification_commands.mark_read(db.session, current_user.account,
                                                   notification_id=notification_id, now=clock.now())
    target = url_of(notification.target) or url_for("notifications.index")
    db.session.commit()
    return redirect(target, 303)


@bp.post("/read-all")
@desk_required("inbox")
def read_all():
    notification_commands.mark_all_read(db.session, current_user.account, now=clock.now())
    db.session.commit()
    flash("全部通知已标为已读", "success")
    return redirect(url_for("notifications.index"), 303)
