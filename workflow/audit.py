"""The append-only, hash-chained audit trail and its verifier.

Owns: `append()` (called only from commands, inside the acting transaction) and `verify()`.
Each entry's hash covers its own fields and the previous entry's hash; the single head row holds the
last sequence number and hash, so a truncated tail is caught too, and locking it serialises appends
on PostgreSQL (SQLite's BEGIN IMMEDIATE already does). Must not: update or delete an entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from workflow.db import lock_for_update
from workflow.models import AuditEntry, AuditHead, User

GENESIS = "0" * 64
_ENTRY_COLUMNS = ("seq", "at", "actor_id", "actor_name", "on_behalf_of", "action", "object_type",
                  "object_id", "notice_id", "state_before", "state_after", "note", "details",
                  "prev_hash", "hash")
SYSTEM_ACTOR = "系统"


def _canonical(entry: AuditEntry) -> bytes:
    fields = {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "on_behalf_of": entry.on_behalf_of,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "notice_id": entry.notice_id,
        "state_before": entry.state_before,
        "state_after": entry.state_after,
        "note": entry.note,
        "details": entry.details or {},
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


# Built once: every audited action runs them.
_HEAD_LOCKED = lock_for_update(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1))
_INSERT_ENTRY = insert(AuditEntry.__table__).returning(AuditEntry.__table__.c.id)
_MOVE_HEAD = update(AuditHead.__table__).where(AuditHead.__table__.c.id == 1)


def _head(session: Session) -> tuple[int, str]:
    """The head's sequence number and hash, its row locked for this transaction (made on the first
    append of all)."""
    head = session.execute(_HEAD_LOCKED).one_or_none()
    if head is None:
        session.execute(insert(AuditHead).values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return head.seq, head.hash


def append(
    session: Session,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    at: dt.datetime,
    notice_id: int | None = None,
    state_before: str | None = None,
    state_after: str | None = None,
    on_behalf_of: str | None = None,
    note: str | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Add one chained entry in the caller's transaction.

    Written as three plain statements (the head read under lock, the entry, the head moved on), not
    through the unit of work: this runs in every audited action, and the ORM's bookkeeping was
    most of its cost. The entry returned is not attached to the session.
    """
    session.flush()  # what the entry refers to is written first
    seq, prev_hash = _head(session)
    entry = AuditEntry(
        seq=seq + 1,
        at=at.replace(tzinfo=None),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.display_name if actor is not None else SYSTEM_ACTOR,
        on_behalf_of=on_behalf_of,
        action=action,
        object_type=object_type,
        object_id=object_id,
        notice_id=notice_id,
        state_before=state_before,
        state_after=state_after,
        note=note,
        details=details or {},
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(entry)
    values = {column: getattr(entry, column) for column in _ENTRY_COLUMNS}
    entry.id = session.scalar(_INSERT_ENTRY, values)
    session.execute(_MOVE_HEAD, {"seq": entry.seq, "hash": entry.hash})
    kept = session.identity_map.get(identity_key(AuditHead, 1))
    if kept is not None:  # a copy of the head loaded earlier in this session is now old
        session.expire(kept)
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"OK：审计链完整，共 {self.checked} 条"
        return f"审计链在第 {self.broken_seq} 条处断裂：{self.problem}"


def verify(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the chain in order; report the first entry where it breaks."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return ChainReport(False, checked, expected_seq,
                                   f"缺少第 {expected_seq} 条（下一条是第 {entry.seq} 条）")
            if entry.prev_hash != expected_prev:
                return ChainReport(False, checked, entry.seq, "与前一条的哈希不衔接")
            if entry_hash(entry) != entry.hash:
                return ChainReport(False, checked, entry.seq, "内容已被修改")
            expected_prev, expected_seq = entry.hash, expected_seq + 1
            checked += 1
            last_id = entry.id
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != expected_prev:
        return ChainReport(False, checked, checked + 1,
                           f"链尾被截断：应有 {head_seq} 条，实有 {checked} 条")
    return ChainReport(True, checked)
