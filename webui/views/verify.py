"""The 验证 page: anyone logged in uploads a PDF and learns whether it is a 正式文件 Gongwen issued.

Owns: `/verify/` (the upload, and the verdict of `workflow.verification.verify_pdf` shown on the
same page: nothing is written, so nothing is redirected) and `/verify/<id>/<code>`, the page a
正式文件's QR code opens: the notice's number, title, issuer and dates, and the same upload to
compare a copy with it. A link to the notice itself is shown only to whom the engine lets see it.
Must not: judge a file or a signature itself.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from webui.extensions import db
from webui.forms.verify import VerifyForm
from workflow import verification
from workflow.permissions import Right, may

bp = Blueprint("verify", __name__, url_prefix="/verify")


def _page(form: VerifyForm, *, verdict=None, notice=None, code: str | None = None):
    actor = current_user.account
    shown = verdict.notice if verdict is not None else notice
    visible = shown is not None and bool(may(actor, Right.VIEW_NOTICE, notice=shown))
    return render_template("verify/index.html", form=form, verdict=verdict, notice=notice,
                           code=code, notice_visible=visible)


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = VerifyForm()
    if not form.validate_on_submit():
        return _page(form)
    return _page(form, verdict=verification.verify_pdf(db.session, current_user.account,
                                                        form.data))


@bp.route("/<int:notice_id>/<code>", methods=["GET", "POST"])
@login_required
def notice(notice_id: int, code: str):
    """The page of one 正式文件, opened from its QR code; a copy uploaded here is compared too."""
    found = verification.notice_by_code(db.session, current_user.account, notice_id=notice_id,
                                        code=code)
    form = VerifyForm()
    verdict = None
    if form.validate_on_submit():
        verdict = verification.verify_pdf(db.session, current_user.account, form.data)
    return _page(form, verdict=verdict, notice=found, code=code)
