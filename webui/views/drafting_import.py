"""从文本导入 on the drafting desk: paste or upload a notice's text, see the fields found, and
correct them in the ordinary new-draft form, which saves through `drafting.new`.

Owns: `/drafting/import`. GET shows the form; POST reads the text (the form), asks the engine
what it gives (`imported_draft`) and renders the pre-filled draft form. Nothing is stored here:
the draft and its report requests are created only when the drafter saves (保存草稿).
Must not: compare states or carry a business rule.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from webui.desks import desk_required
from webui.extensions import db
from webui.forms.drafting_import import ImportTextForm, imported_form
from webui.forms.fields import id_argument
from webui.views.drafting import bp
from workflow.queries import drafting as drafting_queries
from workflow.queries import drafting_import as import_queries


@bp.route("/import", methods=["GET", "POST"])
@desk_required("drafting")
def import_text():
    actor = current_user.account
    unit_id = request.args.get("unit", type=id_argument)
    form = ImportTextForm()
    if form.validate_on_submit():
        imported = import_queries.imported_draft(
            db.session, actor, form.notice_text, unit_id,
            lines_are_paragraphs=form.lines_are_paragraphs)
        return render_template("drafting/import_review.html", imported=imported,
                               page=imported.page, form=imported_form(imported))
    page = drafting_queries.new_draft(db.session, actor, unit_id)
    return render_template("drafting/import_text.html", page=page, form=form), \
        422 if form.errors else 200
