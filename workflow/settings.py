"""The policies kept in the database: the login policy and the deadline policy.

The login policy: after how many failed logins attempts are delayed, the longest delay, the idle
timeout, and which business roles need a second factor besides those that always do.

Owns: the policy's values as one frozen `Policy`, its bounds, and reading it from the database
(`login_policy()`): the row the security officer saved wins; without one, the caller's defaults
(the web layer passes its configuration) or the code's `DEFAULTS` apply. Kept in the database so
that every process and host enforces the same policy. Must not: change anything (the security
officer's `commands.set_login_policy` writes it, with an audit entry).

The deadline policy (`deadline_policy()`): the working days allowed for signing for receipt by
紧急程度, and the reminder schedule (before a deadline, on the day, after it); the system
administrator's `commands.calendar.set_deadline_policy` writes it. Without a stored row the code's
`DEADLINE_DEFAULTS` apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import DeadlinePolicy, LoginPolicy, User
from workflow.states import ADMIN_ROLES, Role, Urgency

POLICY_ID = 1

# Who always needs a second factor (等保 三级: two techniques of identification): the three
# administrators and the signatories. The security officer may name more business roles.
ALWAYS_SECOND_FACTOR = ADMIN_ROLES | {Role.SIGNATORY}
OPTIONAL_SECOND_FACTOR = tuple(r for r in Role if r not in ALWAYS_SECOND_FACTOR)


@dataclass(frozen=True)
class Policy:
    max_failures: int  # failed logins in a row before further attempts are delayed
    lock_minutes: int  # the longest delay (workflow.throttle doubles it up to this)
    idle_minutes: int  # a session idle longer than this is logged out on its next request
    version: int = 0  # of the stored row; 0 while the defaults apply
    # Business roles that need a second factor besides ALWAYS_SECOND_FACTOR.
    second_factor_roles: frozenset[Role] = frozenset()

    def needs_second_factor(self, user: User) -> bool:
        """Must `user` give a TOTP code (enrolling first, if they have none) after the password?"""
        return bool(user.roles & (ALWAYS_SECOND_FACTOR | self.second_factor_roles))


DEFAULTS = Policy(max_failures=5, lock_minutes=15, idle_minutes=30)

# What the security officer may set: (lowest, highest) for each value, with its Chinese name.
BOUNDS = {
    "max_failures": (3, 20, "连续登录失败次数"),
    "lock_minutes": (1, 24 * 60, "最长等待时间（分钟）"),
    "idle_minutes": (5, 8 * 60, "无操作自动退出时间（分钟）"),
}


def login_policy(session: Session, defaults: Policy | None = None) -> Policy:
    """The policy in force: the stored one, else `defaults` (else the code's DEFAULTS)."""
    row = session.scalar(select(LoginPolicy).where(LoginPolicy.id == POLICY_ID))
    if row is None:
        return defaults or DEFAULTS
    roles = frozenset(Role[name] for name in row.second_factor_roles or () if name in Role.__members__)
    return Policy(row.max_failures, row.lock_minutes, row.idle_minutes, row.version,
                  roles - ALWAYS_SECOND_FACTOR)


# ------------------------------------------------------------------------------------------------
# The deadline policy: working days for signing for receipt by 紧急程度, and when reminders go out.
# The system administrator's `commands.calendar.set_deadline_policy` writes it, with an audit entry.

DEADLINE_POLICY_ID = 1


@dataclass(frozen=True)
class Deadlines:
    very_urgent_days: int  # 特急: working days from the issue day to the receipt deadline
    urgent_days: int  # 加急
    normal_days: int  # 平件
    remind_before: tuple[int, ...]  # remind so many working days before a deadline, e.g. (3, 1)
    remind_on_due_day: bool  # remind on the deadline's day
    remind_every_days: int  # after the deadline, remind every so many working days
    version: int = 0  # of the stored row; 0 while the defaults apply

    def receipt_days(self, urgency: Urgency) -> int:
        """The working days allowed for signing for a notice of this 紧急程度."""
        if urgency == Urgency.VERY_URGENT:
            return self.very_urgent_days
        if urgency == Urgency.URGENT:
            return self.urgent_days
        return self.normal_days


DEADLINE_DEFAULTS = Deadlines(very_urgent_days=1, urgent_days=2, normal_days=3,
                              remind_before=(3, 1), remind_on_due_day=True, remind_every_days=2)

# What the system administrator may set: (lowest, highest) for each value, with its Chinese name.
DEADLINE_BOUNDS = {
    "very_urgent_days": (0, 30, "特急公文的签收期限（工作日）"),
    "urgent_days": (0, 30, "加急公文的签收期限（工作日）"),
    "normal_days": (0, 30, "其他公文的签收期限（工作日）"),
    "remind_before": (1, 30, "截止前提醒（工作日）"),
    "remind_every_days": (1, 30, "逾期后催办间隔（工作日）"),
}
MAX_REMIND_BEFORE = 5  # at most so many reminders before a deadline


def deadline_policy(session: Session) -> Deadlines:
    """The deadline policy in force: the stored one, else DEADLINE_DEFAULTS."""
    row = session.scalar(select(DeadlinePolicy).where(DeadlinePolicy.id == DEADLINE_POLICY_ID))
    if row is None:
        return DEADLINE_DEFAULTS
    return Deadlines(row.very_urgent_days, row.urgent_days, row.normal_days,
                     tuple(row.remind_before or ()), row.remind_on_due_day,
                     row.remind_every_days, row.version)
