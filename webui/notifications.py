"""The bell in the top bar: how many of one's notifications are unread, on every page.

Owns: the context processor that gives templates `bell()` — asked lazily, so that a page without
the top bar (an error page that must not touch the database) runs no query, and one that has it
runs one indexed COUNT. Must not: decide what a notification is or who gets one (the engine).

Only those who do business have a bell. The three administrator duties (三员分立) are never told
about documents — the engine writes them no notifications — so for them a bell would only ever
show nothing, and its page is closed to them like every business desk.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_login import current_user

from webui.extensions import db
from workflow.queries import notifications as notification_queries
from workflow.states import BUSINESS_ROLES

BADGE_LIMIT = 99


@dataclass(frozen=True)
class Bell:
    unread: int

    @property
    def badge(self) -> str:
        """The number on the bell: 1 … 99, then 99+."""
        return str(self.unread) if self.unread <= BADGE_LIMIT else f"{BADGE_LIMIT}+"

    @property
    def label(self) -> str:
        return f"通知：{self.unread} 条未读" if self.unread else "通知：没有未读"


def has_bell(account) -> bool:
    """Whether `account` does business, and so is told things."""
    return bool(account.roles & BUSINESS_ROLES)


def bell() -> Bell | None:
    """The logged-in person's bell, or None for a visitor and the administrator duties."""
    if not current_user.is_authenticated or not has_bell(current_user.account):
        return None
    return Bell(notification_queries.unread_count(db.session, current_user.account))


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"bell": bell})
