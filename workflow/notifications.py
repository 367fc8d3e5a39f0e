"""Who is told what: notification rows, and their mail, written in the acting transaction.

Owns: choosing the users to tell (by role within units); writing one notification each, with the
place where that person acts on it (a `workflow.places.Target`), and one mail in the outbox for
each of them who has an email address — all in bulk (a notice issued to a thousand units is a constant handful of
statements), and all in the caller's transaction, so that a refused command leaves neither.
Must not: send anything (mail leaves the process only after commit, in `workflow.mail`).

Targets name a place of work and its object, never a page: the web layer turns them into links.
They are derived here from the notice's state, the person's role and, for receivers, their unit's
receipt, so that the commands need not know places; a caller that knows better (one report among
several) passes `target`.

Done tasks clear themselves: `settle_tasks`, called by `_advance` with every move, marks read the
notifications that asked for what the move has done, whoever did it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import and_, bindparam, insert, literal, select, update
from sqlalchemy.orm import Session

from workflow.models import (
    Circulation,
    Incoming,
    MailMessage,
    MailStatus,
    Notice,
    Notification,
    Receipt,
    Report,
    RoleGrant,
    User,
)
from workflow.places import Place, Target
from workflow.states import CirculationState, NoticeState, ReceiptState, Role

# The kinds of notification the commands write, as a person reads them.
KINDS = {
    "task": "待办",
    "returned": "退回",
    "rejected": "误送退回",
    "return_handled": "退文处理结果",
    "closed": "已办结",
    "accepted": "已采纳",
    "reminder": "催办",
    "revoked": "撤销",
    "abolished": "废止",
    "anchor": "审计锚点",
    "account": "账号安全",
}

SUBJECT_PREFIX = "【公文流转】"
SUBJECT_LENGTH = 60  # characters of the message in a subject line

# The place where a role acts on a notice in a state; anything else leads to the notice itself.
_ROLE_PLACES = {
    (Role.DRAFTER, NoticeState.DRAFT): Place.DRAFT,
    (Role.DRAFTER, NoticeState.SIGNED): Place.AMEND,
    (Role.REVIEWER, NoticeState.IN_REVIEW): Place.SIGNOFF,
    (Role.SIGNATORY, NoticeState.IN_REVIEW): Place.SIGNOFF,
    (Role.SIGNATORY, NoticeState.AWAITING_SIGNOFF): Place.SIGNOFF,
    (Role.CLERK, NoticeState.SIGNED): Place.ISSUE,
    (Role.SUPERVISOR, NoticeState.ISSUED): Place.TRACK,
}
# Whom `notify` (which is not told a role) is telling, judged by what the notice awaits.
_ROLE_AWAITED = {
    NoticeState.DRAFT: Role.DRAFTER,
    NoticeState.IN_REVIEW: Role.REVIEWER,
    NoticeState.AWAITING_SIGNOFF: Role.SIGNATORY,
    NoticeState.SIGNED: Role.CLERK,
    NoticeState.ISSUED: Role.RECEIVER,
    NoticeState.CLOSED: Role.RECEIVER,
}
# Above this many rows SQLite's limit on bound parameters splits an INSERT anyway.
_ONE_STATEMENT = 100_000


# Built once: it runs in every 签收 (the unit's 拟办人 are told), under the write lock.
_HOLDING = (select(RoleGrant.user_id).distinct()
            .join(User, User.id == RoleGrant.user_id)
            .where(RoleGrant.role == bindparam("role"),
                   RoleGrant.unit_id.in_(bindparam("units", expanding=True)),
                   User.active.is_(True))
            .order_by(RoleGrant.user_id))


def users_holding(session: Session, role: Role, unit_ids: Iterable[int]) -> list[int]:
    """Ids of active users who hold `role` in any of `unit_ids`."""
    unit_ids = sorted(set(unit_ids))
    if not unit_ids:
        return []
    return list(session.scalars(_HOLDING, {"role": role, "units": unit_ids}))


def notify(session: Session, user_ids: Iterable[int], *, actor: User | None,
           notice_id: int | None, kind: str, message: str, now: dt.datetime,
           role: Role | None = None, target: Target | None = None) -> int:
    """Write one notification per user, and the mail of those with an address; returns how many
    notifications. The actor (None: the engine itself) is never told of their own action: a
    receiver who is also the issuer's 督办 does not get "please check" for the report they just
    submitted. `actor` has no default, so that no caller can forget it."""
    users = [uid for uid in dict.fromkeys(user_ids) if actor is None or uid != actor.id]
    if not users:
        return 0
    notice = session.get(Notice, notice_id) if notice_id is not None else None
    targets = _targets(session, users, notice=notice, kind=kind, role=role, target=target)
    rows = [
        {"user_id": uid, "notice_id": notice_id, "kind": kind, "message": message,
         "created_at": now, "target": targets.get(uid)}
        for uid in users
    ]
    table = Notification.__table__  # through the table: the rows are not wanted as objects
    ids = list(session.scalars(
        insert(table).returning(table.c.id)
        .execution_options(insertmanyvalues_page_size=_ONE_STATEMENT), rows))
    _queue_mail(session, ids, subject=subject_of(message), body=mail_body(message, notice),
                now=now)
    return len(rows)


def tell_role(session: Session, role: Role, unit_ids: Iterable[int], *, actor: User | None,
              notice_id: int | None, kind: str, message: str, now: dt.datetime,
              target: Target | None = None) -> int:
    """Notify everyone holding `role` in `unit_ids` but the actor."""
    return notify(session, users_holding(session, role, unit_ids), actor=actor,
                  notice_id=notice_id, kind=kind, message=message, now=now, role=role,
                  target=target)


def subject_of(message: str) -> str:
    """The mail's subject: the product's name and the message's first line, shortened."""
    line = message.strip().splitlines()[0] if message.strip() else ""
    if len(line) > SUBJECT_LENGTH:
        line = line[:SUBJECT_LENGTH - 1] + "…"
    return SUBJECT_PREFIX + line


