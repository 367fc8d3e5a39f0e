"""Fixtures of the engine's tests: a unit's internal staff for the 收文 tests."""

from __future__ import annotations

import pytest

from workflow import commands as c
from workflow.states import Role


@pytest.fixture
def office(world, session):
    """District 1 with its internal staff: 办公室主任 (拟办), 主席 (批办), a 宣传部 with its 承办人,
    a vice chair who only reads, and a department of district 2 for the strangers' side."""
    d1 = world.districts[0]
    dept = c.create_unit(session, None, name="示范市第1区妇联宣传部", parent_id=d1.id,
                         internal=True)
    other_dept = c.create_unit(session, None, name="示范市第2区妇联办公室",
                               parent_id=world.districts[1].id, internal=True)
    people = {"office_head": (Role.PROPOSER, d1), "chair": (Role.INSTRUCTOR, d1),
              "propaganda": (Role.HANDLER, dept), "stranger_handler": (Role.HANDLER, other_dept),
              "stranger_proposer": (Role.PROPOSER, world.districts[1])}
    for username, (role, unit) in people.items():
        user = c.create_user(session, None, username=username, display_name=username,
                             unit_id=unit.id)
        c.grant_role(session, None, user_id=user.id, role=role, unit_id=unit.id)
        world.users[username] = user
    world.users["vice_chair"] = c.create_user(session, None, username="vice_chair",
                                              display_name="副主席", unit_id=d1.id)
    world.dept, world.other_dept = dept, other_dept
    session.flush()
    return world
