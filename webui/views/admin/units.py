"""The 系统管理员's units and unit groups: the tree with its codes and routes, and the collective
names of a 主送 line with their member units."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from webui import clock
from webui.desks import desk_required
from webui.extensions import db
from webui.forms.admin import GroupForm, GroupMembersForm, UnitForm
from webui.views.admin import bp, done, unit_checklist, unit_choices
from workflow import commands
from workflow.queries import admin as admin_queries
from workflow.states import Role


def _units_page(form: UnitForm):
    rows = admin_queries.unit_tree(db.session)
    form.parent_id.choices = unit_choices(rows, blank="（无，顶级单位）")
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
        review_required=form.review_required.data, internal=form.internal.data,
        reading_needs_instruction=form.reading_needs_instruction.data, now=clock.now())
    return done(f"已新建单位“{unit.name}”", "admin.units")


def _unit_page(unit_id: int, form: UnitForm | None = None):
    unit = admin_queries.get_unit(db.session, unit_id)
    if form is None:
        form = UnitForm(data={
            "name": unit.name, "short_name": unit.short_name, "parent_id": unit.parent_id,
            "doc_code": unit.doc_code, "org_code": unit.org_code,
            "review_required": unit.review_required, "internal": unit.internal,
            "reading_needs_instruction": unit.reading_needs_instruction,
            "version": admin_queries.edit_version(unit)})
    form.parent_id.choices = unit_choices(admin_queries.unit_tree(db.session),
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
        review_required=form.review_required.data, internal=form.internal.data,
        reading_needs_instruction=form.reading_needs_instruction.data,
        expected_version=form.version.data, now=clock.now())
    return done(f"已保存单位“{unit.name}”", "admin.units")


# ---- unit groups ----------------------------------------------------------------------------------


def _groups_page(form: GroupForm):
    rows = admin_queries.unit_tree(db.session)
    form.owner_unit_id.choices = unit_choices(rows, blank="请选择单位")
    form.member_ids.choices = unit_checklist(rows)
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
                                  member_ids=form.member_ids.data, now=clock.now())
    return done(f"已新建单位组“{group.name}”（{len(group.members)}个单位）", "admin.groups")


def _group_page(group_id: int, form: GroupMembersForm | None = None):
    group = admin_queries.get_group(db.session, group_id)
    if form is None:
        form = GroupMembersForm(data={"member_ids": [u.id for u in group.members],
                                      "version": admin_queries.edit_version(group)})
    form.member_ids.choices = unit_checklist(admin_queries.unit_tree(db.session))
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
        expected_version=form.version.data, now=clock.now())
    return done(f"已保存单位组“{group.name}”的成员（{len(group.members)}个单位）",
                "admin.groups")


