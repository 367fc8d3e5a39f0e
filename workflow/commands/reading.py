"""Recording that a person of a recipient unit has opened an issued notice (已读).

Owns: `record_reading`, which writes the first open of a notice by each person who sees it
through a business role in a recipient unit, and its audit entry. Later opens, the issuing unit's
own people and anyone who may not see the notice write nothing. Must not: commit, notify anyone,
or change a receipt's state (reading is not signing for).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.commands.savepoint import command
from workflow.db import as_utc, insert_ignore
from workflow.loading import get_actor, get_or_404
from workflow.models import Notice, NoticeReading, Receipt, Unit, User
from workflow.permissions import Right, business_unit_ids, demand


@command
def record_reading(session: Session, actor: User, *, notice_id: int,
                   now: dt.datetime | None = None) -> NoticeReading | None:
    """Record `actor`'s first open of the notice; the row written, or None when nothing was.

    Nothing is written for someone who has opened it before, nor for someone who sees it only as
    the issuing unit. A person in several recipient units is recorded once, under the first of
    them by id. Two opens at once write one row and one audit entry: the insert skips an existing
    (notice, person), and only the transaction that wrote the row writes the entry.
    """
    now, actor = as_utc(now), get_actor(session, actor)
    notice = get_or_404(session, Notice, notice_id, label="公文")
    demand(actor, Right.VIEW_NOTICE, notice=notice)
    units = business_unit_ids(actor)
    receipt = session.scalar(
        select(Receipt).where(Receipt.notice_id == notice.id, Receipt.unit_id.in_(units))
        .order_by(Receipt.unit_id).limit(1)) if units else None
    if receipt is None:
        return None
    # Ask the driver to count the rows inserted: psycopg reports no count by default, and the
    # count is how the second of two opens at once (ON CONFLICT DO NOTHING) knows it lost.
    session.connection().execution_options(preserve_rowcount=True)
    inserted = insert_ignore(
        session, NoticeReading.__table__,
        [{"notice_id": notice.id, "user_id": actor.id, "unit_id": receipt.unit_id,
          "first_read_at": now}],
        conflict_columns=["notice_id", "user_id"])
    if inserted.rowcount != 1:
        return None
    unit_name = session.scalar(select(Unit.name).where(Unit.id == receipt.unit_id))
    # No state on the entry: opening changes no receipt, and the trail's replay counts every
    # entry with a state as one change of the receipt's version.
    audit.append(session, actor=actor, action="receipt.READ", object_type="receipt",
                 object_id=receipt.id, notice_id=notice.id, on_behalf_of=unit_name, at=now)
    return session.scalar(select(NoticeReading).where(NoticeReading.notice_id == notice.id,
                                                      NoticeReading.user_id == actor.id))
