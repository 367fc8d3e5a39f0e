"""The 我的待办 desk (a placeholder until the desk is built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from webui.desks import desk_required

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.get("/")
@desk_required("inbox")
def index():
    return render_template("desk_placeholder.html", title="我的待办")
