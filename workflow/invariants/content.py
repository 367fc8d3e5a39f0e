"""The invariant of fixed content: what was signed, issued or reported is still what is stored.

Owns: for every notice that is signed or issued and every report that is submitted or accepted,
comparing the digest of its content now (`workflow.digests`) with the digest recorded by the last
audit entry that fixed it — 签发 for a signed notice, 印发 for an issued one (in whatever state it
has ended since: nothing after 印发 may change its text), 上报 for a report. An entry without a
digest (written before digests were recorded) is not compared. Must not: write anything.
"""

from __future__ import annotations

from workflow.digests import notice_digests, report_digests
from workflow.invariants.facts import Facts
from workflow.invariants.notices import NOT_YET_ISSUED
from workflow.states import NoticeState as NS
from workflow.states import ReportState as PS

# The entry that fixes a notice's content in each state, and a report's.
SIGN, ISSUE, SUBMIT = "notice.SIGN", "notice.ISSUE", "report.SUBMIT"
FIXED_REPORTS = frozenset({PS.SUBMITTED, PS.ACCEPTED})


def contents(facts: Facts) -> list[str]:
    fixing = {}  # (object type, id) → the last entry that fixed its content
    for entries in facts.entries.values():
        for entry in entries:
            if entry.action in (SIGN, ISSUE, SUBMIT):
                fixing[entry.object_type, entry.object_id, entry.action] = entry

    notices, issued = {}, set()
    for notice in facts.notices.values():
        action = SIGN if notice.state == NS.SIGNED else (
            ISSUE if notice.state not in NOT_YET_ISSUED else None)
        entry = fixing.get(("notice", notice.id, action))
        if entry is not None and entry.digest is not None:
            notices[notice.id] = entry
            if action == ISSUE:
                issued.add(notice.id)
    reports = {}
    for rows in facts.reports.values():
        for report in rows:
            entry = fixing.get(("report", report.id, SUBMIT))
            if report.state in FIXED_REPORTS and entry is not None and entry.digest is not None:
                reports[report.id] = (report, entry)

    problems = []
    now = notice_digests(facts.session, notices, issued=issued)
    for notice_id, entry in sorted(notices.items()):
        if now.get(notice_id) != entry.digest:
            when = "印发" if notice_id in issued else "签发"
            problems.append(f"{facts.label(notice_id)}的内容与第 {entry.seq} 条审计记录（{when}）"
                            f"固定的不符：标题、正文、字号、主送抄送或收文单位在{when}后被改动")
    now = report_digests(facts.session, reports)
    for report_id, (report, entry) in sorted(reports.items()):
        if now.get(report_id) != entry.digest:
            problems.append(f"{facts.label(report.notice_id)}中{facts.unit_names([report.unit_id])}"
                            f"的报告 #{report_id} 的内容与第 {entry.seq} 条审计记录（上报）固定的"
                            "不符：报告正文或附件在上报后被改动")
    return problems
