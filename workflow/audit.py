"""The append-only, keyed hash chain of the audit trail, and its verifier.

Owns: the audit key of this process (`use_key`, given by whoever starts the process: the web
application and the command line read it from their configuration, outside the database),
`append()` (called only from commands, inside the acting transaction) and `verify()`, which walks
the chain with the key and compares it with the anchors taken of it (`workflow.anchors`).

Each entry's hash is an HMAC-SHA256 under the key over its own fields, the digest of the content
it fixed and the previous entry's hash (`KEYED_FIELDS`): whoever can write to the database but does
not hold the key can neither edit an entry nor forge a new chain after it. The entries written
before the chain was keyed keep their plain SHA-256 (scheme 0); they may only come first, and an
anchor records how many there are, so an entry rewritten into that old form is caught. The single
head row holds the last sequence number and hash, so a truncated tail is caught too, and locking
it serialises appends on PostgreSQL (SQLite's BEGIN IMMEDIATE already does); a tail truncated
together with the head is caught by the last anchor. Must not: update or delete an entry, or
write anywhere but the database (anchors are written by `workflow.anchors`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from workflow.db import lock_for_update
from workflow.deadlines import local_time
from workflow.errors import WorkflowError
from workflow.models import AuditEntry, AuditHead, User

GENESIS = "0" * 64
SYSTEM_ACTOR = "系统"
SCHEME_UNKEYED = 0  # written before the chain was keyed: a plain SHA-256
SCHEME_HMAC = 1  # HMAC-SHA256 under the audit key
MIN_KEY_LENGTH = 32  # characters (or bytes) of an audit key

# What each scheme's hash covers. The keyed one adds the content digest and the scheme itself, so
# that an entry cannot be passed off as written under the other scheme.
UNKEYED_FIELDS = ("seq", "at", "actor_id", "actor_name", "on_behalf_of", "action", "object_type",
                  "object_id", "notice_id", "state_before", "state_after", "note", "details",
                  "prev_hash")
KEYED_FIELDS = (*UNKEYED_FIELDS, "digest", "scheme")
# Put before the keyed input: an entry's HMAC can never be taken for an anchor line's, or the
# reverse, whatever the two texts are.
ENTRY_CONTEXT = b"gongwen-audit-entry\n"
_ENTRY_COLUMNS = (*KEYED_FIELDS, "hash")

_key: bytes | None = None


class KeyMissing(WorkflowError):
    """No audit key was given to this process: nothing can be appended or verified under it."""

    code = "audit_key_missing"

    def __init__(self):
        super().__init__("未配置审计密钥（AUDIT_KEY）：不能写入或校验审计记录")


def check_key(key: str | bytes) -> bytes:
    """The key as bytes; refused (ValueError, in Chinese) when it is too short to be a secret."""
    raw = key.encode() if isinstance(key, str) else bytes(key)
    if len(raw.strip()) < MIN_KEY_LENGTH:
        raise ValueError(f"审计密钥太短：至少要 {MIN_KEY_LENGTH} 个字符")
    return raw.strip()


def use_key(key: str | bytes | None) -> None:
    """Give this process its audit key (None: none; appending then refuses with KeyMissing)."""
    global _key
    _key = None if key is None else check_key(key)


def current_key() -> bytes:
    """This process's audit key; KeyMissing when none was given."""
    if _key is None:
        raise KeyMissing()
    return _key


def keyed_mac(key: bytes, context: bytes, fields: dict) -> str:
    """HMAC-SHA256 under `key` of `context` followed by `fields` as canonical JSON."""
    return hmac.new(key, context + canonical(fields), hashlib.sha256).hexdigest()


def canonical(fields: dict) -> bytes:
    """The one text of a mapping that a hash is taken of: sorted keys, no spaces, UTF-8."""
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def hashed_fields(entry: AuditEntry, names: Iterable[str]) -> dict:
    """The values of an entry that its hash covers, as the hash sees them."""
    fields = {name: getattr(entry, name) for name in names}
    fields["at"] = entry.at.isoformat(timespec="microseconds")
    fields["details"] = entry.details or {}
    return fields


def entry_hash(entry: AuditEntry, key: bytes | None = None) -> str:
    """The hash the entry should carry under its scheme (the keyed one: under `key`, else this
    process's key)."""
    if entry.scheme == SCHEME_UNKEYED:
        return hashlib.sha256(canonical(hashed_fields(entry, UNKEYED_FIELDS))).hexdigest()
    return keyed_mac(key or current_key(), ENTRY_CONTEXT, hashed_fields(entry, KEYED_FIELDS))


# Built once: every audited action runs them.
_HEAD_LOCKED = lock_for_update(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1))
_INSERT_ENTRY = insert(AuditEntry.__table__).returning(AuditEntry.__table__.c.id)
_MOVE_HEAD = update(AuditHead.__table__).where(AuditHead.__table__.c.id == 1)


