"""Anchors: the chain's head written down outside the database, and the chain checked against them.

What the chain alone cannot show — its last entries deleted together with the head moved back, or
the whole chain rewritten by someone who holds the key, or dressed as entries from before the key —
the last anchor shows. An anchor line that someone without the key forged or edited is caught too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat

import pytest
from sqlalchemy import func, select, text, update

from tests.factories import at, build_world, full_story
from tests.intruder import KEY, as_an_old_entry, rewrite, under
from workflow import anchors, audit
from workflow import commands as c
from workflow.db import read_only
from workflow.errors import InvalidState
from workflow.models import AuditEntry, MailMessage, Notification, User
from workflow.states import Role


def take_anchor(session_factory, path, *, when=10) -> audit.Anchor:
    with session_factory() as s:
        anchor, _ = anchors.take(s, str(path), now=at(when))
        s.commit()
    anchors.write(str(path), anchor)
    return anchor


def checked(session_factory, path) -> audit.ChainReport:
    with session_factory() as s:
        return anchors.check(read_only(s), str(path))


def entry_count(session_factory) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))


def cut_the_tail(session_factory, n: int) -> None:
    """Delete the last `n` entries and move the head back onto the last one left."""
    with session_factory() as s:
        last = s.scalar(select(func.max(AuditEntry.seq)))
        s.execute(text("DELETE FROM audit_entry WHERE seq > :seq"), {"seq": last - n})
        kept = s.execute(select(AuditEntry.seq, AuditEntry.hash)
                         .where(AuditEntry.seq == last - n)).one()
        s.execute(text("UPDATE audit_head SET seq = :seq, hash = :hash"),
                  {"seq": kept.seq, "hash": kept.hash})
        s.commit()


@pytest.fixture
def anchor_file(tmp_path):
    return tmp_path / "anchors" / "audit-anchors.jsonl"


@pytest.fixture
def story(world, session):
    full_story(world, session)
    return world


def test_deleting_the_last_entries_with_the_head_passes_the_chain_alone_but_not_the_anchor(
        story, session_factory, anchor_file):
    anchor = take_anchor(session_factory, anchor_file)
    assert anchor.entries == entry_count(session_factory)
    assert checked(session_factory, anchor_file).ok
    cut_the_tail(session_factory, 3)
    with session_factory() as s:
        assert audit.verify(read_only(s)).ok  # what the chain alone cannot see
    report = checked(session_factory, anchor_file)
    assert not report.ok
    assert report.broken_seq == anchor.entries - 2
    assert report.problem == (f"链尾被截断：2016-03-17 09:00 锚定时已有 {anchor.entries} 条，"
                              f"现只有 {anchor.entries - 3} 条")
    assert str(report).startswith(f"审计链在第 {anchor.entries - 2} 条处断裂")


def test_deleting_entries_added_after_the_last_anchor_is_not_the_anchors_to_see(
        story, world, session, session_factory, anchor_file):
    """An anchor vouches for what it saw; what came later is as safe as its own next anchor."""
    anchor = take_anchor(session_factory, anchor_file)
    c.create_unit(session, None, name="示范市第九区妇联", parent_id=world.issuer.id)
    session.commit()
    cut_the_tail(session_factory, 1)
    assert checked(session_factory, anchor_file).ok
    assert entry_count(session_factory) == anchor.entries


def test_an_anchor_line_names_its_fields_and_carries_their_hmac_under_the_key(
        story, session_factory, anchor_file):
    anchor = take_anchor(session_factory, anchor_file, when=10)
    line = json.loads(anchor_file.read_text().splitlines()[-1])
    assert set(line) == {"format", "at", "entries", "last_id", "last_hash", "unkeyed", "mac"}
    with session_factory() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert line["format"] == "gongwen-audit-anchor/1"
    assert line["at"] == "2016-03-17T01:00:00Z"
    assert (line["entries"], line["last_id"], line["last_hash"], line["unkeyed"]) == (
        last.seq, last.id, last.hash, 0)
    assert anchor.last_hash == last.hash
    fields = {k: v for k, v in line.items() if k != "mac"}
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert line["mac"] == hmac.new(KEY, b"gongwen-audit-anchor\n" + canonical.encode(),
                                   hashlib.sha256).hexdigest()


def test_the_anchor_is_itself_in_the_trail_and_covers_its_own_entry(
        story, session_factory, anchor_file):
    before = entry_count(session_factory)
    anchor = take_anchor(session_factory, anchor_file)
    with session_factory() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_name, last.seq) == ("system.ANCHOR", "系统", before + 1)
    assert (anchor.entries, anchor.last_id, anchor.last_hash) == (last.seq, last.id, last.hash)
    assert last.details == {"anchored_before": before}


def test_verifying_writes_nothing(story, session_factory, anchor_file):
    take_anchor(session_factory, anchor_file)
    before = entry_count(session_factory)
    assert checked(session_factory, anchor_file).ok
    assert entry_count(session_factory) == before


def test_anchors_are_appended_to_a_file_only_its_owner_may_read_and_never_rewritten(
        story, world, session, session_factory, anchor_file):
    take_anchor(session_factory, anchor_file)
    first = anchor_file.read_bytes()
    c.create_unit(session, None, name="示范市第九区妇联", parent_id=world.issuer.id)
    session.commit()
    take_anchor(session_factory, anchor_file, when=11)
    after = anchor_file.read_bytes()
    assert after.startswith(first) and after.count(b"\n") == 2
    assert stat.S_IMODE(os.stat(anchor_file).st_mode) == 0o600
    report = checked(session_factory, anchor_file)
    assert report.ok and report.anchor.entries == entry_count(session_factory)
    assert "与 2016-03-18 09:00 的锚点相符" in str(report)


@pytest.mark.parametrize("forgery", ["fewer entries, the old mac", "fewer entries, a new mac "
                                     "under another key", "no mac", "another format"])
def test_a_forged_anchor_line_fails_the_check(story, session_factory, anchor_file, forgery):
    anchor = take_anchor(session_factory, anchor_file)
    line = json.loads(anchor_file.read_text().splitlines()[-1])
    line["entries"] -= 3
    if forgery.startswith("fewer entries, a new mac"):
        fields = {k: v for k, v in line.items() if k != "mac"}
        line["mac"] = hmac.new(b"another-key-of-the-right-length-0123456789",
                               b"gongwen-audit-anchor\n" + json.dumps(
                                   fields, ensure_ascii=False, sort_keys=True,
                                   separators=(",", ":")).encode(), hashlib.sha256).hexdigest()
    elif forgery == "no mac":
        del line["mac"]
    elif forgery == "another format":
        line["format"] = "gongwen-audit-anchor/0"
    with open(anchor_file, "a") as file:
        file.write(json.dumps(line) + "\n")
    cut_the_tail(session_factory, 3)  # what the forged line would have covered
    report = checked(session_factory, anchor_file)
    assert not report.ok
    assert report.broken_seq is None
    assert f"锚点文件 {anchor_file} 第 2 行" in str(report)
    assert str(report).startswith("审计链校验未通过")
    assert anchor.entries > 3


def test_an_edit_of_the_anchor_lines_count_is_caught_by_its_mac(story, session_factory,
                                                                 anchor_file):
    take_anchor(session_factory, anchor_file)
    line = anchor_file.read_text()
    anchor_file.write_text(line.replace('"entries": ', '"entries": 1'))
    assert "第 1 行的校验码不符" in checked(session_factory, anchor_file).problem


def test_a_torn_line_is_reported_and_the_next_anchor_starts_a_line_of_its_own(
        story, session_factory, anchor_file):
    anchor_file.parent.mkdir()
    anchor_file.write_text('{"format": "gongwen-audit-anchor/1", "at": "2016-')
    with pytest.raises(InvalidState, match="第 1 行无法解析"):
        take_anchor(session_factory, anchor_file)
    anchor = anchors.baseline(read_only(session_factory()), now=at(10))
    anchors.write(str(anchor_file), anchor)
    found, problems = anchors.read(str(anchor_file))
    assert [a.entries for a in found] == [anchor.entries] and found[0].line == 2
    assert problems == [f"锚点文件 {anchor_file} 第 1 行无法解析（不是完整的一行锚点记录）"]


def test_a_key_holder_who_rewrites_an_anchored_entry_is_caught_by_the_anchor(
        story, session_factory, anchor_file):
    anchor = take_anchor(session_factory, anchor_file)
    rewrite(session_factory, 5, lambda e: setattr(e, "note", "无异议"), under(KEY))
    with session_factory() as s:
        assert audit.verify(read_only(s)).ok
    report = checked(session_factory, anchor_file)
    assert not report.ok and report.broken_seq == anchor.entries
    assert "与 2016-03-17 09:00 的锚点不符" in report.problem


def test_a_chain_rewritten_as_entries_from_before_the_key_is_caught_by_the_first_anchor(
        session, session_factory, anchor_file):
    """A new installation anchors its empty chain: it has no entry from before the key."""
    anchors.write(str(anchor_file), anchors.baseline(read_only(session_factory()), now=at(0)))
    world = build_world(session)
    session.commit()
    full_story(world, session)
    rewrite(session_factory, 1, lambda e: None, as_an_old_entry)
    with session_factory() as s:
        alone = audit.verify(read_only(s))
    assert alone.ok and alone.unkeyed == alone.checked  # the chain alone cannot tell
    assert f"其中前 {alone.checked} 条写于启用审计密钥之前" in str(alone)
    report = checked(session_factory, anchor_file)
    assert not report.ok
    assert f"有 {alone.checked} 条记录标为启用审计密钥之前的旧记录，而锚点记载只有 0 条" in report.problem


def test_entries_from_before_the_key_may_come_first_and_are_reported_as_such(
        story, session_factory):
    """A chain begun before the key: its first entries kept their plain SHA-256 (scheme 0)."""
    with session_factory() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        previous = None
        for n, entry in enumerate(entries):
            if previous is not None:
                entry.prev_hash = previous.hash
            if n < 12:
                entry.digest = None
                entry.hash = as_an_old_entry(entry)
            else:
                entry.hash = under(KEY)(entry)
            previous = entry
        s.execute(update(audit.AuditHead).values(hash=previous.hash))
        s.commit()
    with session_factory() as s:
        report = audit.verify(read_only(s))
    assert report.ok and report.unkeyed == 12
    assert str(report) == (f"OK：审计链完整，共 {report.checked} 条，其中前 12 条写于启用审计密钥"
                           "之前，只能按原方式（无密钥）校验")


def test_anchoring_a_broken_chain_is_refused_and_writes_nothing(story, session_factory,
                                                                 anchor_file):
    with session_factory() as s:
        s.execute(text("UPDATE audit_entry SET note = '改过了' WHERE seq = 4"))
        s.commit()
    before = entry_count(session_factory)
    with session_factory() as s, pytest.raises(InvalidState) as refused:
        anchors.take(s, str(anchor_file), now=at(10))
    assert str(refused.value) == "未锚定：审计链在第 4 条处断裂：内容已被修改"
    assert entry_count(session_factory) == before and not anchor_file.exists()


def test_anchoring_tells_every_active_auditor_and_nobody_else(story, world, session,
                                                              session_factory, anchor_file):
    other = c.create_user(session, None, username="auditor2", display_name="另一位审计",
                          unit_id=world.cc_unit.id, email="auditor2@example.org")
    c.grant_role(session, None, user_id=other.id, role=Role.AUDITOR, unit_id=world.cc_unit.id)
    gone = c.create_user(session, None, username="auditor3", display_name="离任审计",
                         unit_id=world.issuer.id, email="auditor3@example.org")
    c.grant_role(session, None, user_id=gone.id, role=Role.AUDITOR, unit_id=world.issuer.id)
    session.execute(update(User).where(User.id == gone.id).values(active=False))
    session.commit()
    anchor = take_anchor(session_factory, anchor_file)
    with session_factory() as s:
        told = s.execute(select(Notification.user_id, Notification.message, Notification.target)
                         .where(Notification.kind == "anchor")).all()
        mail = s.execute(select(MailMessage.to_addr, MailMessage.subject, MailMessage.body)).all()
        auditor = s.scalar(select(User.id).where(User.username == "auditor"))
    assert sorted(t.user_id for t in told) == sorted([auditor, other.id])
    assert {t.target for t in told} == {"audit"}
    assert anchor.last_hash in told[0].message and f"共 {anchor.entries} 条" in told[0].message
    # Only the one with an address gets a mail (the world's auditor has none).
    [(to, subject, body)] = [m for m in mail if "审计链" in m.subject]
    assert to == "auditor2@example.org"
    assert subject == f"【公文流转】审计链已锚定：共 {anchor.entries} 条（2016-03-17 09:00）"
    assert anchor.last_hash in body
