"""The 拟稿 desk: my drafts by where they stand, the draft form, and the drafter's actions.

Owns: `/drafting/` and its forms. Each view parses a form, calls the engine, commits and redirects
(PRG); the engine decides who may edit what (another drafter's draft is refused, another unit's is
not found) and which buttons the desk shows (`available_actions`). Saving a draft with files
stores the files first and records each with `add_attachment` in the save's transaction (a save
that does not commit takes its files with it: `workflow.attachments`). The draft form keeps what is
typed (webui.autosave): a page shows the person's kept input when there is some, and a save
forgets it in the save's transaction.
Must not: compare states or carry a business rule.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webui import autosave, clock
from webui.desks import desk_required
from webui.errors import refused_form
from webui.extensions import attachment_store, db
from webui.forms.drafting import (
    AmendForm,
    CancelDraftForm,
    DraftActionForm,
    DraftForm,
    EditDraftForm,
    RemoveAttachmentForm,
)
from webui.forms.fields import id_argument
from workflow import checks, commands
from workflow.queries import drafting as drafting_queries
from workflow.states import Role

bp = Blueprint("drafting", __name__, url_prefix="/drafting")


def _attach_uploads(form, notice_id: int) -> int:
    """Store the uploaded files and record them on the draft; returns how many."""
    uploads = form.uploads()
    for upload in uploads:
        stored = attachment_store().save(upload.stream, upload.filename, session=db.session)
        commands.add_attachment(db.session, current_user.account, notice_id=notice_id,
                                stored=stored, now=clock.now())
    return len(uploads)


@bp.get("/")
@desk_required("drafting")
def index():
    desk = drafting_queries.drafting_desk(db.session, current_user.account)
    return render_template("drafting/index.html", desk=desk)


@bp.route("/new", methods=["GET", "POST"])
@desk_required("drafting")
def new():
    actor = current_user.account
    page = drafting_queries.new_draft(db.session, actor, request.args.get("unit", type=id_argument))
    key = f"draft:new:{page.issuer.id}"
    typed = autosave.typed(key) if request.method == "GET" else None
    form = DraftForm.for_page(typed=typed and autosave.formdata(typed))
    if form.validate_on_submit():
        notice = commands.create_draft(db.session, actor, issuer_unit_id=page.issuer.id,
                                       **form.fields(), now=clock.now())
        _attach_uploads(form, notice.id)
        autosave.drop(key)
        db.session.commit()
        flash("草稿已保存。核对无误后可提交核稿。", "info")
        return redirect(url_for("drafting.edit", notice_id=notice.id), 303)
    return render_template("drafting/new.html", page=page, form=form, typed=typed,
                           typed_key=key)


@bp.route("/<int:notice_id>", methods=["GET", "POST"])
@desk_required("drafting")
def edit(notice_id: int):
    actor = current_user.account
    page = drafting_queries.draft_or_submitted(db.session, actor, notice_id)
    if not page.editable:  # the back button after 提交, or that page's form sent again
        return render_template("drafting/submitted.html", page=page,
                               resent=request.method == "POST", form=DraftActionForm())
    key = f"draft:{notice_id}"
    typed = autosave.typed(key) if request.method == "GET" else None
    form = EditDraftForm.for_page(page.notice, typed=typed and autosave.formdata(typed))
    if form.validate_on_submit():
        commands.update_draft(db.session, actor, notice_id=notice_id,
                              expected_version=form.expected_version.data, **form.fields(),
                              now=clock.now())
        _attach_uploads(form, notice_id)
        autosave.drop(key)
        db.session.commit()
        flash("草稿已保存", "info")
        return redirect(url_for("drafting.edit", notice_id=notice_id), 303)
    return render_template("drafting/edit.html", page=page, form=form, typed=typed,
                           typed_key=key, findings=checks.check_notice(page.notice))


@bp.post("/<int:notice_id>/submit")
@desk_required("drafting")
def submit(notice_id: int):
    form = DraftActionForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("drafting.index"))
    notice = commands.submit(db.session, current_user.account, notice_id=notice_id,
                             expected_version=form.expected_version.data, now=clock.now())
    db.session.commit()
    flash(f"已提交《{notice.title}》，现为“{notice.state.label}”", "info")
    return redirect(url_for("drafting.index"), 303)


@bp.post("/<int:notice_id>/withdraw")
@desk_required("drafting")
def withdraw(notice_id: int):
    form = DraftActionForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("drafting.index"))
    notice = commands.withdraw(db.session, current_user.account, notice_id=notice_id,
                               expected_version=form.expected_version.data, now=clock.now())
    db.session.commit()
    flash(f"已撤回《{notice.title}》，可继续修改", "info")
    return redirect(url_for("drafting.edit", notice_id=notice_id), 303)


@bp.post("/<int:notice_id>/cancel")
@desk_required("drafting")
def cancel(notice_id: int):
    form = CancelDraftForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("drafting.edit", notice_id=notice_id))
    notice = commands.cancel(db.session, current_user.account, notice_id=notice_id,
                             reason=form.reason.data, expected_version=form.expected_version.data,
                             now=clock.now())
    db.session.commit()
    flash(f"已作废草稿《{notice.title}》", "info")
    return redirect(url_for("drafting.index"), 303)


@bp.post("/<int:notice_id>/attachments/<int:attachment_id>/remove")
@desk_required("drafting")
def remove_attachment(notice_id: int, attachment_id: int):
    form = RemoveAttachmentForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("drafting.edit", notice_id=notice_id))
    commands.remove_attachment(db.session, current_user.account, notice_id=notice_id,
                               attachment_id=attachment_id,
                               expected_version=form.expected_version.data, now=clock.now())
    db.session.commit()
    flash("附件已删除", "info")
    return redirect(url_for("drafting.edit", notice_id=notice_id), 303)


@bp.route("/<int:notice_id>/amend", methods=["GET", "POST"])
@desk_required("drafting", Role.DRAFTER, Role.CLERK)
def amend(notice_id: int):
    actor = current_user.account
    page = drafting_queries.notice_to_amend(db.session, actor, notice_id)
    key = f"amend:{notice_id}"
    typed = autosave.typed(key) if request.method == "GET" else None
    form = AmendForm.for_page(page.notice, typed=typed and autosave.formdata(typed))
    if form.validate_on_submit():
        notice = commands.amend(db.session, actor, notice_id=notice_id, reason=form.reason.data,
                                expected_version=form.expected_version.data, **form.fields(),
                                now=clock.now())
        autosave.drop(key)
        db.session.commit()
        flash(f"已修改《{notice.title}》，已退回签发人复核", "info")
        return redirect(url_for("notices.show", notice_id=notice_id), 303)
    return render_template("drafting/amend.html", page=page, form=form, typed=typed,
                           typed_key=key)
