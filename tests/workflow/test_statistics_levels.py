"""The 转发 tree counted level by level for the statistics page, against a tree counted by hand.

The city's notice goes to three districts (and a copy to the province); district 1 forwards it to
its three 街道 (and copies the city); 东风街道 forwards it once more, to its 社区 (and a 社区 of 红旗
gets nothing). Who did what, seen on 10 May 2016, after every deadline:
- level 1, the districts: 1 signed for, 2 opened it (district 2 read it without signing),
  none reported, all three overdue (the report; 2 and 3 also the receipt);
- level 2, district 1's 街道: 东风 and 红旗 signed, 东风 reported, 红旗 and 胜利 overdue;
- level 3, 东风's 社区: opened it without signing, owes its report: overdue.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import at, notice_in, reports_of
from workflow import commands as c
from workflow.errors import NotFound
from workflow.models import Incoming, Receipt
from workflow.queries.statistics import LevelCounts, notice_statistics, tree_levels
from workflow.states import NoticeState, Role

LATE = dt.datetime(2016, 5, 10, 2)  # Tuesday 10 May, Beijing morning


def _issue_forward(session, w, incoming_id, people, main_ids, now):
    drafter, signatory, clerk = people
    forwarded = c.forward(session, drafter, incoming_id=incoming_id, now=now)
    c.update_draft(session, drafter, notice_id=forwarded.id, main_unit_ids=main_ids,
                   cc_unit_ids=[], now=now)
    c.submit(session, drafter, notice_id=forwarded.id, now=now + dt.timedelta(hours=1))
    c.sign(session, signatory, notice_id=forwarded.id, opinion="同意",
           now=now + dt.timedelta(hours=2))
    c.issue(session, clerk, notice_id=forwarded.id, now=now + dt.timedelta(hours=3))
    return forwarded


def _staff(session, w, unit, prefix):
    people = {}
    for name, role in (("office", Role.PROPOSER), ("chair", Role.INSTRUCTOR),
                       ("drafter", Role.DRAFTER), ("signatory", Role.SIGNATORY),
                       ("clerk", Role.CLERK)):
        user = c.create_user(session, None, username=f"{prefix}_{name}", display_name=name,
                             unit_id=unit.id)
        c.grant_role(session, None, user_id=user.id, role=role, unit_id=unit.id)
        people[name] = w.users[f"{prefix}_{name}"] = user
    return people


@pytest.fixture
def three_levels(cascade, session):
    w = cascade
    d1_people = (w.d1_drafter, w.d1_signatory, w.d1_clerk)
    forwarded = _issue_forward(session, w, w.incoming.id, d1_people,
                               [s.id for s in w.streets], at(3))
    for username, street, report in (("street1", w.streets[0], True),
                                     ("street2", w.streets[1], False)):
        receipt = session.scalar(select(Receipt).where(Receipt.notice_id == forwarded.id,
                                                       Receipt.unit_id == street.id))
        c.acknowledge(session, w.users[username], receipt_id=receipt.id, now=at(4))
        if report:
            mine = next(r for r in reports_of(w, forwarded) if r.unit_id == street.id)
            c.submit_report(session, w.users[username], report_id=mine.id, text="东风街道调研报告",
                            now=at(5))
    # 东风街道 passes it on to its 社区 as its own 发文.
    dongfeng = w.streets[0]
    dongfeng.short_name, dongfeng.doc_code, dongfeng.review_required = "东风街道", "东妇发", False
    community = c.create_unit(session, None, name="东风街道第一社区妇联", parent_id=dongfeng.id)
    c.create_unit(session, None, name="红旗街道第一社区妇联", parent_id=w.streets[1].id)
    reader = c.create_user(session, None, username="community1", display_name="社区收文员",
                           unit_id=community.id)
    c.grant_role(session, None, user_id=reader.id, role=Role.RECEIVER, unit_id=community.id)
    staff = _staff(session, w, dongfeng, "dongfeng")
    c.open_series(session, staff["clerk"], issuer_unit_id=dongfeng.id, code="东妇发", year=2016,
                  now=at(5))
    incoming = session.scalar(select(Incoming).where(Incoming.unit_id == dongfeng.id,
                                                     Incoming.notice_id == forwarded.id))
    c.propose(session, staff["office"], incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=dongfeng.id, now=at(5.1))
    c.instruct(session, staff["chair"], incoming_id=incoming.id, instruction="请转发各社区",
               now=at(5.2))
    third = _issue_forward(session, w, incoming.id,
                           (staff["drafter"], staff["signatory"], staff["clerk"]),
                           [community.id], at(6))
    c.record_reading(session, reader, notice_id=third.id, now=at(7))
    c.record_reading(session, w.receiver2, notice_id=w.incoming.notice.id, now=at(7))
    session.flush()
    return w, w.incoming.notice, forwarded, third


def test_each_level_of_the_tree_is_counted_as_by_hand(three_levels, session):
    _, city, _, _ = three_levels
    assert tree_levels(session, city.id, now=LATE) == [
        LevelCounts(level=1, notices=1, units=3, signed=1, read=2, owing=3, reported=0,
                    overdue=3),
        LevelCounts(level=2, notices=1, units=3, signed=2, read=2, owing=3, reported=1,
                    overdue=2),
        LevelCounts(level=3, notices=1, units=1, signed=0, read=1, owing=1, reported=0,
                    overdue=1)]


def test_before_the_report_deadlines_only_the_late_signatures_are_overdue(three_levels,
                                                                          session):
    _, city, forwarded, third = three_levels
    # Signing for was due on Friday 11 March (the city's), Tuesday 15 March (district 1's) and
    # later still for 东风's; on Monday 14 March districts 2 and 3 alone are late.
    assert (city.receipt_due_on, forwarded.receipt_due_on) == (
        dt.date(2016, 3, 11), dt.date(2016, 3, 15))
    assert third.receipt_due_on > dt.date(2016, 3, 14)
    early = tree_levels(session, city.id, now=dt.datetime(2016, 3, 14, 2))
    assert [level.overdue for level in early] == [2, 0, 0]
    assert [level.units for level in early] == [3, 3, 1]


def test_a_tree_counted_from_the_middle_starts_at_its_own_recipients(three_levels, session):
    _, _, forwarded, third = three_levels
    assert [(x.level, x.units, x.signed, x.reported) for x in
            tree_levels(session, forwarded.id, now=LATE)] == [(1, 3, 2, 1), (2, 1, 0, 0)]
    assert [x.units for x in tree_levels(session, third.id, now=LATE)] == [1]


def test_the_city_supervisor_reads_the_levels_on_the_notices_statistics(three_levels, session):
    w, city, _, _ = three_levels
    found = notice_statistics(session, w.supervisor, city.id, now=LATE)
    assert [(x.level, x.units, x.signed) for x in found.levels] == [(1, 3, 1), (2, 3, 2),
                                                                     (3, 1, 0)]


def test_a_leader_who_is_no_supervisor_reads_the_figures_but_not_the_tree(three_levels, session):
    w, city, _, _ = three_levels
    found = notice_statistics(session, w.signatory, city.id, now=LATE)
    assert found.receipts.owed == 3 and found.levels == []


def test_district_1s_supervisor_reads_its_own_forwards_levels_not_the_citys(three_levels,
                                                                             session):
    w, city, forwarded, _ = three_levels
    own = notice_statistics(session, w.d1_supervisor, forwarded.id, now=LATE)
    assert [x.units for x in own.levels] == [3, 1]
    with pytest.raises(NotFound):
        notice_statistics(session, w.d1_supervisor, city.id, now=LATE)


@pytest.mark.parametrize("who", ["admin", "auditor", "vice_chair", "receiver1", "street1",
                                 "outsider"])
def test_nobody_else_reads_the_levels(three_levels, session, who):
    w, city, _, _ = three_levels
    if who == "outsider":  # the supervisor of a federation of its own
        other = c.create_unit(session, None, name="另一省妇女联合会")
        user = c.create_user(session, None, username="outsider", display_name="外省督办",
                             unit_id=other.id)
        c.grant_role(session, None, user_id=user.id, role=Role.SUPERVISOR, unit_id=other.id)
        w.users["outsider"] = user
    with pytest.raises(NotFound):
        notice_statistics(session, w.users[who], city.id, now=LATE)


def test_a_notice_nobody_forwarded_shows_no_levels(world, session):
    notice = notice_in(world, NoticeState.ISSUED)
    assert notice_statistics(session, world.supervisor, notice.id, now=LATE).levels == []
    assert [x.units for x in tree_levels(session, notice.id, now=LATE)] == [3]
