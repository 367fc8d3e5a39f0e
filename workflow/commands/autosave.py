"""Keeping what a person types into a form before they save it, and letting it go.

Owns: `keep_typed` (write the form's fields as the person's autosave of that form, replacing the
last one, in one insert-or-update statement) and `drop_typed` (forget it: the form was really saved, or the person discarded it).
Only the actor's own row is ever written or deleted: the row is found by (actor, form key), never
by an id a request could name. The fields are judged as any text entering the engine is
(`workflow.inputs`: no control character, no bidirectional override) and bounded in size.
Keeping typed text is not an act of the office: no state changes, no audit entry.
Must not: touch the notice or report the form belongs to (saving it is the desk's own command),
decide who may open that form (the caller asks the desk's query first), or commit.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workflow.commands.savepoint import command
from workflow.db import as_utc, insert_or_replace
from workflow.errors import InvalidInput
from workflow.inputs import LABELS, refuse_control_characters
from workflow.loading import get_actor
from workflow.models import Autosave, User
from workflow.permissions import Right, demand

# "draft:new:3", "draft:12", "report:40", "incoming:register": a kind and up to two parts.
FORM_KEY = re.compile(r"[a-z]{1,20}(:[a-z0-9]{1,15}){0,2}")
FIELD_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
# Room for the longest form: a notice's 50,000-character body, its fields and 50 request rows.
MAX_CHARS = 120_000
MAX_FIELDS = 1_000
TOO_LONG = f"输入的内容过长，无法自动保存（最多 {MAX_CHARS} 字），请先保存"
BAD_SHAPE = "自动保存的内容格式不正确，请刷新页面后重试"


def _owner(session: Session, actor: User | int | None) -> User:
    actor = get_actor(session, actor)
    demand(actor, Right.KEEP_TYPED_WORK)
    return actor


def form_key(key: object) -> str:
    """`key` if it names a form the way the web layer does, else InvalidInput."""
    if not isinstance(key, str) or len(key) > 60 or not FORM_KEY.fullmatch(key):
        raise InvalidInput("要自动保存的表单无效，请刷新页面后重试")
    return key


def _judged(fields: object) -> dict[str, list[str]]:
    """The fields as name → list of values, every value judged as text entering the engine."""
    if not isinstance(fields, dict) or len(fields) > MAX_FIELDS:
        raise InvalidInput(BAD_SHAPE)
    judged: dict[str, list[str]] = {}
    for name, values in fields.items():
        if isinstance(values, str):
            values = [values]
        if (not isinstance(name, str) or not FIELD_NAME.fullmatch(name)
                or not isinstance(values, (list, tuple)) or len(values) > MAX_FIELDS
                or not all(isinstance(v, str) for v in values)):
            raise InvalidInput(BAD_SHAPE)
        # A row's field ("report_requests-0-what") is named by its last part.
        label = LABELS.get(name.rsplit("-", 1)[-1], "输入内容")
        judged[name] = [refuse_control_characters(v, label=label) for v in values]
    return judged


@command
def keep_typed(session: Session, actor: User, *, key: str, fields: dict,
               now: dt.datetime | None = None) -> Autosave:
    """Keep `fields` (name → value or list of values) as the actor's typed input of form `key`,
    replacing what was kept before. Refused (InvalidInput) when the key or the fields are not
    well-formed, a value holds a control character, or the whole is longer than MAX_CHARS."""
    now, actor, key = as_utc(now), _owner(session, actor), form_key(key)
    text = json.dumps(_judged(fields), ensure_ascii=False, separators=(",", ":"))
    if len(text) > MAX_CHARS:
        raise InvalidInput(TOO_LONG)
    # One statement that inserts or replaces: two first keepings of the same form at once (two
    # tabs, a retried request) cannot both insert and meet on the (person, form) key.
    insert_or_replace(session, Autosave.__table__,
                      {"user_id": actor.id, "form_key": key, "fields": text, "updated_at": now},
                      conflict_columns=["user_id", "form_key"], replacing=["fields", "updated_at"])
    return session.scalar(select(Autosave).where(Autosave.user_id == actor.id,
                                                 Autosave.form_key == key)
                          .execution_options(populate_existing=True))


@command
def drop_typed(session: Session, actor: User, *, key: str) -> bool:
    """Forget the actor's typed input of form `key`; True if there was one. Another person's is
    never touched (there is no way to name it)."""
    actor, key = _owner(session, actor), form_key(key)
    gone = session.execute(delete(Autosave).where(Autosave.user_id == actor.id,
                                                  Autosave.form_key == key))
    return bool(gone.rowcount)
