"""States, actions and roles as enums, each with its Chinese label.

States are adjectives, actions are verbs (DESIGN.md convention 9). The labels are what users read;
the enum names are what the database stores. Nothing here knows which action leads where: that is
`lifecycle.py`.
"""

import enum


class Labelled(enum.Enum):
    """An enum whose value is its Chinese label."""

    @property
    def label(self) -> str:
        return self.value

    @classmethod
    def by_name(cls, name: str):
        return cls[name]


class NoticeState(Labelled):
    DRAFT = "草稿"
    IN_REVIEW = "核稿中"
    AWAITING_SIGNOFF = "待签发"
    SIGNED = "已签发"
    ISSUED = "已印发"
    CLOSED = "已办结"
    ARCHIVED = "已归档"
    CANCELLED = "已作废"
    REVOKED = "已撤销"
    ABOLISHED = "已废止"


class NoticeAction(Labelled):
    SUBMIT = "提交"
    PASS_REVIEW = "核稿通过"
    RETURN = "退回修改"
    WITHDRAW = "撤回"
    CANCEL = "作废草稿"
    SIGN = "签发"
    AMEND = "签发后修改"
    ISSUE = "登记印发"
    CLOSE = "办结"
    ARCHIVE = "归档"
    REVOKE = "撤销"
    ABOLISH = "废止"


class ReceiptState(Labelled):
    PENDING = "待签收"
    ACKNOWLEDGED = "已签收"
    REJECTED = "已退回"  # and waits for the issuing unit's clerk to decide (退文处理)
    REDIRECTED = "已改发"  # the issuer sent it to the right unit instead
    RETURN_CONFIRMED = "已确认退回"  # the issuer agreed: the unit owes nothing
    WAIVED = "已免办"
    VOIDED = "已失效"


class ReceiptAction(Labelled):
    ACKNOWLEDGE = "签收"
    REJECT = "退回（误送）"
    # The issuing unit's clerk answers a return (退文处理): send it to the right unit (改发),
    # send it again to the same unit with an explanation (补发), or agree with the return.
    REDIRECT = "改发"
    RESEND = "补发"
    CONFIRM_RETURN = "确认退回"
    WAIVE = "免办"
    VOID = "失效"


class ReportState(Labelled):
    DUE = "待上报"
    SUBMITTED = "已上报"
    ACCEPTED = "已采纳"
    WAIVED = "已免办"
    VOIDED = "已失效"


# A report still owed: not yet submitted, or submitted and not yet accepted.
REPORT_OUTSTANDING = (ReportState.DUE, ReportState.SUBMITTED)


class ReportAction(Labelled):
    SUBMIT = "上报"
    ACCEPT = "采纳"
    RETURN = "退回修改"
    RESEND = "补发"  # the unit's returned copy is sent again: what it owed is due again
    WAIVE = "免办"
    VOID = "失效"


class Role(Labelled):
    DRAFTER = "拟稿人"
    REVIEWER = "核稿人"
    SIGNATORY = "签发人"
    CLERK = "文书"
    RECEIVER = "收文员"
    SUPERVISOR = "督办"
    PROPOSER = "拟办人"
    INSTRUCTOR = "批办领导"
    HANDLER = "承办人"
    ADMIN = "系统管理员"
    SECURITY_OFFICER = "安全管理员"
    AUDITOR = "审计管理员"


ADMIN_ROLES = frozenset({Role.ADMIN, Role.SECURITY_OFFICER, Role.AUDITOR})
BUSINESS_ROLES = frozenset(Role) - ADMIN_ROLES


class IncomingState(Labelled):
    """A 收文 in the unit that received it (条例 Art. 24: 登记 → 拟办 → 批办 → 承办 → 办结)."""

    REGISTERED = "待拟办"
    PROPOSED = "待批办"
    IN_HAND = "办理中"
    DONE = "已办结"
    ARCHIVED = "已归档"


# A 收文 still being handled: its round of readers may still change (传阅, 催阅, 收回, 免阅).
INCOMING_OPEN = frozenset({IncomingState.REGISTERED, IncomingState.PROPOSED,
                           IncomingState.IN_HAND})


class IncomingAction(Labelled):
    PROPOSE = "拟办"
    INSTRUCT = "批办"
    RETURN = "退回拟办"
    FINISH = "办结"
    ARCHIVE = "归档"


class IncomingKind(Labelled):
    """办件 must be handled (承办, 办理结果); 阅件 only read by those who need to (传阅)."""

    TO_HANDLE = "办件"
    TO_READ = "阅件"


class CirculationState(Labelled):
    """One reader's copy of a 收文 in circulation (传阅)."""

    PENDING = "待阅"
    READ = "已阅"
    RECALLED = "已收回"
    WAIVED = "已免阅"


class CirculationAction(Labelled):
    READ = "已阅"
    RECALL = "收回"
    WAIVE = "免阅"


class Secrecy(Labelled):
    """密级 (保守国家秘密法): most notices carry none."""

    NONE = "非密"
    SECRET = "秘密"
    CONFIDENTIAL = "机密"
    TOP_SECRET = "绝密"


class Urgency(Labelled):
    NORMAL = "普通"
    URGENT = "加急"
    VERY_URGENT = "特急"


# The most urgent first, wherever lists are ordered by urgency.
URGENCY_RANK = {Urgency.VERY_URGENT: 0, Urgency.URGENT: 1, Urgency.NORMAL: 2}


class Direction(Labelled):
    """下行文 goes to subordinates, 上行文 to a superior, 平行文 to peers."""

    DOWNWARD = "下行文"
    UPWARD = "上行文"
    LATERAL = "平行文"


class RecipientKind(Labelled):
    MAIN = "主送"
    CC = "抄送"


class Retention(Labelled):
    """保管期限 (DA/T 22-2015)."""

    PERMANENT = "永久"
    Y30 = "定期30年"
    Y10 = "定期10年"

    @property
    def code(self) -> str:
        return {"PERMANENT": "Y", "Y30": "D30", "Y10": "D10"}[self.name]
