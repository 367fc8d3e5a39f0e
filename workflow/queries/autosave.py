"""Reading back what a person typed into a form and has not saved (their autosave).

Owns: `typed_work` — the actor's own kept input of one form, or None. Nobody reads another
person's: the row is looked up by the actor and the form key, never by its id, so another user of
the same unit, another unit's or an administrator get None exactly as for a form never typed in.
Must not: change anything, or decide who may open the form (the desk's query does).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Autosave, User


@dataclass(frozen=True)
class Typed:
    fields: dict[str, list[str]]  # name → values, as the form was posted
    updated_at: dt.datetime  # naive UTC, when it was last kept


def typed_work(session: Session, actor: User | None, key: str) -> Typed | None:
    """The actor's kept input of form `key`, or None (none kept, or no person acting)."""
    if actor is None or not actor.active:
        return None
    row = session.scalar(select(Autosave).where(Autosave.user_id == actor.id,
                                                Autosave.form_key == key))
    if row is None:
        return None
    return Typed(json.loads(row.fields), row.updated_at)
