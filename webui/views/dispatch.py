"""The 登记印发 desk (a placeholder until the desk is built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from webui.desks import desk_required

bp = Blueprint("dispatch", __name__, url_prefix="/dispatch")


@bp.get("/")
@desk_required("dispatch")
def index():
    return render_template("desk_placeholder.html", title="登记印发")
