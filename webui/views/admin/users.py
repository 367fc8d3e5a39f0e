"""The 系统管理员's users: the accounts with their roles and state (20 a page, found by a part of
a name, username or unit), new accounts (a password typed or generated, to be changed at the
first login), e-mail addresses, stopping and restarting an account. Administrators' accounts
and one's own are not changed here (the engine refuses; the page offers nothing): they are the
server's `flask --app wsgi user` commands.

A password the system generates is shown once, in the response to the POST that set it (a
redirect would have to carry it in the session cookie).
"""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from webui import clock
from webui.desks import desk_required
from webui.errors import refused_form
from webui.extensions import db
from webui.forms.admin import EmailForm, UserForm
from webui.views.admin import bp, done, unit_choices, user_listing
from workflow import commands
from workflow.queries import admin as admin_queries
from workflow.states import Role


def _users_page(form: UserForm):
    form.unit_id.choices = unit_choices(admin_queries.unit_tree(db.session), blank="请选择单位")
    listing = user_listing()
    return render_template("admin/users.html", form=form, listing=listing, rows=listing.rows)


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
        email=form.email.data, password=password, now=clock.now())
    if form.password.data:
        return done(f"已新建用户“{user.display_name}”，请到“角色授权”请安全管理员授予角色",
                    "admin.users")
    db.session.commit()
    return render_template("admin/password_once.html", user=user, password=password,
                           created=True, back=url_for("admin.users"))


@bp.post("/users/<int:user_id>/email")
@desk_required("admin", Role.ADMIN)
def set_email(user_id: int):
    form = EmailForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("admin.users"))
    user = commands.set_email(db.session, current_user.account, user_id=user_id,
                              email=form.email.data, now=clock.now())
    said = f"改为 {user.email}" if user.email else "清除"
    return done(f"“{user.display_name}”的电子邮箱已{said}", "admin.users")


@bp.post("/users/<int:user_id>/deactivate")
@desk_required("admin", Role.ADMIN)
def deactivate_user(user_id: int):
    user = commands.deactivate_user(db.session, current_user.account, user_id=user_id, now=clock.now())
    return done(f"已停用“{user.display_name}”的账号，其所有登录已退出", "admin.users")


@bp.post("/users/<int:user_id>/reactivate")
@desk_required("admin", Role.ADMIN)
def reactivate_user(user_id: int):
    user = commands.reactivate_user(db.session, current_user.account, user_id=user_id, now=clock.now())
    return done(f"已启用“{user.display_name}”的账号", "admin.users")
