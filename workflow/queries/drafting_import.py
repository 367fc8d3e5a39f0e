"""Queries of 从文本导入 on the drafting desk: a notice's text read into the fields of a new draft,
with its 主送/抄送 and reporting units matched to the issuer's groups and the units by name.

Owns: reading the text (`parse_notice`) and matching names exactly — a group of the issuing unit by
its name, a unit by its name or short name — with brackets compared full-width and spaces ignored.
A name that matches nothing is returned as unmatched, never guessed. Who may draft for which unit
is `new_draft`'s answer. Must not: change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Unit, UnitGroup, User
from workflow.notice_text import ParsedNotice, parse_notice
from workflow.queries.drafting import NewDraftPage, new_draft

_SAME = str.maketrans({"(": "（", ")": "）", " ": None, "\u3000": None})


@dataclass(frozen=True)
class Matched:
    """Names matched to the issuer's groups and to units; the rest, as printed."""

    group_ids: list[int]
    unit_ids: list[int]
    unmatched: list[str]


@dataclass(frozen=True)
class ImportedRequest:
    """A report request read from the text, its reporting units matched where possible."""

    what: str
    due_date: dt.date | None
    to_whom: str
    deadline_text: str | None
    who: str | None
    parties: Matched


@dataclass(frozen=True)
class ImportedDraft:
    """What the text gives for a new draft of `page.issuer`."""

    page: NewDraftPage
    parsed: ParsedNotice
    main: Matched
    cc: Matched
    requests: list[ImportedRequest]

    @property
    def unmatched(self) -> list[str]:
        """Every 主送/抄送 name that matched no group or unit, in order, once."""
        return list(dict.fromkeys(self.main.unmatched + self.cc.unmatched))


def _key(name: str) -> str:
    return name.translate(_SAME)


def match_names(session: Session, issuer_unit_id: int, names: list[str]) -> Matched:
    """`names` matched exactly to the groups of `issuer_unit_id`, then to units by name or short
    name (a short name shared by several units matches none of them)."""
    groups: dict[str, int] = {}
    for group in session.scalars(select(UnitGroup).where(UnitGroup.owner_unit_id == issuer_unit_id)
                                 .order_by(UnitGroup.id)):
        groups.setdefault(_key(group.name), group.id)
    units: dict[str, int] = {}
    shorts: dict[str, set[int]] = {}
    for unit in session.scalars(select(Unit).order_by(Unit.id)):
        units.setdefault(_key(unit.name), unit.id)
        if unit.short_name:
            shorts.setdefault(_key(unit.short_name), set()).add(unit.id)
    group_ids: list[int] = []
    unit_ids: list[int] = []
    unmatched: list[str] = []
    for name in names:
        key = _key(name)
        short = shorts.get(key, set())
        if key in groups:
            group_ids.append(groups[key])
        elif key in units:
            unit_ids.append(units[key])
        elif len(short) == 1:
            unit_ids.append(next(iter(short)))
        else:
            unmatched.append(name)
    return Matched(list(dict.fromkeys(group_ids)), list(dict.fromkeys(unit_ids)), unmatched)


def imported_draft(session: Session, actor: User, text: str, unit_id: int | None = None, *,
                   lines_are_paragraphs: bool = False) -> ImportedDraft:
    """The fields of `text` for a new draft the actor writes for `unit_id` (as `new_draft`);
    `lines_are_paragraphs` when the text is a Word file's (`parse_notice`)."""
    page = new_draft(session, actor, unit_id)
    parsed = parse_notice(text, lines_are_paragraphs=lines_are_paragraphs)
    issuer_id = page.issuer.id
    requests = [
        ImportedRequest(r.what, r.due_date, r.to or "", r.deadline_text, r.who,
                        match_names(session, issuer_id, [r.who] if r.who else []))
        for r in parsed.report_requests
    ]
    return ImportedDraft(page, parsed, match_names(session, issuer_id, list(parsed.main_recipients)),
                         match_names(session, issuer_id, list(parsed.cc_recipients)), requests)
