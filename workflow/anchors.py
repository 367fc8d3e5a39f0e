"""The audit chain's anchors: its head written down where a database writer cannot reach it.

Owns: the anchor line (one JSON object per line, naming its own fields, with an HMAC under the
audit key), appending a line to the anchor file (opened O_APPEND and created 0600, one write per
line, synced), reading the file back (a line that does not parse or whose HMAC does not match is a
problem, named by its line number), `check()` — the chain verified against the anchors — and
`take()`, which verifies the chain, appends the anchor's own audit entry (`system.ANCHOR`: an
operator's act on the trail is itself in the trail) and tells every active 审计管理员, in the
caller's transaction. Must not: commit, or rewrite or shorten the anchor file. The caller commits
first, then writes the line, then sends the mail: a line is never written for an entry that was
not kept.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.audit import GENESIS, Anchor, ChainReport
from workflow.errors import InvalidState
from workflow.models import AuditEntry, RoleGrant, User
from workflow.notifications import notify
from workflow.places import Place, Target
from workflow.states import Role

FORMAT = "gongwen-audit-anchor/1"
ANCHOR_CONTEXT = b"gongwen-audit-anchor\n"  # see audit.ENTRY_CONTEXT
_HASH = re.compile(r"^[0-9a-f]{64}$")
_FIELDS = ("format", "at", "entries", "last_id", "last_hash", "unkeyed")


def line_of(anchor: Anchor, key: bytes | None = None) -> str:
    """The anchor as one line of the anchor file (no newline)."""
    fields = {
        "format": FORMAT,
        "at": anchor.at.isoformat(timespec="seconds") + "Z",
        "entries": anchor.entries,
        "last_id": anchor.last_id,
        "last_hash": anchor.last_hash,
        "unkeyed": anchor.unkeyed,
    }
    fields["mac"] = audit.keyed_mac(key or audit.current_key(), ANCHOR_CONTEXT, fields)
    return json.dumps(fields, ensure_ascii=False, separators=(", ", ": "))


def parse(text: str, key: bytes | None = None, *, name: str = "锚点文件"
          ) -> tuple[list[Anchor], list[str]]:
    """The anchors in the text of an anchor file, and a problem for each line that is not one."""
    key = key or audit.current_key()
    anchors, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            anchor = _parsed(line, key, number)
        except ValueError as error:
            problems.append(f"{name}第 {number} 行{error}")
        else:
            anchors.append(anchor)
    return anchors, problems


def _parsed(line: str, key: bytes, number: int) -> Anchor:
    try:
        fields = json.loads(line)
    except ValueError:
        raise ValueError("无法解析（不是完整的一行锚点记录）") from None
    if not isinstance(fields, dict) or fields.get("format") != FORMAT:
        raise ValueError(f"不是锚点记录（应以 \"format\": \"{FORMAT}\" 标明）")
    mac = fields.pop("mac", None)
    # The HMAC first: a line changed by someone without the key says so, whatever they changed.
    if not isinstance(mac, str) or not hmac.compare_digest(
            mac, audit.keyed_mac(key, ANCHOR_CONTEXT, fields)):
        raise ValueError("的校验码不符：该行被伪造或改动，或本机的审计密钥不对")
    if set(fields) != set(_FIELDS):
        raise ValueError(f"的字段应为 {'、'.join(_FIELDS)}")
    entries, last_id, unkeyed = fields["entries"], fields["last_id"], fields["unkeyed"]
    if not (_count(entries) and _count(unkeyed) and unkeyed <= entries
            and (last_id is None if entries == 0 else _count(last_id))
            and isinstance(fields["last_hash"], str) and _HASH.match(fields["last_hash"])):
        raise ValueError("的数值不合理")
    try:
        at = dt.datetime.fromisoformat(fields["at"])
    except (TypeError, ValueError):
        raise ValueError("的锚定时间无法解析") from None
    if at.tzinfo is None:
        raise ValueError("的锚定时间没有时区")
    return Anchor(entries=entries, last_id=last_id, last_hash=fields["last_hash"],
                  unkeyed=unkeyed, at=at.astimezone(dt.UTC).replace(tzinfo=None), line=number)


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def read(path: str, key: bytes | None = None) -> tuple[list[Anchor], list[str]]:
    """The anchors in the file at `path` (none when it does not exist yet), and its problems."""
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            text = file.read()
    except FileNotFoundError:
        return [], []
    except OSError as error:
        return [], [f"无法读取锚点文件 {path}：{error.strerror or error}"]
    return parse(text, key, name=f"锚点文件 {path} ")


def write(path: str, anchor: Anchor, key: bytes | None = None) -> str:
    """Append the anchor's line to the file at `path` (created 0600); returns the line."""
    line = line_of(anchor, key)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        data = (line + "\n").encode()
        if _ends_without_newline(path):
            data = b"\n" + data  # a torn last line stays a problem of its own, not of this one
        if os.write(fd, data) != len(data):
            raise OSError(f"锚点未能完整写入 {path}")
        os.fsync(fd)
    finally:
        os.close(fd)
    return line


