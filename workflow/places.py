"""Where a person acts on something, named by what is done there — never by a URL.

Owns: `Place`, the kinds of place where work is done, each with the kind of object it is about;
`Target`, one place and its object, as a notification (and its mail) keeps it — `check_report:7`,
`archive`; the place of each notice action. The inbox's tasks (`queries.inbox`) and the
notifications (`workflow.notifications`) name their places here.
Must not: know a path, a URL or a page. The web layer holds the one map from a place to its page
(`webui.pages`), and a test there builds every place.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from workflow.db import MAX_ID
from workflow.states import NoticeAction


class Place(enum.Enum):
    """A place of work; the value is what a stored target names, so values never change."""

    def __new__(cls, value: str, about: str | None):
        member = object.__new__(cls)
        member._value_ = value
        member.about = about  # the kind of object the place is about: its id goes with it
        return member

    NOTICE = ("notice", "notice")  # the notice's own page: reading it, its history
    DRAFT = ("draft", "notice")  # the drafter's form: write, submit, withdraw, cancel
    AMEND = ("amend", "notice")  # 签发后修改
    SIGNOFF = ("signoff", "notice")  # 核稿 and 签发, revoking and abolishing
    ISSUE = ("issue", "notice")  # the clerk's 登记印发
    ARCHIVE = ("archive", None)  # the clerk's list of notices that wait to be filed
    TRACK = ("track", "notice")  # the supervisor's tracking matrix: 催办, 办结
    HANDLE_RETURN = ("handle_return", "receipt")  # 退文处理: 改发, 补发, confirm the return
    CHECK_REPORT = ("check_report", "report")  # the supervisor checks a submitted report
    WRITE_REPORT = ("write_report", "report")  # the unit writes and submits its report
    SIGN_FOR = ("sign_for", "unit")  # the 收文 desk at a unit's notices to sign for (any unit: None)
    REPORT_DUE = ("report_due", "unit")  # the 收文 desk at a unit's reports that are due
    INCOMING = ("incoming", "incoming")  # a 收文's 处理笺: 拟办, 批办, 承办, 传阅
    AUDIT = ("audit", None)  # the audit log (the anchors of its chain)
    PASSWORD = ("password", None)  # one's own password


@dataclass(frozen=True)
class Target:
    """A place and the id of the object it is about (None where the place is about nothing, or
    about any object of its kind)."""

    place: Place
    id: int | None = None

    def __str__(self) -> str:
        return self.place.value if self.id is None else f"{self.place.value}:{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> Target | None:
        """The target a stored text names; None for nothing, or for a place no longer known (an
        old notification then opens the list it is in, not an error)."""
        if not text:
            return None
        name, _, number = text.partition(":")
        try:
            place = Place(name)
        except ValueError:
            return None
        if not number:
            return cls(place)
        # Digits as the engine writes them (not ² or ١٢), and an id a database holds.
        if not (number.isascii() and number.isdigit()) or int(number) > MAX_ID:
            return None
        return cls(place, int(number))


# Where each notice action is done (the notice page offers each allowed action as a link there).
ACTION_PLACES = {
    NoticeAction.SUBMIT: Place.DRAFT, NoticeAction.WITHDRAW: Place.DRAFT,
    NoticeAction.CANCEL: Place.DRAFT, NoticeAction.AMEND: Place.AMEND,
    NoticeAction.PASS_REVIEW: Place.SIGNOFF, NoticeAction.RETURN: Place.SIGNOFF,
    NoticeAction.SIGN: Place.SIGNOFF, NoticeAction.REVOKE: Place.SIGNOFF,
    NoticeAction.ABOLISH: Place.SIGNOFF, NoticeAction.ISSUE: Place.ISSUE,
    NoticeAction.ARCHIVE: Place.ARCHIVE, NoticeAction.CLOSE: Place.TRACK,
}


def target_of(place: Place, *, notice_id: int | None = None,
              object_id: int | None = None) -> Target:
    """`place` with the id it takes: the notice's for a place about a notice, the object's for one
    about a receipt, a report or a 收文; none for a list or the 收文 desk as a whole."""
    if place.about == "notice":
        return Target(place, notice_id)
    return Target(place, None if place.about in (None, "unit") else object_id)


def action_target(action: NoticeAction, notice_id: int) -> Target:
    """Where `action` on the notice is done."""
    return target_of(ACTION_PLACES[action], notice_id=notice_id)
