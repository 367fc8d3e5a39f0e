"""The 管理 desk (a placeholder until the desk is built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from webui.desks import desk_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@desk_required("admin")
def index():
    return render_template("desk_placeholder.html", title="管理")
