"""What must hold in every committed state of the database, whatever raced or crashed before.

Owns: `check(session) -> list[str]`, the problems found, each a sentence in Chinese for the
operator (empty: everything holds). It is what `flask --app wsgi check` runs after a crash or a
restore, and what the tests of concurrency and crashes assert. It checks:

- every notice's state against what it carries: a notice not yet issued has no number, no
  receipts, no reports; an issued one has its 发文字号, one receipt per recipient unit counted
  when it was issued, one report per report request and reporting unit; the receipts and reports
  are in states that the notice's state allows (a closed notice owes nothing that was not
  waived; an open one whose 主送 units have all finished should have closed by itself);
- the registers: per series (机关代字, year) the serials from its start to its counter are each
  used by exactly one notice or voided in the void register, and none is both or beyond the
  counter; the archive codes' 件号 likewise against their counters;
- the audit trail: the hash chain verifies (`audit.verify`), and replaying it gives every
  notice, receipt and report the state it has now — each state change has its entry, the bulk
  changes (cascades) included — and every receipt's and report's version counts its changes.

Must not: write or repair anything (it reads in one snapshot, `db.read_snapshot`, so that it
can run beside live writers); a problem is reported for people to look into.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit, lifecycle
from workflow.db import read_snapshot
from workflow.docnumber import format_number
from workflow.errors import InvalidInput
from workflow.models import (
    ArchiveCounter,
    AuditEntry,
    Notice,
    NumberSeries,
    Receipt,
    Report,
    ReportRequest,
    ReportRequestParty,
    Unit,
    VoidedNumber,
)
from workflow.states import NoticeState as NS
from workflow.states import ReceiptState as RS
from workflow.states import RecipientKind
from workflow.states import ReportState as PS

NOT_YET_ISSUED = frozenset({NS.DRAFT, NS.IN_REVIEW, NS.AWAITING_SIGNOFF, NS.SIGNED, NS.CANCELLED})
OUTSTANDING_REPORTS = frozenset({PS.DUE, PS.SUBMITTED})
ENDED = frozenset({NS.ARCHIVED, NS.REVOKED, NS.ABOLISHED})
MAX_LISTED = 10  # serials or units named in one message; the rest are counted


def check(session: Session) -> list[str]:
    """Every problem found in the database, in Chinese; an empty list when everything holds."""
    read_snapshot(session)
    facts = _Facts(session)
    problems: list[str] = []
    report = audit.verify(session)
    if not report.ok:
        problems.append(str(report))
    problems += _notices(facts)
    problems += _series(session, facts)
    problems += _archive_codes(session, facts)
    problems += _trail(facts)
    return problems


class _Facts:
    """What the checks read, loaded once as plain tuples."""

    def __init__(self, session: Session):
        self.session = session
        self.notices = {row.id: row for row in session.execute(select(
            Notice.id, Notice.state, Notice.issuer_unit_id, Notice.series_code, Notice.doc_year,
            Notice.doc_serial, Notice.doc_number, Notice.issued_at, Notice.archive_code,
            Notice.retention)).all()}
        self.receipts = defaultdict(list)
        for row in session.execute(select(
                Receipt.id, Receipt.notice_id, Receipt.unit_id, Receipt.kind, Receipt.state,
                Receipt.version, Receipt.acted_at, Receipt.acted_by_id).order_by(Receipt.id)):
            self.receipts[row.notice_id].append(row)
        self.reports = defaultdict(list)
        for row in session.execute(select(
                Report.id, Report.notice_id, Report.request_id, Report.unit_id, Report.state,
                Report.version, Report.submitted_at, Report.reviewed_at).order_by(Report.id)):
            self.reports[row.notice_id].append(row)
        self.requests = defaultdict(list)
        for row in session.execute(select(ReportRequest.id, ReportRequest.notice_id,
                                          ReportRequest.what).order_by(ReportRequest.id)):
            self.requests[row.notice_id].append(row)
        self.parties = defaultdict(list)
        for request_id, unit_id, group_id in session.execute(select(
                ReportRequestParty.request_id, ReportRequestParty.unit_id,
                ReportRequestParty.group_id)):
            self.parties[request_id].append((unit_id, group_id))
        self.entries = defaultdict(list)  # notice id → its audit entries in order
        for row in session.execute(select(
                AuditEntry.seq, AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id,
                AuditEntry.notice_id, AuditEntry.state_before, AuditEntry.state_after,
                AuditEntry.details).where(AuditEntry.notice_id.is_not(None))
                .order_by(AuditEntry.seq)):
            self.entries[row.notice_id].append(row)
        self._unit_names: dict[int, str] = {}

    def unit_names(self, unit_ids: Iterable[int]) -> str:
        ids = sorted(set(unit_ids))
        wanted = [u for u in ids if u not in self._unit_names]
        if wanted:
            self._unit_names.update(self.session.execute(
                select(Unit.id, Unit.name).where(Unit.id.in_(wanted))).all())
        names = [self._unit_names.get(u, f"单位#{u}") for u in ids[:MAX_LISTED]]
        more = f"等 {len(ids)} 个单位" if len(ids) > MAX_LISTED else ""
        return "、".join(names) + more

    def label(self, notice_id: int) -> str:
        notice = self.notices.get(notice_id)
        if notice is not None and notice.doc_number:
            return f"公文 #{notice_id}（{notice.doc_number}）"
        return f"公文 #{notice_id}"


def _listed(values: list[int]) -> str:
    shown = "、".join(str(v) for v in values[:MAX_LISTED])
    return shown + (f" 等 {len(values)} 个" if len(values) > MAX_LISTED else "")


# ------------------------------------------------------------------------------------------------
# Notices, their receipts and reports.

def _notices(facts: _Facts) -> list[str]:
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


def _not_yet_issued(facts: _Facts, notice) -> list[str]:
    where, state = facts.label(notice.id), notice.state.label
    problems = []
    if notice.doc_serial is not None or notice.doc_number or notice.issued_at is not None:
        problems.append(f"{where}{state}，尚未印发，却已有发文字号或印发时间")
    for rows, noun in ((facts.receipts[notice.id], "收文"), (facts.reports[notice.id], "报告")):
        if rows:
            problems.append(f"{where}{state}，尚未印发，却已有 {len(rows)} 份{noun}记录")
    return problems


def _issued(facts: _Facts, notice) -> list[str]:
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
            have = sum(1 for r in receipts if r.kind == kind)
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

    outstanding = [r for r in main.values() if r.state == RS.PENDING] + [
        p for p in reports if p.state in OUTSTANDING_REPORTS]
    if state == NS.ISSUED and main and not outstanding:
        problems.append(f"{where}的主送单位均已办结，却仍是{state.label}（应已自动办结）")
    return problems


def _issue_counts(facts: _Facts, notice_id: int) -> dict | None:
    """The recipient counts the issue recorded in the audit trail (its own check is the replay)."""
    for entry in facts.entries[notice_id]:
        if entry.object_type == "notice" and entry.action == "notice.ISSUE":
            return {k: v for k, v in (entry.details or {}).items() if k in ("main", "cc")}
    return None


def _receipt_state(facts: _Facts, notice, r) -> list[str]:
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


def _report_rows(facts: _Facts, notice, main: dict, reports: list) -> list[str]:
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


def _report_state(facts: _Facts, notice, p, receipt) -> list[str]:
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
            receipt is None or receipt.state != RS.REJECTED):
        problems.append(f"{what}{p.state.label}，但该单位并未退回公文，公文也未撤销或废止")
    return problems


# ------------------------------------------------------------------------------------------------
# The registers.

def _series(session: Session, facts: _Facts) -> list[str]:
    problems = []
    used = defaultdict(list)  # (code, year) → [(serial, notice id)]
    for notice in facts.notices.values():
        if notice.doc_serial is not None:
            used[notice.series_code, notice.doc_year].append((notice.doc_serial, notice))
    voided = defaultdict(set)
    for series_id, serial in session.execute(select(VoidedNumber.series_id, VoidedNumber.serial)):
        voided[series_id].add(serial)
    for series in session.scalars(select(NumberSeries).order_by(NumberSeries.id)):
        name = f"{series.code}〔{series.year}〕"
        numbered = used.pop((series.code, series.year), [])
        serials = Counter(serial for serial, _ in numbered)
        for serial, n in sorted(serials.items()):
            if n > 1:
                ids = "、".join(f"#{x.id}" for s, x in numbered if s == serial)
                problems.append(f"发文字号{name}{serial}号被 {n} 份公文重复使用：{ids}")
        both = sorted(set(serials) & voided[series.id])
        if both:
            problems.append(f"{name}系列的顺序号 {_listed(both)} 已登记作废，却又被公文使用")
        outside = sorted(s for s in serials
                         if not series.start_serial <= s < series.next_serial)
        if outside:
            problems.append(f"{name}系列的顺序号 {_listed(outside)} 不在已分配的范围"
                            f"（{series.start_serial}至{series.next_serial - 1}）内")
        gaps = [s for s in range(series.start_serial, series.next_serial)
                if s not in serials and s not in voided[series.id]]
        if gaps:
            problems.append(f"{name}系列断号：顺序号 {_listed(gaps)} 既未使用，也未登记作废")
        strangers = sorted({x.id for _, x in numbered if x.issuer_unit_id != series.issuer_unit_id})
        if strangers:
            problems.append(f"{name}系列属于另一单位，却被公文 {_listed(strangers)} 使用")
    for (code, year), numbered in used.items():
        ids = sorted(x.id for _, x in numbered)
        problems.append(f"公文 {_listed(ids)} 的发文字号属于不存在的系列 {code}〔{year}〕")
    return problems


def _archive_codes(session: Session, facts: _Facts) -> list[str]:
    problems = []
    items = defaultdict(list)  # (unit, year, retention) → [(item, notice id)]
    for notice in facts.notices.values():
        if (notice.state == NS.ARCHIVED) != bool(notice.archive_code):
            problems.append(f"{facts.label(notice.id)}{notice.state.label}，"
                            f"档号却{'为空' if notice.state == NS.ARCHIVED else '已填写'}")
        if not notice.archive_code:
            continue
        parts = notice.archive_code.split("-")
        try:
            year, item = int(parts[0]), int(parts[-1])
        except ValueError:
            problems.append(f"{facts.label(notice.id)}的档号“{notice.archive_code}”格式不对")
            continue
        items[notice.issuer_unit_id, year, notice.retention].append((item, notice.id))
    for counter in session.scalars(select(ArchiveCounter).order_by(ArchiveCounter.id)):
        name = f"{facts.unit_names([counter.unit_id])}{counter.year}年{counter.retention.label}"
        taken = Counter(item for item, _ in
                        items.pop((counter.unit_id, counter.year, counter.retention), []))
        doubled = sorted(i for i, n in taken.items() if n > 1)
        missing = [i for i in range(1, counter.next_item) if i not in taken]
        beyond = sorted(i for i in taken if not 1 <= i < counter.next_item)
        for found, what in ((doubled, "重复使用"), (missing, "缺失"), (beyond, "超出计数器")):
            if found:
                problems.append(f"{name}的档案件号 {_listed(found)} {what}")
    for (_, year, _), taken in items.items():
        ids = sorted(notice_id for _, notice_id in taken)
        problems.append(f"公文 {_listed(ids)} 的档号没有对应的{year}年件号计数器")
    return problems


# ------------------------------------------------------------------------------------------------
# The audit trail, replayed.

_INITIAL = {"notice": None, "receipt": RS.PENDING.name, "report": PS.DUE.name}
_LIFECYCLES = {"receipt": lifecycle.RECEIPT, "report": lifecycle.REPORT}


def _cascade_sources(child: str, action: str, dest: str) -> set[str]:
    """The states a cascade moves from: the child table's rows for that action and target."""
    return {r.source.name for r in _LIFECYCLES[child].rules
            if r.action.name == action and r.dest.name == dest}


