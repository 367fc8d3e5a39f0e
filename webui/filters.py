"""Jinja filters: how stored values read on a page.

Owns: local time (stored naive UTC → Asia/Shanghai), Chinese dates, body paragraphs, and the
Chinese labels of audit-trail actions and states. Must not: decide anything (labels only).
"""

from __future__ import annotations

import datetime as dt

from flask import Flask

from workflow.deadlines import chinese_date, local_date, local_time
from workflow.states import (
    CirculationAction,
    CirculationState,
    IncomingAction,
    IncomingState,
    NoticeAction,
    NoticeState,
    ReceiptAction,
    ReceiptState,
    ReportAction,
    ReportState,
)

_ACTIONS = {"notice": NoticeAction, "receipt": ReceiptAction, "report": ReportAction,
            "incoming": IncomingAction, "circulation": CirculationAction}
_STATES = {"notice": NoticeState, "receipt": ReceiptState, "report": ReportState,
           "incoming": IncomingState, "circulation": CirculationState}
# Audit actions that are not transitions of a lifecycle, so have no enum member.
_OTHER_ACTIONS = {
    "notice.CREATE": "起草",
    "notice.UPDATE": "修改草稿",
    "notice.ADD_ATTACHMENT": "添加附件",
    "notice.REMOVE_ATTACHMENT": "删除附件",
    "report.REMOVE_ATTACHMENT": "删除报告附件",
    "notice.REMIND": "催办",
    "receipt.READ": "首次阅读",
    "incoming.REGISTER": "收文登记",
    "circulation.SEND": "传阅",
    "circulation.REMIND": "催阅",
    "incoming.REMIND": "单位内部催办",
    "series.OPEN": "开设文号系列",
    "series.VOID_NUMBER": "作废文号",
    "unit.CREATE": "新建单位",
    "group.CREATE": "新建单位组",
    "user.CREATE": "新建用户",
    "user.GRANT_ROLE": "授予角色",
    "user.SET_PASSWORD": "设置密码",
    "unit.UPDATE": "修改单位",
    "group.UPDATE_MEMBERS": "调整单位组成员",
    "user.DEACTIVATE": "停用账号",
    "user.REACTIVATE": "启用账号",
    "user.REVOKE_ROLE": "撤销角色",
    "user.LOGIN": "登录",
    "user.LOGIN_FAILED": "登录失败",
    "user.LOCKED": "账号锁定",
    "user.LOGIN_DELAYED": "登录延时",
    "user.RESET_PASSWORD": "重置密码",
    "user.ENROL_SECOND_FACTOR": "设置两步验证",
    "user.RESET_SECOND_FACTOR": "重置两步验证",
    "user.LOGOUT": "退出登录",
    "user.PASSWORD_CHANGED": "修改密码",
    "policy.UPDATE": "修改登录策略",
    "unit.SET_SEAL": "设置印章",
    "notice.MAKE_OFFICIAL": "生成正式文件",
    "certificate.CREATE_CA": "建立签章根证书",
    "certificate.ISSUE": "签发单位证书",
    "certificate.IMPORT": "导入单位证书",
    "certificate.TRUST_CA": "信任根证书",
    "certificate.RETIRE": "停用旧证书",
    "certificate.REVOKE": "吊销证书",
    "unit.CLEAR_SEAL": "清除印章",
    "calendar.SET_DAY": "调整工作日历",
    "calendar.REMOVE_DAY": "取消工作日历调整",
    "deadline_policy.UPDATE": "修改期限与催办设置",
    "notice.SET_REMIND_INTERVAL": "设置催办间隔",
    "system.BACKUP": "备份数据库",
    "system.RESTORE": "从备份恢复",
    "system.ANCHOR": "锚定审计链",
    "user.SET_EMAIL": "修改电子邮箱",
}


def localtime(moment: dt.datetime | None) -> str:
    """2016-03-07 09:00 for a stored 2016-03-07 01:00 (UTC)."""
    if moment is None:
        return ""
    return local_time(moment).strftime("%Y-%m-%d %H:%M")


def cndate(value: dt.date | dt.datetime | None) -> str:
    """2016年3月7日; a stored moment is first taken to its Asia/Shanghai day."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local_date(value)
    return chinese_date(value)


def paragraphs(text: str | None) -> list[str]:
    """The body's paragraphs: one per line, blank lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def action_label(action: str) -> str:
    """“notice.SIGN” → 签发; an unknown action reads as it is stored."""
    if action in _OTHER_ACTIONS:
        return _OTHER_ACTIONS[action]
    kind, _, name = action.partition(".")
    enum = _ACTIONS.get(kind)
    if enum is not None and name in enum.__members__:
        return enum[name].label
    return action


def state_label(name: str | None, object_type: str = "notice") -> str:
    """A stored state name of a notice, receipt or report as its Chinese label."""
    if not name:
        return ""
    enum = _STATES.get(object_type)
    if enum is not None and name in enum.__members__:
        return enum[name].label
    return name


# More units than this in one entry (a 催办 to every outstanding unit) are counted, not listed.
_UNITS_LISTED = 5


def entry_units(details: dict | None) -> str:
    """The unit(s) an audit entry acted on, from its details: “第1区妇联”, or for a 催办 of many
    “第1区妇联、第2区妇联等 23 个单位”; "" when the entry names none."""
    details = details or {}
    names = [details["unit"]] if details.get("unit") else list(details.get("units") or [])
    names = [str(name) for name in names if name]
    if len(names) > _UNITS_LISTED:
        return f"{'、'.join(names[:2])}等 {len(names)} 个单位"
    return "、".join(names)


def init_app(app: Flask) -> None:
    for function in (localtime, cndate, paragraphs, action_label, state_label, entry_units):
        app.add_template_filter(function)
