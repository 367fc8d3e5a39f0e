"""从文本导入's matching: names read from a notice matched exactly to the issuer's groups and to
units, brackets and spaces aside; what matches nothing (or more than one unit) is left unmatched."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workflow import demo
from workflow.errors import Forbidden
from workflow.models import Unit, UnitGroup, User
from workflow.queries.drafting_import import imported_draft, match_names


def _unit(session, name):
    return session.scalar(select(Unit).where(Unit.name == name))


def _groups(session):
    return {g.name: g.id for g in session.scalars(select(UnitGroup))}


@pytest.fixture
def demo_world(session):
    demo.build(session, with_notices=False)
    session.flush()
    return session


def test_group_names_match_with_half_width_brackets_and_spaces(demo_world):
    hrb = _unit(demo_world, "哈尔滨市妇女联合会")
    found = match_names(demo_world, hrb.id, ["各区县(市)妇联", "市直 妇委会"])
    groups = _groups(demo_world)
    assert found.group_ids == [groups["各区县（市）妇联"], groups["市直妇委会"]]
    assert found.unit_ids == [] and found.unmatched == []


def test_units_match_by_name_or_unique_short_name(demo_world):
    hrb = _unit(demo_world, "哈尔滨市妇女联合会")
    found = match_names(demo_world, hrb.id, ["哈尔滨市教育局妇委会", "市妇联宣传部"])
    assert found.unit_ids == [_unit(demo_world, "哈尔滨市教育局妇委会").id,
                              _unit(demo_world, "哈尔滨市妇联宣传部").id]


def test_another_issuers_group_an_ambiguous_short_name_and_unknown_names_stay_unmatched(
        demo_world):
    hrb = _unit(demo_world, "哈尔滨市妇女联合会")
    found = match_names(demo_world, hrb.id, ["开发区妇联", "省妇联", "各乡镇妇联"])
    assert found.group_ids == [] and found.unit_ids == []
    assert found.unmatched == ["开发区妇联", "省妇联", "各乡镇妇联"]


def test_only_a_drafter_may_import(demo_world):
    receiver = demo_world.scalar(select(User).where(User.username == "daoli"))
    with pytest.raises(Forbidden):
        imported_draft(demo_world, receiver, "关于测试的通知")
