"""Fixtures of the engine's tests: a unit's internal staff for the 收文 tests, and a district
with 街道 below it for the 转发 tests."""

from __future__ import annotations

import pytest

from tests.factories import at, instructed
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


@pytest.fixture
def cascade(office, session):
    """District 1 (its office from the `office` fixture) with three 街道 below it, each with a
    收文员, and a 拟稿人, 签发人, 文书 and 督办 of its own; the city's notice signed for there and
    instructed to the 宣传部."""
    w = office
    d1 = w.districts[0]
    d1.short_name = "一区妇联"
    d1.review_required = False  # its leader signs without a separate 核稿
    d1.doc_code = "一区妇发"
    w.streets = [c.create_unit(session, None, name=f"第1区{name}街道妇联", parent_id=d1.id)
                 for name in ("东风", "红旗", "胜利")]
    for i, street in enumerate(w.streets, start=1):
        user = c.create_user(session, None, username=f"street{i}", display_name=f"街道{i}收文员",
                             unit_id=street.id)
        c.grant_role(session, None, user_id=user.id, role=Role.RECEIVER, unit_id=street.id)
        w.users[f"street{i}"] = user
    for username, role in (("d1_drafter", Role.DRAFTER), ("d1_signatory", Role.SIGNATORY),
                           ("d1_clerk", Role.CLERK), ("d1_supervisor", Role.SUPERVISOR)):
        user = c.create_user(session, None, username=username, display_name=username,
                             unit_id=d1.id)
        c.grant_role(session, None, user_id=user.id, role=role, unit_id=d1.id)
        w.users[username] = user
    c.open_series(session, w.d1_clerk, issuer_unit_id=d1.id, code="一区妇发", year=2016,
                  now=at(0))
    w.incoming = instructed(w, session, "请转发各街道")
    session.flush()
    return w
