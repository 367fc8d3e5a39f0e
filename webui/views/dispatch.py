"""The 登记印发 desk: signed notices to issue, ended ones to archive, the number register.

Owns: `/dispatch/`. Issuing is shown before it is done (`issue_preview`: the series, the number
the notice would get — nothing reserved — and the expanded recipients); the POST issues through
`commands.issue`, which allocates the number in its own transaction. Only clerks of the issuing
unit see a notice here (others: 404). A notice a unit returned as misdirected is answered at
`/dispatch/returns/<receipt>` (改发, 补发 or 确认退回), by the issuing unit's clerks only.
Must not: allocate, compare states or decide who may act.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from webui import clock
from webui.desks import desk_required
from webui.errors import refused_form
from webui.extensions import db
from webui.forms.dispatch import (
    ArchiveForm,
    ConfirmReturnForm,
    IssueForm,
    OpenSeriesForm,
    RedirectForm,
    ResendForm,
    VoidNumberForm,
)
from webui.official_files import make_after_issue
from workflow import commands
from workflow.queries import dispatch as dispatch_queries
from workflow.queries import returns as return_queries

bp = Blueprint("dispatch", __name__, url_prefix="/dispatch")


@bp.get("/")
@desk_required("dispatch")
def index():
    desk = dispatch_queries.dispatch_desk(db.session, current_user.account)
    return render_template("dispatch/index.html", desk=desk, archive_form=ArchiveForm())


@bp.get("/<int:notice_id>/issue")
@desk_required("dispatch")
def confirm(notice_id: int):
    preview = dispatch_queries.issue_preview(db.session, current_user.account, notice_id,
                                             now=clock.now())
    return render_template("dispatch/confirm.html", preview=preview)


@bp.post("/<int:notice_id>/issue")
@desk_required("dispatch")
def issue(notice_id: int):
    form = IssueForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("dispatch.confirm", notice_id=notice_id))
    notice = commands.issue(db.session, current_user.account, notice_id=notice_id,
                            expected_version=form.expected_version.data, now=clock.now())
    db.session.commit()
    number, title = notice.doc_number, notice.title
    flash(f"已印发：{number}《{title}》", "info")
    problem = make_after_issue(current_user.account, notice_id)
    if problem is not None:
        flash(f"正式文件未能生成（首次下载时将再次生成）：{problem}", "error")
    return redirect(url_for("notices.show", notice_id=notice_id), 303)


@bp.post("/<int:notice_id>/archive")
@desk_required("dispatch")
def archive(notice_id: int):
    form = ArchiveForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("dispatch.index"))
    notice = commands.archive(db.session, current_user.account, notice_id=notice_id,
                              retention=form.retention_value(),
                              expected_version=form.expected_version.data, now=clock.now())
    db.session.commit()
    flash(f"已归档《{notice.title}》，档号 {notice.archive_code}", "info")
    return redirect(url_for("dispatch.index"), 303)


@bp.get("/numbers")
@desk_required("dispatch")
def numbers():
    register = dispatch_queries.number_register(db.session, current_user.account,
                                                now=clock.now())
    return render_template("dispatch/numbers.html", register=register,
                           open_form=OpenSeriesForm(), void_form=VoidNumberForm())


@bp.post("/numbers/series")
@desk_required("dispatch")
def open_series():
    form = OpenSeriesForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("dispatch.numbers"))
    series = commands.open_series(db.session, current_user.account,
                                  issuer_unit_id=form.issuer_unit_id.data, code=form.code.data,
                                  year=form.year.data, start_serial=form.start_serial.data,
                                  now=clock.now())
    db.session.commit()
    flash(f"已开设 {series.code}〔{series.year}〕系列，从第 {series.start_serial} 号起", "info")
    return redirect(url_for("dispatch.numbers"), 303)


@bp.post("/numbers/void")
@desk_required("dispatch")
def void_number():
    form = VoidNumberForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("dispatch.numbers"))
    commands.void_number(db.session, current_user.account, serial=form.serial.data,
                         reason=form.reason.data, **form.series_key(), now=clock.now())
    db.session.commit()
    flash(f"已作废第 {form.serial.data} 号，登记在作废文号簿中", "info")
    return redirect(url_for("dispatch.numbers"), 303)


@bp.get("/returns/<int:receipt_id>")
@desk_required("dispatch")
def returned(receipt_id: int):
    sheet = return_queries.return_sheet(db.session, current_user.account, receipt_id)
    return render_template("dispatch/returned.html", sheet=sheet, redirect_form=RedirectForm(),
                           resend_form=ResendForm(), confirm_form=ConfirmReturnForm())


def _answered(receipt_id: int, form):
    """The sheet first (another unit's return is a 404 whatever the method), then the form."""
    return_queries.return_sheet(db.session, current_user.account, receipt_id)
    if not form.validate_on_submit():
        return refused_form(form, url_for("dispatch.returned", receipt_id=receipt_id))
    return None


@bp.post("/returns/<int:receipt_id>/redirect")
@desk_required("dispatch")
def redirect_return(receipt_id: int):
    form = RedirectForm()
    if (refusal := _answered(receipt_id, form)) is not None:
        return refusal
    new = commands.redirect_return(db.session, current_user.account, receipt_id=receipt_id,
                                   unit_id=form.unit_id.data, note=form.note.data,
                                   expected_version=form.expected_version.data, now=clock.now())
    name = new.unit.name
    db.session.commit()
    flash(f"已改发{name}，该单位将收到签收和上报事项", "success")
    return redirect(url_for("dispatch.returned", receipt_id=receipt_id), 303)


@bp.post("/returns/<int:receipt_id>/resend")
@desk_required("dispatch")
def resend_return(receipt_id: int):
    form = ResendForm()
    if (refusal := _answered(receipt_id, form)) is not None:
        return refusal
    receipt = commands.resend_return(db.session, current_user.account, receipt_id=receipt_id,
                                     reason=form.reason.data,
                                     expected_version=form.expected_version.data,
                                     now=clock.now())
    name = receipt.unit.name
    db.session.commit()
    flash(f"已向{name}补发，请其重新签收", "success")
    return redirect(url_for("dispatch.returned", receipt_id=receipt_id), 303)


@bp.post("/returns/<int:receipt_id>/confirm")
@desk_required("dispatch")
def confirm_return(receipt_id: int):
    form = ConfirmReturnForm()
    if (refusal := _answered(receipt_id, form)) is not None:
        return refusal
    receipt = commands.confirm_return(db.session, current_user.account, receipt_id=receipt_id,
                                      note=form.note.data,
                                      expected_version=form.expected_version.data,
                                      now=clock.now())
    name = receipt.unit.name
    db.session.commit()
    flash(f"已确认{name}的退回，该单位无需办理", "success")
    return redirect(url_for("dispatch.returned", receipt_id=receipt_id), 303)