def _ends_without_newline(path: str) -> bool:
    with open(path, "rb") as file:
        file.seek(0, os.SEEK_END)
        if file.tell() == 0:
            return False
        file.seek(-1, os.SEEK_END)
        return file.read(1) != b"\n"


def check(session: Session, path: str | None, *, key: bytes | None = None) -> ChainReport:
    """The chain verified with the key and against the anchors in the file at `path` (None: no
    anchor file); a line of the file that is not a valid anchor fails the check."""
    anchors, problems = read(path, key) if path else ([], [])
    if problems:
        more = f"（另有 {len(problems) - 1} 行有问题）" if len(problems) > 1 else ""
        return ChainReport(False, 0, None, problems[0] + more)
    return audit.verify(session, key=key, anchors=anchors)


def baseline(session: Session, *, now: dt.datetime) -> Anchor | None:
    """The chain's head as it is, to anchor before anything else is (a new installation, or the
    first start after the chain became keyed): from then on an entry rewritten into the old
    unkeyed form is caught. None when the chain does not verify (nothing is anchored then)."""
    report = audit.verify(session)
    if not report.ok:
        return None
    last = session.execute(select(AuditEntry.id, AuditEntry.hash)
                           .order_by(AuditEntry.seq.desc()).limit(1)).one_or_none()
    return Anchor(entries=report.checked, last_id=last.id if last else None,
                  last_hash=last.hash if last else GENESIS, unkeyed=report.unkeyed, at=now)


def take(session: Session, path: str | None, *, now: dt.datetime) -> tuple[Anchor, int]:
    """Verify the chain (against the anchors so far), append the anchor's entry and tell the
    auditors; returns the anchor, for the caller to write after its commit, and how many auditors
    were told. Refuses a chain that does not verify: anchoring it would vouch for whatever was
    done to it."""
    audit.lock_head(session)  # what is verified is what is anchored: nobody appends meanwhile
    report = check(session, path)
    if not report.ok:
        raise InvalidState(f"未锚定：{report}")
    entry = audit.append(session, actor=None, action="system.ANCHOR", object_type="system",
                         object_id=None, at=now, note="锚定审计链",
                         details={"anchored_before": report.checked})
    anchor = Anchor(entries=entry.seq, last_id=entry.id, last_hash=entry.hash,
                    unkeyed=report.unkeyed, at=now)
    auditors = session.scalars(
        select(RoleGrant.user_id).distinct().join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == Role.AUDITOR, User.active.is_(True))
        .order_by(RoleGrant.user_id)).all()
    told = notify(session, auditors, actor=None, notice_id=None, kind="anchor",
                  message=message(anchor),
                  now=now, target=Target(Place.AUDIT))
    return anchor, told


def message(anchor: Anchor) -> str:
    """What the auditors are told: the head, to keep and compare with later."""
    return (f"审计链已锚定：共 {anchor.entries} 条（{anchor.when}）\n\n"
            f"最后一条：第 {anchor.entries} 条，编号 {anchor.last_id}\n"
            f"哈希：{anchor.last_hash}\n\n"
            "请保存本邮件。日后核对审计链时，若记录条数少于此数，或第 "
            f"{anchor.entries} 条的哈希与此不同，即说明审计记录被删改。")
