"""The 审计管理员's trail: filtered, paged, and its chain checked.

The chain check is a POST (it walks the whole trail, so no link, prefetch or crawler may start
it) that changes nothing and reads in a read-only transaction.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from webui.desks import desk_required
from webui.extensions import db
from webui.forms.admin import AuditFilterForm
from webui.instance_keys import anchor_file
from webui.views.admin import audit_label, bp
from workflow import anchors
from workflow.db import read_snapshot
from workflow.queries import admin as admin_queries
from workflow.states import Role


@bp.get("/audit")
@desk_required("admin", Role.AUDITOR)
def audit():
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", "全部操作")] + [
        SelectChoice(a, audit_label(a)) for a in admin_queries.audit_actions(db.session)]
    form.validate()

    def valid(field):
        return None if field.errors else field.data

    wanted = admin_queries.AuditFilter(
        date_from=valid(form.date_from), date_to=valid(form.date_to),
        actor=valid(form.actor) or "", action=form.action.data or "",
        notice=valid(form.notice) or "")
    page = admin_queries.audit_page(db.session, wanted, page=valid(form.page) or 1)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit.html", form=form, page=page, filtered=bool(args),
                           args=args)


@bp.post("/audit/verify")
@desk_required("admin", Role.AUDITOR)
def verify():
    # The request's transaction began as a writer (a POST); the walk is long and changes nothing,
    # so end it and read in a reader's transaction: writers are not held up meanwhile.
    db.session.rollback()
    report = anchors.check(read_snapshot(db.session()), anchor_file(current_app))
    flash(str(report), "info" if report.ok else "error")
    return redirect(url_for("admin.audit"), 303)
