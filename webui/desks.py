"""The desks: which blueprint serves which roles, for the navigation and for access to a desk.

Owns: the list of desks and `desk_required`, which turns a user without any of a desk's roles away
with 403 (hiding the link is not the access control; the engine still checks every action).
Must not: decide what a user may do to an object — that is workflow.permissions.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import abort
from flask_login import current_user, login_required

from workflow.states import ADMIN_ROLES, BUSINESS_ROLES, Role


@dataclass(frozen=True)
class Desk:
    name: str  # the blueprint
    label: str
    roles: frozenset[Role]

    @property
    def endpoint(self) -> str:
        return f"{self.name}.index"


DESKS = (
    Desk("inbox", "我的待办", BUSINESS_ROLES),
    Desk("drafting", "拟稿", frozenset({Role.DRAFTER})),
    Desk("signoff", "核稿签发", frozenset({Role.REVIEWER, Role.SIGNATORY})),
    Desk("dispatch", "登记印发", frozenset({Role.CLERK})),
    Desk("receiving", "收文", frozenset({Role.RECEIVER})),
    # 收文办理 inside the unit: the 收文员 registers, the office proposes, the leader instructs,
    # the departments handle; the 文书 archives.
    Desk("incoming", "收文办理", frozenset({Role.RECEIVER, Role.PROPOSER, Role.INSTRUCTOR,
                                         Role.HANDLER, Role.CLERK})),
    Desk("tracking", "督办", frozenset({Role.SUPERVISOR})),
    Desk("statistics", "统计", frozenset({Role.SUPERVISOR, Role.SIGNATORY})),  # who chases, leads
    Desk("admin", "管理", ADMIN_ROLES),
)
BY_NAME = {desk.name: desk for desk in DESKS}


def _holds(desk: Desk, held: set[Role]) -> bool:
    # 我的待办 is also the home of a person with no role at all: someone of a unit asked to read a
    # 收文 (传阅) finds it there. Never an administrator's (三员分立: they do no business).
    if desk.name == "inbox":
        return not held & ADMIN_ROLES
    return bool(desk.roles & held)


def desks_for(account) -> list[Desk]:
    """The desks whose roles `account` holds, in menu order."""
    held = account.roles
    return [desk for desk in DESKS if _holds(desk, held)]


def desk_required(name: str, *roles: Role):
    """A view of desk `name`: logged in, and holding one of `roles` (default: the desk's)."""
    allowed = frozenset(roles) or BY_NAME[name].roles
    desk = Desk(name, BY_NAME[name].label, allowed)

    def decorate(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not _holds(desk, current_user.account.roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def init_app(app) -> None:
    @app.context_processor
    def inject_desks():
        if current_user.is_authenticated:
            account = current_user.account
            # The three administrators see no document's content (三员分立); the auditor reads
            # the trail, which names notices.
            reads_notices = bool(account.roles & BUSINESS_ROLES)
            return {"desks": desks_for(account), "reads_notices": reads_notices}
        return {"desks": [], "reads_notices": False}
