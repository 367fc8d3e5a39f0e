"""The login policy: how many failed logins lock an account, for how long, and the idle timeout.

Owns: the policy's values as one frozen `Policy`, its bounds, and reading it from the database
(`login_policy()`): the row the security officer saved wins; without one, the caller's defaults
(the web layer passes its configuration) or the code's `DEFAULTS` apply. Kept in the database so
that every process and host enforces the same policy. Must not: change anything (the security
officer's `commands.set_login_policy` writes it, with an audit entry).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import LoginPolicy

POLICY_ID = 1


@dataclass(frozen=True)
class Policy:
    max_failures: int  # failed logins in a row before the account is locked
    lock_minutes: int  # how long a lock lasts
    idle_minutes: int  # a session idle longer than this is logged out on its next request
    version: int = 0  # of the stored row; 0 while the defaults apply


DEFAULTS = Policy(max_failures=5, lock_minutes=15, idle_minutes=30)

# What the security officer may set: (lowest, highest) for each value, with its Chinese name.
BOUNDS = {
    "max_failures": (3, 20, "连续登录失败次数"),
    "lock_minutes": (1, 24 * 60, "锁定时长（分钟）"),
    "idle_minutes": (5, 8 * 60, "无操作自动退出时间（分钟）"),
}


def login_policy(session: Session, defaults: Policy | None = None) -> Policy:
    """The policy in force: the stored one, else `defaults` (else the code's DEFAULTS)."""
    row = session.scalar(select(LoginPolicy).where(LoginPolicy.id == POLICY_ID))
    if row is None:
        return defaults or DEFAULTS
    return Policy(row.max_failures, row.lock_minutes, row.idle_minutes, row.version)
