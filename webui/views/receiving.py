"""The 收文 desk: a receiver signs for notices, returns misdirected ones and submits reports.

Owns: `/receiving/…` — the desk of every unit in which the user holds the 收文员 role, the
acknowledge and reject actions, the report page (read and submit, with attachments) and the
download of a report's files for its own unit. What a user may see comes from
`workflow.queries.receiving` (another unit's report or file is a 404); what they may do is decided
by the engine's commands. Every view first asks the query that filters by the user's units, so
another unit's receipt, report or file is a 404 whatever the method (the engine answers a repeated
签收 without asking who). A report's files are judged and stored before `submit_report` runs and
are kept only if the submission commits. The report's text is kept as it is typed
(webui.autosave): the page shows the kept text when there is some; submitting forgets it.
Must not: run SQL or decide anything.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webui import autosave, clock
from webui.desks import desk_required
from webui.downloads import send_attachment
from webui.errors import refused_form
from webui.exports import send_table, summary_table
from webui.extensions import attachment_store, db
from webui.forms.receiving import AcknowledgeForm, RejectForm, ReportForm
from workflow import commands
from workflow.queries import receiving as receiving_queries

bp = Blueprint("receiving", __name__, url_prefix="/receiving")


@bp.get("/")
@desk_required("receiving")
def index():
    units = receiving_queries.desk(db.session, current_user.account, now=clock.now())
    return render_template("receiving/index.html", units=units)


@bp.post("/receipts/<int:receipt_id>/acknowledge")
@desk_required("receiving")
def acknowledge(receipt_id: int):
    title = receiving_queries.receipt_title_for_unit(db.session, current_user.account,
                                                     receipt_id)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("receiving.index"))
    commands.acknowledge(db.session, current_user.account, receipt_id=receipt_id,
                         expected_version=form.expected_version.data, now=clock.now())
    db.session.commit()
    flash(f"已签收：{title}", "success")
    return redirect(url_for("receiving.index"), 303)


@bp.post("/receipts/<int:receipt_id>/reject")
@desk_required("receiving")
def reject(receipt_id: int):
    title = receiving_queries.receipt_title_for_unit(db.session, current_user.account,
                                                     receipt_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("receiving.index"))
    commands.reject(db.session, current_user.account, receipt_id=receipt_id,
                    reason=form.reason.data,
                    expected_version=form.expected_version.data, now=clock.now())
    db.session.commit()
    flash(f"已退回发文单位：{title}", "success")
    return redirect(url_for("receiving.index"), 303)


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
@desk_required("receiving")
def report(report_id: int):
    actor = current_user.account
    # Asked first on every method: another unit's report is a 404, and no file of a stranger's
    # upload is stored for it.
    page = receiving_queries.report_for_unit(db.session, actor, report_id, now=clock.now())
    key = f"report:{report_id}"
    typed = autosave.typed(key) if request.method == "GET" else None
    form = ReportForm(formdata=autosave.formdata(typed)) if typed else ReportForm()
    if form.validate_on_submit():
        store = attachment_store()
        files = [store.save(upload.stream, upload.filename, session=db.session)
                 for upload in form.uploads()]
        submitted = commands.submit_report(
            db.session, actor, report_id=report_id, text=form.text.data or "",
            attachments=files, included_report_ids=form.included_report_ids.data or [],
            expected_version=form.expected_version.data, now=clock.now())
        message = f"已上报：{submitted.request.what}（{submitted.unit.name}）"
        autosave.drop(key)
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("receiving.index"), 303)
    if request.method == "GET":
        form.expected_version.data = page.report.version
        if typed is None:
            form.text.data = page.report.text or ""  # a returned report is revised, not retyped
    return render_template("receiving/report.html", page=page, form=form, typed=typed,
                           typed_key=key), 400 if form.errors else 200


@bp.post("/reports/<int:report_id>/attachments/<int:attachment_id>/remove")
@desk_required("receiving")
def remove_report_attachment(report_id: int, attachment_id: int):
    """Take a file off the unit's report while it may still be submitted (a returned one's)."""
    back = url_for("receiving.report", report_id=report_id)
    form = AcknowledgeForm()  # the same fields: the CSRF token and the version the page showed
    if not form.validate_on_submit():
        return refused_form(form, back)
    commands.remove_report_attachment(db.session, current_user.account, report_id=report_id,
                                      attachment_id=attachment_id,
                                      expected_version=form.expected_version.data,
                                      now=clock.now())
    db.session.commit()
    flash("已删除报告附件", "success")
    return redirect(back, 303)


@bp.get("/reports/<int:report_id>/summary.xlsx")
@desk_required("receiving")
def report_summary(report_id: int):
    """汇总表: the sub-units' reports the unit's report carries up, one row each."""
    page = receiving_queries.report_for_unit(db.session, current_user.account, report_id,
                                             now=clock.now())
    return send_table(summary_table(page.report), "xlsx")


@bp.get("/attachments/<int:attachment_id>")
@desk_required("receiving")
def attachment(attachment_id: int):
    found = receiving_queries.attachment_for_unit(db.session, current_user.account, attachment_id)
    return send_attachment(found)
