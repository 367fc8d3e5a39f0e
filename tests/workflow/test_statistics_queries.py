"""Statistics of deadlines met: one notice's x/N signed for, y/N reported, median time to sign for
and who is late; every recipient unit's on time / late / missing / open over a period — matching a
hand count of the demo, judged against due dates and an explicit now, for the issuing unit's 督办
and leaders only, in a fixed number of statements however many units."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import add_units_with_receivers, at, notice_in, receipts_of, reports_of
from tests.statements import statements_run
from workflow import commands as c
from workflow import demo
from workflow.demo.timeline import local
from workflow.errors import InvalidInput, NotFound
from workflow.models import Notice, User
from workflow.queries import statistics as st
from workflow.states import NoticeState as NS
from workflow.states import Role

DUE = dt.date(2016, 4, 30)
ONE_REQUEST = [{"what": "调研报告", "due_date": DUE, "to_whom": "市妇联"}]
TWO_REQUESTS = [{"what": "统计表", "due_date": dt.date(2016, 3, 20), "to_whom": "市妇联"},
                {"what": "调研报告", "due_date": DUE, "to_whom": "市妇联"}]
YEAR_2016 = {"start": dt.date(2016, 1, 1), "end": dt.date(2016, 12, 31)}
YEAR_2026 = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31)}


def _figures(stats: st.UnitStatistics) -> dict[str, tuple]:
    """unit → (received, signed on time, reports on time, late, missing, open, on-time %)."""
    return {u.unit_name: (u.received, u.receipts_on_time, u.reports_on_time, u.late, u.missing,
                          u.open, u.rate_percent) for u in stats.units}


def _tally(t: st.Tally) -> tuple:
    return (t.owed, t.done, t.on_time, t.late, t.missing, t.open)


def _late(stats: st.NoticeStatistics) -> dict[str, list[tuple]]:
    return {u.unit_name: [(i.what, i.label) for i in u.items] for u in stats.late_units}


# ------------------------------------------------------------------------------------------------
# The demo, counted by hand.
#
# Read from workflow/demo/__init__.py, the demo built as on Thursday 2026-12-03 (its week 0 begins
# Monday 11-30; its working life lies in the weeks before):
# 长妇通字〔2026〕4号, issued Thursday 2026-11-19 09:00 (Beijing time) by 长春市妇联: 主送 four
#   groups — 10 县（市）区, 4 开发区, 4 市直机关, 4 大专院校 = 22 units; 抄送 吉林省妇联.
#   Two report requests, each from the 10 + 4 = 14 counties and zones:
#   R1 学习贯彻落实会议精神情况 due Monday 11-30, R2 调研报告 due Friday 12-18.
#   Signed for: 南关区 11-19 10:00, 宽城区 11-20 10:00, 朝阳区 11-23 (Monday) 10:00, 长春经济技术
#   开发区 11-24 10:00 — 1, 25, 97 and 121 hours after issue: median (25 + 97) / 2 = 61 hours.
#   Reports: 南关区 R1 submitted 11-25 (accepted 11-26) and R2 11-27 (its 收文 is then 办结),
#   宽城区 R1 submitted 11-26; nothing else.
# 哈妇发〔2026〕9号, issued Tuesday 2026-11-24 15:00 by 哈尔滨市妇联: 主送 18 区县（市）, 3 市直妇委会,
#   3 团体会员 = 24 units; 抄送 黑龙江省妇联. One request 学习贯彻情况 without a due date
#   (及时报送), from the 18 区县（市）.
#   Signed for: 道里区 11-25 09:00, 南岗区 11-26 09:00, 道外区 11-27 09:00 — 18, 42 and 66 hours
#   after issue: median 42 hours. Report: 道里区 submitted 11-27, accepted the same day.
# Counted on 2026-12-03: R1 is 3 days past its day, R2 still ahead.
#
# The notices' 签收期限 (receipt_due_on) are pinned by the tests, so that the hand count does not
# depend on the working-day calendar: first none (never late), then 11-20 and 11-26.

DEMO_TODAY = dt.date(2026, 12, 3)
NOW = local(2026, 12, 3)
CC_OTHER_COUNTIES = ["长春市二道区妇联", "长春市绿园区妇联", "长春市双阳区妇联", "长春市九台区妇联",
                     "农安县妇联", "榆树市妇联", "德惠市妇联", "长春高新技术产业开发区妇联",
                     "长春净月高新技术产业开发区妇联", "长春汽车经济技术开发区妇联"]
CC_ONLY_SIGN = ["中共长春市委机关妇委会", "长春市人民政府机关妇委会", "长春市教育局妇委会",
                "长春市卫生和计划生育委员会妇委会", "长春大学妇委会", "长春师范大学妇委会",
                "长春工程学院妇委会", "长春职业技术学院妇委会"]
HRB_OTHER_COUNTIES = ["哈尔滨市平房区妇联", "哈尔滨市松北区妇联", "哈尔滨市香坊区妇联",
                      "哈尔滨市呼兰区妇联", "哈尔滨市阿城区妇联", "哈尔滨市双城区妇联", "依兰县妇联",
                      "方正县妇联", "宾县妇联", "巴彦县妇联", "木兰县妇联", "通河县妇联",
                      "延寿县妇联", "尚志市妇联", "五常市妇联"]
HRB_ONLY_SIGN = ["中共哈尔滨市委机关妇委会", "哈尔滨市人民政府机关妇委会", "哈尔滨市教育局妇委会",
                 "哈尔滨市女企业家协会", "哈尔滨市女律师协会", "哈尔滨市女科技工作者协会"]


@pytest.fixture
def demo_world(session):
    """The demo, both seeds issued; returns its people by username."""
    demo.build(session, today=DEMO_TODAY)
    session.commit()
    return {u.username: u for u in session.scalars(select(User))}


def _pin_receipt_deadlines(session, changchun: dt.date | None, harbin: dt.date | None):
    for number, due in (("长妇通字〔2026〕4号", changchun), ("哈妇发〔2026〕9号", harbin)):
        session.scalar(select(Notice).where(Notice.doc_number == number)).receipt_due_on = due
    session.commit()


def _notice_id(session, number: str) -> int:
    return session.scalar(select(Notice.id).where(Notice.doc_number == number))


def test_the_demo_without_receipt_deadlines_matches_the_hand_count(demo_world, session):
    _pin_receipt_deadlines(session, None, None)
    people = demo_world

    changchun = st.unit_statistics(session, people["cc_supervisor"], now=NOW, **YEAR_2026)
    # A receipt without a deadline is never late: signed is on time, pending is open.
    expected = {
        "长春市南关区妇联": (1, 1, 2, 0, 0, 0, 100),  # R1 on 11-25, R2 on 11-27
        "长春市宽城区妇联": (1, 1, 1, 0, 0, 1, 100),  # R1 on 11-26, before its due day
        "长春市朝阳区妇联": (1, 1, 0, 0, 1, 1, 50),  # R1 missing, R2 ahead
        "长春经济技术开发区妇联": (1, 1, 0, 0, 1, 1, 50),
        **{name: (1, 0, 0, 0, 1, 2, 0) for name in CC_OTHER_COUNTIES},  # open receipt and R2
        **{name: (1, 0, 0, 0, 0, 1, None) for name in CC_ONLY_SIGN},  # nothing due yet
    }
    assert _figures(changchun) == expected
    total = changchun.total
    # 22 received; 4 + 3 on time; 12 R1 missing; open: 3 × R2 + 10 × (receipt, R2) + 8 receipts.
    assert (total.received, total.on_time, total.late, total.missing, total.open) == \
        (22, 7, 0, 12, 31)
    assert total.rate_percent == 37  # 7 of 19
    assert changchun.issuers == ["长春市妇女联合会"] and len(changchun.notices) == 1

    harbin = st.unit_statistics(session, people["hrb_signatory"], now=NOW, **YEAR_2026)
    assert _figures(harbin) == {
        "哈尔滨市道里区妇联": (1, 1, 1, 0, 0, 0, 100),  # 及时报送: submitted is on time
        "哈尔滨市南岗区妇联": (1, 1, 0, 0, 0, 1, 100),
        "哈尔滨市道外区妇联": (1, 1, 0, 0, 0, 1, 100),
        **{name: (1, 0, 0, 0, 0, 2, None) for name in HRB_OTHER_COUNTIES},
        **{name: (1, 0, 0, 0, 0, 1, None) for name in HRB_ONLY_SIGN},
    }


def test_the_demo_notices_figures_match_the_hand_count(demo_world, session):
    _pin_receipt_deadlines(session, None, None)
    people = demo_world
    seed0 = st.notice_statistics(session, people["cc_supervisor"],
                                 _notice_id(session, "长妇通字〔2026〕4号"), now=NOW)
    assert _tally(seed0.receipts) == (22, 4, 4, 0, 0, 18)  # signed for 4/22
    assert (seed0.cc_units, seed0.cc_signed, seed0.returned) == (1, 0, 0)
    assert seed0.median_hours == 61 and seed0.median_label == "2天13小时"
    r1, r2 = seed0.requests
    assert (r1.what, _tally(r1.tally), r1.accepted) == ("学习贯彻落实会议精神情况",
                                                       (14, 2, 2, 0, 12, 0), 1)
    assert (r2.what, _tally(r2.tally), r2.accepted) == ("调研报告", (14, 1, 1, 0, 0, 13), 0)
    assert _tally(seed0.reports) == (28, 3, 3, 0, 12, 13)  # reported 3/28
    late = _late(seed0)
    owing_r1 = ["长春市朝阳区妇联", "长春经济技术开发区妇联", *CC_OTHER_COUNTIES]
    assert sorted(late) == sorted(owing_r1)
    assert all(items == [("学习贯彻落实会议精神情况", "逾期3天未办")] for items in late.values())

    seed1 = st.notice_statistics(session, people["hrb_supervisor"],
                                 _notice_id(session, "哈妇发〔2026〕9号"), now=NOW)
    assert _tally(seed1.receipts) == (24, 3, 3, 0, 0, 21)
    assert seed1.median_hours == 42
    (request,) = seed1.requests
    assert (_tally(request.tally), request.accepted) == ((18, 1, 1, 0, 0, 17), 1)
    assert seed1.late_units == []  # no deadline, nobody late


def test_the_demo_with_receipt_deadlines_matches_the_hand_count(demo_world, session):
    _pin_receipt_deadlines(session, dt.date(2026, 11, 20), dt.date(2026, 11, 26))
    people = demo_world

    changchun = st.unit_statistics(session, people["cc_signatory"], now=NOW, **YEAR_2026)
    assert _figures(changchun) == {
        "长春市南关区妇联": (1, 1, 2, 0, 0, 0, 100),  # signed 11-19; R1 and R2 on time
        "长春市宽城区妇联": (1, 1, 1, 0, 0, 1, 100),  # signed 11-20 10:00, on the due day
        "长春市朝阳区妇联": (1, 0, 0, 1, 1, 1, 0),  # signed 11-23: late; R1 missing
        "长春经济技术开发区妇联": (1, 0, 0, 1, 1, 1, 0),  # signed 11-24: late
        **{name: (1, 0, 0, 0, 2, 1, 0) for name in CC_OTHER_COUNTIES},  # receipt and R1
        **{name: (1, 0, 0, 0, 1, 0, 0) for name in CC_ONLY_SIGN},  # receipt missing
    }
    total = changchun.total
    assert (total.on_time, total.late, total.missing, total.open) == (5, 2, 30, 13)
    assert total.rate_percent == 14  # 5 of 37

    seed0 = st.notice_statistics(session, people["cc_supervisor"],
                                 _notice_id(session, "长妇通字〔2026〕4号"), now=NOW)
    assert _tally(seed0.receipts) == (22, 4, 2, 2, 18, 0)
    late = _late(seed0)
    assert late["长春市朝阳区妇联"] == [("签收", "逾期3天办理"),
                                   ("学习贯彻落实会议精神情况", "逾期3天未办")]
    assert late["长春经济技术开发区妇联"][0] == ("签收", "逾期4天办理")
    assert late["农安县妇联"] == [("签收", "逾期13天未办"), ("学习贯彻落实会议精神情况", "逾期3天未办")]
    assert late["长春大学妇委会"] == [("签收", "逾期13天未办")]
    assert len(late) == 2 + 10 + 8 and "长春市南关区妇联" not in late

    harbin = st.unit_statistics(session, people["hrb_supervisor"], now=NOW, **YEAR_2026)
    assert _figures(harbin) == {
        "哈尔滨市道里区妇联": (1, 1, 1, 0, 0, 0, 100),
        "哈尔滨市南岗区妇联": (1, 1, 0, 0, 0, 1, 100),  # signed 11-26 09:00, the due day
        "哈尔滨市道外区妇联": (1, 0, 0, 1, 0, 1, 0),  # signed 11-27: late
        **{name: (1, 0, 0, 0, 1, 1, 0) for name in HRB_OTHER_COUNTIES},
        **{name: (1, 0, 0, 0, 1, 0, 0) for name in HRB_ONLY_SIGN},
    }


def test_each_federation_sees_only_the_notices_its_own_units_issued(demo_world, session):
    people = demo_world
    harbin_notice = _notice_id(session, "哈妇发〔2026〕9号")
    with pytest.raises(NotFound):
        st.notice_statistics(session, people["cc_supervisor"], harbin_notice, now=NOW)
    all_years = {"start": dt.date(2025, 1, 1), "end": dt.date(2026, 12, 31)}
    changchun = st.unit_statistics(session, people["cc_supervisor"], now=NOW, **all_years)
    assert not any(name.startswith("哈尔滨") for name in _figures(changchun))
    assert changchun.years == [2026]
    for username in ("nanguan", "cc_drafter", "cc_clerk", "auditor"):
        assert st.unit_statistics(session, people[username], now=NOW, **all_years).units == []
        with pytest.raises(NotFound):
            st.notice_statistics(session, people[username],
                                 _notice_id(session, "长妇通字〔2026〕4号"), now=NOW)


# ------------------------------------------------------------------------------------------------
# Judging items against due dates: built cases with an explicit now.


def _issued(w, *, requests=ONE_REQUEST, receipt_due: dt.date | None = None, **fields) -> Notice:
    """A notice issued on 2016-03-08 09:00 (Beijing time) with its 签收期限 set by hand."""
    notice = notice_in(w, NS.ISSUED, requests=requests, **fields)
    notice.receipt_due_on = receipt_due
    w.session.flush()
    return notice


def _receipt(w, notice, i):
    return next(r for r in receipts_of(w, notice) if r.unit_id == w.districts[i].id)


def _report(w, notice, i, position=0):
    return [r for r in reports_of(w, notice) if r.unit_id == w.districts[i].id][position]


def _sign(w, notice, i, when):
    c.acknowledge(w.session, w.users[f"receiver{i + 1}"], receipt_id=_receipt(w, notice, i).id,
                  now=when)


def _send(w, notice, i, when, position=0):
    report = _report(w, notice, i, position)
    c.submit_report(w.session, w.users[f"receiver{i + 1}"], report_id=report.id, text="报告",
                    now=when)
    return report


def test_a_report_on_its_due_day_in_beijing_is_on_time_and_a_minute_after_midnight_late(
        world, session):
    notice = _issued(world)
    for i in range(3):
        _sign(world, notice, i, at(1))
    _send(world, notice, 0, local(2016, 4, 30, 23, 59))  # 15:59 UTC
    _send(world, notice, 1, local(2016, 5, 1, 0, 1))  # still 04-30 in UTC
    stats = st.notice_statistics(session, world.supervisor, notice.id, now=local(2016, 5, 3))
    (request,) = stats.requests
    assert _tally(request.tally) == (3, 2, 1, 1, 1, 0)
    assert _late(stats) == {world.districts[1].name: [("调研报告", "逾期1天办理")],
                            world.districts[2].name: [("调研报告", "逾期3天未办")]}


def test_an_item_not_done_is_open_through_its_due_day_and_missing_the_day_after(world, session):
    notice = _issued(world, receipt_due=dt.date(2016, 3, 10))
    on_the_day = st.notice_statistics(session, world.supervisor, notice.id,
                                      now=local(2016, 4, 30, 23, 59))
    assert _tally(on_the_day.receipts) == (3, 0, 0, 0, 3, 0)  # the receipts' day is long past
    assert _tally(on_the_day.requests[0].tally) == (3, 0, 0, 0, 0, 3)
    assert on_the_day.requests[0].deadline.days_left == 0
    next_day = st.notice_statistics(session, world.supervisor, notice.id,
                                    now=local(2016, 5, 1, 0, 1))
    assert _tally(next_day.requests[0].tally) == (3, 0, 0, 0, 3, 0)


def test_a_receipt_without_a_deadline_is_never_late(world, session):
    notice = _issued(world, receipt_due=None)
    _sign(world, notice, 0, local(2017, 1, 1))
    stats = st.notice_statistics(session, world.supervisor, notice.id, now=local(2020, 1, 1))
    assert _tally(stats.receipts) == (3, 1, 1, 0, 0, 2)
    assert all(item.what != "签收" for unit in stats.late_units for item in unit.items)


def test_a_returned_report_is_owed_again_and_judged_by_its_last_submission(world, session):
    notice = _issued(world)
    _sign(world, notice, 0, at(1))
    report = _send(world, notice, 0, local(2016, 4, 1))
    c.return_report(session, world.supervisor, report_id=report.id, reason="缺数据",
                    now=local(2016, 4, 2))
    after_return = st.notice_statistics(session, world.supervisor, notice.id,
                                        now=local(2016, 5, 2))
    assert _late(after_return)[world.districts[0].name] == [("调研报告", "逾期2天未办")]
    _send(world, notice, 0, local(2016, 5, 2, 10))
    c.accept_report(session, world.supervisor, report_id=report.id, now=local(2016, 5, 3))
    accepted = st.notice_statistics(session, world.supervisor, notice.id, now=local(2016, 5, 4))
    assert _late(accepted)[world.districts[0].name] == [("调研报告", "逾期2天办理")]
    assert accepted.requests[0].accepted == 1


def test_cc_units_are_shown_apart_and_never_counted_per_unit(world, session):
    notice = _issued(world, receipt_due=dt.date(2016, 3, 9))
    c.acknowledge(session, world.cc_receiver,
                  receipt_id=next(r.id for r in receipts_of(world, notice)
                                  if r.unit_id == world.cc_unit.id), now=local(2016, 3, 20))
    stats = st.notice_statistics(session, world.supervisor, notice.id, now=local(2016, 4, 1))
    assert (stats.receipts.owed, stats.cc_units, stats.cc_signed) == (3, 1, 1)
    assert world.cc_unit.name not in _late(stats)  # signed 11 days after the day: not chased
    units = st.unit_statistics(session, world.supervisor, now=local(2016, 4, 1), **YEAR_2016)
    assert world.cc_unit.name not in _figures(units)
    assert sorted(_figures(units)) == sorted(u.name for u in world.districts)


def test_a_misdirected_notice_is_owed_by_nobody_and_closing_keeps_what_was_missed(world,
                                                                                 session):
    notice = _issued(world, requests=TWO_REQUESTS, receipt_due=dt.date(2016, 3, 9))
    c.reject(session, world.receiver2, receipt_id=_receipt(world, notice, 1).id, reason="误送",
             now=at(1.5))
    _sign(world, notice, 0, at(1.5))
    _send(world, notice, 0, local(2016, 3, 18))  # 统计表, due 03-20; never accepted
    c.close(session, world.supervisor, notice_id=notice.id, reason="提前办结",
            now=local(2016, 3, 25))
    stats = st.notice_statistics(session, world.supervisor, notice.id, now=local(2016, 6, 1))
    d1, d2, d3 = (u.name for u in world.districts)
    # District 2 returned it: owed nothing. District 3 had let its 签收 (03-09) and 统计表
    # (03-20) pass when the notice was closed: missing. 调研报告 (04-30) was released before its
    # day: owed by nobody. District 1's 统计表 stays on time although closing released it.
    assert stats.returned == 1
    assert _tally(stats.receipts) == (3, 1, 1, 0, 1, 0)
    assert [_tally(r.tally) for r in stats.requests] == [(3, 1, 1, 0, 1, 0), (3, 0, 0, 0, 0, 0)]
    assert _late(stats) == {d3: [("签收", "逾期16天未办，办结时免办"),
                                 ("统计表", "逾期5天未办，办结时免办")]}
    figures = _figures(st.unit_statistics(session, world.supervisor, now=local(2016, 6, 1),
                                          **YEAR_2016))
    assert figures == {d1: (1, 1, 1, 0, 0, 0, 100), d2: (1, 0, 0, 0, 0, 0, None),
                       d3: (1, 0, 0, 0, 2, 0, 0)}


def test_the_median_time_to_sign_for_counts_the_main_units_that_signed(world, session):
    notice = _issued(world)  # issued 2016-03-08 09:00
    stats = st.notice_statistics(session, world.supervisor, notice.id, now=at(30))
    assert (stats.median_hours, stats.median_label) == (None, "—")
    _sign(world, notice, 0, local(2016, 3, 8, 9, 30))
    assert st.notice_statistics(session, world.supervisor, notice.id,
                                now=at(30)).median_label == "30分钟"
    _sign(world, notice, 1, local(2016, 3, 8, 15))
    _sign(world, notice, 2, local(2016, 3, 11, 12))
    stats = st.notice_statistics(session, world.supervisor, notice.id, now=at(30))
    assert stats.median_hours == 6 and stats.median_label == "6小时"


@pytest.mark.parametrize(("hours", "label"), [
    (0.25, "15分钟"), (1, "1小时"), (5.5, "5.5小时"), (47.9, "47.9小时"), (48, "2天"),
    (75, "3天3小时"), (None, "—"),
])
def test_durations_read_in_the_unit_a_person_thinks_in(hours, label):
    assert st.duration_label(hours) == label


# ------------------------------------------------------------------------------------------------
# The period, the order, who may read.


def _two_notices(w):
    """District 1 signs both on time and reports once; district 2 signs one late."""
    first = _issued(w, receipt_due=dt.date(2016, 3, 10))
    second = _issued(w, receipt_due=dt.date(2016, 3, 10), title="关于第二项工作的通知")
    for notice in (first, second):
        _sign(w, notice, 0, at(1.5))
    _send(w, first, 0, at(5))
    _sign(w, first, 1, local(2016, 3, 12))
    return first, second


def test_units_are_sorted_by_any_column_units_without_a_rate_last(world, session):
    _two_notices(world)
    d1, d2, d3 = (u.name for u in world.districts)
    now = local(2016, 3, 20)  # the reports (04-30) are still ahead
    figures = _figures(st.unit_statistics(session, world.supervisor, now=now, **YEAR_2016))
    assert figures == {d1: (2, 2, 1, 0, 0, 1, 100), d2: (2, 0, 0, 1, 1, 2, 0),
                       d3: (2, 0, 0, 0, 2, 2, 0)}

    def order(sort, direction):
        stats = st.unit_statistics(session, world.supervisor, now=now, sort=sort,
                                   order=direction, **YEAR_2016)
        return [u.unit_name for u in stats.units]

    assert order("rate", "asc") == [d2, d3, d1]  # ties keep the units' order
    assert order("rate", "desc") == [d1, d2, d3]
    assert order("late", "desc") == [d2, d1, d3]
    assert order("missing", "desc") == [d3, d2, d1]
    assert order("unit", "desc") == [d3, d2, d1]
    assert order("receipts_on_time", "desc")[0] == d1
    # Before the receipts' day (03-10), district 3 has nothing done and nothing due: no rate,
    # and it comes last in either direction.
    for direction, rates in (("desc", [1.0, 0.0, None]), ("asc", [0.0, 1.0, None])):
        early = st.unit_statistics(session, world.supervisor, now=local(2016, 3, 9),
                                   sort="rate", order=direction, **YEAR_2016)
        assert [u.rate for u in early.units] == rates


def test_the_period_counts_the_notices_issued_in_it_both_days_included(world, session):
    _two_notices(world)  # both issued 2016-03-08
    on_the_day = st.unit_statistics(session, world.supervisor, start=dt.date(2016, 3, 8),
                                    end=dt.date(2016, 3, 8), now=local(2016, 3, 20))
    assert len(on_the_day.notices) == 2 and on_the_day.total.received == 6
    before = st.unit_statistics(session, world.supervisor, start=dt.date(2016, 1, 1),
                                end=dt.date(2016, 3, 7), now=local(2016, 3, 20))
    assert before.units == [] and before.notices == []
    this_year = st.unit_statistics(session, world.supervisor, now=local(2016, 3, 20))
    assert (this_year.start, this_year.end) == (dt.date(2016, 1, 1), dt.date(2016, 12, 31))
    assert this_year.years == [2016]


def test_each_notice_of_the_period_carries_its_figures(world, session):
    first, second = _two_notices(world)
    stats = st.unit_statistics(session, world.supervisor, now=local(2016, 3, 20), **YEAR_2016)
    lines = {n.notice_id: n for n in stats.notices}
    assert (_tally(lines[first.id].receipts), lines[first.id].behind) == \
        ((3, 2, 1, 1, 1, 0), 2)
    assert (_tally(lines[second.id].receipts), _tally(lines[second.id].reports)) == \
        ((3, 1, 1, 0, 2, 0), (3, 0, 0, 0, 0, 3))


@pytest.mark.parametrize(("fields", "message"), [
    ({"sort": "name; drop table"}, "无法按"),
    ({"order": "sideways"}, "升序或降序"),
    ({"start": dt.date(2016, 5, 1), "end": dt.date(2016, 4, 1)}, "开始日期不能晚于结束日期"),
])
def test_a_bad_sort_or_period_is_refused_in_chinese(world, session, fields, message):
    with pytest.raises(InvalidInput, match=message):
        st.unit_statistics(session, world.supervisor, now=at(1), **fields)


def test_a_missing_end_closes_the_starts_year_and_a_missing_start_opens_the_ends():
    today = dt.date(2020, 6, 1)
    assert st.period(dt.date(2016, 3, 1), None, today) == (dt.date(2016, 3, 1),
                                                           dt.date(2016, 12, 31))
    assert st.period(None, dt.date(2015, 8, 1), today) == (dt.date(2015, 1, 1),
                                                           dt.date(2015, 8, 1))
    assert st.period(None, None, today) == (dt.date(2020, 1, 1), dt.date(2020, 12, 31))


def test_the_supervisor_and_the_signatory_read_the_statistics_only_the_supervisor_the_matrix(
        world, session):
    notice = _issued(world)
    by_supervisor = st.notice_statistics(session, world.supervisor, notice.id, now=at(2))
    by_signatory = st.notice_statistics(session, world.signatory, notice.id, now=at(2))
    assert by_supervisor.may_export_matrix and not by_signatory.may_export_matrix
    assert _tally(by_supervisor.receipts) == _tally(by_signatory.receipts)
    for username in ("clerk", "drafter", "reviewer", "receiver1", "auditor"):
        with pytest.raises(NotFound):
            st.notice_statistics(session, world.users[username], notice.id, now=at(2))


def test_a_draft_has_no_statistics(world, session):
    draft = notice_in(world, NS.DRAFT)
    with pytest.raises(NotFound):
        st.notice_statistics(session, world.supervisor, draft.id)


def test_another_federations_supervisor_gets_nothing(world, session):
    notice = _issued(world)
    unit = c.create_unit(session, None, name="另一市妇女联合会", doc_code="另妇发")
    outsider = c.create_user(session, None, username="outsider", display_name="外单位督办",
                             unit_id=unit.id)
    c.grant_role(session, None, user_id=outsider.id, role=Role.SUPERVISOR, unit_id=unit.id)
    session.commit()
    with pytest.raises(NotFound):
        st.notice_statistics(session, outsider, notice.id, now=at(2))
    stats = st.unit_statistics(session, outsider, now=at(2), **YEAR_2016)
    assert (stats.units, stats.notices, stats.years) == ([], [], [])


# ------------------------------------------------------------------------------------------------
# A fixed number of statements.


def _issued_to(session, world, unit_ids, name):
    group = c.create_group(session, None, owner_unit_id=world.issuer.id, name=name,
                           member_ids=unit_ids)
    notice = notice_in(world, NS.ISSUED, main_group_ids=[group.id], cc_unit_ids=[],
                       requests=TWO_REQUESTS, title=f"关于{name}的通知")
    notice.receipt_due_on = dt.date(2016, 3, 10)
    return notice


def _statements(session, engine, call) -> int:
    session.rollback()  # each call begins its own transaction
    session.expunge_all()
    with statements_run(engine) as seen:
        call()
    return len(seen)


def test_a_thousand_units_take_as_many_statements_as_ten(world, session, engine):
    few = _issued_to(session, world, add_units_with_receivers(session, world, "小", 10), "十个单位")
    session.commit()
    supervisor_id, few_id = world.supervisor.id, few.id

    def both(notice_id):
        actor = session.get(User, supervisor_id)
        st.notice_statistics(session, actor, notice_id, now=at(30))
        st.unit_statistics(session, actor, now=at(30), **YEAR_2016)

    for_ten = _statements(session, engine, lambda: both(few_id))
    many = _issued_to(session, world, add_units_with_receivers(session, world, "大", 1000),
                      "一千个单位")
    session.commit()
    many_id = many.id
    for_a_thousand = _statements(session, engine, lambda: both(many_id))
    # 21: the supervisor's page also counts the notice's 转发 tree by level (one statement).
    assert for_ten == for_a_thousand <= 21, (for_ten, for_a_thousand)
    actor = session.get(User, supervisor_id)
    big = st.notice_statistics(session, actor, many_id, now=at(30))
    assert (big.receipts.owed, len(big.late_units)) == (1000, 1000)
    assert len(st.unit_statistics(session, actor, now=at(30), **YEAR_2016).units) == 1010
