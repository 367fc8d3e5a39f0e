"""The 转发 tree, counted by hand: the city's notice to three districts (and a copy to the province);
district 1 forwards it to its three 街道 (and copies the city); 东风 signs and reports, 红旗 only
signs, 胜利 does nothing; districts 2 and 3 have not signed. Seen on 10 May 2016, after every
deadline (the city's 30 April, district 1's 27 April), so that whoever still owes is overdue.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import at, refused, reports_of
from workflow import commands as c
from workflow.errors import Forbidden, InvalidInput, NotFound
from workflow.models import AuditEntry, Receipt
from workflow.queries.forwarding import notice_tree, rollup, rollup_for, tree_for

LATE = dt.datetime(2016, 5, 10, 2)  # Tuesday 10 May, Beijing morning


@pytest.fixture
def travelled(cascade, session):
    w = cascade
    forwarded = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    c.update_draft(session, w.d1_drafter, notice_id=forwarded.id,
                   main_unit_ids=[s.id for s in w.streets], cc_unit_ids=[w.issuer.id], now=at(3))
    c.submit(session, w.d1_drafter, notice_id=forwarded.id, now=at(3.1))
    c.sign(session, w.d1_signatory, notice_id=forwarded.id, opinion="同意", now=at(3.2))
    c.issue(session, w.d1_clerk, notice_id=forwarded.id, now=at(3.3))
    for username, street, report in (("street1", w.streets[0], True),
                                     ("street2", w.streets[1], False)):
        receipt = session.scalar(select(Receipt).where(Receipt.notice_id == forwarded.id,
                                                       Receipt.unit_id == street.id))
        c.acknowledge(session, w.users[username], receipt_id=receipt.id, now=at(4))
        if report:
            mine = next(r for r in reports_of(w, forwarded) if r.unit_id == street.id)
            c.submit_report(session, w.users[username], report_id=mine.id, text="东风街道调研报告",
                            now=at(5))
    session.flush()
    return w, w.incoming.notice, forwarded


def test_the_tree_counts_every_level_as_counted_by_hand(travelled, session):
    w, city, forwarded = travelled
    tree = notice_tree(session, city.id, now=LATE)
    assert (tree.notices, tree.levels) == (2, 2)
    assert [(n.unit, n.level, n.kind.label) for n in tree.units] == [
        ("示范市第1区妇联", 1, "主送"), ("示范市第2区妇联", 1, "主送"), ("示范市第3区妇联", 1, "主送"),
        ("示范省妇女联合会", 1, "抄送")]
    d1 = tree.units[0]
    assert d1.forward.doc_number == "一区妇发〔2016〕1号" and d1.forward.id == forwarded.id
    assert [(n.unit, n.receipt_state.name, n.reported, n.overdue) for n in d1.children] == [
        ("第1区东风街道妇联", "ACKNOWLEDGED", True, False),
        ("第1区红旗街道妇联", "ACKNOWLEDGED", False, True),
        ("第1区胜利街道妇联", "PENDING", False, True),
        ("示范市妇女联合会", "PENDING", False, False)]  # the copy to the city owes nothing
    assert d1.below.as_json() == {"units": 3, "signed": 2, "owing": 3, "reported": 1,
                                  "overdue": 2}
    assert tree.units[1].forward is None and tree.units[1].children == []
    # The districts: 1 signed, none reported, all three overdue (the report; 2 and 3 also the
    # receipt) — plus the streets below district 1.
    assert tree.totals.as_json() == {"units": 6, "signed": 3, "owing": 6, "reported": 1,
                                     "overdue": 5}


def test_before_the_report_deadlines_only_a_late_signature_is_overdue(travelled, session):
    w, city, forwarded = travelled
    # Signing for was due on Friday 11 March (the city's) and Tuesday 15 March (district 1's).
    assert (city.receipt_due_on, forwarded.receipt_due_on) == (
        dt.date(2016, 3, 11), dt.date(2016, 3, 15))
    tree = notice_tree(session, city.id, now=dt.datetime(2016, 3, 14, 2))  # Monday 14 March
    assert [n.overdue for n in tree.units] == [False, True, True, False]  # districts 2 and 3
    assert tree.units[0].below.overdue == 0


def test_the_json_shows_one_level_at_a_time_when_asked(travelled, session):
    _, city, _ = travelled
    whole = notice_tree(session, city.id, now=LATE).as_json()
    assert len(whole["units"][0]["children"]) == 4
    top = notice_tree(session, city.id, now=LATE).as_json(depth=1)
    assert top["units"][0]["children"] is None
    assert top["units"][0]["subtree"]["units"] == 3  # the counts still come with it
    assert top["units"][0]["forward"]["doc_number"] == "一区妇发〔2016〕1号"


def test_a_tree_from_the_middle_starts_at_its_own_notice(travelled, session):
    _, _, forwarded = travelled
    tree = notice_tree(session, forwarded.id, now=LATE)
    assert (tree.notices, tree.levels) == (1, 1)
    assert [n.unit for n in tree.units][:3] == [
        "第1区东风街道妇联", "第1区红旗街道妇联", "第1区胜利街道妇联"]


@pytest.mark.parametrize(("who", "whose"), [
    ("supervisor", "city"), ("clerk", "city"), ("d1_supervisor", "forwarded"),
    ("d1_drafter", "forwarded")])
def test_the_issuing_unit_sees_how_far_its_notice_went(travelled, session, who, whose):
    w, city, forwarded = travelled
    notice = {"city": city, "forwarded": forwarded}[whose]
    assert tree_for(session, w.users[who], notice.id, now=LATE).notice.id == notice.id


@pytest.mark.parametrize(("who", "whose"), [
    ("d1_supervisor", "city"), ("receiver1", "city"), ("street1", "forwarded"),
    ("receiver2", "city"), ("admin", "city"), ("auditor", "city"), ("vice_chair", "city"),
    ("supervisor", "forwarded")])
def test_nobody_else_sees_a_tree(travelled, session, who, whose):
    w, city, forwarded = travelled
    notice = {"city": city, "forwarded": forwarded}[whose]
    with pytest.raises(NotFound, match="无权查看其转发情况"):
        tree_for(session, w.users[who], notice.id, now=LATE)


# ------------------------------------------------------------------------------------------------
# 汇总上报: district 1's report to the city carries its 街道's accepted reports.

def _reports(w, notice, unit):
    return next(r for r in reports_of(w, notice) if r.unit_id == unit.id)


def test_the_districts_report_carries_its_streets_accepted_reports(travelled, session):
    w, city, forwarded = travelled
    dongfeng = _reports(w, forwarded, w.streets[0])
    c.accept_report(session, w.d1_supervisor, report_id=dongfeng.id, opinion="好", now=at(6))
    mine = _reports(w, city, w.districts[0])
    c.submit_report(session, w.receiver1, report_id=mine.id, text="一区调研报告（汇总）",
                    included_report_ids=[dongfeng.id], now=at(7))
    assert [i.included_id for i in mine.inclusions] == [dongfeng.id]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "report.SUBMIT",
                                                    AuditEntry.object_id == mine.id))
    assert entry.details["included"] == [{"report_id": dongfeng.id, "unit": "第1区东风街道妇联"}]


def test_a_report_not_yet_accepted_is_not_carried(travelled, session, session_factory):
    w, city, forwarded = travelled
    dongfeng = _reports(w, forwarded, w.streets[0])  # submitted, not yet accepted
    mine = _reports(w, city, w.districts[0])
    refused(session, session_factory, lambda: c.submit_report(
        session, w.receiver1, report_id=mine.id, text="汇总", included_report_ids=[dongfeng.id],
        now=at(7)), InvalidInput, containing="第1区东风街道妇联的报告尚未采纳")


@pytest.mark.parametrize("which", ["own", "other_district"])
def test_only_the_units_own_forwards_reports_on_the_same_request_are_carried(
        travelled, session, session_factory, which):
    w, city, forwarded = travelled
    mine = _reports(w, city, w.districts[0])
    other = {"own": mine, "other_district": _reports(w, city, w.districts[1])}[which]
    refused(session, session_factory, lambda: c.submit_report(
        session, w.receiver1, report_id=mine.id, text="汇总", included_report_ids=[other.id],
        now=at(7)), InvalidInput, containing="只能汇总本单位转发该公文后下级单位就同一事项上报的报告")


@pytest.mark.parametrize("bad", [True, -1, "1", 2**63])
def test_a_forged_report_id_is_refused_in_chinese(travelled, session, session_factory, bad):
    w, city, _ = travelled
    mine = _reports(w, city, w.districts[0])
    refused(session, session_factory, lambda: c.submit_report(
        session, w.receiver1, report_id=mine.id, text="汇总", included_report_ids=[bad],
        now=at(7)), InvalidInput, containing="下级报告编号无效")


def test_a_stranger_learns_nothing_of_the_sub_units_reports(travelled, session, session_factory):
    w, city, forwarded = travelled
    dongfeng = _reports(w, forwarded, w.streets[0])
    mine = _reports(w, city, w.districts[0])
    refused(session, session_factory, lambda: c.submit_report(
        session, w.receiver2, report_id=mine.id, text="汇总", included_report_ids=[dongfeng.id],
        now=at(7)), Forbidden)


def test_a_returned_report_is_resubmitted_with_a_new_choice(travelled, session):
    w, city, forwarded = travelled
    dongfeng = _reports(w, forwarded, w.streets[0])
    c.accept_report(session, w.d1_supervisor, report_id=dongfeng.id, now=at(6))
    mine = _reports(w, city, w.districts[0])
    c.submit_report(session, w.receiver1, report_id=mine.id, text="汇总",
                    included_report_ids=[dongfeng.id], now=at(7))
    c.return_report(session, w.supervisor, report_id=mine.id, reason="请补充本级情况", now=at(8))
    c.submit_report(session, w.receiver1, report_id=mine.id, text="汇总（补充本级情况）",
                    included_report_ids=[dongfeng.id], now=at(9))
    assert [i.included_id for i in mine.inclusions] == [dongfeng.id]
    c.return_report(session, w.supervisor, report_id=mine.id, reason="请单独上报", now=at(10))
    c.submit_report(session, w.receiver1, report_id=mine.id, text="本级情况", now=at(11))
    assert mine.inclusions == []


def test_the_databases_rollup_counts_the_same_as_by_hand(travelled, session):
    w, city, _ = travelled
    counts = rollup(session, city.id, now=LATE)
    assert {unit: c_.as_json() for unit, c_ in counts.items()} == {
        w.districts[0].id: {"units": 3, "signed": 2, "owing": 3, "reported": 1, "overdue": 2}}
    early = rollup(session, city.id, now=dt.datetime(2016, 3, 14, 2))
    assert early[w.districts[0].id].overdue == 0


def test_the_tracking_pages_rollup_is_the_issuers_only(travelled, session):
    w, city, forwarded = travelled
    rolled = rollup_for(session, w.supervisor, city.id, now=LATE)
    assert (rolled.notices, rolled.levels) == (1, 2)
    forward, below = rolled.line(w.districts[0].id)
    assert forward.doc_number == "一区妇发〔2016〕1号" and below.units == 3
    assert rolled.line(w.districts[1].id) is None
    for who in ("d1_supervisor", "receiver1", "admin"):
        with pytest.raises(NotFound):
            rollup_for(session, w.users[who], city.id, now=LATE)
