"""The audit chain is keyed: whoever can write to the database but has not the key cannot rewrite it.

The hash input is written out here by hand, field by field, so that a field dropped from the
code's hash (prev_hash, say) fails a test. The intruder of these tests holds the database and
everything about the code but the key: they edit an entry, recompute its hash the best way they
can — the same input hashed with plain SHA-256, or under a key of their own, or dressed as an entry
written before the key — relink every entry after it and move the head, as a 25-line script would.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import select

from tests.factories import AUDIT_KEY, full_story
from tests.intruder import (
    CONTEXT,
    KEY,
    KEYED_FIELDS,
    WRONG_KEY,
    as_an_old_entry,
    hashed_input,
    plain_sha256,
    rewrite,
    under,
)
from workflow import audit, invariants
from workflow.db import read_only
from workflow.models import AuditEntry


def verified(session_factory) -> audit.ChainReport:
    with session_factory() as s:
        return audit.verify(read_only(s))


@pytest.fixture
def issue_seq(world, session, session_factory) -> int:
    """The full story; the sequence number of its 印发 entry (in the middle, with a digest)."""
    full_story(world, session)
    with session_factory() as s:
        return s.scalar(select(AuditEntry.seq).where(AuditEntry.action == "notice.ISSUE")
                        .order_by(AuditEntry.seq).limit(1))


def test_every_entry_is_the_hmac_under_the_key_of_exactly_the_fields_written_here(
        issue_seq, session_factory):
    with session_factory() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert len(entries) > 30
    assert all(e.scheme == 1 for e in entries)
    assert [e.hash for e in entries] == [under(KEY)(e) for e in entries]
    # prev_hash is in it: the same entry hashed without it is another hash.
    entry = entries[issue_seq - 1]
    without = {name: v for name, v in json.loads(hashed_input(entry, KEYED_FIELDS)).items()
               if name != "prev_hash"}
    assert hmac.new(KEY, CONTEXT + json.dumps(without, ensure_ascii=False, sort_keys=True,
                                              separators=(",", ":")).encode(),
                    hashlib.sha256).hexdigest() != entry.hash


def test_the_harness_is_right_an_edit_rehashed_under_the_real_key_verifies(
        issue_seq, session_factory):
    """The control: only the key is missing from the intruder's script below."""
    rewrite(session_factory, issue_seq, lambda e: setattr(e, "note", "无异议"), under(KEY))
    assert verified(session_factory).ok


EDITS = {
    "actor": lambda e: setattr(e, "actor_name", "某领导"),
    "actor id": lambda e: setattr(e, "actor_id", 1),
    "action": lambda e: setattr(e, "action", "notice.RETURN"),
    "object": lambda e: setattr(e, "object_id", e.object_id + 1),
    "notice": lambda e: setattr(e, "notice_id", e.notice_id + 1),
    "unit acted for": lambda e: setattr(e, "on_behalf_of", "示范省妇女联合会"),
    "state before": lambda e: setattr(e, "state_before", "DRAFT"),
    "state after": lambda e: setattr(e, "state_after", "CLOSED"),
    "note": lambda e: setattr(e, "note", "无异议"),
    "details": lambda e: setattr(e, "details", {**e.details, "main": 99}),
    "at": lambda e: setattr(e, "at", e.at.replace(year=e.at.year - 1)),
    "digest": lambda e: setattr(e, "digest", hashlib.sha256(b"another text").hexdigest()),
    "prev_hash": lambda e: setattr(e, "prev_hash", "f" * 64),
}
REHASHES = {"plain sha256": plain_sha256, "a wrong key": under(WRONG_KEY),
            "dressed as an entry from before the key": as_an_old_entry}


@pytest.mark.parametrize("how", REHASHES)
@pytest.mark.parametrize("field", EDITS)
def test_an_edited_entry_rehashed_without_the_key_and_relinked_still_fails_verify_and_check(
        issue_seq, session_factory, field, how):
    rewrite(session_factory, issue_seq, EDITS[field], REHASHES[how])
    report = verified(session_factory)
    assert not report.ok
    assert report.broken_seq == issue_seq
    assert report.checked == issue_seq - 1
    with session_factory() as s:
        problems = invariants.check(s)
    assert f"审计链在第 {issue_seq} 条处断裂" in problems[0]


def test_the_ways_it_breaks_are_said_in_chinese(issue_seq, session_factory):
    rewrite(session_factory, issue_seq, EDITS["note"], plain_sha256)
    assert verified(session_factory).problem == "内容已被修改"
    rewrite(session_factory, issue_seq, EDITS["note"], as_an_old_entry)
    assert "旧记录，却排在以密钥保护的记录之后" in verified(session_factory).problem


def test_without_the_key_nothing_is_appended_and_a_keyed_chain_cannot_be_verified(
        world, session, session_factory):
    from workflow import commands as c

    audit.use_key(None)
    try:
        with pytest.raises(audit.KeyMissing, match="未配置审计密钥"):
            c.create_unit(session, None, name="示范市第九区妇联", parent_id=world.issuer.id)
        session.rollback()
        report = verified(session_factory)
        assert not report.ok and report.broken_seq == 1
        assert "未配置审计密钥" in str(report)
    finally:
        audit.use_key(AUDIT_KEY)
    assert verified(session_factory).ok


@pytest.mark.parametrize("key", ["", "short", " " * 40, "x" * 31])
def test_a_key_shorter_than_32_characters_is_refused(key):
    with pytest.raises(ValueError, match="审计密钥太短"):
        audit.check_key(key)
    assert audit.check_key("k" * 32) == b"k" * 32
