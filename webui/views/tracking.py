"""The 督办 desk (a placeholder until the desk is built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from webui.desks import desk_required

bp = Blueprint("tracking", __name__, url_prefix="/tracking")


@bp.get("/")
@desk_required("tracking")
def index():
    return render_template("desk_placeholder.html", title="督办")
