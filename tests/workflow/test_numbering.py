"""The register of document numbers (发文字号): no duplicates, no gaps, never reused.

A series is (机关代字, year); its serials are handed out at issue, 1, 2, 3 …, restarting every
year; a voided serial is skipped for good; a series belongs to one unit. The last test issues from
four processes at once against the same database and counts what came out.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import at, notice_in
from workflow import commands as c
from workflow import numbering
from workflow.errors import InvalidInput, WorkflowError
from workflow.models import AuditEntry, Notice, NumberSeries
from workflow.states import NoticeState as NS
from workflow.states import Role

NO_DEADLINE = [{"what": "工作总结", "due_date": None}]


refused = partial(factories.refused, kind=InvalidInput)


def issue_signed(world, session, *, now=None, **fields) -> Notice:
    notice = notice_in(world, NS.SIGNED, **fields)
    return c.issue(session, world.clerk, notice_id=notice.id, now=now or at(1))


def other_issuer(session, world):
    """A second issuing unit (示范市总工会, 示工发, no review step) with its drafter, signatory
    and clerk, and a way to have one of its notices signed."""
    unit = c.create_unit(session, None, name="示范市总工会", doc_code="示工发",
                         parent_id=world.cc_unit.id, review_required=False)
    people = {}
    for role in (Role.DRAFTER, Role.SIGNATORY, Role.CLERK):
        user = c.create_user(session, None, username=f"union_{role.name.lower()}",
                             display_name=f"总工会{role.label}", unit_id=unit.id)
        c.grant_role(session, None, user_id=user.id, role=role, unit_id=unit.id)
        people[role] = user

    def signed(**fields) -> Notice:
        notice = c.create_draft(session, people[Role.DRAFTER], title="关于开展劳动竞赛的通知",
                                body="请各单位组织开展。", main_unit_ids=[world.districts[0].id],
                                now=at(0), **fields)
        c.submit(session, people[Role.DRAFTER], notice_id=notice.id, now=at(0.1))
        c.sign(session, people[Role.SIGNATORY], notice_id=notice.id, opinion="同意", now=at(0.2))
        return notice

    return unit, people, signed


# ------------------------------------------------------------------------------------------------
# Allocation.


def test_serials_are_handed_out_one_two_three_in_the_order_of_issue(world, session):
    numbers = [issue_signed(world, session).doc_number for _ in range(3)]
    assert numbers == ["示妇发〔2016〕1号", "示妇发〔2016〕2号", "示妇发〔2016〕3号"]
    series = session.scalar(select(NumberSeries).where(NumberSeries.code == "示妇发"))
    assert (series.year, series.next_serial, series.issuer_unit_id) == (2016, 4, world.issuer.id)


def test_a_draft_holds_no_number_until_it_is_issued(world, session):
    signed = notice_in(world, NS.SIGNED)
    assert (signed.doc_number, signed.doc_serial) == (None, None)
    assert session.scalar(select(func.count()).select_from(NumberSeries)) == 0


def test_a_new_year_starts_again_at_one(world, session):
    assert issue_signed(world, session).doc_number == "示妇发〔2016〕1号"
    assert issue_signed(world, session).doc_number == "示妇发〔2016〕2号"
    new_year = issue_signed(world, session, requests=NO_DEADLINE,
                            now=dt.datetime(2017, 1, 4, 2, 0))
    assert (new_year.doc_year, new_year.doc_serial) == (2017, 1)
    assert new_year.doc_number == "示妇发〔2017〕1号"


def test_the_year_of_a_number_is_the_year_in_beijing(world, session):
    new_years_eve_in_utc = dt.datetime(2016, 12, 31, 16, 30)  # 2017-01-01 00:30 in Beijing
    notice = issue_signed(world, session, requests=NO_DEADLINE, now=new_years_eve_in_utc)
    assert notice.doc_number == "示妇发〔2017〕1号"
    assert notice.issued_on == dt.date(2017, 1, 1)


def test_an_opened_series_starts_at_its_start_serial(world, session, session_factory):
    c.open_series(session, world.clerk, issuer_unit_id=world.issuer.id, code="示妇发",
                  year=2016, start_serial=9, now=at(0))
    assert issue_signed(world, session).doc_number == "示妇发〔2016〕9号"
    assert issue_signed(world, session).doc_number == "示妇发〔2016〕10号"
    refused(session, session_factory,
            lambda: c.open_series(session, world.clerk, issuer_unit_id=world.issuer.id,
                                  code="示妇发", year=2016, start_serial=1, now=at(2)),
            containing="已经存在")


@pytest.mark.parametrize("start", [0, -3, "9", True, 100_000, 9223372036854775807, 2**80])
def test_a_series_starts_at_a_whole_number_from_1_to_99999(world, session, session_factory,
                                                           start):
    refused(session, session_factory,
            lambda: c.open_series(session, world.clerk, issuer_unit_id=world.issuer.id,
                                  code="示妇发", year=2016, start_serial=start, now=at(0)),
            containing="1 至 99999 之间的整数")


def test_a_series_opened_at_its_last_serial_issues_once_then_refuses_in_chinese(
        world, session, session_factory):
    c.open_series(session, world.clerk, issuer_unit_id=world.issuer.id, code="示妇发",
                  year=2016, start_serial=99_999, now=at(0))
    assert issue_signed(world, session).doc_number == "示妇发〔2016〕99999号"
    signed = notice_in(world, NS.SIGNED)
    refused(session, session_factory,
            lambda: c.issue(session, world.clerk, notice_id=signed.id, now=at(1)),
            containing="顺序号已用完")


@pytest.mark.parametrize("serial", [100_000, 9223372036854775807])
def test_a_number_past_99999_cannot_be_voided(world, session, session_factory, serial):
    c.open_series(session, world.clerk, issuer_unit_id=world.issuer.id, code="示妇发",
                  year=2016, start_serial=1, now=at(0))
    refused(session, session_factory,
            lambda: c.void_number(session, world.clerk, issuer_unit_id=world.issuer.id,
                                  code="示妇发", year=2016, serial=serial, reason="错号"),
            containing="1 至 99999 之间的整数")


def test_a_notice_may_be_numbered_in_another_series_of_its_own_unit(world, session):
    notice = issue_signed(world, session, series_code="示妇办发")
    assert notice.doc_number == "示妇办发〔2016〕1号"
    assert issue_signed(world, session).doc_number == "示妇发〔2016〕1号"


# ------------------------------------------------------------------------------------------------
# The void register.


def test_a_voided_future_serial_is_skipped(world, session):
    assert issue_signed(world, session).doc_serial == 1
    voided = c.void_number(session, world.clerk, issuer_unit_id=world.issuer.id, code="示妇发",
                           year=2016, serial=3, reason="印制时损毁", now=at(1.2))
    assert (voided.serial, voided.reason, voided.voided_by_id) == (3, "印制时损毁",
                                                                   world.clerk.id)
    assert numbering.peek_next(session, issuer_unit_id=world.issuer.id, code="示妇发",
                               year=2016) == 2
    assert issue_signed(world, session).doc_serial == 2
    assert numbering.peek_next(session, issuer_unit_id=world.issuer.id, code="示妇发",
                               year=2016) == 4
    assert issue_signed(world, session).doc_serial == 4
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "series.VOID_NUMBER"))
    assert (entry.note, entry.details) == ("印制时损毁", {"number": "示妇发〔2016〕3号"})


def test_the_next_serial_may_itself_be_voided(world, session):
    c.void_number(session, world.clerk, issuer_unit_id=world.issuer.id, code="示妇发",
                  year=2016, serial=1, reason="预留给纸质发文", now=at(0))
    c.void_number(session, world.clerk, issuer_unit_id=world.issuer.id, code="示妇发",
                  year=2016, serial=2, reason="预留给纸质发文", now=at(0))
    assert issue_signed(world, session).doc_number == "示妇发〔2016〕3号"


def test_a_serial_already_used_cannot_be_voided(world, session, session_factory):
    issue_signed(world, session)
    refused(session, session_factory,
            lambda: c.void_number(session, world.clerk, issuer_unit_id=world.issuer.id,
                                  code="示妇发", year=2016, serial=1, reason="错号", now=at(2)),
            containing="已经使用")


def test_a_serial_before_the_start_of_an_opened_series_cannot_be_voided(world, session,
                                                                        session_factory):
    c.open_series(session, world.clerk, issuer_unit_id=world.issuer.id, code="示妇发",
                  year=2016, start_serial=9, now=at(0))
    refused(session, session_factory,
            lambda: c.void_number(session, world.clerk, issuer_unit_id=world.issuer.id,
                                  code="示妇发", year=2016, serial=5, reason="错号", now=at(2)))


def test_a_serial_is_voided_only_once(world, session, session_factory):
    c.void_number(session, world.clerk, issuer_unit_id=world.issuer.id, code="示妇发",
                  year=2016, serial=5, reason="损毁", now=at(0))
    refused(session, session_factory,
            lambda: c.void_number(session, world.clerk, issuer_unit_id=world.issuer.id,
                                  code="示妇发", year=2016, serial=5, reason="再次损毁",
                                  now=at(0.1)),
            kind=WorkflowError)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_voiding_a_number_needs_a_reason(world, session, session_factory, reason):
    refused(session, session_factory,
            lambda: c.void_number(session, world.clerk, issuer_unit_id=world.issuer.id,
                                  code="示妇发", year=2016, serial=5, reason=reason, now=at(0)),
            containing="理由")


# ------------------------------------------------------------------------------------------------
# A series belongs to one unit.


def test_a_series_code_in_use_by_another_unit_is_refused(world, session, session_factory):
    issue_signed(world, session)  # 示妇发〔2016〕 is the federation's
    _, union, signed = other_issuer(session, world)
    theirs = signed()
    refused(session, session_factory,
            lambda: c.issue(session, union[Role.CLERK], notice_id=theirs.id, series_code="示妇发",
                            now=at(1)),
            containing="属于其他单位")
    refused(session, session_factory,
            lambda: c.void_number(session, union[Role.CLERK], issuer_unit_id=theirs.issuer_unit_id,
                                  code="示妇发", year=2016, serial=7, reason="占号", now=at(1)),
            containing="属于其他单位")
    c.issue(session, union[Role.CLERK], notice_id=theirs.id, now=at(1))
    assert theirs.doc_number == "示工发〔2016〕1号"


def test_another_units_code_is_refused_even_before_that_unit_first_uses_it(world, session,
                                                                            session_factory):
    _, union, signed = other_issuer(session, world)
    theirs = signed()
    clerk = union[Role.CLERK]
    refused(session, session_factory,
            lambda: c.issue(session, clerk, notice_id=theirs.id, series_code="示妇发", now=at(1)),
            containing="属于其他单位")
    refused(session, session_factory,
            lambda: c.open_series(session, clerk, issuer_unit_id=theirs.issuer_unit_id,
                                  code="示妇发", year=2016, now=at(1)),
            containing="属于其他单位")
    # The federation's own first issue is still 1号.
    assert issue_signed(world, session).doc_number == "示妇发〔2016〕1号"

# Many processes issuing at once: tests/concurrency/test_issuing.py (8 × 100, both databases).
