"""The 拟稿 desk (a placeholder until the desk is built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from webui.desks import desk_required

bp = Blueprint("drafting", __name__, url_prefix="/drafting")


@bp.get("/")
@desk_required("drafting")
def index():
    return render_template("desk_placeholder.html", title="拟稿")
