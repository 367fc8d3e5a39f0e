"""The invariant check: silent on everything the commands do, and loud on every kind of damage a
crash, a bug or a hand-edit could leave — each problem in Chinese, naming what is wrong."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select, update

from tests.factories import HAN, at, full_story, notice_in, receipts_of, reports_of, table_rows
from workflow import commands as c
from workflow import demo, invariants
from workflow.models import (
    ArchiveCounter,
    AuditEntry,
    Notice,
    NumberSeries,
    Receipt,
    Report,
    VoidedNumber,
)
from workflow.states import NoticeState as NS
from workflow.states import ReceiptState as RS
from workflow.states import RecipientKind


def test_the_demo_holds_every_invariant(session):
    demo.build(session)
    session.commit()
    assert invariants.check(session) == []


def test_a_full_story_with_every_kind_of_step_holds_every_invariant(world, session):
    full_story(world, session)
    notice_in(world, NS.ABOLISHED)
    notice_in(world, NS.CANCELLED)
    amended = notice_in(world, NS.SIGNED)
    c.amend(session, world.clerk, notice_id=amended.id, reason="修改标题", title="关于调整的通知",
            now=at(0.5))
    session.commit()
    assert invariants.check(session) == []


def test_checking_changes_nothing(world, session, session_factory):
    full_story(world, session)
    before = table_rows(session_factory)
    with session_factory() as s:
        assert invariants.check(s) == []
        s.commit()
    assert table_rows(session_factory) == before


# ------------------------------------------------------------------------------------------------
# Damage, done behind the engine's back, and what the check says about it.

@pytest.fixture
def story(world, session):
    """An issued notice with one receipt signed for, an archived one, and the ids the damage needs."""
    issued = notice_in(world, NS.ISSUED)
    receipts = receipts_of(world, issued)
    first = next(r for r in receipts if r.unit_id == world.districts[0].id)
    c.acknowledge(session, world.receiver1, receipt_id=first.id, now=at(1.5))
    archived = notice_in(world, NS.ARCHIVED)
    draft = notice_in(world, NS.DRAFT)
    session.commit()
    return {"issued": issued, "receipts": receipts, "acknowledged": first,
            "pending": next(r for r in receipts if r.state == RS.PENDING
                            and r.kind == RecipientKind.MAIN),
            "reports": reports_of(world, issued), "archived": archived, "draft": draft}


def _damage(session, statement) -> list[str]:
    session.execute(statement)
    session.commit()
    problems = invariants.check(session)
    session.rollback()
    assert problems, "the damage went unnoticed"
    assert all(HAN.search(p) for p in problems), problems
    return problems


def _found(problems: list[str], *fragments: str) -> bool:
    return any(all(f in p for f in fragments) for p in problems)


def test_a_receipt_signed_for_without_an_audit_entry_is_found(story, session):
    pending = story["pending"]
    problems = _damage(session, update(Receipt).where(Receipt.id == pending.id).values(
        state=RS.ACKNOWLEDGED, acted_at=at(2), acted_by_id=1, version=Receipt.version + 1))
    assert _found(problems, f"收文 #{pending.id}", "有状态变化没有审计记录")


def test_a_receipt_changed_without_an_audit_entry_is_found_by_its_version(story, session):
    receipt = story["acknowledged"]
    problems = _damage(session, update(Receipt).where(Receipt.id == receipt.id).values(
        version=Receipt.version + 1))
    assert _found(problems, f"收文 #{receipt.id}", "已修改 2 次", "只记载了 1 次")


def test_a_lost_receipt_is_found(story, session):
    problems = _damage(session, delete(Receipt).where(Receipt.id == story["pending"].id))
    assert _found(problems, story["issued"].doc_number, "印发时有 3 个主送单位", "现有主送收文 2 份")


def test_a_lost_report_is_found(story, session, world):
    report = story["reports"][-1]
    problems = _damage(session, delete(Report).where(Report.id == report.id))
    assert _found(problems, "缺少", world.districts[-1].name, "的报告")


def test_a_closed_notice_whose_main_unit_still_owes_is_found(story, session):
    issued = story["issued"]
    problems = _damage(session, update(Notice).where(Notice.id == issued.id).values(
        state=NS.CLOSED))
    assert _found(problems, f"收文 #{story['pending'].id}", "仍待签收", "但公文已办结")
    assert _found(problems, "仍待上报", "但公文已办结")
    assert _found(problems, f"公文 #{issued.id}", "有状态变化没有审计记录")


def test_an_issued_notice_that_should_have_closed_by_itself_is_found(story, session):
    issued = story["issued"]
    session.execute(delete(Report).where(Report.notice_id == issued.id))
    problems = _damage(session, update(Receipt).where(
        Receipt.notice_id == issued.id, Receipt.kind == RecipientKind.MAIN).values(
        state=RS.ACKNOWLEDGED, acted_at=at(2), acted_by_id=1))
    assert _found(problems, f"公文 #{issued.id}", "应已自动办结")


def test_a_draft_carrying_a_number_is_found(story, session):
    draft = story["draft"]
    problems = _damage(session, update(Notice).where(Notice.id == draft.id).values(
        doc_number="示妇发〔2016〕99号", doc_serial=99, doc_year=2016, series_code="示妇发"))
    assert _found(problems, f"公文 #{draft.id}", "尚未印发", "发文字号")
    assert _found(problems, "99", "不在已分配的范围")


def test_a_serial_skipped_by_the_counter_is_a_gap(story, session):
    problems = _damage(session, update(NumberSeries).values(
        next_serial=NumberSeries.next_serial + 1))
    assert _found(problems, "示妇发〔2016〕系列断号", "顺序号 3 既未使用，也未登记作废")


def test_a_counter_left_behind_its_numbers_is_found(story, session):
    problems = _damage(session, update(NumberSeries).values(
        next_serial=NumberSeries.next_serial - 1))
    assert _found(problems, "示妇发〔2016〕系列的顺序号 2", "不在已分配的范围")


def test_a_serial_both_used_and_voided_is_found(story, session, world):
    series_id = session.scalar(select(NumberSeries.id))
    problems = _damage(session, insert(VoidedNumber).values(
        series_id=series_id, serial=1, reason="误登记", voided_by_id=world.clerk.id,
        voided_at=at(3)))
    assert _found(problems, "顺序号 1 已登记作废，却又被公文使用")


def test_a_number_that_does_not_match_its_serial_is_found(story, session):
    issued = story["issued"]
    problems = _damage(session, update(Notice).where(Notice.id == issued.id).values(
        doc_number="示妇发〔2016〕7号"))
    assert _found(problems, "发文字号应为示妇发〔2016〕1号", "记录的是示妇发〔2016〕7号")


def test_a_missing_archive_item_is_found(story, session):
    problems = _damage(session, update(ArchiveCounter).values(
        next_item=ArchiveCounter.next_item + 1))
    assert _found(problems, "档案件号 2 缺失")


def test_an_edited_audit_entry_breaks_the_chain(story, session):
    first = session.scalar(select(AuditEntry.id).order_by(AuditEntry.seq).limit(1))
    problems = _damage(session, update(AuditEntry).where(AuditEntry.id == first).values(
        note="事后改写"))
    assert _found(problems, "审计链在第 1 条处断裂", "内容已被修改")


def test_an_audit_entry_out_of_step_with_the_state_before_it_is_found(story, session):
    entry = session.scalar(select(AuditEntry).where(
        AuditEntry.action == "receipt.ACKNOWLEDGE"))
    seq = entry.seq
    session.rollback()
    problems = _damage(session, update(AuditEntry).where(AuditEntry.seq == seq).values(
        state_before="REJECTED"))
    assert _found(problems, f"审计记录第 {seq} 条", "由 REJECTED 变为 ACKNOWLEDGED",
                  "此前的状态是 PENDING")
