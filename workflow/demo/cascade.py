"""The demo's 转发: seed 000 passed down by 南关区妇联 to its 街道妇联, and their reports carried up.

Owns: the six 街道妇联 under 长春市南关区妇联 with a 收文员 each; 南关区妇联 as an issuing unit (机关
代字 南妇发, its chair signing, its 收文员 registering and issuing as 文书, its 办公室主任 as 督办, the
宣传部's 承办人 drafting); and the story — on the Monday of last week 南关 forwards seed 000 as
南妇发〔<year>〕1号 with the city's deadlines three working days earlier; five 街道 sign for it, three
report their 调研报告 and 南关 accepts them, one is returned; 南关's own 调研报告 to the city carries
the three (汇总上报). Every step goes through workflow.commands at the day it would have happened,
on the demo's timeline (timeline.py). Must not: invent
passwords (the builder makes them) or write anything but through the commands.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import commands as c
from workflow.demo.timeline import FRI, MON, THU, TUE, WED, Timeline
from workflow.models import Incoming, Receipt, Report, Unit, User
from workflow.states import Role

# 街道妇联 of 南关区 and the name of each one's 收文员.
STREETS = [("自强街道", "ziqiang", "柳青"), ("南岭街道", "nanling", "贺晓"),
           ("民康街道", "minkang", "韩雪梅"), ("新春街道", "xinchun", "祁红"),
           ("长通街道", "changtong", "邱月"), ("全安街道", "quanan", "席娜")]


@dataclass(frozen=True)
class Streets:
    units: list[Unit]
    receivers: list[User]


def streets(builder, nanguan: Unit, *, drafter: User, chair: User, clerk: User,
            supervisor: User) -> Streets:
    """南关区妇联's 街道 with their 收文员, and 南关 made an issuing unit with its people."""
    s = builder.s
    c.update_unit(s, None, unit_id=nanguan.id, name=nanguan.name, short_name="南关区妇联",
                  parent_id=nanguan.parent_id, doc_code="南妇发", org_code="NGFL",
                  review_required=False)
    for user, role in ((drafter, Role.DRAFTER), (chair, Role.SIGNATORY), (clerk, Role.CLERK),
                       (supervisor, Role.SUPERVISOR)):
        builder.grant(user, role, nanguan)
    units, receivers = [], []
    for street, login, name in STREETS:
        unit = builder.unit(f"南关区{street}妇联", parent_id=nanguan.id)
        units.append(unit)
        receivers.append(builder.user(f"ng_{login}", name, unit, Role.RECEIVER, title="收文员"))
    c.create_group(s, None, owner_unit_id=nanguan.id, name="各街道妇联",
                   member_ids=[u.id for u in units])
    return Streets(units, receivers)


def forward_seed_000(session: Session, incoming: Incoming, found: Streets, *, drafter: User,
                     chair: User, clerk: User, supervisor: User,
                     t: Timeline) -> tuple[str, list[int]]:
    """南关 forwards seed 000 to its 街道 and judges their 调研报告; returns the 转发's number and
    the ids of the reports it accepted, for its own report upward to carry."""
    s = session
    notice = c.forward(s, drafter, incoming_id=incoming.id, now=t.at(-1, MON, 9))
    c.update_draft(s, drafter, notice_id=notice.id, main_unit_ids=[u.id for u in found.units],
                   cc_unit_ids=[incoming.notice.issuer_unit_id], now=t.at(-1, MON, 9, 20))
    c.submit(s, drafter, notice_id=notice.id, now=t.at(-1, MON, 10))
    c.sign(s, chair, notice_id=notice.id, opinion="同意转发", now=t.at(-1, MON, 15))
    c.issue(s, clerk, notice_id=notice.id, now=t.at(-1, TUE, 9))
    receipts = {r.unit_id: r.id for r in s.scalars(
        select(Receipt).where(Receipt.notice_id == notice.id))}
    research = {r.unit_id: r for r in s.scalars(
        select(Report).join(Report.request).where(Report.notice_id == notice.id))
        if r.request.what == "调研报告"}
    # Five 街道 sign for it in the days after, the sixth has not yet.
    signed = [t.at(-1, TUE, 10), t.at(-1, TUE, 15), t.at(-1, WED, 10), t.at(-1, THU, 10),
              t.at(-1, FRI, 9)]
    for unit, receiver, moment in zip(found.units[:5], found.receivers[:5], signed, strict=True):
        c.acknowledge(s, receiver, receipt_id=receipts[unit.id], now=moment)
    accepted = []
    texts = ["自强街道妇联调研报告：辖区内社区妇联组织建设情况……",
             "南岭街道妇联调研报告：妇女群众反映的主要问题……",
             "民康街道妇联调研报告：服务妇女儿童的做法与不足……",
             "新春街道妇联调研报告：（初稿）"]
    for unit, receiver, text in zip(found.units[:4], found.receivers[:4], texts, strict=True):
        c.submit_report(s, receiver, report_id=research[unit.id].id, text=text,
                        now=t.at(-1, THU, 14))
    for unit in found.units[:3]:
        c.accept_report(s, supervisor, report_id=research[unit.id].id, opinion="情况清楚，予以采纳",
                        now=t.at(-1, FRI, 10))
        accepted.append(research[unit.id].id)
    c.return_report(s, supervisor, report_id=research[found.units[3].id].id,
                    reason="请补充具体数据后再报", now=t.at(-1, FRI, 10, 30))
    return notice.doc_number, accepted
