"""The autosave of typed forms: the page's script posts the form here as the person types, and
the person may discard what was kept.

Owns: `/autosave/…` — one endpoint per form that keeps typed input (a new draft of a unit, a draft,
an amendment after signing, a unit's report), each asking the desk's query first (webui.autosave: another unit's report is a
404, a colleague's draft a 403) and answering JSON; and `/autosave/discard`, which forgets the
person's own kept input of a form and goes back to it. Every post carries the form's CSRF token.
Must not: touch the draft or the report themselves (saving them is their desk's), or read anybody
else's kept input (the engine finds a row by its owner, never by an id).
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request
from flask_login import current_user, login_required

from webui import auth, autosave, clock
from webui.desks import desk_required
from webui.extensions import db
from webui.views.auth import local_target
from workflow import commands
from workflow.states import Role

bp = Blueprint("autosave", __name__, url_prefix="/autosave")


def _keep():
    form = autosave.form_of_request()
    kept = commands.keep_typed(db.session, current_user.account, key=form.key,
                               fields=autosave.posted_fields(), now=clock.now())
    db.session.commit()
    return jsonify(key=kept.form_key)


@bp.post("/drafts/new")
@desk_required("drafting")
def draft_new():
    return _keep()


@bp.post("/drafts/<int:notice_id>")
@desk_required("drafting")
def draft(notice_id: int):
    return _keep()


@bp.post("/amend/<int:notice_id>")
@desk_required("drafting", Role.DRAFTER, Role.CLERK)
def amend(notice_id: int):
    return _keep()


@bp.post("/reports/<int:report_id>")
@desk_required("receiving")
def report(report_id: int):
    return _keep()


@bp.post("/discard")
@login_required
def discard():
    """放弃自动保存的内容: the form shows what was saved last, not what was kept."""
    commands.drop_typed(db.session, current_user.account, key=request.form.get("key", ""))
    db.session.commit()
    flash("已放弃自动保存的内容", "info")
    back = local_target(request.form.get("next"))
    return redirect(back or auth.home_url(current_user.account), 303)
