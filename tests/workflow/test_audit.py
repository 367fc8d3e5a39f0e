"""The audit trail: append-only and hash-chained, so that any edit, deletion or truncation shows.

`audit.verify` walks the chain and names the first entry (by sequence number) where it breaks.
Tampering is done the way an intruder with database access would do it: raw SQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from tests.factories import at, notice_in, receipts_of, reports_of
from workflow import audit
from workflow import commands as c
from workflow.db import read_only
from workflow.models import AuditEntry, AuditHead
from workflow.states import NoticeState as NS


def full_story(world, session) -> None:
    """A notice from draft to archive, with every kind of step on the way, and one revoked."""
    w, s = world, session
    notice = notice_in(w, NS.DRAFT)
    c.submit(s, w.drafter, notice_id=notice.id, now=at(0.1))
    c.return_for_revision(s, w.reviewer, notice_id=notice.id, reason="请补充数据", now=at(0.2))
    c.update_draft(s, w.drafter, notice_id=notice.id, body="请各区妇联开展调研并报送数据。",
                   now=at(0.3))
    c.submit(s, w.drafter, notice_id=notice.id, now=at(0.4))
    c.pass_review(s, w.reviewer, notice_id=notice.id, opinion="可以", now=at(0.5))
    c.sign(s, w.signatory, notice_id=notice.id, opinion="同意印发", now=at(0.6))
    c.issue(s, w.clerk, notice_id=notice.id, now=at(1))
    receipts = {r.unit_id: r for r in receipts_of(w, notice)}
    reports = {r.unit_id: r for r in reports_of(w, notice)}
    d1, d2, d3 = w.districts
    c.acknowledge(s, w.receiver1, receipt_id=receipts[d1.id].id, now=at(1.5))
    c.submit_report(s, w.receiver1, report_id=reports[d1.id].id, text="初稿", now=at(2))
    c.return_report(s, w.supervisor, report_id=reports[d1.id].id, reason="缺数据", now=at(3))
    c.submit_report(s, w.receiver1, report_id=reports[d1.id].id, text="定稿", now=at(4))
    c.accept_report(s, w.supervisor, report_id=reports[d1.id].id, now=at(5))
    c.reject(s, w.receiver2, receipt_id=receipts[d2.id].id, reason="误送", now=at(5))
    c.remind(s, w.supervisor, notice_id=notice.id, now=at(6))
    c.close(s, w.supervisor, notice_id=notice.id, reason="提前办结", now=at(7))
    c.archive(s, w.clerk, notice_id=notice.id, retention="Y30", now=at(8))
    notice_in(w, NS.REVOKED)
    s.commit()


def verified(session_factory) -> audit.ChainReport:
    with session_factory() as s:
        return audit.verify(read_only(s))


def seqs(session_factory) -> list[int]:
    with session_factory() as s:
        return list(read_only(s).scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))


def tamper(session_factory, sql: str, **params) -> None:
    with session_factory() as s:
        s.execute(text(sql), params)
        s.commit()


@pytest.fixture
def story(world, session, session_factory):
    full_story(world, session)
    return seqs(session_factory)


def test_the_chain_verifies_after_a_full_story(story, session_factory):
    report = verified(session_factory)
    assert report.ok, str(report)
    assert report.checked == len(story) == story[-1]
    assert story == list(range(1, len(story) + 1))
    assert str(report).startswith("OK")


def test_every_state_change_of_the_story_is_in_the_trail(story, session_factory):
    with session_factory() as s:
        actions = set(read_only(s).scalars(select(AuditEntry.action)))
    assert {"notice.CREATE", "notice.UPDATE", "notice.SUBMIT", "notice.RETURN",
            "notice.PASS_REVIEW", "notice.SIGN", "notice.ISSUE", "receipt.ACKNOWLEDGE",
            "receipt.REJECT", "report.SUBMIT", "report.RETURN", "report.ACCEPT",
            "notice.REMIND", "notice.CLOSE", "notice.ARCHIVE", "notice.REVOKE"} <= actions


def test_a_verified_empty_database_is_ok(session_factory):
    report = verified(session_factory)
    assert (report.ok, report.checked, report.broken_seq) == (True, 0, None)


def test_editing_an_entrys_note_is_caught_at_that_entry(story, session_factory):
    middle = story[len(story) // 2]
    tamper(session_factory, "UPDATE audit_entry SET note = :note WHERE seq = :seq",
           note="无异议", seq=middle)
    report = verified(session_factory)
    assert not report.ok
    assert report.broken_seq == middle
    assert report.checked == middle - 1
    assert "修改" in report.problem and str(middle) in str(report)


def test_editing_who_acted_is_caught_at_that_entry(story, session_factory):
    tamper(session_factory, "UPDATE audit_entry SET actor_name = '某领导' WHERE seq = 5")
    assert verified(session_factory).broken_seq == 5


def test_rehashing_an_edited_entry_breaks_the_link_to_the_next(story, session_factory):
    """An intruder who recomputes the edited entry's hash still breaks the next entry's link."""
    middle = story[len(story) // 2]
    with session_factory() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.seq == middle))
        entry.note = "无异议"
        entry.hash = audit.entry_hash(entry)
        s.commit()
    report = verified(session_factory)
    assert (report.ok, report.broken_seq) == (False, middle + 1)


def test_deleting_an_entry_in_the_middle_is_caught_at_the_gap(story, session_factory):
    middle = story[len(story) // 2]
    tamper(session_factory, "DELETE FROM audit_entry WHERE seq = :seq", seq=middle)
    report = verified(session_factory)
    assert (report.ok, report.broken_seq) == (False, middle)
    assert "缺少" in report.problem


def test_truncating_the_tail_is_caught_after_the_last_entry_left(story, session_factory):
    last = story[-1]
    tamper(session_factory, "DELETE FROM audit_entry WHERE seq > :seq", seq=last - 2)
    report = verified(session_factory)
    assert not report.ok
    assert report.checked == last - 2
    assert report.broken_seq == last - 1
    assert "截断" in report.problem


def test_appending_keeps_the_head_on_the_last_entry(story, session_factory):
    with session_factory() as s:
        read_only(s)
        head = s.get(AuditHead, 1)
        last = s.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
        assert (head.seq, head.hash) == (last.seq, last.hash)
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == head.seq
