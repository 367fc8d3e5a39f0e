"""转发 through the engine: district 1 passes the city's notice down to its 街道 as its own 发文 —
titled by the convention, the source linked, its report requests passed down three working days
earlier — and can send it nowhere but down its own subtree.

The city's notice (T0 = Monday 7 March 2016) asks the districts for a 调研报告 by Saturday 30 April.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import at, notice_in, refused, reports_of, signed_for
from workflow import commands as c
from workflow.checks import check_fields, check_notice
from workflow.checks_forward import ForwardSource, PassedDown
from workflow.errors import Forbidden, InvalidInput, InvalidState
from workflow.models import AuditEntry, Incoming, Receipt
from workflow.printing.layout import layout
from workflow.states import NoticeState, Role

SOURCE_TITLE = "关于开展调研的通知"


def test_forwarding_starts_a_draft_linked_to_the_source_with_the_conventions(cascade, session):
    w = cascade
    notice = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    source = w.incoming.notice
    assert notice.state == NoticeState.DRAFT
    assert notice.issuer_unit_id == w.districts[0].id and notice.forwards_id == source.id
    assert notice.title == f"一区妇联关于转发《{SOURCE_TITLE}》的通知"
    assert notice.body == (f"现将《{SOURCE_TITLE}》（示妇发〔2016〕1号）转发给你们，请结合实际认真贯彻落实。\n"
                           "请于4月27日前将调研报告报送一区妇联。")
    [request] = notice.report_requests
    # Three working days before Saturday 30 April: Friday 29, Thursday 28, Wednesday 27.
    assert (request.what, request.due_date, request.to_whom) == (
        "调研报告", dt.date(2016, 4, 27), "一区妇联")
    assert request.source_request_id == source.report_requests[0].id
    assert notice.main_addressees == []  # the drafter chooses among the unit's own units
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.CREATE",
                                                    AuditEntry.notice_id == notice.id))
    assert entry.details["forwards"] == source.id
    assert entry.details["forwards_number"] == "示妇发〔2016〕1号"


def test_a_source_due_sooner_than_the_lead_leaves_the_units_today(cascade, session):
    w = cascade
    notice = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, lead_days=30,
                       now=dt.datetime(2016, 4, 25, 2))  # Monday 25 April, Beijing
    assert notice.report_requests[0].due_date == dt.date(2016, 4, 25)


def test_the_forward_goes_through_the_units_own_signing_and_number_to_its_streets(
        cascade, session):
    w = cascade
    notice = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    c.update_draft(session, w.d1_drafter, notice_id=notice.id,
                   main_unit_ids=[s.id for s in w.streets], cc_unit_ids=[w.issuer.id], now=at(3))
    c.submit(session, w.d1_drafter, notice_id=notice.id, now=at(3.1))
    c.sign(session, w.d1_signatory, notice_id=notice.id, opinion="同意转发", now=at(3.2))
    c.issue(session, w.d1_clerk, notice_id=notice.id, now=at(3.3))
    assert notice.doc_number == "一区妇发〔2016〕1号"
    receipts = session.scalars(select(Receipt).where(Receipt.notice_id == notice.id)).all()
    assert sorted(r.unit.name for r in receipts) == sorted(
        ["第1区东风街道妇联", "第1区红旗街道妇联", "第1区胜利街道妇联", "示范市妇女联合会"])
    reports = reports_of(w, notice)
    assert sorted(r.unit.name for r in reports) == sorted(
        ["第1区东风街道妇联", "第1区红旗街道妇联", "第1区胜利街道妇联"])


@pytest.mark.parametrize("target", ["issuer", "district2", "dept", "province"])
def test_a_forward_goes_to_nobody_above_beside_or_inside_the_unit(
        cascade, session, session_factory, target):
    w = cascade
    notice = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    unit = {"issuer": w.issuer, "district2": w.districts[1], "dept": w.dept,
            "province": w.cc_unit}[target]
    refused(session, session_factory, lambda: c.update_draft(
        session, w.d1_drafter, notice_id=notice.id, main_unit_ids=[unit.id], now=at(3)),
        InvalidInput, containing="转发只能发给本单位的下级单位")


def test_a_group_reaching_outside_the_subtree_is_refused_too(cascade, session, session_factory):
    w = cascade
    d1 = w.districts[0]
    group = c.create_group(session, None, owner_unit_id=d1.id, name="街道和二区",
                           member_ids=[w.streets[0].id, w.districts[1].id])
    notice = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    refused(session, session_factory, lambda: c.update_draft(
        session, w.d1_drafter, notice_id=notice.id, main_group_ids=[group.id], now=at(3)),
        InvalidInput, containing="示范市第2区妇联")


def test_the_passed_down_deadline_cannot_be_later_than_the_sources(
        cascade, session, session_factory):
    w = cascade
    notice = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    source_request = w.incoming.notice.report_requests[0].id
    refused(session, session_factory, lambda: c.update_draft(
        session, w.d1_drafter, notice_id=notice.id, report_requests=[
            {"what": "调研报告", "due_date": dt.date(2016, 5, 3), "to_whom": "一区妇联",
             "source_request_id": source_request}], now=at(3)),
        InvalidInput, containing="不能晚于来文要求的4月30日")
    foreign = notice_in(w, NoticeState.ISSUED, title="关于另一项工作的通知").report_requests[0].id
    refused(session, session_factory, lambda: c.update_draft(
        session, w.d1_drafter, notice_id=notice.id, report_requests=[
            {"what": "调研报告", "due_date": dt.date(2016, 4, 20), "to_whom": "一区妇联",
             "source_request_id": foreign}], now=at(3)),
        InvalidInput, containing="不属于被转发的公文")


@pytest.mark.parametrize("who", ["propaganda", "office_head", "chair", "receiver1", "drafter",
                                 "receiver2", "admin", "street1"])
def test_only_the_units_own_drafter_forwards(cascade, session, session_factory, who):
    w = cascade
    refused(session, session_factory, lambda: c.forward(
        session, w.users[who], incoming_id=w.incoming.id, now=at(3)), Forbidden)


def test_a_收文_not_yet_instructed_or_from_outside_is_not_forwarded(
        cascade, session, session_factory):
    w = cascade
    waiting = signed_for(w, session, unit_index=0)  # a second notice, only registered
    refused(session, session_factory, lambda: c.forward(
        session, w.d1_drafter, incoming_id=waiting.id, now=at(3)), InvalidState,
        containing="拟办、批办后方可转发")
    external = c.register_external(session, w.receiver1, unit_id=w.districts[0].id,
                                   source_organ="示范市教育局", title="关于开学的通知",
                                   received_on=dt.date(2016, 3, 7), now=at(1))
    refused(session, session_factory, lambda: c.forward(
        session, w.d1_drafter, incoming_id=external.id, now=at(3)), InvalidInput,
        containing="外来公文")


def test_a_notice_is_forwarded_once_until_the_forward_is_cancelled(
        cascade, session, session_factory):
    w = cascade
    first = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    refused(session, session_factory, lambda: c.forward(
        session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3)), InvalidState,
        containing="本单位已转发该公文")
    c.cancel(session, w.d1_drafter, notice_id=first.id, now=at(3.1))
    again = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3.2))
    assert again.forwards_id == first.forwards_id


@pytest.mark.parametrize("lead_days", [-1, 31, True, "3", 2**63])
def test_a_bad_lead_is_refused_in_chinese(cascade, session, session_factory, lead_days):
    w = cascade
    refused(session, session_factory, lambda: c.forward(
        session, w.d1_drafter, incoming_id=w.incoming.id, lead_days=lead_days, now=at(3)),
        InvalidInput, containing="提前天数")


def test_a_forward_of_a_forward_names_the_original_document(cascade, session):
    w = cascade
    forwarded = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    c.update_draft(session, w.d1_drafter, notice_id=forwarded.id,
                   main_unit_ids=[w.streets[0].id], now=at(3))
    c.submit(session, w.d1_drafter, notice_id=forwarded.id, now=at(3.1))
    c.sign(session, w.d1_signatory, notice_id=forwarded.id, opinion="同意", now=at(3.2))
    c.issue(session, w.d1_clerk, notice_id=forwarded.id, now=at(3.3))
    street = w.streets[0]
    street.short_name = "东风街道妇联"
    drafter = c.create_user(session, None, username="street_drafter", display_name="街道拟稿",
                            unit_id=street.id)
    for role in (Role.DRAFTER, Role.PROPOSER, Role.INSTRUCTOR):
        c.grant_role(session, None, user_id=drafter.id, role=role, unit_id=street.id)
    receipt = session.scalar(select(Receipt).where(Receipt.notice_id == forwarded.id,
                                                   Receipt.unit_id == street.id))
    c.acknowledge(session, w.street1, receipt_id=receipt.id, now=at(4))
    street_incoming = session.scalar(select(Incoming).where(Incoming.receipt_id == receipt.id))
    c.propose(session, drafter, incoming_id=street_incoming.id, kind="TO_HANDLE",
              lead_unit_id=street.id, now=at(4.1))
    c.instruct(session, drafter, incoming_id=street_incoming.id, instruction="转发", now=at(4.2))
    second = c.forward(session, drafter, incoming_id=street_incoming.id, now=at(5))
    assert second.title == f"东风街道妇联关于转发《{SOURCE_TITLE}》的通知"
    assert second.body.startswith(
        f"现将《一区妇联关于转发《{SOURCE_TITLE}》的通知》（一区妇发〔2016〕1号）转发给你们")
    # Passed down again, three working days before the district's 27 April: 22 April (Friday).
    assert second.report_requests[0].due_date == dt.date(2016, 4, 22)


def test_the_printed_forward_names_the_source_with_its_number_as_its_附件(cascade, session):
    w = cascade
    notice = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    assert layout(notice).attachment_lines == (f"附件：{SOURCE_TITLE}（示妇发〔2016〕1号）",)


def _forward_findings(notice) -> list[tuple[str, str, str]]:
    return [(f.level, f.field, f.message) for f in check_notice(notice)
            if f.rule.startswith(("条例第八条 通知（转发）", "转发"))]


def test_the_forward_as_drafted_meets_the_forwarding_rules(cascade, session):
    w = cascade
    notice = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    assert _forward_findings(notice) == []


def test_a_forward_that_no_longer_names_its_source_is_told_so(cascade, session):
    w = cascade
    notice = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    c.update_draft(session, w.d1_drafter, notice_id=notice.id, title="一区妇联关于开展调研的通知",
                   body="请各街道开展调研。", now=at(3))
    assert _forward_findings(notice) == [
        ("warning", "标题", f"转发的标题应为“本机关关于转发《{SOURCE_TITLE}》的通知”"),
        ("warning", "正文",
         f"正文应写明所转发的来文，如“现将《{SOURCE_TITLE}》（示妇发〔2016〕1号）转发给你们”")]


def test_a_passed_down_deadline_after_the_sources_is_an_error_of_the_check():
    findings = check_fields(
        title=f"一区妇联关于转发《{SOURCE_TITLE}》的通知", body=f"现将《{SOURCE_TITLE}》转发给你们。",
        forwarding=(ForwardSource(SOURCE_TITLE, SOURCE_TITLE, "示妇发〔2016〕1号"),
                    [PassedDown(1, dt.date(2016, 5, 3), dt.date(2016, 4, 30)),
                     PassedDown(2, None, dt.date(2016, 4, 30)),
                     PassedDown(3, dt.date(2016, 4, 27), dt.date(2016, 4, 30))]))
    errors = [(f.field, f.message) for f in findings if f.is_error and f.field != "主送"]
    assert errors == [("报送要求 第1项", "报送截止日期不能晚于来文要求的2016年4月30日，请提前"),
                      ("报送要求 第2项", "报送截止日期不能晚于来文要求的2016年4月30日，请提前")]


def test_a_stacked_title_of_a_forward_of_a_forward_is_told_to_name_the_original():
    findings = check_fields(
        title=f"街道关于转发《一区妇联关于转发《{SOURCE_TITLE}》的通知》的通知",
        body="现将《一区妇联关于转发》转发给你们。",
        forwarding=(ForwardSource(f"一区妇联关于转发《{SOURCE_TITLE}》的通知", SOURCE_TITLE,
                                  "一区妇发〔2016〕1号"), []))
    assert ("标题", "转发的转发应直接引用原文标题，不要层层叠加“关于转发……的通知”") in [
        (f.field, f.message) for f in findings]
