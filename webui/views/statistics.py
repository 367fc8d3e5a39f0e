"""The statistics desk (统计): how the units answer the notices, for those who chase deadlines.

Owns: `/statistics/…` — the unit statistics over a period (sortable, with charts drawn on the
server), one notice's figures (x/N signed for, y/N reported, the median time to sign for, who is
late), and the exports of both the unit statistics and a notice's tracking matrix as Excel and
CSV. The desk is for the issuing unit's 督办 and leaders (签发人); what they may see is decided by
the engine's queries (another unit's notice is a 404). The matrix export reads the 督办 desk's own
matrix query, so it is the supervisors'. Must not: run SQL or decide anything.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from webui import clock, exports
from webui.desks import desk_required
from webui.errors import error_page
from webui.extensions import db
from webui.forms.statistics import PeriodForm
from workflow.queries import statistics as statistics_queries
from workflow.queries import tracking as tracking_queries
from workflow.states import Role

bp = Blueprint("statistics", __name__, url_prefix="/statistics")


@bp.get("/")
@desk_required("statistics")
def index():
    form = PeriodForm(request.args)
    found = statistics_queries.unit_statistics(db.session, current_user.account, **form.choice(),
                                               now=clock.now())
    return render_template("statistics/index.html", s=found, messages=form.messages(),
                           sorts=statistics_queries.SORTS)


@bp.get("/units.<any(xlsx, csv):fmt>")
@desk_required("statistics")
def units_export(fmt: str):
    form = PeriodForm(request.args)
    asked = form.choice()
    if form.messages():  # a file for another period than the one asked for would mislead
        return error_page(400, message="；".join(form.messages()))
    found = statistics_queries.unit_statistics(db.session, current_user.account, **asked,
                                               now=clock.now())
    return exports.send_table(exports.unit_table(found), fmt)


@bp.get("/notices/<int:notice_id>")
@desk_required("statistics")
def notice(notice_id: int):
    found = statistics_queries.notice_statistics(db.session, current_user.account, notice_id,
                                                 now=clock.now())
    return render_template("statistics/notice.html", s=found)


@bp.get("/notices/<int:notice_id>/matrix.<any(xlsx, csv):fmt>")
@desk_required("statistics", Role.SUPERVISOR)
def matrix_export(notice_id: int, fmt: str):
    found = tracking_queries.matrix(db.session, current_user.account, notice_id, now=clock.now())
    return exports.send_table(exports.matrix_table(found, now=clock.now()), fmt)
