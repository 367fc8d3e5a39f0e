"""The 管理 desk, split by the three separated duties (三员分立), one module per noun.

系统管理员 (Role.ADMIN): units and unit groups (`units`), users (`users`). 安全管理员
(Role.SECURITY_OFFICER): role grants, password resets, the login policy (`security`). 审计管理员
(Role.AUDITOR): the audit trail and its chain check, and nothing that changes anything (`audit`).
Each page admits only its own duty (the others get 403); every command checks the role again, and
the engine keeps the duties apart from business and the administrators' own accounts off the web.

This module owns the blueprint, the desk's pages and landing page, and what the modules share
(choices for selects, the PRG ending). The modules add their routes to `bp` when imported below.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from webui.desks import desk_required
from webui.extensions import db
from webui.filters import action_label
from webui.forms.fields import id_argument
from workflow.db import utcnow
from workflow.deadlines import local_time
from workflow.queries import admin as admin_queries
from workflow.states import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@dataclass(frozen=True)
class AdminPage:
    endpoint: str
    label: str
    role: Role
    about: str


PAGES = (
    AdminPage("admin.units", "单位", Role.ADMIN,
              "单位树：上级单位、机关代字、机构代码，以及发文是否经办公室核稿。"),
    AdminPage("admin.groups", "单位组", Role.ADMIN,
              "主送栏中的统称（如“各县（市）区妇联”）及其成员单位。"),
    AdminPage("admin.users", "用户", Role.ADMIN,
              "新建账号，停用或启用账号。角色由安全管理员授予；管理员账号在服务器上管理。"),
    AdminPage("admin.roles", "角色授权", Role.SECURITY_OFFICER,
              "每位用户在各单位的业务角色：授予、撤销，重置密码。"),
    AdminPage("admin.policy", "登录策略", Role.SECURITY_OFFICER,
              "连续登录失败几次后延时、最长等待多久、无操作多久自动退出，哪些角色须两步验证。"),
    AdminPage("admin.audit", "审计记录", Role.AUDITOR,
              "全部操作记录：按日期、操作人、操作、公文筛选；校验审计链是否完整。"),
)


def audit_label(action: str) -> str:
    return action_label(action)


def local_seconds(moment) -> str:
    """2016-03-07 09:00:05 (Asia/Shanghai): the trail reads to the second."""
    return local_time(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


@bp.context_processor
def admin_context():
    pages = []
    if current_user.is_authenticated:
        pages = [p for p in PAGES if current_user.account.holds(p.role)]
    return {"admin_pages": pages, "audit_label": audit_label, "local_seconds": local_seconds}


def unit_choices(rows, *, blank: str | None = None, skip: int | None = None):
    """The units as options, indented by depth (full-width spaces), after an optional blank."""
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(r.id, "　" * r.depth + r.name) for r in rows if r.id != skip]


def unit_checklist(rows):
    """The units as check boxes, grouped under their parent (the optgroup), parents in tree order.
    """
    by_parent: dict[str, list] = {}
    for r in rows:
        by_parent.setdefault(r.parent_name or "顶级单位", []).append(r)
    return [SelectChoice(r.id, r.name, optgroup=parent)
            for parent, children in by_parent.items() for r in children]


def user_listing():
    """The page of accounts the request asks for (`?q=` a part of a name, username or unit;
    `?page=`), as the administrator at the request sees them."""
    return admin_queries.user_list(db.session, current_user.account,
                                   search=request.args.get("q", "")[:100],
                                   page=request.args.get("page", 1, type=id_argument),
                                   now=utcnow())


def user_choices(rows):
    return [SelectChoice("", "请选择用户")] + [
        SelectChoice(u.id, f"{u.display_name}（{u.username}）· {u.unit_name}") for u in rows]


def done(message: str, endpoint: str, **values):
    db.session.commit()
    flash(message, "info")
    return redirect(url_for(endpoint, **values), 303)


@bp.get("/")
@desk_required("admin")
def index():
    return render_template("admin/index.html")


from webui.views.admin import audit, security, units, users  # noqa: E402, F401  (their routes)
