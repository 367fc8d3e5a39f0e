"""The digest of the content an action fixed, recorded in its audit entry and checked later.

Owns: one function per kind of content — `notice_digest` (a notice's text as printed and its
recipients: what 签发 and 印发 fix) and `report_digest` (a report's text and files: what 上报
fixes) — each with its bulk form for the invariant check (`notice_digests`, `report_digests`).
Both forms read the content from the tables through the same code, so the digest a command records
and the one `check` computes years later agree until someone changes the content.

A digest is a SHA-256 of the content as canonical JSON (`audit.canonical`), after a line naming
the kind of content and the version of this layout; it needs no key, since the entry that holds it
is keyed. Files are covered by name, size, storage key and the SHA-256 of their bytes that the
attachment store took when it wrote them (`Attachment.sha256`); a file stored before that hash was
kept has none, and is covered as it was then — by name, size and key — so that the digests
recorded before stay what they were. Must not: write anything.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.audit import canonical
from workflow.models import (
    Addressee,
    Attachment,
    Notice,
    Receipt,
    Report,
    ReportInclusion,
    ReportRequest,
    ReportRequestParty,
)
from workflow.states import RecipientKind

NOTICE_CONTEXT = b"gongwen-notice-content/1\n"
REPORT_CONTEXT = b"gongwen-report-content/1\n"
_CHUNK = 500  # ids in one IN list

# The recipient units at 印发, 主送 then 抄送; None before (at 签发 the addressees are fixed, and
# which units they stand for is fixed only when the notice is issued).
Recipients = tuple[list[int], list[int]]


def _digest(context: bytes, content: dict) -> str:
    return hashlib.sha256(context + canonical(content)).hexdigest()


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


# ------------------------------------------------------------------------------------------------
# Notices.

def notice_digest(session: Session, notice_id: int, *, recipients: Recipients | None = None
                  ) -> str:
    """The digest of the notice's text and recipients as the tables hold them now.

    At 签发 `recipients` is None; at 印发 the command passes the units it is about to write the
    receipts of (afterwards `notice_digests` reads them from the receipts)."""
    return _digest(NOTICE_CONTEXT, _notice_contents(session, [notice_id],
                                                    {notice_id: recipients})[notice_id])


def notice_digests(session: Session, notice_ids: Iterable[int], *, issued: set[int]
                   ) -> dict[int, str]:
    """The digests of many notices; those in `issued` with their recipients read from their
    receipts, the others (signed, not yet issued) without."""
    result = {}
    for chunk in _chunks(notice_ids):
        recipients = _receipt_units(session, [i for i in chunk if i in issued])
        contents = _notice_contents(session, chunk, {
            i: recipients.get(i, ([], [])) if i in issued else None for i in chunk})
        result.update({i: _digest(NOTICE_CONTEXT, c) for i, c in contents.items()})
    return result


def _notice_contents(session: Session, ids: list[int],
                     recipients: dict[int, Recipients | None]) -> dict[int, dict]:
    """What a notice's digest covers: every field that is printed (GB/T 9704), its addressees and
    attachments, its report requests (what each unit must report, by when), its recipients."""
    addressees, requests, files = defaultdict(list), defaultdict(list), defaultdict(list)
    for notice_id, kind, unit_id, group_id in session.execute(
            select(Addressee.notice_id, Addressee.kind, Addressee.unit_id, Addressee.group_id)
            .where(Addressee.notice_id.in_(ids))):
        addressees[notice_id].append([kind.name, unit_id, group_id])
    parties = defaultdict(list)
    for request_id, unit_id, group_id in session.execute(
            select(ReportRequestParty.request_id, ReportRequestParty.unit_id,
                   ReportRequestParty.group_id)
            .join(ReportRequest, ReportRequest.id == ReportRequestParty.request_id)
            .where(ReportRequest.notice_id.in_(ids))):
        parties[request_id].append([unit_id, group_id])
    for row in session.execute(
            select(ReportRequest.id, ReportRequest.notice_id, ReportRequest.position,
                   ReportRequest.what, ReportRequest.due_date, ReportRequest.to_whom)
            .where(ReportRequest.notice_id.in_(ids))):
        requests[row.notice_id].append([
            row.position, row.what, _day(row.due_date), row.to_whom,
            sorted(parties[row.id], key=repr)])
    for notice_id, filename, size, key, sha256 in session.execute(
            select(Attachment.notice_id, Attachment.filename, Attachment.size,
                   Attachment.storage_key, Attachment.sha256)
            .where(Attachment.notice_id.in_(ids), Attachment.report_id.is_(None))):
        files[notice_id].append(_file(filename, size, key, sha256))

    contents = {}
    for n in session.execute(select(
            Notice.id, Notice.issuer_unit_id, Notice.kind, Notice.title, Notice.body,
            Notice.urgency, Notice.direction, Notice.doc_number, Notice.signatory_id,
            Notice.signed_on, Notice.issued_on).where(Notice.id.in_(ids))):
        sent = recipients.get(n.id)
        contents[n.id] = {
            "notice": n.id, "issuer": n.issuer_unit_id, "kind": n.kind, "title": n.title,
            "body": n.body or "", "urgency": n.urgency.name, "direction": n.direction.name,
            "doc_number": n.doc_number, "signatory": n.signatory_id,
            "signed_on": _day(n.signed_on), "issued_on": _day(n.issued_on),
            "addressees": sorted(addressees[n.id], key=repr),
            "report_requests": sorted(requests[n.id], key=repr),
            "attachments": sorted(files[n.id], key=repr),
            "recipients": None if sent is None else {"main": sorted(sent[0]),
                                                     "cc": sorted(sent[1])},
        }
    return contents


def _receipt_units(session: Session, ids: list[int]) -> dict[int, Recipients]:
    found: dict[int, Recipients] = {}
    if not ids:
        return found
    for notice_id, kind, unit_id in session.execute(
            select(Receipt.notice_id, Receipt.kind, Receipt.unit_id)
            # The recipients the issue fixed: a 改发 sends on, it does not change the issue.
            .where(Receipt.notice_id.in_(ids), Receipt.redirected_from_id.is_(None))):
        main, cc = found.setdefault(notice_id, ([], []))
        (main if kind == RecipientKind.MAIN else cc).append(unit_id)
    return found


def _file(filename: str, size: int, key: str | None, sha256: str | None) -> list:
    # Without a hash, the layout of the digests recorded before the store kept one.
    return [filename, size, key] if sha256 is None else [filename, size, key, sha256]


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


# ------------------------------------------------------------------------------------------------
# Reports.

def report_digest(session: Session, report_id: int) -> str:
    """The digest of the report's text and files as the tables hold them now."""
    return report_digests(session, [report_id])[report_id]


