"""One's own notifications: open one (it is then read), or mark them all read.

Owns: `mark_read` and `mark_all_read`. Only the actor's own notifications: another person's is
not found, exactly as one that does not exist. Reading changes no workflow state and writes no
audit entry (a notification is a message to one person, not an act of the office).
Must not: commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflow.commands.savepoint import command
from workflow.db import MAX_ID, as_utc
from workflow.errors import NotFound
from workflow.loading import get_actor
from workflow.models import Notification, User
from workflow.permissions import Right, demand


def _reader(session: Session, actor: User | int | None) -> User:
    actor = get_actor(session, actor)
    demand(actor, Right.READ_OWN_NOTIFICATIONS)
    return actor


@command
def mark_read(session: Session, actor: User, *, notification_id: int,
              now: dt.datetime | None = None) -> Notification:
    """Mark one of the actor's notifications read (once: the first reading is kept)."""
    now, actor = as_utc(now), _reader(session, actor)
    missing = NotFound("找不到该通知")
    if (not isinstance(notification_id, int) or isinstance(notification_id, bool)
            or not 1 <= notification_id <= MAX_ID):
        raise missing
    notification = session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == actor.id))
    if notification is None:
        raise missing
    if notification.read_at is None:
        notification.read_at = now
    return notification


@command
def mark_all_read(session: Session, actor: User, *, now: dt.datetime | None = None) -> int:
    """Mark every unread notification of the actor read; returns how many were unread."""
    now, actor = as_utc(now), _reader(session, actor)
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Notification) and obj.user_id == actor.id:
            session.expire(obj)
    return result.rowcount
