"""After a notice's working life: archive it (归档), revoke it (撤销) or abolish it (废止).

撤销 makes a notice void from the start (视为自始无效); 废止 ends its effect from that day on.
Both void what recipients still owe. Archived notices are read-only: no table row leaves ARCHIVED.
Must not: commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.commands._advance import _advance
from workflow.commands.drafting import enum_value
from workflow.commands.savepoint import command
from workflow.db import as_utc, insert_ignore, lock_for_update
from workflow.deadlines import chinese_date, local_date
from workflow.errors import InvalidInput
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import ArchiveCounter, Notice, Receipt, User
from workflow.notifications import tell_role
from workflow.states import NoticeAction, Retention, Role


def next_archive_item(session: Session, unit_id: int, year: int, retention: Retention) -> int:
    """Take the next 件号 of (unit, year, retention) from its counter row, locked."""
    key = {"unit_id": unit_id, "year": year, "retention": retention}
    insert_ignore(session, ArchiveCounter.__table__, [{**key, "next_item": 1}],
                  conflict_columns=["unit_id", "year", "retention"])
    counter = session.scalar(lock_for_update(select(ArchiveCounter).filter_by(**key))
                             .execution_options(populate_existing=True))
    item = counter.next_item
    counter.next_item = item + 1
    return item


def archive_code(year: int, retention: Retention, org: str, item: int) -> str:
    """年度-保管期限-机构-件号 (DA/T 22-2015), e.g. 2015-Y-HEBFL-0001."""
    return f"{year}-{retention.code}-{org}-{item:04d}"


@command
def archive(session: Session, actor: User, *, notice_id: int, retention: Retention | str,
            expected_version: int | None = None, now: dt.datetime | None = None) -> Notice:
    """File the notice under its archive code; from now on it is read-only."""
    now, actor = as_utc(now), get_actor(session, actor)
    retention = enum_value(Retention, retention, "保管期限")
    if retention is None:
        raise InvalidInput("归档必须选择保管期限（永久、定期30年或定期10年）")
    notice = get_or_404(session, Notice, notice_id, lock=True, label="公文")

    def file(n: Notice) -> None:
        year = n.doc_year or local_date(now).year
        org = n.issuer.org_code or f"U{n.issuer_unit_id}"
        n.retention, n.archived_at = retention, now
        n.archive_code = archive_code(year, retention, org,
                                      next_archive_item(session, n.issuer_unit_id, year, retention))

    _advance(session, actor, notice, NoticeAction.ARCHIVE, now=now, apply=file,
             expected_version=expected_version, on_behalf_of=notice.issuer.name)
    return notice


def _recipient_units(session: Session, notice_id: int) -> list[int]:
    return list(session.scalars(select(Receipt.unit_id).where(Receipt.notice_id == notice_id)))


@command
def revoke(session: Session, actor: User, *, notice_id: int, reason: str,
           expected_version: int | None = None, now: dt.datetime | None = None) -> Notice:
    """撤销: the notice is void from the start; everything still owed is void."""
    now, actor = as_utc(now), get_actor(session, actor)
    notice = get_or_404(session, Notice, notice_id, lock=True, label="公文")

    def end(n: Notice) -> None:
        n.ended_at, n.void_from_start, n.effective_until = now, True, None

    _advance(session, actor, notice, NoticeAction.REVOKE, now=now, note=reason, apply=end,
             expected_version=expected_version, on_behalf_of=notice.issuer.name)
    tell_role(session, Role.RECEIVER, _recipient_units(session, notice.id), actor=actor,
              notice_id=notice.id,
              kind="revoked", now=now,
              message=f"{notice.doc_number}《{notice.title}》已撤销，视为自始无效。理由：{clean_text(reason)}")
    return notice


@command
def abolish(session: Session, actor: User, *, notice_id: int, reason: str,
            expected_version: int | None = None, now: dt.datetime | None = None) -> Notice:
    """废止: the notice has no effect from today on; what it did before stands."""
    now, actor = as_utc(now), get_actor(session, actor)
    notice = get_or_404(session, Notice, notice_id, lock=True, label="公文")
    today = local_date(now)

    def end(n: Notice) -> None:
        n.ended_at, n.void_from_start, n.effective_until = now, False, today

    _advance(session, actor, notice, NoticeAction.ABOLISH, now=now, note=reason, apply=end,
             expected_version=expected_version, on_behalf_of=notice.issuer.name)
    tell_role(session, Role.RECEIVER, _recipient_units(session, notice.id), actor=actor,
              notice_id=notice.id,
              kind="abolished", now=now,
              message=f"{notice.doc_number}《{notice.title}》自{chinese_date(today)}起废止。理由：{clean_text(reason)}")
    return notice
