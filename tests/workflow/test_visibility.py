"""Who sees a notice: a business role in a unit the notice concerns, and nobody else.

The unit an account belongs to grants nothing by itself: an account the 系统管理员 creates with no
role reads nothing, drafts included. The three administrators never see a notice's content; the
auditor reads the trail, which names notices. Server commands (no actor) see everything.
"""

from __future__ import annotations

import pytest

from tests.factories import at, notice_in
from workflow import commands as c
from workflow import printing, queries
from workflow.errors import NotFound
from workflow.queries import admin as admin_queries
from workflow.states import NoticeState as NS
from workflow.states import Role


def _account(session, world, username, unit, *roles):
    user = c.create_user(session, None, username=username, display_name=username,
                         unit_id=unit.id)
    for role, where in roles:
        c.grant_role(session, None, user_id=user.id, role=role, unit_id=where.id)
    session.commit()
    return user


@pytest.fixture
def notices(world, session):
    """A draft and an issued notice of the city federation."""
    draft = notice_in(world, NS.DRAFT)
    issued = notice_in(world, NS.ISSUED)
    session.commit()
    return draft, issued


def _sees(session, user, notice) -> bool:
    try:
        queries.get_notice(session, notice.id, user)
    except NotFound:
        return False
    return True


def test_an_account_without_a_role_sees_no_notice_of_its_own_unit(world, session, notices):
    nobody = _account(session, world, "nobody", world.issuer)
    assert queries.notice_summaries(session, nobody) == []
    assert not any(_sees(session, nobody, n) for n in notices)


def test_an_account_without_a_role_in_a_recipient_unit_sees_nothing_it_received(
        world, session, notices):
    nobody = _account(session, world, "nobody", world.districts[0])
    assert queries.notice_summaries(session, nobody) == []
    assert not _sees(session, nobody, notices[1])


@pytest.mark.parametrize("who", ["admin", "security", "auditor"])
def test_no_administrator_sees_a_notice_not_even_the_auditor(world, session, notices, who):
    user = world.users[who]
    assert queries.notice_summaries(session, user) == []
    assert not any(_sees(session, user, n) for n in notices)
    with pytest.raises(NotFound):
        printing.printed_notice(session, notices[1].id, user)


def test_the_auditor_reads_the_trail_which_names_the_notice(world, session, notices):
    page = admin_queries.audit_page(session, admin_queries.AuditFilter(notice=str(notices[1].id)))
    assert page.rows and all(r.notice_id == notices[1].id for r in page.rows)


def test_a_business_role_in_the_issuing_unit_sees_its_drafts(world, session, notices):
    for name in ("drafter", "reviewer", "signatory", "clerk", "supervisor"):
        assert all(_sees(session, world.users[name], n) for n in notices), name


def test_a_recipient_sees_what_it_received_but_not_the_issuers_drafts(world, session, notices):
    draft, issued = notices
    assert _sees(session, world.receiver1, issued)
    assert not _sees(session, world.receiver1, draft)


def test_belonging_to_a_unit_grants_nothing_a_role_elsewhere_does_not(world, session, notices):
    # A district's member whose only role is in another unit: the district's notices stay closed.
    elsewhere = c.create_unit(session, None, name="示范市第9区妇联", parent_id=world.issuer.id)
    person = _account(session, world, "member", world.districts[0],
                      (Role.RECEIVER, elsewhere))
    assert not _sees(session, person, notices[1])
    assert queries.notice_summaries(session, person) == []


def test_a_deactivated_account_sees_nothing(world, session, notices):
    c.deactivate_user(session, world.admin, user_id=world.receiver1.id, now=at(3))
    session.commit()
    assert not _sees(session, world.receiver1, notices[1])


def test_a_server_command_sees_every_notice(world, session, notices):
    assert {s.id for s in queries.notice_summaries(session, None)} >= {n.id for n in notices}
