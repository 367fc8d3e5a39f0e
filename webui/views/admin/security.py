"""The 安全管理员's pages: business roles granted and revoked within units, passwords reset
(a business user's only: the administrators' are reset on the server), and the login policy
with the roles that need a second factor.

A password the system generates is shown once, in the response to the POST that set it.
"""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from webui import auth, clock
from webui.desks import desk_required
from webui.extensions import db
from webui.forms.admin import PasswordResetForm, PolicyForm, RoleGrantForm, RoleRevokeForm
from webui.views.admin import bp, done, unit_choices, user_choices, user_listing
from workflow import commands
from workflow.db import utcnow
from workflow.queries import admin as admin_queries
from workflow.settings import ALWAYS_SECOND_FACTOR, BOUNDS
from workflow.states import Role


def _roles_page(grant: RoleGrantForm, reset: PasswordResetForm):
    rows = admin_queries.users(db.session, current_user.account, now=utcnow())
    # Only accounts the web may change are offered: not one's own, not an administrator's.
    grant.user_id.choices = reset.user_id.choices = user_choices([r for r in rows if r.on_the_web])
    grant.unit_id.choices = unit_choices(admin_queries.unit_tree(db.session),
                                         blank="请选择单位")
    listing = user_listing()
    return render_template("admin/roles.html", listing=listing, rows=listing.rows, grant=grant,
                           reset=reset)


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
                                  role=form.chosen_role, unit_id=form.unit_id.data, now=clock.now())
    return done(f"已授予{granted.user.display_name}“{granted.role.label}”角色，其原有登录已退出",
                "admin.roles")


@bp.post("/roles/revoke")
@desk_required("admin", Role.SECURITY_OFFICER)
def revoke_role():
    form = RoleRevokeForm()
    if not form.validate_on_submit():
        return _roles_page(RoleGrantForm(formdata=None), PasswordResetForm(formdata=None))
    user = commands.revoke_role(db.session, current_user.account, user_id=form.user_id.data,
                                role=form.chosen_role, unit_id=form.unit_id.data, now=clock.now())
    return done(f"已撤销{user.display_name}的“{form.chosen_role.label}”角色，其原有登录已退出",
                "admin.roles")


@bp.post("/roles/password")
@desk_required("admin", Role.SECURITY_OFFICER)
def reset_password():
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _roles_page(RoleGrantForm(formdata=None), form)
    password = form.password.data or commands.generate_password()
    user = commands.reset_password(db.session, current_user.account, user_id=form.user_id.data,
                                   password=password, now=clock.now())
    if form.password.data:
        return done(f"已重置{user.display_name}的密码，其原有登录已退出；"
                    "本人下次登录时须设置新密码，并已收到通知", "admin.roles")
    db.session.commit()
    return render_template("admin/password_once.html", user=user, password=password,
                           created=False, back=url_for("admin.roles"))


@bp.route("/policy", methods=["GET", "POST"])
@desk_required("admin", Role.SECURITY_OFFICER)
def policy():
    current = auth.login_policy()
    form = PolicyForm(data={"max_failures": current.max_failures,
                            "lock_minutes": current.lock_minutes,
                            "idle_minutes": current.idle_minutes,
                            "second_factor_roles": [r.name for r in Role
                                                    if r in current.second_factor_roles],
                            "version": current.version})
    if form.validate_on_submit():
        commands.set_login_policy(
            db.session, current_user.account, max_failures=form.max_failures.data,
            lock_minutes=form.lock_minutes.data, idle_minutes=form.idle_minutes.data,
            second_factor_roles=form.chosen_roles, expected_version=form.version.data,
            defaults=auth.policy_defaults(), now=clock.now())
        return done("登录策略已保存，对所有用户立即生效", "admin.policy")
    always = [r for r in Role if r in ALWAYS_SECOND_FACTOR]
    return render_template("admin/policy.html", form=form, policy=current, bounds=BOUNDS,
                           defaults=auth.policy_defaults(), always=always)
