"""The one choke point through which every state change passes, and nothing else.

Owns: `_advance()` — in the caller's transaction it checks the person first, then the expected
version, the state, the reason and the guards (each judged once), applies the command's field
changes, fires the machine, carries the cascades to child rows (in bulk), moves the counters of
the 转发 tree (`forward_counts`), marks read the notifications of the tasks the move has done
(`notifications.settle_tasks`), and writes the audit entry. What every command shares lives in
homes of its own: `commands.savepoint.command`,
`loading.get_or_404`, `inputs.clean_text`, `db.as_utc`. Must not: commit, or send anything out of
the process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workflow import audit, lifecycle, notifications
from workflow.commands.forward_counts import Watch
from workflow.conflicts import stale
from workflow.errors import InvalidInput, InvalidState
from workflow.inputs import clean_text
from workflow.models import Circulation, Incoming, Notice, Receipt, Report, User
from workflow.permissions import lifecycle_of, require
from workflow.states import RecipientKind

_CHILD_MODELS = {"receipt": Receipt, "report": Report}
_OBJECT_TYPES = {Notice: "notice", Receipt: "receipt", Report: "report", Incoming: "incoming",
                 Circulation: "circulation"}


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
    digest: Callable[[Session, int], str] | None = None,
) -> bool:
    """Move `row` by `action`. Returns False when an idempotent action found it already done.

    `digest(session, row.id)`, for an action that fixes content (`workflow.digests`), is taken
    after the command's changes are written and recorded in the audit entry."""
    lc: lifecycle.Lifecycle = lifecycle_of(row)
    # Who first: someone who may never take this action on this row learns nothing more about
    # it (not its version, not its state) than that they may not.
    require(actor, row, action)
    if expected_version is not None and row.version != expected_version and not any(
        # A repeated idempotent action (a double-clicked 签收 sends the same form, with the
        # same version, twice) finds its own work done: that is not someone else's conflict.
        r.idempotent and r.action == action and r.dest == row.state for r in lc.rules
    ):
        raise stale(session, _OBJECT_TYPES[type(row)], row.id)  # says what happened since
    rule = lc.rule_for(row, action)
    if rule.idempotent and row.state == rule.dest:
        return False
    require(actor, row, action, rule)
    note = clean_text(note, label="理由") or None
    if rule.reason_required and note is None:
        raise InvalidInput(f"{action.label}必须说明理由")
    before = row.state
    # A 转发's counters (and those above it) follow the change: the share before it is read
    # now, the difference added after the cascades, before the audit chain's head is locked.
    watch = Watch.of(session, row)
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
    if watch is not None:
        watch.settle()
    # What the move has done is nobody's task any more: its notifications clear themselves.
    notifications.settle_tasks(session, row, before, cascaded, now=now)
    entry_details = dict(details or {})
    if cascaded := [c for c in cascaded if c["count"]]:
        entry_details["cascades"] = cascaded
    if isinstance(row, Notice):
        notice_id = row.id
    elif isinstance(row, Circulation):
        notice_id = row.incoming.notice_id
    else:
        notice_id = row.notice_id
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
        digest=digest(session, row.id) if digest is not None else None,
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
