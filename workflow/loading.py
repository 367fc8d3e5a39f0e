"""Loading one row by its id, for the commands: the row, or NotFound naming what was sought.

Owns: `get_or_404` (with an optional row lock and loader options; the statement is built once per
model) and `get_actor` (the acting user, given as a User or by id). An id that no row can have (not
an int, or outside 1 … MAX_ID) is NotFound before any statement runs. Must not: check who may see
the row (permissions.py) or change anything.
"""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflow.db import MAX_ID, lock_for_update
from workflow.errors import NotFound
from workflow.models import User


def get_or_404(session: Session, model, object_id, *, lock: bool = False, label: str = "记录",
               options: tuple = ()):
    """Load a row by id (with the loader `options` given), or raise NotFound with a message
    naming what was sought — never its id, an internal number that tells a person nothing."""
    missing = NotFound(f"找不到该{label}")
    if not isinstance(object_id, int) or isinstance(object_id, bool) or not (
            1 <= object_id <= MAX_ID):
        raise missing
    row = session.scalar(_by_id(model, lock, options), {"id": object_id})
    if row is None:
        raise missing
    return row


@functools.cache
def _by_id(model, lock: bool, options: tuple):
    """The SELECT of one row by id, built once per model, lock and loader options (commands load
    rows by id in every request; building the statement each time cost as much as running it)."""
    statement = select(model).where(model.id == bindparam("id")).options(*options)
    return lock_for_update(statement) if lock else statement


def get_actor(session: Session, actor: User | int | None) -> User | None:
    """The acting user, given as a User or by id; None is the engine itself (or the installer)."""
    if actor is None or isinstance(actor, User):
        return actor
    return get_or_404(session, User, actor, label="用户")