def mail_body(message: str, notice: Notice | None) -> str:
    """The mail's text before the greeting and the link: the message and the notice it is about."""
    if notice is None:
        return message
    number = f"{notice.doc_number} " if notice.doc_number else ""
    return f"{message}\n\n相关公文：{number}《{notice.title}》"


def _queue_mail(session: Session, notification_ids: list[int], *, subject: str, body: str,
                now: dt.datetime) -> None:
    """One outbox row per new notification whose active user has an address: one INSERT … SELECT."""
    status_type = MailMessage.__table__.c.status.type
    chosen = (
        select(Notification.user_id, Notification.id, User.email, User.display_name,
               literal(subject), literal(body), Notification.target, literal(now),
               literal(MailStatus.PENDING, status_type), literal(0), literal(now))
        .join(User, User.id == Notification.user_id)
        .where(Notification.id.in_(notification_ids), User.active.is_(True),
               and_(User.email.is_not(None), User.email != ""))
    )
    session.execute(insert(MailMessage).from_select(
        ["user_id", "notification_id", "to_addr", "to_name", "subject", "body", "target",
         "created_at", "status", "attempts", "next_attempt_at"], chosen))


def _targets(session: Session, users: list[int], *, notice: Notice | None, kind: str,
             role: Role | None, target: Target | None) -> dict[int, str]:
    """Each user's target, as stored: the one given, or where their role acts on the notice now."""
    if target is not None:
        return dict.fromkeys(users, str(target))
    if notice is None:
        return {}
    role = role or _ROLE_AWAITED.get(notice.state)
    fallback = Target(Place.NOTICE, notice.id)
    if role == Role.RECEIVER and notice.state in (NoticeState.ISSUED, NoticeState.CLOSED):
        units = _receiving_units(session, notice.id)
        return {uid: str(_receiving_target(units.get(uid), kind) or fallback) for uid in users}
    place = _ROLE_PLACES.get((role, notice.state))
    return dict.fromkeys(users, str(Target(place, notice.id) if place else fallback))


