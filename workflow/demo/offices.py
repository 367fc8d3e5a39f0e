"""The demo's 收文办理: the offices of four recipient federations, and what they did with the seeds.

Owns: the internal staff of every 长春 county federation (the ten 县（市）区妇联) and of 哈尔滨's
道里区妇联 — 办公室主任 (拟办人), 主席 (批办领导), two vice chairs (readers), a 宣传部 (internal
department) with its 承办人, and a 收文员 where the demo's list of receivers has none — and their
收文 stories:

- 南关区妇联 carries seed 000 from 签收 through 拟办, 批办 ("请组织学习，按时上报"), 承办, 传阅 and
  both reports to 办结, and registers an external notice from a PDF (left 待拟办);
- 宽城区妇联 stops at 待批办, with a vice chair's copy still 待阅;
- 朝阳区妇联 has signed for seed 000 and not yet proposed (待拟办);
- 道里区妇联 has seed 001 in hand (待承办), its report already up.

Every step goes through workflow.commands at the day it would have happened, on the demo's
timeline (timeline.py: weeks before the day it is built). Must not: invent passwords here (the
builder makes them) or write anything but through the commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import commands as c
from workflow.demo import cascade
from workflow.demo.timeline import FRI, MON, THU, TUE, WED, Timeline, month_day
from workflow.models import Incoming, Unit, User
from workflow.notice_files import document_text
from workflow.notice_text import read_incoming
from workflow.states import Role

# username prefix → (the federation's demo name, people: 办公室主任, 主席, two 副主席, 宣传部承办人).
STAFF = {
    "nanguan": ("长春市南关区妇联", ["刘佳", "陈秀英", "李娜", "王芳", "赵雪"]),
    "kuancheng": ("长春市宽城区妇联", ["孟凡", "杜红", "范丽", "姜敏", "白露"]),
    "chaoyang": ("长春市朝阳区妇联", ["许晴", "邓玉梅", "韦娟", "崔莹", "潘悦"]),
    "erdao": ("长春市二道区妇联", ["葛婷", "常淑华", "鲁艳", "方琳", "钟慧"]),
    "lvyuan": ("长春市绿园区妇联", ["田甜", "袁桂兰", "蒋莉", "史晶", "龚倩"]),
    "shuangyang": ("长春市双阳区妇联", ["汤颖", "尹凤琴", "黎娟", "顾雯", "秦月"]),
    "jiutai": ("长春市九台区妇联", ["江帆", "武玉霞", "戴露", "夏冰", "邵楠"]),
    "nongan": ("农安县妇联", ["段薇", "雷淑珍", "侯莹", "龙霞", "万佳"]),
    "yushu": ("榆树市妇联", ["毛丹", "邱桂芝", "石静", "贺兰", "严媛"]),
    "dehui": ("德惠市妇联", ["金鑫", "陆秀兰", "郝敏", "孔洁", "白雪"]),
    "daoli": ("哈尔滨市道里区妇联", ["孙艳", "郭丽", "唐静", "朱红", "宋佳"]),
}
# The 收文员 of the federations the demo's list of receivers does not already give one.
RECEIVERS = {"erdao": "邹红", "lvyuan": "彭丽娟", "shuangyang": "曾晓梅", "jiutai": "胡玲",
             "nongan": "吕娜", "yushu": "苏婷", "dehui": "蔡静"}
EXTERNAL_PDF = "external_000.pdf"  # a 区政府办公室 notice, as it would arrive by mail


@dataclass(frozen=True)
class Office:
    """One federation's internal staff and its 宣传部."""

    unit: Unit
    department: Unit
    office: User  # 办公室主任, 拟办人
    chair: User  # 主席, 批办领导
    vice1: User  # 副主席, reads what is sent to her
    vice2: User
    handler: User  # 宣传部's 承办人


def staff(builder, units: dict[str, Unit]) -> dict[str, Office]:
    """Create the offices' departments and people (their logins go to the builder's list)."""
    offices = {}
    for prefix, (unit_name, names) in STAFF.items():
        unit = units[unit_name]
        if prefix in RECEIVERS:
            builder.user(prefix, RECEIVERS[prefix], unit, Role.RECEIVER, title="收文员")
        department = builder.unit(f"{unit_name}宣传部", parent_id=unit.id, internal=True)
        office_head, chair, vice1, vice2, handler = names
        offices[prefix] = Office(
            unit, department,
            office=builder.user(f"{prefix}_office", office_head, unit, Role.PROPOSER,
                                title="办公室主任"),
            chair=builder.user(f"{prefix}_chair", chair, unit, Role.INSTRUCTOR, title="主席"),
            vice1=builder.user(f"{prefix}_vice1", vice1, unit, title="副主席"),
            vice2=builder.user(f"{prefix}_vice2", vice2, unit, title="副主席"),
            handler=builder.user(f"{prefix}_xcb", handler, department, Role.HANDLER))
    return offices


