"""The shared notice pages: the list of notices one may see, with progress, and one notice.

Owns: `/`, `/notices/`, `/notices/<id>`, and the notice printed by GB/T 9704: the print view
(`/notices/<id>/print`, a page to print from the browser) and its PDF and DOCX downloads. An
issued notice's PDF is its stored 正式文件 (`webui.official_files`); the print view and the Word
file say that they are not it. What a
user may see is the engine's answer (`queries.notice_summaries`, `queries.get_notice`,
`printing.printed_notice`): another unit's notice is a 404. Opening a notice is the one GET that may
write: a recipient unit's person opening it for the first time is recorded (已读).
"""

from __future__ import annotations

import dataclasses

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webui import clock, pictures
from webui.desks import desks_for
from webui.downloads import send_attachment, send_document
from webui.extensions import db
from webui.official_files import stored_file
from webui.pages import url_of
from workflow import commands, lifecycle, permissions, printing, queries
from workflow.db import read_only
from workflow.official import NOT_AUTHORITATIVE, is_issued
from workflow.places import action_target
from workflow.printing.docx import render_docx
from workflow.printing.html import render_html, style_hash
from workflow.printing.pdf import render_pdf
from workflow.queries import incoming as incoming_queries
from workflow.queries import receiving as receiving_queries

bp = Blueprint("notices", __name__)

def action_links(actions, notice_id: int) -> list[tuple[str, str]]:
    """(label, url) of each action the engine allows now, pointing at the page where it is done."""
    return [(action.label, url_of(action_target(action, notice_id))) for action in actions]


@bp.get("/")
def root():
    """Home: 我的待办 for those who do business, the admin desk for the administrator duties.
    Someone who simply arrives is shown the login form without a "请先登录" reproach (and no
    `next`: home is where a login leads anyway)."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    desks = desks_for(current_user.account)
    return redirect(url_for(desks[0].endpoint if desks else "notices.index"))


@bp.get("/notices/")
@login_required
def index():
    summaries = queries.notice_summaries(db.session, current_user.account)
    return render_template("notices/index.html", summaries=summaries)


@bp.get("/notices/lifecycle/<any(notice, receipt, report):name>.svg")
@login_required
def lifecycle_picture(name: str):
    """The lifecycle drawn from the transition table, `?state=` marked (no notice data in it)."""
    state = request.args.get("state")
    if state is not None and state not in lifecycle.LIFECYCLES[name].states.__members__:
        abort(404)
    try:
        svg = pictures.lifecycle_svg(name, state)
    except pictures.PictureUnavailable:
        abort(404)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/notices/<int:notice_id>")
@login_required
def show(notice_id: int):
    actor = current_user.account
    notice = queries.get_notice(db.session, notice_id, actor)
    if queries.notices.reading_due(db.session, actor, notice.id):
        # A first open: the reader's transaction ends, the write is a short transaction of its
        # own (SQLite takes the write lock only now), and the page is read in a reader again.
        # Every later open only asks the question above.
        db.session.commit()
        commands.record_reading(db.session, actor, notice_id=notice.id, now=clock.now())
        db.session.commit()
        read_only(db.session())
    return render_template(
        "notices/show.html", notice=notice, paper=printing.layout(notice),
        picture=pictures.dot_available(),
        readers=queries.notices.own_unit_readers(db.session, actor, notice.id),
        actions=action_links(permissions.available_actions(actor, notice), notice.id),
        progress=queries.progress(db.session, [notice.id])[notice.id],
        receipts=queries.receipts(db.session, notice.id, actor),
        reports=queries.reports(db.session, notice.id, actor),
        to_sign=receiving_queries.signable_receipts(db.session, actor, notice.id),
        trail=queries.audit_trail(db.session, notice.id, actor),
        incomings=incoming_queries.own_incomings(db.session, actor, notice.id))


@bp.get("/notices/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """A notice's 附件, to anyone who may see the notice."""
    return send_attachment(
        queries.notices.notice_attachment(db.session, current_user.account, attachment_id))


# The print view is a document of its own: its one stylesheet is allowed by its hash, the seal
# (if any) is a data: image, and nothing else loads.
PRINT_VIEW_CSP = ("default-src 'none'; style-src {style}; img-src data:; base-uri 'none'; "
                  "form-action 'none'; frame-ancestors 'none'")
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _reading_copy(notice_id: int) -> printing.PrintedNotice:
    """The print model of a copy that is not the 正式文件, marked as such."""
    doc = printing.printed_notice(db.session, notice_id, current_user.account)
    return dataclasses.replace(doc, copy_note=NOT_AUTHORITATIVE)


@bp.get("/notices/<int:notice_id>/print")
@login_required
def print_view(notice_id: int):
    """The notice laid out by GB/T 9704, to print with the browser (Ctrl-P); not the 正式文件."""
    doc = _reading_copy(notice_id)
    links = (("下载 PDF", url_for("notices.print_pdf", notice_id=notice_id)),
             ("下载 Word", url_for("notices.print_docx", notice_id=notice_id)),
             ("返回公文", url_for("notices.show", notice_id=notice_id)))
    response = Response(render_html(doc, links=links), mimetype="text/html")
    response.headers["Content-Security-Policy"] = PRINT_VIEW_CSP.format(style=style_hash(doc))
    return response


@bp.get("/notices/<int:notice_id>/print.pdf")
@login_required
def print_pdf(notice_id: int):
    """The PDF named by its 发文字号: an issued notice's stored 正式文件, as it was made; a draft's
    rendered now."""
    actor = current_user.account
    notice = queries.get_notice(db.session, notice_id, actor)
    if is_issued(notice):
        return send_document(stored_file(actor, notice), mimetype="application/pdf",
                             filename=f"{notice.doc_number}.pdf")
    doc = printing.printed_notice(db.session, notice_id, actor)
    return send_document(render_pdf(doc), mimetype="application/pdf",
                         filename=f"{doc.filename_stem}.pdf")


@bp.get("/notices/<int:notice_id>/print.docx")
@login_required
def print_docx(notice_id: int):
    """The notice as a Word document, named by its 发文字号; not the 正式文件."""
    doc = _reading_copy(notice_id)
    return send_document(render_docx(doc), mimetype=DOCX_MIMETYPE,
                         filename=f"{doc.filename_stem}.docx")
