"""The 管理 desk, split by the three separated duties (三员分立).

系统管理员 (Role.ADMIN): units, unit groups, users. 安全管理员 (Role.SECURITY_OFFICER): role
grants, password resets, the login policy. 审计管理员 (Role.AUDITOR): the audit trail and its chain
check, and nothing that changes anything. Each page admits only its own duty (the others get 403);
every command checks the role again, and the engine keeps the duties apart from business.

Two departures from plain PRG, both deliberate: a password the system generates is shown once, in
the response to the POST that set it (a redirect would have to carry it in the session cookie);
and the chain check is a POST (it walks the whole trail, so no link, prefetch or crawler may start
it) that changes nothing and reads in a read-only transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from webui import auth
from webui.desks import desk_required
from webui.extensions import db
from webui.filters import action_label
from webui.forms.admin import (
    AuditFilterForm,
    EmailForm,
    GroupForm,
    GroupMembersForm,
    PasswordResetForm,
    PolicyForm,
    RoleGrantForm,
    RoleRevokeForm,
    UnitForm,
    UserForm,
)
from webui.instance_keys import anchor_file
from workflow import anchors, commands
from workflow.db import read_snapshot
from workflow.deadlines import local_time
from workflow.queries import admin as admin_queries
from workflow.settings import BOUNDS
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
    AdminPage("admin.users", "用户", Role.ADMIN, "新建账号，停用或启用账号。角色由安全管理员授予。"),
    AdminPage("admin.roles", "角色授权", Role.SECURITY_OFFICER,
              "每位用户在各单位的角色：授予、撤销，重置密码。"),
    AdminPage("admin.policy", "登录策略", Role.SECURITY_OFFICER,
              "连续登录失败几次后锁定、锁定多久、无操作多久自动退出。"),
    AdminPage("admin.audit", "审计记录", Role.AUDITOR,
              "全部操作记录：按日期、操作人、操作、公文筛选；校验审计链是否完整。"),
)

# Labels of the audit actions this desk and the login write (webui.filters knows the others).


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


def _unit_choices(rows, *, blank: str | None = None, skip: int | None = None):
    """The units as options, indented by depth (full-width spaces), after an optional blank."""
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(r.id, "　" * r.depth + r.name) for r in rows if r.id != skip]


def _unit_checklist(rows):
    """The units as check boxes, grouped under their parent (the optgroup), parents in tree order.
    """
    by_parent: dict[str, list] = {}
    for r in rows:
        by_parent.setdefault(r.parent_name or "顶级单位", []).append(r)
    return [SelectChoice(r.id, r.name, optgroup=parent)
            for parent, children in by_parent.items() for r in children]


def _user_choices(rows):
    return [SelectChoice("", "请选择用户")] + [
        SelectChoice(u.id, f"{u.display_name}（{u.username}）· {u.unit_name}") for u in rows]


def _done(message: str, endpoint: str, **values):
    db.session.commit()
    flash(message, "info")
    return redirect(url_for(endpoint, **values), 303)


@bp.get("/")
@desk_required("admin")
def index():
    return render_template("admin/index.html")


# ---- 系统管理员: units ----------------------------------------------------------------------------


def _units_page(form: UnitForm):
    rows = admin_queries.unit_tree(db.session)
    form.parent_id.choices = _unit_choices(rows, blank="（无，顶级单位）")
    return render_template("admin/units.html", rows=rows, form=form)


@bp.get("/units")
@desk_required("admin", Role.ADMIN)
def units():
    return _units_page(UnitForm())


@bp.post("/units")
@desk_required("admin", Role.ADMIN)
def create_unit():
    form = UnitForm()
    if not form.validate_on_submit():
        return _units_page(form)
    unit = commands.create_unit(
        db.session, current_user.account, name=form.name.data, short_name=form.short_name.data,
        parent_id=form.parent_id.data, doc_code=form.doc_code.data, org_code=form.org_code.data,
        review_required=form.review_required.data)
    return _done(f"已新建单位“{unit.name}”", "admin.units")


def _unit_page(unit_id: int, form: UnitForm | None = None):
    unit = admin_queries.get_unit(db.session, unit_id)
    if form is None:
        form = UnitForm(data={
            "name": unit.name, "short_name": unit.short_name, "parent_id": unit.parent_id,
            "doc_code": unit.doc_code, "org_code": unit.org_code,
            "review_required": unit.review_required,
            "version": admin_queries.edit_version(unit)})
    form.parent_id.choices = _unit_choices(admin_queries.unit_tree(db.session),
                                           blank="（无，顶级单位）", skip=unit.id)
    return render_template("admin/unit.html", unit=unit, form=form)


@bp.get("/units/<int:unit_id>")
@desk_required("admin", Role.ADMIN)
def unit(unit_id: int):
    return _unit_page(unit_id)


@bp.post("/units/<int:unit_id>")
@desk_required("admin", Role.ADMIN)
def update_unit(unit_id: int):
    form = UnitForm()
    if not form.validate_on_submit():
        return _unit_page(unit_id, form)
    unit = commands.update_unit(
        db.session, current_user.account, unit_id=unit_id, name=form.name.data,
        short_name=form.short_name.data, parent_id=form.parent_id.data,
        doc_code=form.doc_code.data, org_code=form.org_code.data,
        review_required=form.review_required.data, expected_version=form.version.data)
    return _done(f"已保存单位“{unit.name}”", "admin.units")


# ---- 系统管理员: unit groups ----------------------------------------------------------------------


def _groups_page(form: GroupForm):
    rows = admin_queries.unit_tree(db.session)
    form.owner_unit_id.choices = _unit_choices(rows, blank="请选择单位")
    form.member_ids.choices = _unit_checklist(rows)
    return render_template("admin/groups.html", groups=admin_queries.groups(db.session),
                           form=form)


@bp.get("/groups")
@desk_required("admin", Role.ADMIN)
def groups():
    return _groups_page(GroupForm())


@bp.post("/groups")
@desk_required("admin", Role.ADMIN)
def create_group():
    form = GroupForm()
    if not form.validate_on_submit():
        return _groups_page(form)
    group = commands.create_group(db.session, current_user.account, name=form.name.data,
                                  owner_unit_id=form.owner_unit_id.data,
                                  member_ids=form.member_ids.data)
    return _done(f"已新建单位组“{group.name}”（{len(group.members)}个单位）", "admin.groups")


def _group_page(group_id: int, form: GroupMembersForm | None = None):
    group = admin_queries.get_group(db.session, group_id)
    if form is None:
        form = GroupMembersForm(data={"member_ids": [u.id for u in group.members],
                                      "version": admin_queries.edit_version(group)})
    form.member_ids.choices = _unit_checklist(admin_queries.unit_tree(db.session))
    return render_template("admin/group.html", group=group, form=form)


@bp.get("/groups/<int:group_id>")
@desk_required("admin", Role.ADMIN)
def group(group_id: int):
    return _group_page(group_id)


@bp.post("/groups/<int:group_id>")
@desk_required("admin", Role.ADMIN)
def update_group(group_id: int):
    form = GroupMembersForm()
    if not form.validate_on_submit():
        return _group_page(group_id, form)
    group = commands.update_group_members(
        db.session, current_user.account, group_id=group_id, member_ids=form.member_ids.data,
        expected_version=form.version.data)
    return _done(f"已保存单位组“{group.name}”的成员（{len(group.members)}个单位）",
                 "admin.groups")


# ---- 系统管理员: users ----------------------------------------------------------------------------


def _users_page(form: UserForm):
    form.unit_id.choices = _unit_choices(admin_queries.unit_tree(db.session), blank="请选择单位")
    return render_template("admin/users.html", form=form,
                           rows=admin_queries.users(db.session, current_user.account))


@bp.get("/users")
@desk_required("admin", Role.ADMIN)
def users():
    return _users_page(UserForm())


@bp.post("/users")
@desk_required("admin", Role.ADMIN)
def create_user():
    form = UserForm()
    if not form.validate_on_submit():
        return _users_page(form)
    password = form.password.data or commands.generate_password()
    user = commands.create_user(
        db.session, current_user.account, username=form.username.data,
        display_name=form.display_name.data, unit_id=form.unit_id.data,
        email=form.email.data, password=password)
    if form.password.data:
        return _done(f"已新建用户“{user.display_name}”，请到“角色授权”请安全管理员授予角色",
                     "admin.users")
    db.session.commit()
    return render_template("admin/password_once.html", user=user, password=password,
                           created=True, back=url_for("admin.users"))


@bp.post("/users/<int:user_id>/email")
@desk_required("admin", Role.ADMIN)
def set_email(user_id: int):
    form = EmailForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(url_for("admin.users"), 303)
    user = commands.set_email(db.session, current_user.account, user_id=user_id,
                              email=form.email.data)
    said = f"改为 {user.email}" if user.email else "清除"
    return _done(f"“{user.display_name}”的电子邮箱已{said}", "admin.users")


@bp.post("/users/<int:user_id>/deactivate")
@desk_required("admin", Role.ADMIN)
def deactivate_user(user_id: int):
    user = commands.deactivate_user(db.session, current_user.account, user_id=user_id)
    return _done(f"已停用“{user.display_name}”的账号，其所有登录已退出", "admin.users")


@bp.post("/users/<int:user_id>/reactivate")
@desk_required("admin", Role.ADMIN)
def reactivate_user(user_id: int):
    user = commands.reactivate_user(db.session, current_user.account, user_id=user_id)
    return _done(f"已启用“{user.display_name}”的账号", "admin.users")


# ---- 安全管理员: roles, passwords, the login policy -----------------------------------------------


def _roles_page(grant: RoleGrantForm, reset: PasswordResetForm):
    rows = admin_queries.users(db.session, current_user.account)
    grant.user_id.choices = reset.user_id.choices = _user_choices(rows)
    grant.unit_id.choices = _unit_choices(admin_queries.unit_tree(db.session),
                                          blank="请选择单位")
    return render_template("admin/roles.html", rows=rows, grant=grant, reset=reset)


@bp.get("/roles")
@desk_required("admin", Role.SECURITY_OFFICER)
def roles():
    return _roles_page(RoleGrantForm(), PasswordResetForm())


@bp.post("/roles/grant")
@desk_required("admin", Role.SECURITY_OFFICER)
def grant_role():
    form = RoleGrantForm()
    if not form.validate_on_submit():
        return _roles_page(form, PasswordResetForm(formdata=None))
    granted = commands.grant_role(db.session, current_user.account, user_id=form.user_id.data,
                                  role=form.chosen_role, unit_id=form.unit_id.data)
    return _done(f"已授予{granted.user.display_name}“{granted.role.label}”角色，其原有登录已退出",
                 "admin.roles")


@bp.post("/roles/revoke")
@desk_required("admin", Role.SECURITY_OFFICER)
def revoke_role():
    form = RoleRevokeForm()
    if not form.validate_on_submit():
        return _roles_page(RoleGrantForm(formdata=None), PasswordResetForm(formdata=None))
    user = commands.revoke_role(db.session, current_user.account, user_id=form.user_id.data,
                                role=form.chosen_role, unit_id=form.unit_id.data)
    return _done(f"已撤销{user.display_name}的“{form.chosen_role.label}”角色，其原有登录已退出",
                 "admin.roles")


@bp.post("/roles/password")
@desk_required("admin", Role.SECURITY_OFFICER)
def reset_password():
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _roles_page(RoleGrantForm(formdata=None), form)
    password = form.password.data or commands.generate_password()
    user = commands.set_password(db.session, current_user.account, user_id=form.user_id.data,
                                 password=password)
    if form.password.data:
        return _done(f"已重置{user.display_name}的密码，其原有登录已退出", "admin.roles")
    db.session.commit()
    return render_template("admin/password_once.html", user=user, password=password,
                           created=False, back=url_for("admin.roles"))


@bp.route("/policy", methods=["GET", "POST"])
@desk_required("admin", Role.SECURITY_OFFICER)
def policy():
    current = auth.login_policy()
    form = PolicyForm(data={"max_failures": current.max_failures,
                            "lock_minutes": current.lock_minutes,
                            "idle_minutes": current.idle_minutes, "version": current.version})
    if form.validate_on_submit():
        commands.set_login_policy(
            db.session, current_user.account, max_failures=form.max_failures.data,
            lock_minutes=form.lock_minutes.data, idle_minutes=form.idle_minutes.data,
            expected_version=form.version.data, defaults=auth.policy_defaults())
        return _done("登录策略已保存，对所有用户立即生效", "admin.policy")
    return render_template("admin/policy.html", form=form, policy=current, bounds=BOUNDS,
                           defaults=auth.policy_defaults())


# ---- 审计管理员: the trail and its chain check ----------------------------------------------------


@bp.get("/audit")
@desk_required("admin", Role.AUDITOR)
def audit():
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", "全部操作")] + [
        SelectChoice(a, audit_label(a)) for a in admin_queries.audit_actions(db.session)]
    form.validate()

    def valid(field):
        return None if field.errors else field.data

    wanted = admin_queries.AuditFilter(
        date_from=valid(form.date_from), date_to=valid(form.date_to),
        actor=valid(form.actor) or "", action=form.action.data or "",
        notice=valid(form.notice) or "")
    page = admin_queries.audit_page(db.session, wanted, page=valid(form.page) or 1)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/audit.html", form=form, page=page, filtered=bool(args),
        previous_url=url_for("admin.audit", **args, page=page.page - 1),
        next_url=url_for("admin.audit", **args, page=page.page + 1))


@bp.post("/audit/verify")
@desk_required("admin", Role.AUDITOR)
def verify():
    # The request's transaction began as a writer (a POST); the walk is long and changes nothing,
    # so end it and read in a reader's transaction: writers are not held up meanwhile.
    db.session.rollback()
    report = anchors.check(read_snapshot(db.session()), anchor_file(current_app))
    flash(str(report), "info" if report.ok else "error")
    return redirect(url_for("admin.audit"), 303)
