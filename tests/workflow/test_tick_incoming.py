"""催办 inside a unit: `flask tick` reminds the 承办人 and the readers who have not read a 收文 in
hand, on the deadline policy's schedule (3 and 1 working days before its deadline, on the day,
then every 2 working days), once per point, and never after 办结.

The 收文 below is registered on Monday 2016-03-07 with the deadline Friday 3-18: its points are
Tuesday 3-15, Thursday 3-17, Friday 3-18, then Tuesday 3-22 (the weekend does not count)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from workflow import commands as c
from workflow import tick
from workflow.models import AuditEntry, IncomingReminder, Notification
from workflow.states import Role


def beijing(month: int, day: int, hour: int = 10) -> dt.datetime:
    """A moment of 2016 in Beijing, as the naive UTC the engine takes."""
    return dt.datetime(2016, month, day, hour) - dt.timedelta(hours=8)


@pytest.fixture
def in_hand(world, session):
    d1 = world.districts[0]
    dept = c.create_unit(session, None, name="第1区妇联宣传部", parent_id=d1.id, internal=True)
    people = {}
    for username, role, unit in (("office_head", Role.PROPOSER, d1), ("chair", Role.INSTRUCTOR, d1),
                                 ("handler", Role.HANDLER, dept),
                                 ("other_handler", Role.HANDLER, world.districts[1])):
        people[username] = c.create_user(session, None, username=username,
                                         display_name=username, unit_id=unit.id)
        c.grant_role(session, None, user_id=people[username].id, role=role, unit_id=unit.id)
    people["reader"] = c.create_user(session, None, username="reader", display_name="读者",
                                     unit_id=d1.id)
    incoming = c.register_external(session, world.receiver1, unit_id=d1.id,
                                   source_organ="示范市教育局", title="关于开学的通知",
                                   received_on=dt.date(2016, 3, 7), now=beijing(3, 7))
    c.propose(session, people["office_head"], incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=dept.id, deadline=dt.date(2016, 3, 18), now=beijing(3, 7))
    c.instruct(session, people["chair"], incoming_id=incoming.id, instruction="请办理",
               now=beijing(3, 7, 11))
    c.circulate(session, people["chair"], incoming_id=incoming.id,
                reader_ids=[people["reader"].id], now=beijing(3, 7, 11))
    session.commit()
    return incoming, people


def reminded(session) -> list[tuple[str, str]]:
    """(who, when) of every reminder inside the units, in order."""
    rows = session.execute(select(IncomingReminder.user_id, IncomingReminder.point)
                           .order_by(IncomingReminder.id)).all()
    return [(user_id, point.isoformat()) for user_id, point in rows]


def test_nothing_is_sent_before_the_first_point(in_hand, session):
    tick.run(session, now=beijing(3, 14))
    assert reminded(session) == []


def test_three_working_days_before_the_handler_and_the_reader_are_reminded_once(
        in_hand, session):
    incoming, people = in_hand
    report = tick.run(session, now=beijing(3, 15))
    handler, reader = people["handler"].id, people["reader"].id
    assert reminded(session) == [(handler, "2016-03-15"), (reader, "2016-03-15")]
    assert [r.message for r in report.inside] == [
        "催办：收〔2016〕1号《关于开学的通知》请于2016年3月18日前办理",
        "催阅：收〔2016〕1号《关于开学的通知》请于2016年3月18日前阅知"]
    told = session.scalars(select(Notification.user_id).where(
        Notification.kind == "reminder", Notification.target == f"incoming:{incoming.id}")).all()
    assert sorted(told) == sorted([handler, reader])
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "incoming.REMIND"))
    assert entry.object_id == incoming.id and entry.details["users"] == [handler, reader]
    # A second tick the same day, and a later one at the same point, send nothing more.
    assert tick.run(session, now=beijing(3, 15, 16)).inside == []
    assert tick.run(session, now=beijing(3, 16)).inside == []
    assert len(reminded(session)) == 2


def test_a_reader_who_has_read_is_not_reminded_and_no_one_outside_the_unit_ever_is(
        in_hand, session):
    incoming, people = in_hand
    copy = incoming.circulations[0]
    c.mark_read_copy(session, people["reader"], circulation_id=copy.id, now=beijing(3, 16))
    tick.run(session, now=beijing(3, 17))
    assert reminded(session) == [(people["handler"].id, "2016-03-17")]


def test_a_tick_that_missed_days_sends_the_latest_point_only_and_none_on_a_day_off(
        in_hand, session):
    _, people = in_hand
    assert tick.run(session, now=beijing(3, 19)).day_off  # a Saturday
    assert reminded(session) == []
    tick.run(session, now=beijing(3, 22))  # Tuesday: two working days after the deadline
    assert reminded(session) == [(people["handler"].id, "2016-03-22"),
                                 (people["reader"].id, "2016-03-22")]


def test_a_finished_收文_is_reminded_to_nobody(in_hand, session):
    incoming, people = in_hand
    c.waive(session, people["chair"], circulation_id=incoming.circulations[0].id, reason="出差",
            now=beijing(3, 14))
    c.finish(session, people["handler"], incoming_id=incoming.id, result="已办",
             now=beijing(3, 14))
    tick.run(session, now=beijing(3, 15))
    assert reminded(session) == []
