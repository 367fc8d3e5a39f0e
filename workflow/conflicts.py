"""What a stale action is told: the last thing done to the row, read from the audit trail.

Owns: `stale()`, the Conflict raised when a form's version is older than the row's. Instead of a
bare "已被他人处理", the person learns what happened and who did it ("张三已于12月3日 14:05撤回该
公文"), so that they know whether to look again or to stop. Must not: change anything, or name
anything the person could not see on the row's own page (the actor's name and unit, the action
and its time are all shown in the row's timeline to whoever may act on it).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.audit import SYSTEM_ACTOR
from workflow.deadlines import local_time
from workflow.errors import Conflict
from workflow.models import AuditEntry
from workflow.states import (
    CirculationAction,
    IncomingAction,
    NoticeAction,
    ReceiptAction,
    ReportAction,
)

_NOUNS = {"notice": "该公文", "receipt": "该收文", "report": "该报告", "incoming": "该收文",
          "circulation": "该传阅件"}
_ACTIONS = {"notice": NoticeAction, "receipt": ReceiptAction, "report": ReportAction,
            "incoming": IncomingAction, "circulation": CirculationAction}
# The entries that change a row without a transition, as the sentence reads them.
_OTHER = {"notice.UPDATE": "修改了", "notice.ADD_ATTACHMENT": "为{noun}添加了附件",
          "notice.REMOVE_ATTACHMENT": "删除了{noun}的附件",
          "notice.SET_REMIND_INTERVAL": "修改了{noun}的催办间隔",
          "incoming.REGISTER": "登记了", "circulation.SEND": "送阅了"}

_LAST = (select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))


def last_action(session: Session, object_type: str, object_id: int) -> str | None:
    """"张三已于12月3日 14:05撤回该公文": the last audited action on the row, or None."""
    entry = session.scalar(_LAST.where(AuditEntry.object_type == object_type,
                                       AuditEntry.object_id == object_id))
    if entry is None:
        return None
    noun = _NOUNS.get(object_type, "该事项")
    kind, _, name = entry.action.partition(".")
    enum = _ACTIONS.get(kind)
    if entry.action in _OTHER:
        did = _OTHER[entry.action].format(noun=noun)
        did = did if "{noun}" in _OTHER[entry.action] else did + noun
    elif enum is not None and name in enum.__members__:
        did = enum[name].label + noun
    else:
        did = "处理了" + noun
    who = entry.actor_name
    if entry.actor_id is None and who == SYSTEM_ACTOR:
        who = "系统"
    elif entry.on_behalf_of and object_type in ("receipt", "report"):
        who = f"{entry.on_behalf_of}的{who}"
    moment = local_time(entry.at)
    return f"{who}已于{moment.month}月{moment.day}日 {moment:%H:%M}{did}"


def stale(session: Session, object_type: str, object_id: int) -> Conflict:
    """The Conflict for a form older than the row: what happened since, when the trail says."""
    happened = last_action(session, object_type, object_id)
    if happened is None:
        return Conflict()
    return Conflict(f"{happened}，请查看最新情况后再办理")
