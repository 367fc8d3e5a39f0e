"""The 收文 desk (a placeholder until the desk is built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from webui.desks import desk_required

bp = Blueprint("receiving", __name__, url_prefix="/receiving")


@bp.get("/")
@desk_required("receiving")
def index():
    return render_template("desk_placeholder.html", title="收文")
