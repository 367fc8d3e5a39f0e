"""The audit trail replayed: every notice, receipt and report ends where its entries say.

Owns: walking each notice's entries in order — each state change has its entry, the bulk changes
(cascades) included — and comparing the states they lead to with the rows' states, and every
receipt's and report's version with the count of its changes. Must not: write anything.
"""

from __future__ import annotations

from collections import Counter

from workflow import lifecycle
from workflow.invariants.facts import Facts
from workflow.states import ReceiptState as RS
from workflow.states import ReportState as PS

_INITIAL = {"notice": None, "receipt": RS.PENDING.name, "report": PS.DUE.name}
_LIFECYCLES = {"receipt": lifecycle.RECEIPT, "report": lifecycle.REPORT}


def _cascade_sources(child: str, action: str, dest: str) -> set[str]:
    """The states a cascade moves from: the child table's rows for that action and target."""
    return {r.source.name for r in _LIFECYCLES[child].rules
            if r.action.name == action and r.dest.name == dest}


def trail(facts: Facts) -> list[str]:
    problems = []
    for notice in facts.notices.values():
        problems += _replay(facts, notice)
    return problems


def _replay(facts: Facts, notice) -> list[str]:
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


def _name(facts: Facts, key, rows) -> str:
    kind, object_id = key
    if kind == "notice":
        return facts.label(object_id)
    row = rows.get(key)
    unit = f"（{facts.unit_names([row.unit_id])}）" if row is not None else ""
    noun = "收文" if kind == "receipt" else "报告"
    return f"{noun} #{object_id}{unit}"
