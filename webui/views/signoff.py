"""The 核稿签发 desk: drafts waiting for review or signature, the 发文稿纸, and its actions.

Owns: `/signoff/`. The sheet is the engine's answer (`approval_sheet`: only the reviewers and
signatories of the issuing unit may open it) and so are its buttons (`available_actions`); every
action is checked again by its command. One opinion box serves passing, returning and signing:
its buttons post the same form to different endpoints. Must not: compare states or decide who may
act.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from webui import clock
from webui.desks import desk_required
from webui.errors import refused_form
from webui.extensions import db
from webui.forms.signoff import EndNoticeForm, OpinionForm
from workflow import checks, commands
from workflow.queries import signoff as signoff_queries
from workflow.states import NoticeAction, Role

bp = Blueprint("signoff", __name__, url_prefix="/signoff")


@bp.get("/")
@desk_required("signoff")
def index():
    desk = signoff_queries.signoff_desk(db.session, current_user.account)
    return render_template("signoff/index.html", desk=desk)


@bp.get("/<int:notice_id>")
@desk_required("signoff")
def sheet(notice_id: int):
    sheet = signoff_queries.approval_sheet(db.session, current_user.account, notice_id)
    return render_template("signoff/sheet.html", sheet=sheet, opinion_form=OpinionForm(),
                           end_form=EndNoticeForm(), findings=checks.check_notice(sheet.notice))


@bp.post("/<int:notice_id>/pass-review")
@desk_required("signoff", Role.REVIEWER)
def pass_review(notice_id: int):
    form = OpinionForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("signoff.sheet", notice_id=notice_id))
    notice = commands.pass_review(db.session, current_user.account, notice_id=notice_id,
                                  opinion=form.text(), expected_version=form.expected_version.data,
                                  now=clock.now())
    db.session.commit()
    flash(f"《{notice.title}》核稿通过，已送签发", "info")
    return redirect(url_for("signoff.index"), 303)


@bp.post("/<int:notice_id>/return")
@desk_required("signoff")
def return_(notice_id: int):
    form = OpinionForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("signoff.sheet", notice_id=notice_id))
    notice = commands.return_for_revision(db.session, current_user.account, notice_id=notice_id,
                                          reason=form.text(),
                                          expected_version=form.expected_version.data,
                                          now=clock.now())
    db.session.commit()
    flash(f"《{notice.title}》已退回拟稿人修改", "info")
    return redirect(url_for("signoff.index"), 303)


@bp.post("/<int:notice_id>/sign")
@desk_required("signoff", Role.SIGNATORY)
def sign(notice_id: int):
    form = OpinionForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("signoff.sheet", notice_id=notice_id))
    notice = commands.sign(db.session, current_user.account, notice_id=notice_id,
                           opinion=form.text(), expected_version=form.expected_version.data,
                           now=clock.now())
    db.session.commit()
    flash(f"《{notice.title}》已签发，待文书登记印发", "info")
    return redirect(url_for("signoff.index"), 303)


def _confirmation(notice_id: int, form: EndNoticeForm, action: NoticeAction):
    """The page that names what 撤销 or 废止 would void, asked before either is done (a POST
    without the confirmation shows it; it works without JavaScript); None once confirmed."""
    if not form.needs_confirmation():
        return None
    preview = signoff_queries.ending_preview(db.session, current_user.account, notice_id, action)
    return render_template("signoff/end_confirm.html", preview=preview, form=form)


@bp.post("/<int:notice_id>/revoke")
@desk_required("signoff", Role.SIGNATORY)
def revoke(notice_id: int):
    form = EndNoticeForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("signoff.sheet", notice_id=notice_id))
    if (page := _confirmation(notice_id, form, NoticeAction.REVOKE)) is not None:
        return page
    notice = commands.revoke(db.session, current_user.account, notice_id=notice_id,
                             reason=form.reason.data, expected_version=form.expected_version.data,
                             now=clock.now())
    db.session.commit()
    flash(f"{notice.doc_number}《{notice.title}》已撤销，视为自始无效", "info")
    return redirect(url_for("notices.show", notice_id=notice_id), 303)


@bp.post("/<int:notice_id>/abolish")
@desk_required("signoff", Role.SIGNATORY)
def abolish(notice_id: int):
    form = EndNoticeForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("signoff.sheet", notice_id=notice_id))
    if (page := _confirmation(notice_id, form, NoticeAction.ABOLISH)) is not None:
        return page
    notice = commands.abolish(db.session, current_user.account, notice_id=notice_id,
                              reason=form.reason.data, expected_version=form.expected_version.data,
                              now=clock.now())
    db.session.commit()
    flash(f"{notice.doc_number}《{notice.title}》已废止", "info")
    return redirect(url_for("notices.show", notice_id=notice_id), 303)
