"""The audit trail: append-only and hash-chained, so that any edit, deletion or truncation shows.

`audit.verify` walks the chain and names the first entry (by sequence number) where it breaks.
Tampering is done the way an intruder with database access would do it: raw SQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from tests.factories import full_story
from workflow import audit
from workflow.db import read_only
from workflow.models import AuditEntry, AuditHead


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
