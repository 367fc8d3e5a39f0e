"""The 督办 desk: a supervisor follows the notices of their unit, reminds, reviews and closes.

Owns: `/tracking/…` — the issued notices with progress, the overdue list across notices, one
notice's matrix of units × (签收, each report request), reminders (催办) and the notice's own
reminder interval, the report page with
accept and return, closing, and the download of report files. What a supervisor may see comes from
`workflow.queries.tracking`, asked first by every view whatever the method (another unit's notice,
report or file is a 404); what they may do is decided by the engine's commands. Must not: run SQL
or decide anything.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webui import clock
from webui.desks import desk_required
from webui.downloads import send_attachment
from webui.errors import refused_form
from webui.exports import send_table, summary_table
from webui.extensions import db
from webui.forms.calendar import RemindIntervalForm
from webui.forms.tracking import AcceptForm, CloseForm, RemindForm, ReturnReportForm
from workflow import commands
from workflow.commands import tracking as tracking_commands
from workflow.commands.tracking import CHANNELS
from workflow.queries import forwarding
from workflow.queries import tracking as tracking_queries

bp = Blueprint("tracking", __name__, url_prefix="/tracking")


@bp.get("/")
@desk_required("tracking")
def index():
    notices = tracking_queries.tracked_notices(db.session, current_user.account, now=clock.now())
    return render_template("tracking/index.html", notices=notices)


@bp.get("/overdue")
@desk_required("tracking")
def overdue():
    found = tracking_queries.overdue(db.session, current_user.account, now=clock.now())
    return render_template("tracking/overdue.html", overdue=found)


@bp.get("/<int:notice_id>")
@desk_required("tracking")
def matrix(notice_id: int):
    found = tracking_queries.matrix(db.session, current_user.account, notice_id,
                                    show=request.args.get("show", "all"), now=clock.now())
    # How far each unit passed it down (转发), beside its own line: counted by the database.
    rolled = forwarding.rollup_for(db.session, current_user.account, notice_id, now=clock.now())
    return render_template("tracking/matrix.html", m=found, filters=tracking_queries.FILTERS,
                           remind_form=RemindForm(), close_form=CloseForm(), rolled=rolled)


@bp.get("/reports/<int:report_id>/summary.xlsx")
@desk_required("tracking")
def report_summary(report_id: int):
    """汇总表 of a unit's report: the reports of its sub-units it carries up."""
    report = tracking_queries.report_for_supervisor(db.session, current_user.account, report_id)
    return send_table(summary_table(report), "xlsx")


@bp.get("/<int:notice_id>/tree")
@desk_required("tracking")
def tree(notice_id: int):
    """转发情况: the notice's whole tree, level by level, each unit's subtree folded."""
    tracking_queries.notice_for_supervisor(db.session, current_user.account, notice_id)
    found = forwarding.tree_for(db.session, current_user.account, notice_id, now=clock.now())
    return render_template("tracking/tree.html", tree=found)


@bp.post("/<int:notice_id>/remind")
@desk_required("tracking")
def remind(notice_id: int):
    tracking_queries.notice_for_supervisor(db.session, current_user.account, notice_id)
    form = RemindForm()
    back = url_for("tracking.matrix", notice_id=notice_id)
    if not form.validate_on_submit():
        return refused_form(form, back)
    if not form.confirmed():
        already = tracking_commands.reminded_today(db.session, notice_id, form.unit_ids(),
                                                   now=clock.now())
        if already:  # ask first: nothing is sent until it is confirmed
            notice = tracking_queries.notice_for_supervisor(db.session, current_user.account,
                                                            notice_id)
            return render_template("tracking/remind_confirm.html", notice=notice, form=form,
                                   already=already, question=tracking_commands.AGAIN_TODAY)
    reminders = commands.remind(db.session, current_user.account, notice_id=notice_id,
                                unit_ids=form.unit_ids(), channel=form.channel.data,
                                message=form.message.data, again=form.confirmed(),
                                now=clock.now())
    message = f"已催办 {len(reminders)} 个单位（{CHANNELS[form.channel.data]}）"
    db.session.commit()
    flash(message, "success")
    return redirect(back, 303)


@bp.post("/<int:notice_id>/remind-interval")
@desk_required("tracking")
def set_remind_interval(notice_id: int):
    tracking_queries.notice_for_supervisor(db.session, current_user.account, notice_id)
    form = RemindIntervalForm()
    back = url_for("tracking.matrix", notice_id=notice_id)
    if not form.validate_on_submit():
        return refused_form(form, back)
    tracking_commands.set_remind_interval(db.session, current_user.account, notice_id=notice_id,
                                          every_days=form.every_days.data,
                                          expected_version=form.expected_version.data,
                                          now=clock.now())
    db.session.commit()
    flash(form.saved_message, "success")
    return redirect(back, 303)


@bp.post("/<int:notice_id>/close")
@desk_required("tracking")
def close(notice_id: int):
    tracking_queries.notice_for_supervisor(db.session, current_user.account, notice_id)
    form = CloseForm()
    back = url_for("tracking.matrix", notice_id=notice_id)
    if not form.validate_on_submit():
        return refused_form(form, back)
    notice = commands.close(db.session, current_user.account, notice_id=notice_id,
                            reason=form.reason.data, expected_version=form.expected_version.data,
                            now=clock.now())
    message = f"已办结：{notice.title}"
    db.session.commit()
    flash(message, "success")
    return redirect(back, 303)


@bp.get("/reports/<int:report_id>")
@desk_required("tracking")
def report(report_id: int):
    page = tracking_queries.report_for_review(db.session, current_user.account, report_id,
                                              now=clock.now())
    return render_template("tracking/report.html", page=page,
                           accept_form=AcceptForm(expected_version=page.report.version),
                           return_form=ReturnReportForm(expected_version=page.report.version))


@bp.post("/reports/<int:report_id>/accept")
@desk_required("tracking")
def accept(report_id: int):
    tracking_queries.report_for_supervisor(db.session, current_user.account, report_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("tracking.report", report_id=report_id))
    accepted = commands.accept_report(db.session, current_user.account, report_id=report_id,
                                      opinion=form.opinion.data,
                                      expected_version=form.expected_version.data, now=clock.now())
    message = f"已采纳：{accepted.unit.name}的“{accepted.request.what}”"
    back = url_for("tracking.matrix", notice_id=accepted.notice_id)
    db.session.commit()
    flash(message, "success")
    return redirect(back, 303)


@bp.post("/reports/<int:report_id>/return")
@desk_required("tracking")
def return_report(report_id: int):
    tracking_queries.report_for_supervisor(db.session, current_user.account, report_id)
    form = ReturnReportForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("tracking.report", report_id=report_id))
    returned = commands.return_report(db.session, current_user.account, report_id=report_id,
                                      reason=form.reason.data,
                                      expected_version=form.expected_version.data, now=clock.now())
    message = f"已退回修改：{returned.unit.name}的“{returned.request.what}”"
    back = url_for("tracking.matrix", notice_id=returned.notice_id)
    db.session.commit()
    flash(message, "success")
    return redirect(back, 303)


@bp.get("/attachments/<int:attachment_id>")
@desk_required("tracking")
def attachment(attachment_id: int):
    found = tracking_queries.attachment_for_review(db.session, current_user.account,
                                                   attachment_id)
    return send_attachment(found)
