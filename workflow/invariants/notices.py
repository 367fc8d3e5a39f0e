"""The invariants of notices, their receipts and their reports, state against state.

Owns: a notice not yet issued has no number, no receipts, no reports; an issued one has its
发文字号, one receipt per recipient unit counted when it was issued, one report per report request
and reporting unit; the receipts and reports are in states that the notice's state allows (a
closed notice owes nothing that was not waived; an open one whose 主送 units have all finished
should have closed by itself). Must not: write anything.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from workflow.docnumber import format_number
from workflow.errors import InvalidInput
from workflow.invariants.facts import Facts
from workflow.states import NoticeState as NS
from workflow.states import ReceiptState as RS
from workflow.states import RecipientKind
from workflow.states import ReportState as PS

NOT_YET_ISSUED = frozenset({NS.DRAFT, NS.IN_REVIEW, NS.AWAITING_SIGNOFF, NS.SIGNED, NS.CANCELLED})
OUTSTANDING_REPORTS = frozenset({PS.DUE, PS.SUBMITTED})
ENDED = frozenset({NS.ARCHIVED, NS.REVOKED, NS.ABOLISHED})
# A unit's copy returned as misdirected: waiting for the issuer, or answered by 改发 or 确认退回.
RETURNED = frozenset({RS.REJECTED, RS.REDIRECTED, RS.RETURN_CONFIRMED})


def notices(facts: Facts) -> list[str]:
    problems = []
    for notice_id in set(facts.receipts) | set(facts.reports):
        if notice_id not in facts.notices:
            problems.append(f"收文或报告记录指向不存在的公文 #{notice_id}")
    for notice in facts.notices.values():
        if notice.state in NOT_YET_ISSUED:
            problems += _not_yet_issued(facts, notice)
        else:
            problems += _issued(facts, notice)
    return problems


def _not_yet_issued(facts: Facts, notice) -> list[str]:
    where, state = facts.label(notice.id), notice.state.label
    problems = []
    if notice.doc_serial is not None or notice.doc_number or notice.issued_at is not None:
        problems.append(f"{where}{state}，尚未印发，却已有发文字号或印发时间")
    for rows, noun in ((facts.receipts[notice.id], "收文"), (facts.reports[notice.id], "报告")):
        if rows:
            problems.append(f"{where}{state}，尚未印发，却已有 {len(rows)} 份{noun}记录")
    return problems


def _issued(facts: Facts, notice) -> list[str]:
    where, state = facts.label(notice.id), notice.state
    problems = []
    if None in (notice.series_code, notice.doc_year, notice.doc_serial, notice.issued_at):
        problems.append(f"{where}{state.label}，却没有完整的发文字号和印发时间")
    else:
        try:
            expected = format_number(notice.series_code, notice.doc_year, notice.doc_serial)
        except InvalidInput as error:
            expected = f"（无效：{error}）"
        if notice.doc_number != expected:
            problems.append(f"{where}的发文字号应为{expected}，记录的是{notice.doc_number}")

    receipts = facts.receipts[notice.id]
    main = {r.unit_id: r for r in receipts if r.kind == RecipientKind.MAIN}
    counted = _issue_counts(facts, notice.id)
    if counted is not None:
        for kind, key in ((RecipientKind.MAIN, "main"), (RecipientKind.CC, "cc")):
            # A 改发's receipt is not one of the issue's: it replaces a returned one.
            have = sum(1 for r in receipts if r.kind == kind and r.redirected_from_id is None)
            if key in counted and have != counted[key]:
                problems.append(f"{where}印发时有 {counted[key]} 个{kind.label}单位，"
                                f"现有{kind.label}收文 {have} 份")
    if not main:
        problems.append(f"{where}{state.label}，却没有主送单位的收文")
    for r in receipts:
        problems += _receipt_state(facts, notice, r)

    reports = facts.reports[notice.id]
    problems += _report_rows(facts, notice, main, reports)
    for p in reports:
        problems += _report_state(facts, notice, p, main.get(p.unit_id))

    outstanding = [r for r in main.values() if r.state in (RS.PENDING, RS.REJECTED)] + [
        p for p in reports if p.state in OUTSTANDING_REPORTS]
    if state == NS.ISSUED and main and not outstanding:
        problems.append(f"{where}的主送单位均已办结，却仍是{state.label}（应已自动办结）")
    return problems


def _issue_counts(facts: Facts, notice_id: int) -> dict | None:
    """The recipient counts the issue recorded in the audit trail (its own check is the replay)."""
    for entry in facts.entries[notice_id]:
        if entry.object_type == "notice" and entry.action == "notice.ISSUE":
            return {k: v for k, v in (entry.details or {}).items() if k in ("main", "cc")}
    return None


def _receipt_state(facts: Facts, notice, r) -> list[str]:
    what = f"{facts.label(notice.id)}发给{facts.unit_names([r.unit_id])}的收文 #{r.id}"
    state = notice.state
    problems = []
    if r.state in (RS.ACKNOWLEDGED, RS.REJECTED) and (r.acted_at is None or r.acted_by_id is None):
        problems.append(f"{what}{r.state.label}，却没有记录经办人和时间")
    if state == NS.ISSUED and r.state in (RS.WAIVED, RS.VOIDED):
        problems.append(f"{what}{r.state.label}，但公文仍是{state.label}")
    if state == NS.CLOSED and r.state == RS.VOIDED:
        problems.append(f"{what}{r.state.label}，但公文是{state.label}（未撤销或废止）")
    if r.state == RS.PENDING and (state in ENDED or (
            state == NS.CLOSED and r.kind == RecipientKind.MAIN)):
        problems.append(f"{what}仍{r.state.label}，但公文{state.label}（应已免办或失效）")
    return problems


def _report_rows(facts: Facts, notice, main: dict, reports: list) -> list[str]:
    """One report per report request × reporting unit, and none else."""
    where = facts.label(notice.id)
    problems = []
    requests = {q.id: q for q in facts.requests[notice.id]}
    by_request = defaultdict(list)
    for p in reports:
        if p.request_id not in requests:
            problems.append(f"{where}的报告 #{p.id} 属于另一份公文的报送要求 #{p.request_id}")
        by_request[p.request_id].append(p.unit_id)
    for request in requests.values():
        units = by_request[request.id]
        doubled = [u for u, n in Counter(units).items() if n > 1]
        if doubled:
            problems.append(f"{where}的报送要求“{request.what}”对"
                            f"{facts.unit_names(doubled)}有重复的报告")
        parties = facts.parties[request.id]
        strays = set(units) - set(main)
        if strays:
            problems.append(f"{where}的报送要求“{request.what}”有非主送单位的报告："
                            f"{facts.unit_names(strays)}")
        if any(group_id is not None for _, group_id in parties):
            continue  # a group's members may have changed since the issue: not recomputed
        expected = {u for u, _ in parties} if parties else set(main)
        missing = expected - set(units)
        if missing:
            problems.append(f"{where}的报送要求“{request.what}”缺少"
                            f"{facts.unit_names(missing)}的报告")
    return problems


def _report_state(facts: Facts, notice, p, receipt) -> list[str]:
    what = f"{facts.label(notice.id)}中{facts.unit_names([p.unit_id])}的报告 #{p.id}"
    state = notice.state
    problems = []
    if p.state in (PS.SUBMITTED, PS.ACCEPTED) and p.submitted_at is None:
        problems.append(f"{what}{p.state.label}，却没有上报时间")
    if p.state in (PS.SUBMITTED, PS.ACCEPTED) and (
            receipt is None or receipt.state != RS.ACKNOWLEDGED):
        problems.append(f"{what}{p.state.label}，但该单位并未签收公文")
    if p.state in OUTSTANDING_REPORTS and state not in (NS.ISSUED,):
        problems.append(f"{what}仍{p.state.label}，但公文{state.label}（应已免办或失效）")
    if state == NS.ISSUED and p.state == PS.WAIVED:
        problems.append(f"{what}{p.state.label}，但公文仍是{state.label}")
    if state in (NS.ISSUED, NS.CLOSED) and p.state == PS.VOIDED and (
            receipt is None or receipt.state not in RETURNED):
        problems.append(f"{what}{p.state.label}，但该单位并未退回公文，公文也未撤销或废止")
    return problems
