"""The intruder of the audit tests: holds the database and knows the code, but not the audit key.

Their tools, written out by hand rather than taken from `workflow.audit`: the fields each scheme
hashes, the ways to rehash an edited entry (plain SHA-256, a key of their own, dressed as an entry
from before the key; and, for a control, the real key), and `rewrite`, which edits one entry and
relinks every entry after it and the head, as a 25-line script would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable

from sqlalchemy import select

from tests.factories import AUDIT_KEY
from workflow.models import AuditEntry, AuditHead

# Every field the keyed hash covers (scheme 1), and the old unkeyed one (scheme 0).
KEYED_FIELDS = ["seq", "at", "actor_id", "actor_name", "on_behalf_of", "action", "object_type",
                "object_id", "notice_id", "state_before", "state_after", "note", "details",
                "digest", "scheme", "prev_hash"]
UNKEYED_FIELDS = ["seq", "at", "actor_id", "actor_name", "on_behalf_of", "action", "object_type",
                  "object_id", "notice_id", "state_before", "state_after", "note", "details",
                  "prev_hash"]
CONTEXT = b"gongwen-audit-entry\n"
KEY = AUDIT_KEY.encode()
WRONG_KEY = b"an-intruders-own-key-of-the-right-length-0123456789"


def hashed_input(entry: AuditEntry, fields: list[str]) -> bytes:
    values = {name: getattr(entry, name) for name in fields}
    values["at"] = entry.at.isoformat(timespec="microseconds")
    values["details"] = entry.details or {}
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def under(key: bytes) -> Callable[[AuditEntry], str]:
    return lambda entry: hmac.new(key, CONTEXT + hashed_input(entry, KEYED_FIELDS),
                                  hashlib.sha256).hexdigest()


def plain_sha256(entry: AuditEntry) -> str:
    return hashlib.sha256(hashed_input(entry, KEYED_FIELDS)).hexdigest()


def as_an_old_entry(entry: AuditEntry) -> str:
    entry.scheme = 0
    return hashlib.sha256(hashed_input(entry, UNKEYED_FIELDS)).hexdigest()


def rewrite(session_factory, seq: int, edit: Callable[[AuditEntry], None],
            rehash: Callable[[AuditEntry], str]) -> None:
    """Edit entry `seq`, rehash it and every entry after it (each linked to the one before), and
    move the head onto the new last hash: the whole chain after the edit is consistent."""
    with session_factory() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.seq >= seq - 1)
                            .order_by(AuditEntry.seq)).all()
        previous, rest = (entries[0], entries[1:]) if seq > 1 else (None, entries)
        edit(rest[0])
        for entry in rest:
            if previous is not None and entry is not rest[0]:
                entry.prev_hash = previous.hash
            entry.hash = rehash(entry)
            previous = entry
        head = s.get(AuditHead, 1)
        head.seq, head.hash = previous.seq, previous.hash
        s.commit()
