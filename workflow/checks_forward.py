"""规范检查 of a 转发: the rules of forwarding a document down (gongwen-rules.md, 转发).

Owns: the findings for a notice that forwards another — the title in the form
"[本机关]关于转发《[来文标题]》的通知" naming the original document (a 转发 of a 转发 names the
original, never stacking "…的通知》的通知"), the source named in the body (its title or 发文字号),
and every request passed down due no later than the source's. Must not: query the database or
refuse on its own (the lifecycle's rule-check guard decides, as for checks.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

RULE_FORWARD = "条例第八条 通知（转发）"
RULE_FORWARD_DUE = "转发：报送时限不晚于来文"


@dataclass(frozen=True)
class ForwardSource:
    """What the check needs of the forwarded notice."""

    title: str  # the source's own title
    original_title: str  # the title of the document the chain of 转发 started from
    doc_number: str | None


@dataclass(frozen=True)
class PassedDown:
    """One request of the 转发 that passes one of the source's down."""

    position: int
    due_date: dt.date | None
    source_due_date: dt.date | None


def check_forward(finding, *, title: str, body: str, source: ForwardSource,
                  requests: Sequence[PassedDown], error: str, warning: str) -> list:
    """The findings (made with `finding(level, rule, field, message)`) of a 转发."""
    found = []
    if f"转发《{source.original_title}》" not in title:
        found.append(finding(warning, RULE_FORWARD, "标题",
                             f"转发的标题应为“本机关关于转发《{source.original_title}》的通知”"))
    if title.count("转发") > 1 or "的通知》的通知》" in title:
        found.append(finding(warning, RULE_FORWARD, "标题",
                             "转发的转发应直接引用原文标题，不要层层叠加“关于转发……的通知”"))
    named = source.title in body or (source.doc_number is not None
                                     and source.doc_number in body)
    if not named:
        number = f"（{source.doc_number}）" if source.doc_number else ""
        found.append(finding(warning, RULE_FORWARD, "正文",
                             f"正文应写明所转发的来文，如“现将《{source.title}》{number}转发给你们”"))
    for request in requests:
        if request.source_due_date is not None and (
                request.due_date is None or request.due_date > request.source_due_date):
            due = request.source_due_date
            found.append(finding(error, RULE_FORWARD_DUE, f"报送要求 第{request.position}项",
                                 f"报送截止日期不能晚于来文要求的{due.year}年{due.month}月"
                                 f"{due.day}日，请提前"))
    return found
