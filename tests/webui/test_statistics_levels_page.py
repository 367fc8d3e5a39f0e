"""The statistics page of a notice that was passed down (转发) counts its whole tree by level, for
the issuing unit's 督办 only. On the demo: 长春市妇联's seed 000, forwarded by 南关区妇联 to its six
街道 (南妇发〔2016〕1号); five of them signed for it, none has sent both of the reports passed down
(学习贯彻落实会议精神情况, due 28 March, and 调研报告), so on the app's day (1 March 2017) all six
are overdue."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.webui.conftest import NOW, give_password, post_login
from webui.extensions import db
from workflow import commands as c
from workflow import demo
from workflow.deadlines import local_date
from workflow.models import Notice, Unit, User
from workflow.states import Role

pytestmark = pytest.mark.slow  # the whole demo is built


@pytest.fixture
def seeded(app):
    """The demo with its notices; passwords for the people the tests log in as, and a 督办 of a
    federation of its own. Returns the id of seed 000 and of 南关's 转发 of it."""
    with app.app_context():
        s = db.session
        # Its working life in the weeks before the app's own today (the tests' fixed clock).
        demo.build(s, today=local_date(NOW))
        other = c.create_unit(s, None, name="外省妇女联合会")
        outsider = c.create_user(s, None, username="outsider_sup", display_name="外省督办",
                                 unit_id=other.id)
        c.grant_role(s, None, user_id=outsider.id, role=Role.SUPERVISOR, unit_id=other.id)
        nobody = c.create_user(s, None, username="roleless", display_name="无角色",
                               unit_id=other.id)
        city = s.scalar(select(Unit).where(Unit.name == "长春市妇女联合会"))
        admin = c.create_user(s, None, username="city_admin", display_name="市妇联管理员",
                              unit_id=city.id)
        c.grant_role(s, None, user_id=admin.id, role=Role.ADMIN, unit_id=city.id)
        for user in (outsider, nobody, admin):
            give_password(s, user.id)
        for username in ("cc_supervisor", "nanguan_office", "ng_ziqiang"):
            user = s.scalar(select(User).where(User.username == username))
            if user is not None:
                give_password(s, user.id)
        nanguan = s.scalar(select(Unit).where(Unit.name == "长春市南关区妇联"))
        forwarded = s.scalar(select(Notice).where(Notice.forwards_id.is_not(None),
                                                  Notice.issuer_unit_id == nanguan.id))
        s.commit()
        return forwarded.forwards_id, forwarded.id


def _levels(html: str) -> list[list[str]]:
    table = re.search(r'<table class="table desk-stack st-levels">(.*?)</table>', html, re.S)
    if table is None:
        return []
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)[1:]
    return [[re.sub(r"<[^>]+>|\s+", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row,
                                                                      re.S)] for row in rows]


def _client(app, username):
    client = app.test_client()
    assert post_login(client, username).status_code == 303, username
    return client


def test_the_citys_supervisor_sees_the_tree_counted_by_level(app, seeded):
    seed_000, _ = seeded
    html = _client(app, "cc_supervisor").get(f"/statistics/notices/{seed_000}").get_data(
        as_text=True)
    assert "转发各级统计" in html
    levels = _levels(html)
    assert [row[0] for row in levels] == ["第1级本文主送单位", "第2级1份转发的主送单位"]
    assert levels[1][1:] == ["6", "5/6", "5/6", "0/6", "6"]
    assert f'href="/tracking/{seed_000}/tree"' in html


def test_nanguans_supervisor_sees_no_levels_where_nobody_forwarded_further(app, seeded):
    seed_000, forwarded = seeded
    client = _client(app, "nanguan_office")
    html = client.get(f"/statistics/notices/{forwarded}").get_data(as_text=True)
    assert "签收" in html and "转发各级统计" not in html  # its own page, without levels
    assert client.get(f"/statistics/notices/{seed_000}").status_code == 404  # its superior's


# Another federation's 督办 (404); a role-less account, a 街道's 收文员, the city's administrator:
# no statistics desk at all.
def test_nobody_else_sees_the_levels(app, seeded):
    seed_000, _ = seeded
    for username, status in (("outsider_sup", 404), ("roleless", 403), ("ng_ziqiang", 403),
                             ("city_admin", 403)):
        response = _client(app, username).get(f"/statistics/notices/{seed_000}")
        assert response.status_code == status, username
        assert "转发各级统计" not in response.get_data(as_text=True), username
