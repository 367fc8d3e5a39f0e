"""The two real notices the product is modelled on, carried from draft to archive.

The demo builds both seeds through the commands up to the point where some units have signed for
them and some reports are in; these tests finish each story the way the units would, and check
what a careful reader of the seed expects at every step. The demo is built as on Thursday
2026-12-03: seed 000 issued on Thursday 2026-11-19, seed 001 on Tuesday 2026-11-24.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from workflow import audit, demo, queries
from workflow import commands as c
from workflow.errors import InvalidState
from workflow.models import AuditEntry, Notice, Receipt, Report, RoleGrant, Unit, User
from workflow.states import NoticeState, ReceiptState, RecipientKind, ReportState, Role

TODAY = dt.date(2026, 12, 3)


@pytest.fixture
def demo_world(session):
    demo.build(session, today=TODAY)
    session.commit()
    return session


def notice_numbered(session, number: str) -> Notice:
    return session.scalar(select(Notice).where(Notice.doc_number == number))


def user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def finish_story(session, notice: Notice, supervisor: User, now: dt.datetime) -> None:
    """Every unit without a receiver gets one; every unit signs for it and answers every request."""
    security = user(session, "security")
    admin = user(session, "admin")
    receivers = {}
    for receipt in queries.receipts(session, notice.id):
        # The unit's 收文员, if it has one (some units have an office of several people).
        existing = session.scalar(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                                  .where(RoleGrant.unit_id == receipt.unit_id,
                                         RoleGrant.role == Role.RECEIVER))
        if existing is None:
            existing = c.create_user(session, admin, username=f"r{receipt.unit_id}",
                                     display_name=f"收文员{receipt.unit_id}",
                                     unit_id=receipt.unit_id)
            c.grant_role(session, security, user_id=existing.id, role=Role.RECEIVER,
                         unit_id=receipt.unit_id)
        receivers[receipt.unit_id] = existing
        c.acknowledge(session, existing, receipt_id=receipt.id, now=now)
    for report in queries.reports(session, notice.id):
        if report.state == ReportState.DUE:
            c.submit_report(session, receivers[report.unit_id], report_id=report.id,
                            text=f"{report.unit.name}关于{report.request.what}的报告", now=now)
        if report.state == ReportState.SUBMITTED:
            c.accept_report(session, supervisor, report_id=report.id, now=now)


def test_seed_000_is_issued_as_changchun_notice_4_of_its_year_with_its_two_report_requests(
        demo_world):
    s = demo_world
    n = notice_numbered(s, "长妇通字〔2026〕4号")
    assert n is not None and n.state == NoticeState.ISSUED
    assert n.title == "关于认真学习宣传贯彻落实市委党的群团工作会议精神的通知"
    assert [(r.what, r.due_date, r.to_whom) for r in n.report_requests] == [
        # The Monday of the week the demo is built, and the Friday two weeks later.
        ("学习贯彻落实会议精神情况", dt.date(2026, 11, 30), "市妇联"),
        ("调研报告", dt.date(2026, 12, 18), "市妇联"),
    ]
    assert [a.name for a in n.main_addressees] == [
        "各县（市）区妇联", "开发区妇联", "市直机关妇委会", "大专院校妇委会"]
    receipts = queries.receipts(s, n.id)
    main = [r for r in receipts if r.kind == RecipientKind.MAIN]
    assert len(main) == 10 + 4 + 4 + 4  # counties, zones, city organs, colleges
    assert "长春市南关区妇联" in {r.unit.name for r in main}
    # Only 各县（市）区、开发区妇联 are asked to report: 14 units × 2 requests.
    reports = queries.reports(s, n.id)
    assert len(reports) == 14 * 2
    assert {r.unit.name for r in reports} == {
        r.unit.name for r in main if "妇委会" not in r.unit.name}
    assert "学习贯彻中央、省委加强和改进党的群团工作会议精神" in n.body
    # The seed's own words, its own dates.
    assert n.body.rstrip().endswith("请各县（市）区、开发区妇联于4月30日前将调研报告上报市妇联。")


def test_seed_001_is_issued_as_harbin_notice_9_of_its_year_signed_by_yang_jie(demo_world):
    s = demo_world
    n = notice_numbered(s, "哈妇发〔2026〕9号")
    assert n is not None and n.state == NoticeState.ISSUED
    assert n.signatory.display_name == "杨杰"
    assert n.signed_on == dt.date(2026, 11, 24)
    assert n.issued_on == dt.date(2026, 11, 24)
    [request] = n.report_requests
    assert (request.what, request.due_date, request.to_whom) == ("学习贯彻情况", None, "市妇联宣传部")
    assert [a.name for a in n.main_addressees] == ["各区县（市）妇联", "市直妇委会", "市妇联团体会员"]
    main = [r for r in queries.receipts(s, n.id) if r.kind == RecipientKind.MAIN]
    assert len(main) == 18 + 3 + 3
    assert len(queries.reports(s, n.id)) == 18
    assert n.body.startswith("7月6日至7日，中央召开党的群团工作会议")
    assert n.body.rstrip().endswith("请各地妇联将学习贯彻情况及时报市妇联宣传部。")


def test_the_demo_leaves_some_units_signed_for_and_some_reports_in(demo_world):
    s = demo_world
    # Seed 000: 南关 sent both its reports (its 收文 is 办结), 宽城 the first.
    for number, acknowledged, reported in (("长妇通字〔2026〕4号", 4, 3), ("哈妇发〔2026〕9号", 3, 1)):
        n = notice_numbered(s, number)
        p = queries.progress(s, [n.id])[n.id]
        assert (p.acknowledged, p.reported) == (acknowledged, reported)
    states = set(s.scalars(select(Notice.state)))
    assert {NoticeState.DRAFT, NoticeState.IN_REVIEW, NoticeState.AWAITING_SIGNOFF,
            NoticeState.ISSUED} <= states


@pytest.mark.parametrize("number, supervisor, clerk, retention, code", [
    ("长妇通字〔2026〕4号", "cc_supervisor", "cc_clerk", "Y30", "2026-D30-CCFL-0001"),
    ("哈妇发〔2026〕9号", "hrb_supervisor", "hrb_clerk", "PERMANENT", "2026-Y-HEBFL-0001"),
])
def test_a_seed_story_runs_to_the_archive_and_closes_by_itself_when_every_unit_is_done(
        demo_world, number, supervisor, clerk, retention, code):
    s = demo_world
    n = notice_numbered(s, number)
    later = n.issued_at + dt.timedelta(days=20)
    finish_story(s, n, user(s, supervisor), later)
    s.commit()

    assert n.state == NoticeState.CLOSED
    last = s.scalar(select(AuditEntry).where(AuditEntry.notice_id == n.id)
                    .order_by(AuditEntry.seq.desc()).limit(1))
    assert (last.action, last.actor_name, last.state_after) == ("notice.CLOSE", "系统", "CLOSED")
    assert not s.scalar(select(func.count()).select_from(Receipt).where(
        Receipt.notice_id == n.id, Receipt.state == ReceiptState.PENDING))
    assert set(s.scalars(select(Report.state).where(Report.notice_id == n.id))) == {
        ReportState.ACCEPTED}

    c.archive(s, user(s, clerk), notice_id=n.id, retention=retention,
              now=later + dt.timedelta(days=1))
    s.commit()
    assert (n.state, n.archive_code) == (NoticeState.ARCHIVED, code)
    with pytest.raises(InvalidState, match="已归档"):
        c.close(s, user(s, supervisor), notice_id=n.id, reason="再次办结")
    assert audit.verify(s).ok


def test_every_unit_a_seed_addresses_exists_once_in_the_demo(demo_world):
    s = demo_world
    names = list(s.scalars(select(Unit.name)))
    assert len(names) == len(set(names))
    for name in ("长春市妇女联合会", "哈尔滨市妇女联合会", "哈尔滨市妇联宣传部", "长春市九台区妇联",
                 "哈尔滨市双城区妇联", "五常市妇联", "长春净月高新技术产业开发区妇联"):
        assert name in names
