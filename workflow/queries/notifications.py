"""The bell and the list: one person's notifications, the unread ones counted.

Owns: `unread_count` — one indexed COUNT on (user_id, read_at), cheap enough for every page — and
`notifications`, one page of a person's notifications, newest first. Only ever the actor's own.
Must not: change anything (opening marks read: `workflow.commands.notifications`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow.models import Notice, Notification, User
from workflow.notifications import KINDS
from workflow.queries._paging import PageLinks, page_bounds

PER_PAGE = 20


@dataclass(frozen=True)
class NotificationItem:
    id: int
    kind: str
    message: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    target: str | None  # where it is done (a `workflow.places.Target` as text)
    notice_id: int | None
    notice_number: str | None  # 发文字号, once issued
    notice_title: str | None

    @property
    def notice_label(self) -> str | None:
        """Which notice it is about, in a few characters: its number, else its title — or None
        when the message names it already (a card says the title once)."""
        if self.notice_id is None:
            return None
        if any(name and name in self.message for name in (self.notice_number, self.notice_title)):
            return None
        return self.notice_number or f"《{self.notice_title}》"

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, "通知")

    @property
    def unread(self) -> bool:
        return self.read_at is None


@dataclass(frozen=True)
class NotificationPage(PageLinks):
    items: list[NotificationItem]
    total: int
    unread: int
    page: int
    pages: int


def unread_count(session: Session, actor: User) -> int:
    """How many of the actor's notifications are unread (one statement, on the index)."""
    return session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))) or 0


def notifications(session: Session, actor: User, *, page: int = 1,
                  per_page: int = PER_PAGE) -> NotificationPage:
    """One page of the actor's notifications, newest first (a page past the end is the last)."""
    mine = Notification.user_id == actor.id
    total = session.scalar(select(func.count()).select_from(Notification).where(mine)) or 0
    page, pages, offset = page_bounds(total, page, per_page)
    rows = session.execute(
        select(Notification.id, Notification.kind, Notification.message, Notification.created_at,
               Notification.read_at, Notification.target, Notification.notice_id,
               Notice.doc_number, Notice.title)
        .outerjoin(Notice, Notice.id == Notification.notice_id)
        .where(mine)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page).offset(offset))
    items = [NotificationItem(*row) for row in rows]
    return NotificationPage(items, total, unread_count(session, actor), page, pages)
