"""The 管理 desk, by the three duties (三员分立): each administrator sees only their own pages, does
their work there, and is refused everywhere else."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, select, update

from tests.webui.admin_fixtures import (
    audit_count,
    give_passwords,
    hidden,
    last_actions,
    post_form,
    text,
    user,
)
from tests.webui.conftest import PASSWORD, post_login
from webui.extensions import db
from workflow import commands as c
from workflow.models import AuditEntry, AuditHead, Unit, UnitGroup, User

ADMINS = ("admin", "security", "auditor")


@pytest.fixture
def staff(app, world):
    """The world, with passwords for the three administrators and the clerk too."""
    give_passwords(app, *ADMINS, "clerk")
    return world


def _unit_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


def _group(app, name: str = "各区妇联") -> tuple[int, list[str]]:
    with app.app_context():
        group = db.session.scalar(select(UnitGroup).where(UnitGroup.name == name))
        return group.id, [u.name for u in group.members]


# ---- who may use which page ---------------------------------------------------------------------

PAGES = {  # path → the one administrator duty it serves
    "/admin/units": "admin", "/admin/groups": "admin", "/admin/users": "admin",
    "/admin/roles": "security", "/admin/policy": "security",
    "/admin/audit": "auditor",
}
POSTS = {
    "/admin/units": "admin", "/admin/groups": "admin", "/admin/users": "admin",
    "/admin/users/1/deactivate": "admin", "/admin/users/1/reactivate": "admin",
    "/admin/roles/grant": "security", "/admin/roles/revoke": "security",
    "/admin/roles/password": "security", "/admin/policy": "security",
    "/admin/audit/verify": "auditor",
}


@pytest.mark.parametrize("path, owner", PAGES.items())
def test_each_admin_page_serves_its_own_duty_and_refuses_the_others(app, staff, path, owner):
    for username in (*ADMINS, "drafter"):
        client = app.test_client()
        post_login(client, username)
        expected = 200 if username == owner else 403
        assert client.get(path).status_code == expected, (username, path)


@pytest.mark.parametrize("path, owner", POSTS.items())
def test_each_admin_action_refuses_the_other_duties_and_changes_nothing(app, staff, path,
                                                                          owner):
    before = audit_count(app)
    for username in (*ADMINS, "drafter"):
        if username == owner:
            continue
        client = app.test_client()
        post_login(client, username)
        assert post_form(client, path, page="/notices/").status_code == 403, (username, path)
    assert audit_count(app) == before + 3  # the three logins, and nothing else


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, staff):
    for path in ("/admin/", *PAGES):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


def test_the_admin_landing_page_offers_each_administrator_their_own_pages(app, staff):
    expected = {"admin": ["单位", "单位组", "用户"], "security": ["角色授权", "登录策略"],
                "auditor": ["审计记录"]}
    for username, labels in expected.items():
        client = app.test_client()
        post_login(client, username)
        html = text(client.get("/admin/"))
        cards = re.findall(r'class="admin-card-title">([^<]+)<', html)
        assert cards == [*labels, "修改密码"], username


def test_the_admin_desk_refuses_people_who_do_business(client, log_in, staff):
    log_in("drafter")
    assert client.get("/admin/").status_code == 403


def test_an_administrator_sees_only_the_admin_desk_in_the_menu(client, log_in, staff):
    log_in("admin")
    nav = re.search(r'<nav class="nav".*?</nav>', text(client.get("/admin/")), re.S).group(0)
    assert "管理" in nav and "我的待办" not in nav and "拟稿" not in nav
    assert client.get("/inbox/").status_code == 403


# ---- units --------------------------------------------------------------------------------------


def test_the_unit_page_shows_the_tree_with_codes_and_the_route(client, log_in, staff):
    log_in("admin")
    html = text(client.get("/admin/units"))
    assert "示范市妇女联合会" in html and "示妇发" in html and "SFL" in html
    assert re.search(r'class="lead tree-name depth-2">.*?示范市第1区妇联', html)
    assert "含核稿" in html


def test_the_admin_creates_a_unit_under_a_parent(app, client, log_in, staff):
    log_in("admin")
    parent = _unit_id(app, "示范市妇女联合会")
    response = post_form(client, "/admin/units", {
        "name": "示范市第4区妇联", "parent_id": parent, "review_required": "y"})
    assert response.status_code == 303 and response.location.endswith("/admin/units")
    html = text(client.get("/admin/units"))
    assert "已新建单位“示范市第4区妇联”" in html
    assert re.search(r'depth-2">.*?示范市第4区妇联', html)
    assert last_actions(app) == ["unit.CREATE"]


def test_a_unit_without_a_name_is_refused_on_the_form_and_nothing_is_made(app, client, log_in,
                                                                          staff):
    log_in("admin")
    before = audit_count(app)
    response = post_form(client, "/admin/units", {"name": "  ", "parent_id": ""})
    assert response.status_code == 200 and "请填写单位名称" in text(response)
    assert audit_count(app) == before


def test_a_unit_name_already_taken_is_refused_with_the_engines_message(app, client, log_in,
                                                                       staff):
    log_in("admin")
    before = audit_count(app)
    response = post_form(client, "/admin/units", {"name": "示范市第1区妇联", "parent_id": ""})
    assert response.status_code == 303
    assert "单位“示范市第1区妇联”已经存在" in text(client.get(response.location))
    assert audit_count(app) == before


def test_the_admin_edits_a_unit_from_its_prefilled_form(app, client, log_in, staff):
    log_in("admin")
    unit_id = _unit_id(app, "示范市妇女联合会")
    html = text(client.get(f"/admin/units/{unit_id}"))
    assert 'value="示妇发"' in html and 'checked' in html
    response = post_form(client, f"/admin/units/{unit_id}", {
        "name": "示范市妇女联合会", "short_name": "市妇联", "parent_id": "", "doc_code": "示妇字",
        "org_code": "SFL", "version": hidden(html, "version")})
    assert response.status_code == 303
    assert "已保存单位“示范市妇女联合会”" in text(client.get("/admin/units"))
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        assert (unit.doc_code, unit.review_required) == ("示妇字", False)


def test_the_admin_makes_a_unit_an_internal_department_whose_阅件_skip_批办(
        app, client, log_in, staff):
    log_in("admin")
    parent = _unit_id(app, "示范市第1区妇联")
    response = post_form(client, "/admin/units", {
        "name": "示范市第1区妇联宣传部", "parent_id": parent, "internal": "y"})
    assert response.status_code == 303
    unit_id = _unit_id(app, "示范市第1区妇联宣传部")
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        assert (unit.internal, unit.reading_needs_instruction) == (True, False)
    html = text(client.get(f"/admin/units/{parent}"))
    response = post_form(client, f"/admin/units/{parent}", {
        "name": "示范市第1区妇联", "parent_id": _unit_id(app, "示范市妇女联合会"),
        "review_required": "y", "version": hidden(html, "version")})
    assert response.status_code == 303
    with app.app_context():
        unit = db.session.get(Unit, parent)
        assert (unit.internal, unit.reading_needs_instruction) == (False, False)
    # A department must belong to a unit.
    response = post_form(client, "/admin/units", {"name": "无主部门", "parent_id": "",
                                                  "internal": "y"})
    assert "内设部门必须有所属单位" in text(client.get(response.location))


def test_a_unit_edited_from_a_stale_page_is_already_handled(app, client, log_in, staff):
    log_in("admin")
    unit_id = _unit_id(app, "示范市第1区妇联")
    stale = text(client.get(f"/admin/units/{unit_id}"))
    with app.app_context():
        db.session.execute(update(Unit).where(Unit.id == unit_id).values(short_name="一区"))
        db.session.commit()
    before = audit_count(app)
    response = post_form(client, f"/admin/units/{unit_id}", {
        "name": "示范市第一区妇联", "parent_id": _unit_id(app, "示范市妇女联合会"),
        "review_required": "y", "version": hidden(stale, "version")},
        page=f"/admin/units/{unit_id}")
    assert "已被他人处理" in text(client.get(response.location))
    assert audit_count(app) == before


def test_a_unit_that_does_not_exist_is_a_404(client, log_in, staff):
    log_in("admin")
    assert client.get("/admin/units/9999").status_code == 404


# ---- groups -------------------------------------------------------------------------------------


def test_the_group_page_lists_each_group_with_its_members(client, log_in, staff):
    log_in("admin")
    html = text(client.get("/admin/groups"))
    assert "各区妇联" in html and "3个：" in html and "示范市第2区妇联" in html


def test_the_admin_creates_a_group_of_chosen_units(app, client, log_in, staff):
    log_in("admin")
    members = [_unit_id(app, "示范市第1区妇联"), _unit_id(app, "示范省妇女联合会")]
    response = post_form(client, "/admin/groups", {
        "name": "试点单位", "owner_unit_id": _unit_id(app, "示范市妇女联合会"),
        "member_ids": members})
    assert response.status_code == 303
    assert "已新建单位组“试点单位”（2个单位）" in text(client.get("/admin/groups"))
    assert _group(app, "试点单位")[1] == ["示范市第1区妇联", "示范省妇女联合会"]


def test_a_group_without_members_is_refused_on_the_form(app, client, log_in, staff):
    log_in("admin")
    before = audit_count(app)
    response = post_form(client, "/admin/groups", {
        "name": "空组", "owner_unit_id": _unit_id(app, "示范市妇女联合会")})
    assert response.status_code == 200 and "请至少选择一个成员单位" in text(response)
    assert audit_count(app) == before


def test_the_admin_changes_a_groups_members(app, client, log_in, staff):
    log_in("admin")
    group_id, _ = _group(app)
    html = text(client.get(f"/admin/groups/{group_id}"))
    assert html.count("checked") == 3
    response = post_form(client, f"/admin/groups/{group_id}", {
        "member_ids": [_unit_id(app, "示范市第1区妇联")], "version": hidden(html, "version")})
    assert response.status_code == 303
    assert _group(app)[1] == ["示范市第1区妇联"]
    assert last_actions(app) == ["group.UPDATE_MEMBERS"]


def test_group_members_changed_from_a_stale_page_are_already_handled(app, client, log_in, staff):
    log_in("admin")
    group_id, _ = _group(app)
    stale = hidden(text(client.get(f"/admin/groups/{group_id}")), "version")
    post_form(client, f"/admin/groups/{group_id}", {
        "member_ids": [_unit_id(app, "示范市第1区妇联")], "version": stale})
    response = post_form(client, f"/admin/groups/{group_id}", {
        "member_ids": [_unit_id(app, "示范市第2区妇联")], "version": stale})
    assert "已被他人处理" in text(client.get(response.location))
    assert _group(app)[1] == ["示范市第1区妇联"]


# ---- users --------------------------------------------------------------------------------------


def test_the_user_page_lists_accounts_with_roles_and_state(client, log_in, staff):
    log_in("admin")
    html = text(client.get("/admin/users"))
    assert "receiver1" in html and "收文员" in html and "未设密码" in html and "正常" in html


def _many_accounts(app, count: int) -> None:
    """`count` more accounts in 示范市第2区妇联, named 社区干部01 … (usernames cadre01 …)."""
    with app.app_context():
        unit = db.session.scalar(select(Unit.id).where(Unit.name == "示范市第2区妇联"))
        for i in range(1, count + 1):
            c.create_user(db.session, None, username=f"cadre{i:02}", display_name=f"社区干部{i:02}",
                          unit_id=unit)
        db.session.commit()


def _listed(html: str) -> list[str]:
    return re.findall(r'<td data-label="用户名" class="mono">([^<]+)</td>', html)


def test_the_user_page_shows_twenty_accounts_a_page_with_the_way_to_the_next(
        app, client, log_in, staff):
    _many_accounts(app, 45)
    log_in("admin")
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(User))
    pages = -(-total // 20)
    first = text(client.get("/admin/users"))
    assert len(_listed(first)) == 20
    assert f"共 {total} 个账号，第 1 / {pages} 页" in first
    assert 'href="/admin/users?page=2" rel="next"' in first and 'rel="prev"' not in first
    # Every account is on exactly one page; a page past the last shows the last.
    seen = [name for page in range(1, pages + 1)
            for name in _listed(text(client.get(f"/admin/users?page={page}")))]
    assert len(seen) == len(set(seen)) == total
    assert _listed(text(client.get("/admin/users?page=9223372036854775808"))) == _listed(
        text(client.get("/admin/users?page=1")))  # too large to be a page: the first
    assert _listed(text(client.get(f"/admin/users?page={pages + 5}"))) == _listed(
        text(client.get(f"/admin/users?page={pages}")))


def test_the_user_page_finds_accounts_by_part_of_a_name_username_or_unit(
        app, client, log_in, staff):
    _many_accounts(app, 25)
    log_in("admin")
    assert _listed(text(client.get("/admin/users?q=干部0"))) == [
        f"cadre{i:02}" for i in range(1, 10)]
    assert _listed(text(client.get("/admin/users?q=cadre2"))) == [
        f"cadre{i:02}" for i in range(20, 26)]
    assert _listed(text(client.get("/admin/users?q=CADRE2"))) == [  # whatever the case
        f"cadre{i:02}" for i in range(20, 26)]
    by_unit = text(client.get("/admin/users?q=第1区"))
    assert "receiver1" in _listed(by_unit) and "receiver2" not in _listed(by_unit)
    assert "含“第1区”的账号共" in by_unit
    # LIKE's own characters are searched as characters (cc_receiver has a "_", no one "%_%").
    for hostile in ("%", "%_%", "\\", "干部\x07", "x" * 500):
        response = client.get("/admin/users", query_string={"q": hostile})
        assert response.status_code == 200 and _listed(text(response)) == [], hostile
    assert _listed(text(client.get("/admin/users?q=_"))) == ["cc_receiver"]
    assert "没有含“%”的账号。" in text(client.get("/admin/users?q=%25"))


def test_the_admin_creates_a_user_with_a_password_they_type(app, client, log_in, staff):
    log_in("admin")
    response = post_form(client, "/admin/users", {
        "username": "zhangsan", "display_name": "张三", "password": "typed-password-1",
        "unit_id": _unit_id(app, "示范市第2区妇联")})
    assert response.status_code == 303
    assert "已新建用户“张三”" in text(client.get("/admin/users"))
    assert post_login(app.test_client(), "zhangsan", "typed-password-1").status_code == 303


def test_a_generated_password_is_shown_once_and_works(app, client, log_in, staff):
    log_in("admin")
    response = post_form(client, "/admin/users", {
        "username": "lisi", "display_name": "李四", "password": "",
        "unit_id": _unit_id(app, "示范市第2区妇联")})
    html = text(response)
    assert response.status_code == 200 and "只显示这一次" in html
    password = re.search(r'class="secret mono">([^<]+)<', html).group(1)
    assert password not in response.headers.get("Set-Cookie", "")
    assert password not in text(client.get("/admin/users"))
    assert post_login(app.test_client(), "lisi", password).status_code == 303


def test_a_username_with_spaces_is_refused_on_the_form(app, client, log_in, staff):
    log_in("admin")
    before = audit_count(app)
    response = post_form(client, "/admin/users", {
        "username": "zhang san", "display_name": "张三",
        "unit_id": _unit_id(app, "示范市第2区妇联")})
    assert "用户名只能由字母、数字、下划线、点和短横线组成" in text(response)
    assert audit_count(app) == before


def test_deactivating_a_user_ends_their_session_and_reactivating_lets_them_back(app, client,
                                                                               log_in, staff):
    drafter = log_in("drafter", on=app.test_client())
    log_in("admin")
    drafter_id = user(app, "drafter").id
    response = post_form(client, f"/admin/users/{drafter_id}/deactivate", page="/admin/users")
    assert response.status_code == 303
    assert "已停用“drafter”的账号" in text(client.get("/admin/users"))
    assert drafter.get("/notices/").status_code == 302
    assert "该账号已停用" in text(post_login(app.test_client(), "drafter"))

    post_form(client, f"/admin/users/{drafter_id}/reactivate", page="/admin/users")
    assert post_login(app.test_client(), "drafter").status_code == 303


def test_the_admin_gives_a_user_an_email_address_on_the_users_page(app, client, log_in, staff):
    log_in("admin")
    drafter_id = user(app, "drafter").id
    response = post_form(client, f"/admin/users/{drafter_id}/email",
                         {"email": "drafter@fulian.example"}, page="/admin/users")
    assert response.status_code == 303
    page = text(client.get("/admin/users"))
    assert "“drafter”的电子邮箱已改为 drafter@fulian.example" in page
    assert user(app, "drafter").email == "drafter@fulian.example"

    before = audit_count(app)
    response = post_form(client, f"/admin/users/{drafter_id}/email",
                         {"email": "not an address"}, page="/admin/users")
    assert "电子邮箱格式不正确" in text(client.get(response.location))
    assert user(app, "drafter").email == "drafter@fulian.example"
    assert audit_count(app) == before


def test_the_admin_cannot_stop_their_own_account(app, client, log_in, staff):
    log_in("admin")
    response = post_form(client, f"/admin/users/{user(app, 'admin').id}/deactivate",
                         page="/admin/users")
    assert response.status_code == 403 and "不能在网页上停用自己的账号" in text(response)
    assert user(app, "admin").active


# ---- roles and passwords ------------------------------------------------------------------------


def test_the_roles_page_shows_every_users_grants(client, log_in, staff):
    log_in("security")
    html = text(client.get("/admin/roles"))
    assert "授予角色" in html and "重置密码" in html
    # 13 people with one grant each; the three administrators' grants are the server's
    assert html.count('action="/admin/roles/revoke"') == 10


def test_granting_a_role_ends_the_users_sessions(app, client, log_in, staff):
    drafter = log_in("drafter", on=app.test_client())
    log_in("security")
    response = post_form(client, "/admin/roles/grant", {
        "user_id": user(app, "drafter").id, "role": "REVIEWER",
        "unit_id": _unit_id(app, "示范市妇女联合会")})
    assert response.status_code == 303
    assert "已授予drafter“核稿人”角色" in text(client.get("/admin/roles"))
    assert drafter.get("/notices/").status_code == 302
    assert last_actions(app) == ["user.GRANT_ROLE"]


def test_an_administrator_role_is_neither_offered_nor_granted_through_the_web(app, client,
                                                                             log_in, staff):
    log_in("security")
    page = text(client.get("/admin/roles"))
    offered = re.search(r'<select[^>]*name="role".*?</select>', page, re.S).group(0)
    assert "审计管理员" not in offered and "拟稿人" in offered
    before = audit_count(app)
    response = post_form(client, "/admin/roles/grant", {
        "user_id": user(app, "drafter").id, "role": "AUDITOR",
        "unit_id": _unit_id(app, "示范市妇女联合会")})
    assert response.status_code == 403 and "只能在服务器上" in text(response)
    assert audit_count(app) == before


def test_an_unknown_role_is_refused_on_the_form(app, client, log_in, staff):
    log_in("security")
    response = post_form(client, "/admin/roles/grant", {
        "user_id": user(app, "drafter").id, "role": "KING",
        "unit_id": _unit_id(app, "示范市妇女联合会")})
    assert response.status_code == 200 and "角色无效" in text(response)


def test_revoking_a_role_ends_the_users_sessions(app, client, log_in, staff):
    clerk = log_in("clerk", on=app.test_client())
    log_in("security")
    response = post_form(client, "/admin/roles/revoke", {
        "user_id": user(app, "clerk").id, "role": "CLERK",
        "unit_id": _unit_id(app, "示范市妇女联合会")}, page="/admin/roles")
    assert response.status_code == 303
    assert "已撤销clerk的“文书”角色" in text(client.get("/admin/roles"))
    assert clerk.get("/notices/").status_code == 302
    assert user(app, "clerk").roles == set()


def test_revoking_a_role_twice_says_it_is_no_longer_held(app, client, log_in, staff):
    log_in("security")
    data = {"user_id": user(app, "clerk").id, "role": "CLERK",
            "unit_id": _unit_id(app, "示范市妇女联合会")}
    post_form(client, "/admin/roles/revoke", data, page="/admin/roles")
    response = post_form(client, "/admin/roles/revoke", data, page="/admin/roles")
    assert "clerk在该单位没有“文书”角色" in text(client.get(response.location))


def test_resetting_a_password_shows_the_new_one_once_and_ends_the_old_sessions(app, client,
                                                                               log_in, staff):
    drafter = log_in("drafter", on=app.test_client())
    log_in("security")
    response = post_form(client, "/admin/roles/password", {"user_id": user(app, "drafter").id},
                         page="/admin/roles")
    html = text(response)
    assert response.status_code == 200 and "密码已重置" in html
    password = re.search(r'class="secret mono">([^<]+)<', html).group(1)
    assert drafter.get("/notices/").status_code == 302
    assert post_login(app.test_client(), "drafter", PASSWORD).status_code == 200
    assert post_login(app.test_client(), "drafter", password).status_code == 303


def test_a_reset_password_that_is_too_short_is_refused(app, client, log_in, staff):
    log_in("security")
    response = post_form(client, "/admin/roles/password", {
        "user_id": user(app, "drafter").id, "password": "short"})
    assert "密码至少8位" in text(client.get(response.location))
    assert post_login(app.test_client(), "drafter").status_code == 303


# ---- the login policy ---------------------------------------------------------------------------


def test_the_policy_page_shows_the_defaults_until_a_policy_is_saved(app, client, log_in, staff):
    log_in("security")
    html = text(client.get("/admin/policy"))
    assert "正在使用系统默认值" in html and 'value="5"' in html and 'value="30"' in html
    response = post_form(client, "/admin/policy", {
        "max_failures": 3, "lock_minutes": 60, "idle_minutes": 20,
        "version": hidden(html, "version")})
    assert response.status_code == 303
    html = text(client.get("/admin/policy"))
    assert "登录策略已保存" in html and "已由安全管理员设定" in html and 'value="60"' in html
    assert last_actions(app) == ["policy.UPDATE"]


@pytest.mark.parametrize("values, message", [
    ({"max_failures": "abc"}, "请输入整数"),
    ({"max_failures": "1"}, "连续登录失败次数应在 3 到 20 之间"),
    ({"idle_minutes": "1000"}, "无操作自动退出时间（分钟）应在 5 到 480 之间"),
])
def test_a_policy_that_is_not_a_number_or_out_of_bounds_is_refused(app, client, log_in, staff,
                                                                   values, message):
    log_in("security")
    before = audit_count(app)
    data = {"max_failures": 5, "lock_minutes": 15, "idle_minutes": 30, "version": 0, **values}
    response = post_form(client, "/admin/policy", data)
    page = text(client.get(response.location)) if response.status_code == 303 else text(response)
    assert message in page
    assert audit_count(app) == before


def test_a_policy_saved_from_a_stale_page_is_already_handled(app, client, log_in, staff):
    log_in("security")
    data = {"max_failures": 4, "lock_minutes": 15, "idle_minutes": 30, "version": 0}
    post_form(client, "/admin/policy", data)
    response = post_form(client, "/admin/policy", {**data, "max_failures": 6})
    assert "已被他人处理" in text(client.get(response.location))


# ---- the audit trail ----------------------------------------------------------------------------


def test_the_trail_shows_who_did_what_when_newest_first(client, log_in, staff):
    log_in("auditor")
    html = text(client.get("/admin/audit")) + text(client.get("/admin/audit?page=2"))
    rows = re.findall(r'data-label="操作" class="audit-action">([^<]+)<', html)
    assert rows[0] == "登录"  # the auditor's own login is the newest entry
    assert "登记印发" in rows and "签收" in rows and "新建单位" in rows
    assert "2016-03-08 09:00:00" in html  # the issue at(1), in Asia/Shanghai
    assert "核稿中 → 待签发" in html


def test_the_trail_filters_by_actor_action_and_notice_number(client, log_in, staff):
    log_in("auditor")
    html = text(client.get("/admin/audit", query_string={"actor": "clerk"}))
    assert set(re.findall(r'class="audit-action">([^<]+)<', html)) == {"登记印发"}
    html = text(client.get("/admin/audit", query_string={"action": "receipt.ACKNOWLEDGE"}))
    assert re.findall(r'class="audit-action">([^<]+)<', html) == ["签收"]
    html = text(client.get("/admin/audit", query_string={"notice": staff.issued_number}))
    assert "起草" in html and "登记印发" in html and "登录" not in re.findall(
        r'class="audit-action">([^<]+)<', html)


def test_a_date_that_is_not_a_date_is_shown_as_such(client, log_in, staff):
    log_in("auditor")
    html = text(client.get("/admin/audit", query_string={"date_from": "yesterday"}))
    assert "日期格式应为 2016-03-07" in html


def test_the_trail_pages_by_fifty(app, client, log_in, staff):
    log_in("auditor")
    with app.app_context():
        total = db.session.query(AuditEntry).count()
    for _ in range(60 - total):
        post_login(app.test_client(), "nobody", "x")
    html = text(client.get("/admin/audit"))
    assert len(re.findall(r'class="audit-action"', html)) == 50
    assert "第 1 / 2 页" in html and 'rel="next"' in html
    html = text(client.get("/admin/audit", query_string={"page": 2}))
    assert "第 2 / 2 页" in html and 'rel="prev"' in html


def test_the_chain_check_says_ok_and_changes_nothing(app, client, log_in, staff):
    log_in("auditor")
    before = audit_count(app)
    response = post_form(client, "/admin/audit/verify", page="/admin/audit")
    assert response.status_code == 303
    assert f"OK：审计链完整，共 {before} 条" in text(client.get(response.location))
    assert audit_count(app) == before
    assert client.get("/admin/audit/verify").status_code == 405


def test_the_chain_check_names_the_entry_where_the_chain_breaks(app, client, log_in, staff):
    log_in("auditor")
    with app.app_context():
        db.session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(note="改过"))
        db.session.commit()
    response = post_form(client, "/admin/audit/verify", page="/admin/audit")
    assert "审计链在第 3 条处断裂：内容已被修改" in text(client.get(response.location))


def test_the_chain_check_compares_the_chain_with_the_last_anchor(app, client, log_in, staff):
    log_in("auditor")  # first: the login is an entry of its own
    assert app.test_cli_runner().invoke(args=["audit", "anchor"]).exit_code == 0
    anchored = audit_count(app)
    with app.app_context():
        db.session.execute(delete(AuditEntry).where(AuditEntry.seq == anchored))
        last = db.session.scalar(select(AuditEntry).where(AuditEntry.seq == anchored - 1))
        db.session.execute(update(AuditHead).values(seq=last.seq, hash=last.hash))
        db.session.commit()
    response = post_form(client, "/admin/audit/verify", page="/admin/audit")
    assert (f"锚定时已有 {anchored} 条，现只有 {anchored - 1} 条"
            in text(client.get(response.location)))
