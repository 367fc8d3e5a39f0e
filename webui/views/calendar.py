"""工作日历与期限 — the system administrator's calendar page (系统管理员 only).

Owns: `/admin/calendar/…` — the year's public holidays and make-up working days as the holiday
package knows them, the administrator's overrides of single days (add or change, remove), a
warning for every year in use without holiday data, and the deadline policy (working days for
signing for receipt by 紧急程度, and when reminders go out). Everyone else gets 403. The engine's
`workflow.commands.calendar` checks the role again, refuses bad values in Chinese and writes the
audit entries. Must not: run SQL or decide anything.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webui import clock
from webui.desks import desk_required
from webui.errors import refused_form
from webui.extensions import db
from webui.forms.calendar import (
    DAY_KINDS,
    CalendarDayForm,
    DeadlinePolicyForm,
    RemoveDayForm,
    YearForm,
)
from webui.views import admin
from workflow import calendar
from workflow.commands import calendar as calendar_commands
from workflow.settings import DEADLINE_BOUNDS, DEADLINE_DEFAULTS, MAX_REMIND_BEFORE
from workflow.states import Role

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")
bp.context_processor(admin.admin_context)  # the admin desk's tabs


@bp.app_context_processor
def calendar_tab():
    """The calendar's tab on the admin desk, for whoever holds the system administrator's duty."""
    shown = current_user.is_authenticated and current_user.account.holds(Role.ADMIN)
    return {"calendar_tab": shown}


def _page(day_form: CalendarDayForm | None = None, policy_form: DeadlinePolicyForm | None = None):
    wanted = YearForm(request.args)
    wanted.validate()  # a year that is not a number shows this year
    page = calendar.overview(db.session, year=wanted.year.data, today=clock.today())
    policy = page.policy
    if policy_form is None:
        policy_form = DeadlinePolicyForm(formdata=None, data={
            "very_urgent_days": policy.very_urgent_days, "urgent_days": policy.urgent_days,
            "normal_days": policy.normal_days, "remind_before": list(policy.remind_before),
            "remind_on_due_day": policy.remind_on_due_day,
            "remind_every_days": policy.remind_every_days, "version": policy.version})
    return render_template(
        "calendar/index.html", page=page, policy=policy, defaults=DEADLINE_DEFAULTS,
        bounds=DEADLINE_BOUNDS, max_before=MAX_REMIND_BEFORE, kinds=DAY_KINDS,
        day_form=day_form or CalendarDayForm(formdata=None), policy_form=policy_form,
        remove_form=RemoveDayForm(formdata=None))


@bp.get("/")
@desk_required("admin", Role.ADMIN)
def index():
    return _page()


@bp.post("/days")
@desk_required("admin", Role.ADMIN)
def set_day():
    form = CalendarDayForm()
    if not form.validate_on_submit():
        return _page(day_form=form)
    row = calendar_commands.set_calendar_day(db.session, current_user.account,
                                             day=form.day.data, is_workday=form.is_workday,
                                             note=form.note.data, now=clock.now())
    message = f"已将 {row.day.isoformat()} 设为{DAY_KINDS[form.kind.data]}"
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("calendar.index", year=row.day.year), 303)


@bp.post("/days/remove")
@desk_required("admin", Role.ADMIN)
def remove_day():
    form = RemoveDayForm()
    if not form.validate_on_submit():
        return refused_form(form, url_for("calendar.index"))
    row = calendar_commands.remove_calendar_day(db.session, current_user.account,
                                                day=form.day.data, now=clock.now())
    message = f"已取消 {row.day.isoformat()} 的调整，恢复按法定安排计算"
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("calendar.index", year=row.day.year), 303)


@bp.post("/policy")
@desk_required("admin", Role.ADMIN)
def policy():
    form = DeadlinePolicyForm()
    if not form.validate_on_submit():
        return _page(policy_form=form)
    calendar_commands.set_deadline_policy(
        db.session, current_user.account, very_urgent_days=form.very_urgent_days.data,
        urgent_days=form.urgent_days.data, normal_days=form.normal_days.data,
        remind_before=form.remind_before.data, remind_on_due_day=form.remind_on_due_day.data,
        remind_every_days=form.remind_every_days.data, expected_version=form.version.data,
        now=clock.now())
    db.session.commit()
    flash("期限与催办设置已保存，此后印发的公文按新的签收期限计算", "success")
    return redirect(url_for("calendar.index"), 303)
