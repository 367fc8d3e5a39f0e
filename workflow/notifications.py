"""Who is told what: notification rows written in the acting transaction.

Owns: choosing the users to tell (by role within units) and writing one outbox row each, in bulk.
Must not: send anything (mail leaves the process only after commit, in a separate sender).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from workflow.models import Notification, RoleGrant, User
from workflow.states import Role


def users_holding(session: Session, role: Role, unit_ids: Iterable[int]) -> list[int]:
    """Ids of active users who hold `role` in any of `unit_ids`."""
    unit_ids = list(set(unit_ids))
    if not unit_ids:
        return []
    return list(session.scalars(
        select(RoleGrant.user_id).distinct()
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == role, RoleGrant.unit_id.in_(unit_ids), User.active.is_(True))
        .order_by(RoleGrant.user_id)
    ))


def notify(session: Session, user_ids: Iterable[int], *, notice_id: int | None, kind: str,
           message: str, now: dt.datetime, exclude: int | None = None) -> int:
    """Write one notification per user (never to `exclude`, the actor); returns how many."""
    rows = [
        {"user_id": uid, "notice_id": notice_id, "kind": kind, "message": message,
         "created_at": now}
        for uid in dict.fromkeys(user_ids) if uid != exclude
    ]
    if rows:
        session.execute(insert(Notification), rows)
    return len(rows)


def tell_role(session: Session, role: Role, unit_ids: Iterable[int], *, notice_id: int | None,
              kind: str, message: str, now: dt.datetime, exclude: int | None = None) -> int:
    """Notify everyone holding `role` in `unit_ids`."""
    return notify(session, users_holding(session, role, unit_ids), notice_id=notice_id, kind=kind,
                  message=message, now=now, exclude=exclude)
