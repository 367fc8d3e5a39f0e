"""The one choke point through which every state change passes, and what every command shares.

Owns: `_advance()` — in the caller's transaction it checks the expected version, the state, the
permission, the reason and the guards, fires the machine, applies the command's field changes,
carries the cascades to child rows (in bulk), and writes the audit entry — and `command`, the
decorator that runs each command inside a SAVEPOINT, so that a refused command leaves the
session exactly as it was. Must not: commit, or send anything out of the process.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workflow import audit, lifecycle
from workflow.db import as_utc, lock_for_update
from workflow.errors import Conflict, InvalidInput, InvalidState, NotFound
from workflow.models import Notice, Receipt, Report, User
from workflow.permissions import lifecycle_of, require
from workflow.states import RecipientKind

_CHILD_MODELS = {"receipt": Receipt, "report": Report}
_OBJECT_TYPES = {Notice: "notice", Receipt: "receipt", Report: "report"}


def command(fn: Callable) -> Callable:
    """Run a command in a SAVEPOINT: on any error the session is as it was before the call.

    Lost updates (StaleDataError) and unique-constraint races (IntegrityError) become Conflict.
    """

    @functools.wraps(fn)
    def wrapper(session: Session, *args, **kwargs):
        try:
            with session.begin_nested():
                result = fn(session, *args, **kwargs)
                session.flush()
                return result
        except StaleDataError as error:
            raise Conflict() from error
        except IntegrityError as error:
            raise Conflict("数据已被他人修改或编号已被占用，请刷新后重试") from error

    return wrapper


def clean_text(value: str | None) -> str:
    """A form value without surrounding whitespace; None becomes ""."""
    return (value or "").strip()


def get_or_404(session: Session, model, object_id, *, lock: bool = False, label: str = "记录",
               options: tuple = ()):
    """Load a row by id (with the loader `options` given), or raise NotFound with a message
    naming what was sought."""
    if not isinstance(object_id, int) or isinstance(object_id, bool):
        raise NotFound(f"找不到该{label}（编号无效：{object_id!r}）")
    row = session.scalar(_by_id(model, lock, options), {"id": object_id})
    if row is None:
        raise NotFound(f"找不到编号为 {object_id} 的{label}")
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


def _advance(
    session: Session,
    actor: User | None,
    row,
    action,
    *,
    now: dt.datetime,
    note: str | None = None,
    on_behalf_of: str | None = None,
    details: dict | None = None,
    expected_version: int | None = None,
    apply: Callable[[object], None] | None = None,
) -> bool:
    """Move `row` by `action`. Returns False when an idempotent action found it already done."""
    lc: lifecycle.Lifecycle = lifecycle_of(row)
    # Who first: someone who may never take this action on this row learns nothing more about
    # it (not its version, not its state) than that they may not.
    require(actor, row, action)
    if expected_version is not None and row.version != expected_version and not any(
        # A repeated idempotent action (a double-clicked 签收 sends the same form, with the
        # same version, twice) finds its own work done: that is not someone else's conflict.
        r.idempotent and r.action == action and r.dest == row.state for r in lc.rules
    ):
        raise Conflict()
    rule = lc.rule_for(row, action)
    if rule.idempotent and row.state == rule.dest:
        return False
    require(actor, row, action, rule)
    note = clean_text(note) or None
    if rule.reason_required and note is None:
        raise InvalidInput(f"{action.label}必须说明理由")
    before = row.state
    # The command's own field changes come first, so that the guards judge the result: an
    # amendment after sign-off is checked as amended, not as it was. A refusal after this point
    # is undone with the command's SAVEPOINT.
    # No autoflush while the guards load what they read: one versioned UPDATE per transition.
    with session.no_autoflush:
        if apply is not None:
            apply(row)
        failed = lc.failed_guard(rule, row)
        if failed is not None:
            raise InvalidState(failed.message, guard=failed.name)
        lc.fire(row, action)
    if isinstance(row, Notice):
        row.last_action = action
        row.updated_at = now
    session.flush()  # the versioned UPDATE: a concurrent change raises StaleDataError here

    cascaded = [_cascade(session, row, c) for c in rule.cascades]
    entry_details = dict(details or {})
    if cascaded := [c for c in cascaded if c["count"]]:
        entry_details["cascades"] = cascaded
    notice_id = row.id if isinstance(row, Notice) else row.notice_id
    audit.append(
        session,
        actor=actor,
        action=f"{lc.name}.{action.name}",
        object_type=_OBJECT_TYPES[type(row)],
        object_id=row.id,
        notice_id=notice_id,
        state_before=before.name,
        state_after=row.state.name,
        on_behalf_of=on_behalf_of,
        note=note,
        details=entry_details,
        at=now,
    )
    return True


def _cascade(session: Session, row, cascade: lifecycle.Cascade) -> dict:
    """Move the children that `cascade` names, in one UPDATE; report which units were touched."""
    model = _CHILD_MODELS[cascade.child]
    where = [model.state.in_(cascade.sources)]
    if isinstance(row, Notice):
        where.append(model.notice_id == row.id)
    else:
        where.append(model.notice_id == row.notice_id)
    if cascade.scope == "unit":
        where.append(model.unit_id == row.unit_id)
    if cascade.scope == "main" and model is Receipt:
        where.append(Receipt.kind == RecipientKind.MAIN)
    touched = session.execute(select(model.id, model.unit_id).where(*where)).all()
    if touched:
        session.execute(
            update(model).where(*where)
            .values(state=cascade.dest, version=model.version + 1)
            .execution_options(synchronize_session=False)
        )
        for obj in list(session.identity_map.values()):
            if isinstance(obj, model):
                session.expire(obj)
    return {
        "child": cascade.child,
        "action": cascade.action.name,
        "to": cascade.dest.name,
        "count": len(touched),
        "unit_ids": sorted({unit_id for _, unit_id in touched}),
    }


def moment(now: dt.datetime | None) -> dt.datetime:
    """A command's `now` as naive UTC (the current time when None)."""
    return as_utc(now)