def _receiving_units(session: Session, notice_id: int) -> dict[int, tuple[int, ReceiptState]]:
    """For each receiver of the notice's recipient units: their unit and its receipt's state,
    a pending receipt first (one statement, however many units)."""
    found: dict[int, tuple[int, ReceiptState]] = {}
    for user_id, unit_id, state in session.execute(
        select(RoleGrant.user_id, Receipt.unit_id, Receipt.state)
        .join(Receipt, Receipt.unit_id == RoleGrant.unit_id)
        .where(Receipt.notice_id == notice_id, RoleGrant.role == Role.RECEIVER)
        .order_by(RoleGrant.user_id, Receipt.unit_id)
    ):
        if user_id not in found or (state == ReceiptState.PENDING
                                    and found[user_id][1] != ReceiptState.PENDING):
            found[user_id] = (unit_id, state)
    return found


def _receiving_target(unit: tuple[int, ReceiptState] | None, kind: str) -> Target | None:
    """The 收文 desk at the unit's section: to sign for it, or where its reports are due."""
    if unit is None:
        return None
    unit_id, state = unit
    if state == ReceiptState.PENDING:
        return Target(Place.SIGN_FOR, unit_id)
    if state == ReceiptState.ACKNOWLEDGED and kind != "accepted":
        return Target(Place.REPORT_DUE, unit_id)
    return None


# ----------------------------------------------------------------------------------------------
# Done tasks clear themselves: a notification that asked someone to act is marked read once the
# act is done, by whoever did it (a second 督办 checking the report, the engine closing the notice).

# The kinds that ask for an act (a 催办 asks for what the unit owes: it ends with the notice).
TASK_KINDS = ("task", "returned", "rejected")
_NOTICE_ENDED = (NoticeState.ARCHIVED, NoticeState.REVOKED, NoticeState.ABOLISHED,
                 NoticeState.CANCELLED)


def settle_tasks(session: Session, row, before, cascaded: list[dict], *,
                 now: dt.datetime) -> int:
    """Mark read the unread task notifications that `row`'s move from `before` has done; the
    units `cascaded` names (a close's 免办, a revocation's 失效) are done with theirs too.
    Returns how many were cleared. Called by `_advance`, in the acting transaction."""
    where = _done_by(session, row, before, cascaded)
    if where is None:
        return 0
    result = session.execute(
        update(Notification).where(Notification.read_at.is_(None), where)
        .values(read_at=now).execution_options(synchronize_session=False))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Notification):
            session.expire(obj)
    return result.rowcount


def _done_by(session: Session, row, before, cascaded: list[dict]):
    """The WHERE clause of the notifications `row`'s move has done, or None."""
    task = Notification.kind.in_(TASK_KINDS)
    if isinstance(row, Notice):
        if row.state in _NOTICE_ENDED:  # nothing about it is anyone's to do any more
            return and_(Notification.notice_id == row.id,
                        Notification.kind.in_((*TASK_KINDS, "reminder")))
        targets = {Target(place, row.id) for (_, state), place in _ROLE_PLACES.items()
                   if state == before}
        units = {u for c in cascaded for u in c["unit_ids"]}
        targets |= {Target(place, u) for u in units for place in (Place.SIGN_FOR, Place.REPORT_DUE)}
        if not targets:
            return None
        return and_(Notification.notice_id == row.id, task,
                    Notification.target.in_(sorted(map(str, targets))))
    if isinstance(row, Receipt):
        targets = {Target(Place.SIGN_FOR, row.unit_id)} if before == ReceiptState.PENDING else set()
        if before == ReceiptState.REJECTED:
            targets.add(Target(Place.HANDLE_RETURN, row.id))
        if not targets:
            return None
        return and_(Notification.notice_id == row.notice_id, task,
                    Notification.target.in_(sorted(map(str, targets))))
    if isinstance(row, Report):
        if row.state == before:
            return None
        return and_(task, Notification.target == str(Target(Place.CHECK_REPORT, row.id)))
    if isinstance(row, Incoming):
        # The unit's tasks on the 收文 (拟办, 批办, 承办), not a reader's copy still to read.
        reading = select(Circulation.reader_id).where(
            Circulation.incoming_id == row.id, Circulation.state == CirculationState.PENDING)
        return and_(task, Notification.target == str(Target(Place.INCOMING, row.id)),
                    Notification.user_id.not_in(reading))
    if isinstance(row, Circulation) and row.state != CirculationState.PENDING:
        return and_(task, Notification.target == str(Target(Place.INCOMING, row.incoming_id)),
                    Notification.user_id == row.reader_id)
    return None
