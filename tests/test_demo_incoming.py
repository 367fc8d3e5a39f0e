"""The demo's 收文办理: 南关区妇联 carries seed 000 to 办结, 宽城区妇联 stops at 待批办, 道里区妇联
has seed 001 in hand, and an external notice is registered from its PDF — each desk has work.

The demo is built as on Thursday 2026-12-03: its working life runs in the weeks of 16 and 23
November 2026 (seed 000 issued on Thursday 19 November, seed 001 on Tuesday 24 November)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from workflow import audit, demo
from workflow import commands as c
from workflow.models import Incoming, Report, Unit, User
from workflow.states import CirculationState, IncomingKind, IncomingState, ReportState, Role


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """The demo built once for this module, in a file of its own (the build takes seconds)."""
    from workflow.db import create_all, make_engine, make_session_factory

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    create_all(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        demo.build(session, today=dt.date(2026, 12, 3))
        session.commit()
    yield factory
    engine.dispose()


@pytest.fixture
def s(demo_db):
    with demo_db() as session:
        yield session
        session.rollback()


def incoming_at(session, unit_name: str, number: str) -> Incoming:
    return session.scalar(select(Incoming).join(Unit, Unit.id == Incoming.unit_id)
                          .where(Unit.name == unit_name,
                                 Incoming.serial == int(number.split("〕")[1][:-1])))


def person(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def test_nanguan_carries_seed_000_to_done_with_the_chairs_instruction_and_both_reports(s):
    i = incoming_at(s, "长春市南关区妇联", "收〔2026〕1号")
    assert i.number == "收〔2026〕1号"
    assert (i.source_number, i.title) == (
        "长妇通字〔2026〕4号", "关于认真学习宣传贯彻落实市委党的群团工作会议精神的通知")
    assert i.state == IncomingState.DONE
    assert i.kind == IncomingKind.TO_HANDLE
    assert i.received_on == dt.date(2026, 11, 19)
    assert i.registered_by.username == "nanguan"
    assert i.proposed_by.username == "nanguan_office"
    assert i.instruction == "请组织学习，按时上报"
    assert i.instructed_by.display_name == "陈秀英"
    assert [(a.unit.name, a.lead) for a in i.assignments] == [("长春市南关区妇联宣传部", True)]
    assert i.deadline == dt.date(2026, 11, 25)
    assert i.finished_by.username == "nanguan_xcb"
    assert i.result == ("已于11月24日组织全区妇联干部集中学习会议精神，并以南妇发〔2026〕1号转发各街道"
                        "妇联；学习贯彻情况（11月25日）和调研报告（11月27日，汇总三个街道的报告）均已上报"
                        "市妇联。")
    assert [(c.reader.username, c.state) for c in i.circulations] == [
        ("nanguan_vice1", CirculationState.READ), ("nanguan_vice2", CirculationState.READ)]
    reports = s.scalars(select(Report).where(Report.notice_id == i.notice_id,
                                             Report.unit_id == i.unit_id).order_by(Report.id))
    assert [r.state for r in reports] == [ReportState.ACCEPTED, ReportState.SUBMITTED]


def test_kuancheng_waits_for_its_chairs_instruction_with_a_copy_unread(s):
    i = incoming_at(s, "长春市宽城区妇联", "收〔2026〕1号")
    assert i.state == IncomingState.PROPOSED
    assert i.instruction is None
    assert i.lead_unit_id == s.scalar(select(Unit.id).where(Unit.name == "长春市宽城区妇联宣传部"))
    assert [(c.reader.username, c.state) for c in i.circulations] == [
        ("kuancheng_vice1", CirculationState.PENDING)]


def test_chaoyang_has_registered_seed_000_and_daoli_has_seed_001_in_hand(s):
    assert incoming_at(s, "长春市朝阳区妇联", "收〔2026〕1号").state == IncomingState.REGISTERED
    daoli = incoming_at(s, "哈尔滨市道里区妇联", "收〔2026〕1号")
    assert (daoli.source_number, daoli.state) == ("哈妇发〔2026〕9号", IncomingState.IN_HAND)
    assert daoli.instruction == "请宣传部抓好落实，及时上报学习贯彻情况"


def test_the_external_notice_is_registered_from_its_pdf_with_the_fields_it_prints(s):
    i = incoming_at(s, "长春市南关区妇联", "收〔2026〕2号")
    assert i.external and i.state == IncomingState.REGISTERED
    assert (i.source_organ, i.source_number, i.title) == (
        "长春市南关区人民政府办公室", "南府办发〔2016〕12号", "关于做好2016年春季农村妇女技能培训工作的通知")
    assert i.received_on == dt.date(2026, 11, 24)  # the Tuesday of the week before
    assert "请各单位于4月15日前将培训计划报区政府办公室" in i.body  # its own words


# 南关区妇联 also issues (its 转发 of seed 000): its office head supervises, its chair signs, its
# 宣传部's 承办人 drafts for it.
ISSUING = {"nanguan": {"office": {Role.SUPERVISOR}, "chair": {Role.SIGNATORY},
                       "xcb": {Role.DRAFTER}}}


def test_each_office_has_its_staff_with_their_roles_and_the_department_is_internal(s):
    for prefix, unit_name in (("nanguan", "长春市南关区妇联"), ("kuancheng", "长春市宽城区妇联"),
                              ("chaoyang", "长春市朝阳区妇联"), ("daoli", "哈尔滨市道里区妇联")):
        unit = s.scalar(select(Unit).where(Unit.name == unit_name))
        dept = s.scalar(select(Unit).where(Unit.name == f"{unit_name}宣传部"))
        assert dept.internal and dept.parent_id == unit.id
        more = ISSUING.get(prefix, {})
        assert person(s, f"{prefix}_office").roles == {Role.PROPOSER} | more.get("office", set())
        assert person(s, f"{prefix}_chair").roles == {Role.INSTRUCTOR} | more.get("chair", set())
        assert person(s, f"{prefix}_vice1").roles == set()
        assert person(s, f"{prefix}_vice2").unit_id == unit.id
        handler = person(s, f"{prefix}_xcb")
        assert (handler.roles, handler.unit_id) == ({Role.HANDLER} | more.get("xcb", set()),
                                                    dept.id)


def test_the_done_收文_archives_under_nanguans_own_code_and_the_trail_verifies(s):
    i = incoming_at(s, "长春市南关区妇联", "收〔2026〕1号")
    c.archive_incoming(s, person(s, "nanguan"), incoming_id=i.id, retention="Y10",
                       now=dt.datetime(2026, 12, 3, 2))
    assert i.state == IncomingState.ARCHIVED
    assert i.archive_code.startswith("2026-D10-")
    assert audit.verify(s).ok


# The ten 县（市）区妇联 under 长春市妇联 and 哈尔滨's 道里区妇联, written out by hand.
COUNTY_FEDERATIONS = ["长春市南关区妇联", "长春市宽城区妇联", "长春市朝阳区妇联", "长春市二道区妇联",
                      "长春市绿园区妇联", "长春市双阳区妇联", "长春市九台区妇联", "农安县妇联",
                      "榆树市妇联", "德惠市妇联", "哈尔滨市道里区妇联"]


@pytest.mark.parametrize("federation", COUNTY_FEDERATIONS)
def test_every_county_federation_has_its_own_office_staff(s, federation):
    unit = s.scalar(select(Unit).where(Unit.name == federation))
    people = s.scalars(select(User).where(User.unit_id == unit.id, User.active)).all()
    roles = sorted(g.role.name for p in people for g in p.grants if g.unit_id == unit.id)
    issuing = ["CLERK", "SIGNATORY", "SUPERVISOR"] if federation == "长春市南关区妇联" else []
    assert roles == sorted(["INSTRUCTOR", "PROPOSER", "RECEIVER", *issuing])  # 批办, 拟办, 收文
    assert len([p for p in people if not p.grants]) == 2  # the two vice chairs, who read
    department = s.scalar(select(Unit).where(Unit.parent_id == unit.id, Unit.internal))
    assert department.name == f"{federation}宣传部"
    handlers = s.scalars(select(User).where(User.unit_id == department.id)).all()
    drafts = ["DRAFTER"] if federation == "长春市南关区妇联" else []  # drafts the unit's 转发
    assert sorted(g.role.name for h in handlers for g in h.grants) == sorted(["HANDLER", *drafts])


def test_nanguan_forwards_seed_000_to_its_streets_and_carries_their_reports_up(s):
    from workflow.models import Notice, Report
    forward = s.scalar(select(Notice).where(Notice.doc_number == "南妇发〔2026〕1号"))
    seed = s.scalar(select(Notice).where(Notice.doc_number == "长妇通字〔2026〕4号"))
    assert forward.forwards_id == seed.id
    assert forward.title == "南关区妇联关于转发《关于认真学习宣传贯彻落实市委党的群团工作会议精神的通知》的通知"
    # The city's Monday 11-30 and Friday 12-18, three working days earlier.
    assert [(r.what, r.due_date) for r in forward.report_requests] == [
        ("学习贯彻落实会议精神情况", dt.date(2026, 11, 25)), ("调研报告", dt.date(2026, 12, 15))]
    streets = s.scalars(select(Unit.name).where(Unit.parent_id == forward.issuer_unit_id,
                                                Unit.internal.is_(False))).all()
    assert len(streets) == 6 and all(name.endswith("街道妇联") for name in streets)
    nanguan = s.scalar(select(Unit).where(Unit.name == "长春市南关区妇联"))
    research = next(r for r in s.scalars(select(Report).where(
        Report.notice_id == seed.id, Report.unit_id == nanguan.id))
        if r.request.what == "调研报告")
    assert [i.included.unit.name for i in research.inclusions] == [
        "南关区自强街道妇联", "南关区南岭街道妇联", "南关区民康街道妇联"]
