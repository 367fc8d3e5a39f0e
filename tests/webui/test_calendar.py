"""工作日历与期限: the system administrator keeps the working-day calendar (overrides of single
days, a warning for a year without holiday data) and the deadline policy — everyone else is
refused — and the issuing unit's supervisor sets a notice's own reminder interval on the 督办 desk.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from tests.webui.admin_fixtures import (
    audit_count,
    give_passwords,
    hidden,
    last_actions,
    post_form,
    text,
)
from tests.webui.conftest import post_login
from webui.extensions import db
from workflow.models import CalendarDay, Notice
from workflow.settings import DEADLINE_DEFAULTS, deadline_policy

PAGE = "/admin/calendar/"
NO_DATA_YEAR = 2030  # far beyond what the pinned holiday package knows


@pytest.fixture
def staff(app, world):
    """Passwords for the administrators and the supervisor; the issued notice's receipt deadline
    set in a year without holiday data, so that year is in use whatever today is."""
    give_passwords(app, "admin", "security", "auditor", "supervisor")
    with app.app_context():
        notice = db.session.get(Notice, world.issued_id)
        notice.receipt_due_on = dt.date(NO_DATA_YEAR, 1, 7)
        db.session.commit()
    return world


def _logged_in(app, username: str):
    client = app.test_client()
    assert post_login(client, username).status_code == 303
    return client


def _overrides(app) -> list[tuple[dt.date, bool, str | None]]:
    with app.app_context():
        return db.session.execute(select(CalendarDay.day, CalendarDay.is_workday, CalendarDay.note)
                                  .order_by(CalendarDay.day)).all()


# ---- who may use it -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["security", "auditor", "supervisor", "drafter"])
def test_everyone_but_the_system_administrator_is_refused_every_page_and_action(app, staff,
                                                                                username):
    client = _logged_in(app, username)
    before = audit_count(app)
    assert client.get(PAGE).status_code == 403
    for path, data in (("/admin/calendar/days", {"day": "2030-01-01", "kind": "off"}),
                       ("/admin/calendar/days/remove", {"day": "2030-01-01"}),
                       ("/admin/calendar/policy", {"very_urgent_days": "1", "urgent_days": "1",
                                                   "normal_days": "1",
                                                   "remind_every_days": "1"})):
        assert post_form(client, path, data, page="/password").status_code == 403, path
    assert audit_count(app) == before and _overrides(app) == []


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, staff):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.location


def test_the_calendar_tab_is_on_the_admin_desk_of_the_system_administrator_only(app, staff):
    tab = 'href="/admin/calendar/"'
    assert tab in text(_logged_in(app, "admin").get("/admin/units"))
    assert tab not in text(_logged_in(app, "security").get("/admin/roles"))


# ---- the page -----------------------------------------------------------------------------------


def test_the_page_shows_a_years_holidays_and_make_up_days_from_the_package(app, staff):
    html = text(_logged_in(app, "admin").get(PAGE + "?year=2025"))
    assert re.search(r"国庆节、中秋节</th><td>10月1日至10月8日</td><td[^>]*>8</td>", html)
    assert "9月28日（周日）" in html and "10月11日（周六）" in html  # 调休上班
    assert 'aria-current="page">2025' in html


def test_a_year_in_use_without_holiday_data_is_a_warning_until_a_day_is_entered(app, staff):
    client = _logged_in(app, "admin")
    warning = f"{NO_DATA_YEAR}年没有节假日数据"
    assert warning in text(client.get(PAGE))
    response = post_form(client, "/admin/calendar/days", {
        "day": f"{NO_DATA_YEAR}-01-01", "kind": "off", "note": "元旦"}, page=PAGE)
    assert response.status_code == 303
    assert response.location.endswith(f"/admin/calendar/?year={NO_DATA_YEAR}")
    html = text(client.get(response.location))
    assert f"已将 {NO_DATA_YEAR}-01-01 设为休息日（放假）" in html
    assert warning not in html and "元旦" in html
    assert _overrides(app) == [(dt.date(NO_DATA_YEAR, 1, 1), False, "元旦")]
    assert last_actions(app) == ["calendar.SET_DAY"]


def test_a_day_is_made_a_working_day_and_the_change_is_then_removed(app, staff):
    client = _logged_in(app, "admin")
    post_form(client, "/admin/calendar/days", {"day": "2025-10-18", "kind": "work",
                                               "note": "补班"}, page=PAGE)
    html = text(client.get(PAGE + "?year=2025"))
    assert "2025年10月18日（周六）" in html and "补班" in html
    response = post_form(client, "/admin/calendar/days/remove", {"day": "2025-10-18"},
                         page=PAGE + "?year=2025")
    assert response.status_code == 303 and _overrides(app) == []
    assert "已取消 2025-10-18 的调整" in text(client.get(response.location))
    assert last_actions(app, 2) == ["calendar.SET_DAY", "calendar.REMOVE_DAY"]


@pytest.mark.parametrize("data, message", [
    ({"day": "1999-12-31", "kind": "off"}, "日期须在2000年至2100年之间"),
    ({"day": "2101-01-01", "kind": "work"}, "日期须在2000年至2100年之间"),
])
def test_a_day_outside_the_calendar_is_refused_in_chinese_and_nothing_changes(app, staff, data,
                                                                              message):
    client = _logged_in(app, "admin")
    before = audit_count(app)
    response = post_form(client, "/admin/calendar/days", data, page=PAGE)
    assert response.status_code == 303
    assert message in text(client.get(response.location))
    assert audit_count(app) == before and _overrides(app) == []


@pytest.mark.parametrize("data, message", [
    ({"day": "2025-13-01", "kind": "off"}, "日期格式应为“年-月-日”"),
    ({"day": "", "kind": "off"}, "请填写日期"),
    ({"day": "2025-10-09", "kind": "holiday"}, "请选择休息日或工作日"),
    ({"day": "2025-10-09", "kind": "off", "note": "长" * 101}, "说明最多100个字"),
])
def test_a_malformed_day_is_refused_on_the_form(app, staff, data, message):
    client = _logged_in(app, "admin")
    before = audit_count(app)
    response = post_form(client, "/admin/calendar/days", data, page=PAGE)
    assert response.status_code == 200 and message in text(response)
    assert audit_count(app) == before and _overrides(app) == []


def test_removing_a_day_that_was_never_changed_is_refused(app, staff):
    client = _logged_in(app, "admin")
    response = post_form(client, "/admin/calendar/days/remove", {"day": "2025-10-09"}, page=PAGE)
    assert response.status_code == 404 and "没有调整记录" in text(response)


# ---- the deadline policy ------------------------------------------------------------------------

POLICY = {"very_urgent_days": "1", "urgent_days": "2", "normal_days": "5",
          "remind_before": "5，2、1", "remind_on_due_day": "y", "remind_every_days": "3"}


def test_the_administrator_sets_the_deadline_policy(app, staff):
    client = _logged_in(app, "admin")
    html = text(client.get(PAGE))
    assert "尚未设定，正在使用系统默认值" in html
    response = post_form(client, "/admin/calendar/policy",
                         {**POLICY, "version": hidden(html, "version")}, page=PAGE)
    assert response.status_code == 303
    assert "期限与催办设置已保存" in text(client.get(PAGE))
    with app.app_context():
        policy = deadline_policy(db.session)
    assert (policy.normal_days, policy.remind_before, policy.remind_every_days,
            policy.version) == (5, (5, 2, 1), 3, 1)
    assert last_actions(app) == ["deadline_policy.UPDATE"]


@pytest.mark.parametrize("change, message", [
    ({"normal_days": "31"}, "0 到 30"),
    ({"very_urgent_days": "-1"}, "0 到 30"),
    ({"remind_every_days": "0"}, "1 到 30"),
    ({"very_urgent_days": "3", "urgent_days": "2"}, "特急不长于加急"),
    ({"remind_before": "3，3"}, "不能重复"),
])
def test_a_policy_out_of_bounds_is_refused_in_chinese_and_nothing_changes(app, staff, change,
                                                                          message):
    client = _logged_in(app, "admin")
    before = audit_count(app)
    response = post_form(client, "/admin/calendar/policy", {**POLICY, **change}, page=PAGE)
    assert response.status_code == 303
    assert message in text(client.get(response.location))
    assert audit_count(app) == before
    with app.app_context():
        assert deadline_policy(db.session) == DEADLINE_DEFAULTS


@pytest.mark.parametrize("change, message", [
    ({"remind_before": "3，一"}, "应为用逗号分隔的整数"),
    ({"normal_days": "三"}, "必须是整数"),
    ({"remind_every_days": ""}, "请填写逾期后的催办间隔"),
])
def test_a_malformed_policy_is_refused_on_the_form(app, staff, change, message):
    client = _logged_in(app, "admin")
    response = post_form(client, "/admin/calendar/policy", {**POLICY, **change}, page=PAGE)
    assert response.status_code == 200 and message in text(response)
    with app.app_context():
        assert deadline_policy(db.session) == DEADLINE_DEFAULTS


# ---- a notice's own reminder interval, on the 督办 desk ------------------------------------------


def _matrix(client, notice_id: int) -> str:
    return text(client.get(f"/tracking/{notice_id}"))


def _interval(app, notice_id: int) -> int | None:
    with app.app_context():
        return db.session.get(Notice, notice_id).remind_every_days


def test_the_supervisor_sets_and_clears_a_notices_reminder_interval(app, staff):
    client = _logged_in(app, "supervisor")
    path = f"/tracking/{staff.issued_id}/remind-interval"
    html = _matrix(client, staff.issued_id)
    assert f"按系统设置（{DEADLINE_DEFAULTS.remind_every_days} 个工作日）" in html
    response = post_form(client, path, {"every_days": "5",
                                        "expected_version": hidden(html, "expected_version")},
                         page=f"/tracking/{staff.issued_id}")
    assert response.status_code == 303 and _interval(app, staff.issued_id) == 5
    html = _matrix(client, staff.issued_id)
    assert "逾期后将每隔5个工作日自动催办" in html and 'name="every_days"' in html
    assert last_actions(app) == ["notice.SET_REMIND_INTERVAL"]
    post_form(client, path, {"every_days": "", "expected_version": hidden(html, "expected_version")},
              page=f"/tracking/{staff.issued_id}")
    assert _interval(app, staff.issued_id) is None


@pytest.mark.parametrize("every_days, message", [("0", "1 到 30"), ("31", "1 到 30"),
                                                 ("五", "催办间隔应为整数")])
def test_a_reminder_interval_out_of_bounds_is_refused(app, staff, every_days, message):
    client = _logged_in(app, "supervisor")
    html = _matrix(client, staff.issued_id)
    response = post_form(client, f"/tracking/{staff.issued_id}/remind-interval",
                         {"every_days": every_days,
                          "expected_version": hidden(html, "expected_version")},
                         page=f"/tracking/{staff.issued_id}")
    assert response.status_code == 303
    assert message in text(client.get(response.location))
    assert _interval(app, staff.issued_id) is None


def test_a_reminder_interval_from_a_stale_page_is_already_handled(app, staff):
    client = _logged_in(app, "supervisor")
    html = _matrix(client, staff.issued_id)
    version = hidden(html, "expected_version")
    path = f"/tracking/{staff.issued_id}/remind-interval"
    post_form(client, path, {"every_days": "4", "expected_version": version},
              page=f"/tracking/{staff.issued_id}")
    response = post_form(client, path, {"every_days": "6", "expected_version": version},
                         page=f"/tracking/{staff.issued_id}")
    assert "已被他人处理" in text(client.get(response.location))
    assert _interval(app, staff.issued_id) == 4


@pytest.mark.parametrize("username", ["receiver1", "drafter", "admin"])
def test_no_one_but_the_supervisor_sets_the_interval(app, staff, username):
    client = _logged_in(app, username)
    response = post_form(client, f"/tracking/{staff.issued_id}/remind-interval",
                         {"every_days": "5", "expected_version": "1"}, page="/password")
    assert response.status_code == 403 and _interval(app, staff.issued_id) is None