def _trail(facts: _Facts) -> list[str]:
    problems = []
    for notice in facts.notices.values():
        problems += _replay(facts, notice)
    return problems


def _replay(facts: _Facts, notice) -> list[str]:
    """Walk the notice's entries in order; every row must end where the trail says it is."""
    where = facts.label(notice.id)
    rows = {("notice", notice.id): notice}
    rows.update({("receipt", r.id): r for r in facts.receipts[notice.id]})
    rows.update({("report", p.id): p for p in facts.reports[notice.id]})
    state = {key: _INITIAL[key[0]] for key in rows}
    changes = Counter()
    problems = []

    def move(key, before, after, seq, action):
        if before is not None and state[key] != before:
            problems.append(f"审计记录第 {seq} 条（{action}）记载{_name(facts, key, rows)}"
                            f"由 {before} 变为 {after}，但此前的状态是 {state[key]}")
        state[key] = after
        changes[key] += 1

    for entry in facts.entries[notice.id]:
        key = (entry.object_type, entry.object_id)
        if entry.object_type in _INITIAL and entry.state_after is not None:
            if key not in rows:
                problems.append(f"审计记录第 {entry.seq} 条（{entry.action}）所记的"
                                f"{entry.object_type} #{entry.object_id} 不属于{where}")
            else:
                move(key, entry.state_before, entry.state_after, entry.seq, entry.action)
        for cascade in (entry.details or {}).get("cascades", []):
            sources = _cascade_sources(cascade["child"], cascade["action"], cascade["to"])
            units = set(cascade.get("unit_ids", []))
            moved = [k for k, row in rows.items() if k[0] == cascade["child"]
                     and row.unit_id in units and state[k] in sources]
            for k in moved:
                move(k, None, cascade["to"], entry.seq, entry.action)
            if len(moved) != cascade.get("count"):
                problems.append(f"审计记录第 {entry.seq} 条（{entry.action}）记载连带变更了 "
                                f"{cascade.get('count')} 条{cascade['child']}记录，"
                                f"按记录推算应为 {len(moved)} 条")

    for key, row in rows.items():
        if state[key] != row.state.name:
            said = state[key] or "（无记录）"
            problems.append(f"{_name(facts, key, rows)}的状态是{row.state.label}，但审计记录"
                            f"推算为 {said}：有状态变化没有审计记录")
        elif key[0] != "notice" and row.version != 1 + changes[key]:
            problems.append(f"{_name(facts, key, rows)}已修改 {row.version - 1} 次，审计记录只记载了"
                            f" {changes[key]} 次")
    return problems


def _name(facts: _Facts, key, rows) -> str:
    kind, object_id = key
    if kind == "notice":
        return facts.label(object_id)
    row = rows.get(key)
    unit = f"（{facts.unit_names([row.unit_id])}）" if row is not None else ""
    noun = "收文" if kind == "receipt" else "报告"
    return f"{noun} #{object_id}{unit}"
