"""The invariants of the registers: the document-number series and the archive codes.

Owns: per series (机关代字, year) the serials from its start to its counter are each used by
exactly one notice or voided in the void register, and none is both or beyond the counter; the
archive codes' 件号 likewise against their counters. Must not: write anything.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.invariants.facts import Facts, listed
from workflow.models import ArchiveCounter, NumberSeries, VoidedNumber
from workflow.states import NoticeState as NS


def series(session: Session, facts: Facts) -> list[str]:
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
            problems.append(f"{name}系列的顺序号 {listed(both)} 已登记作废，却又被公文使用")
        outside = sorted(s for s in serials
                         if not series.start_serial <= s < series.next_serial)
        if outside:
            problems.append(f"{name}系列的顺序号 {listed(outside)} 不在已分配的范围"
                            f"（{series.start_serial}至{series.next_serial - 1}）内")
        gaps = [s for s in range(series.start_serial, series.next_serial)
                if s not in serials and s not in voided[series.id]]
        if gaps:
            problems.append(f"{name}系列断号：顺序号 {listed(gaps)} 既未使用，也未登记作废")
        strangers = sorted({x.id for _, x in numbered if x.issuer_unit_id != series.issuer_unit_id})
        if strangers:
            problems.append(f"{name}系列属于另一单位，却被公文 {listed(strangers)} 使用")
    for (code, year), numbered in used.items():
        ids = sorted(x.id for _, x in numbered)
        problems.append(f"公文 {listed(ids)} 的发文字号属于不存在的系列 {code}〔{year}〕")
    return problems


def archive_codes(session: Session, facts: Facts) -> list[str]:
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
                problems.append(f"{name}的档案件号 {listed(found)} {what}")
    for (_, year, _), taken in items.items():
        ids = sorted(notice_id for _, notice_id in taken)
        problems.append(f"公文 {listed(ids)} 的档号没有对应的{year}年件号计数器")
    return problems
