"""The 核稿签发 desk (a placeholder until the desk is built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from webui.desks import desk_required

bp = Blueprint("signoff", __name__, url_prefix="/signoff")


@bp.get("/")
@desk_required("signoff")
def index():
    return render_template("desk_placeholder.html", title="核稿签发")