def lock_head(session: Session) -> tuple[int, str]:
    """Hold the chain's head for this transaction: nobody appends until it ends. Returns its
    sequence number and hash."""
    return _head(session)


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
    digest: str | None = None,
) -> AuditEntry:
    """Add one chained entry in the caller's transaction, keyed with this process's key.

    `digest` is the content digest of what the action fixed (`workflow.digests`), if it fixed any.

    Written as three plain statements (the head read under lock, the entry, the head moved on), not
    through the unit of work: this runs in every audited action, and the ORM's bookkeeping was
    most of its cost. The entry returned is not attached to the session.
    """
    key = current_key()  # refused before anything is written
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
        digest=digest,
        scheme=SCHEME_HMAC,
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(entry, key)
    values = {column: getattr(entry, column) for column in _ENTRY_COLUMNS}
    entry.id = session.scalar(_INSERT_ENTRY, values)
    session.execute(_MOVE_HEAD, {"seq": entry.seq, "hash": entry.hash})
    kept = session.identity_map.get(identity_key(AuditHead, 1))
    if kept is not None:  # a copy of the head loaded earlier in this session is now old
        session.expire(kept)
    return entry


@dataclass(frozen=True)
class Anchor:
    """The chain's head as it was written down outside the database (`workflow.anchors`)."""

    entries: int  # how many entries the chain had: the last one's sequence number
    last_id: int | None  # that entry's id (None: the chain was empty)
    last_hash: str  # its hash (GENESIS: the chain was empty)
    unkeyed: int  # how many entries were written before the chain was keyed
    at: dt.datetime  # when it was taken (naive UTC)
    line: int = 0  # its line in the anchor file

    @property
    def when(self) -> str:
        return f"{local_time(self.at):%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""
    unkeyed: int = 0  # of the entries checked, how many were written before the key
    anchor: Anchor | None = None  # the last anchor the chain was compared with

    def __str__(self) -> str:
        if not self.ok:
            if self.broken_seq is None:
                return f"审计链校验未通过：{self.problem}"
            return f"审计链在第 {self.broken_seq} 条处断裂：{self.problem}"
        text = f"OK：审计链完整，共 {self.checked} 条"
        if self.unkeyed:
            text += f"，其中前 {self.unkeyed} 条写于启用审计密钥之前，只能按原方式（无密钥）校验"
        if self.anchor is not None:
            text += (f"；与 {self.anchor.when} 的锚点相符"
                     f"（锚定时共 {self.anchor.entries} 条）")
        return text


def verify(session: Session, *, key: bytes | None = None, anchors: Iterable[Anchor] = (),
           batch: int = 5000) -> ChainReport:
    """Walk the chain in order with `key` (else this process's key) and compare it with the
    `anchors`; report the first entry where it breaks.

    Without a key the entries written before the chain was keyed are still checked, and the first
    keyed one is reported as not verifiable.
    """
    key = key or _key
    anchors = sorted(anchors, key=lambda a: a.entries)
    pinned = {a.entries: a for a in anchors if a.entries > 0}
    expected_prev, expected_seq, checked, unkeyed, keyed = GENESIS, 1, 0, 0, False
    last_id = 0

    def broken(seq: int, problem: str) -> ChainReport:
        return ChainReport(False, checked, seq, problem, unkeyed)

    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return broken(expected_seq, f"缺少第 {expected_seq} 条（下一条是第 {entry.seq} 条）")
            if entry.prev_hash != expected_prev:
                return broken(entry.seq, "与前一条的哈希不衔接")
            if entry.scheme == SCHEME_UNKEYED:
                if keyed:
                    return broken(entry.seq, "标为启用审计密钥之前的旧记录，却排在以密钥保护的记录"
                                             "之后：该条已被改写")
                unkeyed += 1
            elif entry.scheme == SCHEME_HMAC:
                if key is None:
                    return broken(entry.seq, "未配置审计密钥，无法校验以密钥保护的记录")
                keyed = True
            else:
                return broken(entry.seq, f"哈希方式 {entry.scheme} 未知")
            if not hmac.compare_digest(entry_hash(entry, key), entry.hash):
                return broken(entry.seq, "内容已被修改")
            anchor = pinned.get(entry.seq)
            if anchor is not None and (entry.hash != anchor.last_hash
                                       or entry.id != anchor.last_id):
                return broken(entry.seq, f"与 {anchor.when} 的锚点不符：锚定之后，"
                                         "这一条或它之前的记录被改写")
            expected_prev, expected_seq = entry.hash, expected_seq + 1
            checked += 1
            last_id = entry.id
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != expected_prev:
        return broken(checked + 1, f"链尾被截断：应有 {head_seq} 条，实有 {checked} 条")
    if not anchors:
        return ChainReport(True, checked, unkeyed=unkeyed)
    last = anchors[-1]
    if checked < last.entries:
        return broken(checked + 1, f"链尾被截断：{last.when} 锚定时已有 {last.entries} 条，"
                                   f"现只有 {checked} 条")
    if unkeyed > last.unkeyed:
        return broken(last.unkeyed + 1, f"有 {unkeyed} 条记录标为启用审计密钥之前的旧记录，"
                                        f"而锚点记载只有 {last.unkeyed} 条：有记录被改写成旧格式")
    return ChainReport(True, checked, unkeyed=unkeyed, anchor=last)
