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
    REJECTED = "已退回"
    WAIVED = "已免办"
    VOIDED = "已失效"


class ReceiptAction(Labelled):
    ACKNOWLEDGE = "签收"
    REJECT = "退回（误送）"
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
    WAIVE = "免办"
    VOID = "失效"


class Role(Labelled):
    DRAFTER = "拟稿人"
    REVIEWER = "核稿人"
    SIGNATORY = "签发人"
    CLERK = "文书"
    RECEIVER = "收文员"
    SUPERVISOR = "督办"
    ADMIN = "系统管理员"
    SECURITY_OFFICER = "安全管理员"
    AUDITOR = "审计管理员"


ADMIN_ROLES = frozenset({Role.ADMIN, Role.SECURITY_OFFICER, Role.AUDITOR})
BUSINESS_ROLES = frozenset(Role) - ADMIN_ROLES


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