def incoming_of(session: Session, receipt_id: int) -> Incoming:
    """The 收文 that signing for `receipt_id` registered."""
    return session.scalar(select(Incoming).where(Incoming.receipt_id == receipt_id))


def seed_000_at_nanguan(session: Session, office: Office, *, receipt_id: int,
                        research_report_id: int, receiver: User, streets,
                        t: Timeline) -> Incoming:
    """南关区妇联's 收文 of seed 000, from 拟办 to 办结 (it was registered by 签收 on the day of issue;
    the first report went up the next Wednesday), forwarded to its 街道 on the way (cascade.py).
    The 调研报告 goes up here, carrying the 街道's accepted ones, so that the 答复 is complete."""
    s = session
    incoming = incoming_of(s, receipt_id)
    c.propose(s, office.office, incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=office.department.id, deadline=t.day(-1, WED),
              proposal="拟请宣传部牵头办理：组织全区妇联干部学习会议精神，按时上报学习贯彻情况"
                       "和调研报告。呈主席阅示。",
              now=t.at(-2, THU, 15))
    c.instruct(s, office.chair, incoming_id=incoming.id, instruction="请组织学习，按时上报",
               now=t.at(-2, FRI, 9, 30))
    first, second = c.circulate(s, office.chair, incoming_id=incoming.id,
                                reader_ids=[office.vice1.id, office.vice2.id],
                                now=t.at(-2, FRI, 10))
    c.mark_read_copy(s, office.vice1, circulation_id=first.id, opinion="已阅，同意主席意见",
                     now=t.at(-2, FRI, 15))
    c.mark_read_copy(s, office.vice2, circulation_id=second.id, now=t.at(-1, MON, 9))
    forwarded, carried = cascade.forward_seed_000(s, incoming, streets, drafter=office.handler,
                                                  chair=office.chair, clerk=receiver,
                                                  supervisor=office.office, t=t)
    c.submit_report(s, receiver, report_id=research_report_id,
                    text="南关区妇联关于基层妇联组织服务群众情况的调研报告：全区各街道妇联……"
                         "（附自强、南岭、民康街道妇联调研报告）",
                    included_report_ids=carried, now=t.at(-1, FRI, 14))
    c.finish(s, office.handler, incoming_id=incoming.id,
             result=f"已于{month_day(t.day(-1, TUE))}组织全区妇联干部集中学习会议精神，并以"
                    f"{forwarded}转发各街道妇联；学习贯彻情况（{month_day(t.day(-1, WED))}）和"
                    f"调研报告（{month_day(t.day(-1, FRI))}，汇总三个街道的报告）均已上报市妇联。",
             now=t.at(-1, FRI, 16))
    return incoming


def seed_000_at_kuancheng(session: Session, office: Office, *, receipt_id: int,
                          t: Timeline) -> Incoming:
    """宽城区妇联's 收文 of seed 000: proposed, waiting for the chair's 批示, one copy unread."""
    s = session
    incoming = incoming_of(s, receipt_id)
    c.propose(s, office.office, incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=office.department.id, deadline=t.day(-1, THU),
              proposal="拟请宣传部办理，按时上报。呈主席阅示。", now=t.at(-2, FRI, 16))
    c.circulate(s, office.office, incoming_id=incoming.id, reader_ids=[office.vice1.id],
                now=t.at(-2, FRI, 16, 10))
    return incoming


def seed_001_at_daoli(session: Session, office: Office, *, receipt_id: int,
                      t: Timeline) -> Incoming:
    """道里区妇联's 收文 of seed 001: instructed, in the 宣传部's hands (its report is already up)."""
    s = session
    incoming = incoming_of(s, receipt_id)
    c.propose(s, office.office, incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=office.department.id,
              proposal="拟请宣传部办理，及时上报学习贯彻情况。呈主席阅示。",
              now=t.at(-1, WED, 15))
    c.instruct(s, office.chair, incoming_id=incoming.id,
               instruction="请宣传部抓好落实，及时上报学习贯彻情况", now=t.at(-1, THU, 9))
    return incoming


def external_at_nanguan(session: Session, receiver: User, unit: Unit, *,
                        t: Timeline) -> Incoming:
    """A notice of the 区政府办公室 that came by mail, registered from its PDF: the fields are
    those the reader finds in the file's text (as the clerk would accept them), its own dates
    kept; it came in on the Tuesday of last week."""
    data = resources.files("workflow.demo").joinpath(EXTERNAL_PDF).read_bytes()
    text = document_text(EXTERNAL_PDF, data)
    found = read_incoming(text)
    return c.register_external(
        session, receiver, unit_id=unit.id, source_organ=found.issuer,
        source_number=found.doc_number, title=found.title, received_on=t.day(-1, TUE),
        body=text, now=t.at(-1, TUE, 9, 30))