def report_digests(session: Session, report_ids: Iterable[int]) -> dict[int, str]:
    """The digests of many reports: each its text, and its files' names, sizes and storage keys
    (every file of the report, those of an earlier submission that was returned included), and
    the sub-units' reports it carries (汇总上报) — a key present only when it carries any, so that
    the digests of reports that carry none read as they always did."""
    result = {}
    for chunk in _chunks(report_ids):
        carried = defaultdict(list)
        for report_id, included_id in session.execute(
                select(ReportInclusion.report_id, ReportInclusion.included_id)
                .where(ReportInclusion.report_id.in_(chunk))):
            carried[report_id].append(included_id)
        files = defaultdict(list)
        for report_id, filename, size, key, sha256 in session.execute(
                select(Attachment.report_id, Attachment.filename, Attachment.size,
                       Attachment.storage_key, Attachment.sha256)
                .where(Attachment.report_id.in_(chunk))):
            files[report_id].append(_file(filename, size, key, sha256))
        for r in session.execute(select(Report.id, Report.request_id, Report.unit_id,
                                        Report.text).where(Report.id.in_(chunk))):
            fields = {"report": r.id, "request": r.request_id, "unit": r.unit_id,
                      "text": r.text or "", "attachments": sorted(files[r.id], key=repr)}
            if carried[r.id]:
                fields["included"] = sorted(carried[r.id])
            result[r.id] = _digest(REPORT_CONTEXT, fields)
    return result
