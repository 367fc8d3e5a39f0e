"""Tracking desk commands: accept or return a report, remind (催办), close a notice, and set a
notice's reminder interval.

A notice closes by itself when every 主送 unit is complete (signed for, or returned as
misdirected and the return answered by the issuer, and every report accepted); a supervisor may close it earlier with a reason, and what
was still outstanding is waived and recorded per unit. Must not: commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.commands._advance import _advance
from workflow.commands.savepoint import command
from workflow.db import MAX_ID, as_utc, insert_once, lock_for_update, takes_row_locks
from workflow.deadlines import LOCAL_TZ, local_date
from workflow.errors import Conflict, InvalidInput, InvalidState
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import Notice, Receipt, Reminder, Report, Unit, User
from workflow.notifications import notify, tell_role, users_holding
from workflow.permissions import Right, demand
from workflow.settings import DEADLINE_BOUNDS
from workflow.states import (
    NoticeAction,
    NoticeState,
    ReceiptState,
    RecipientKind,
    ReportAction,
    ReportState,
    Role,
)

CHANNELS = {"app": "站内", "mail": "邮件", "phone": "电话", "sms": "短信"}
AUTO_CLOSE_NOTE = "全部主送单位均已办结，自动办结"


def _outstanding(notice_id):
    """The SELECTs of the 主送 units not yet complete: receipt pending, or a report not accepted."""
    pending = select(Receipt.unit_id).where(
        Receipt.notice_id == notice_id, Receipt.kind == RecipientKind.MAIN,
        Receipt.state == ReceiptState.PENDING)
    due = select(Report.unit_id).where(
        Report.notice_id == notice_id, Report.state.in_((ReportState.DUE, ReportState.SUBMITTED)))
    return pending, due


def outstanding_units(session: Session, notice_id: int) -> list[int]:
    """主送 units not yet complete: receipt pending, or a report not yet accepted."""
    pending, due = _outstanding(notice_id)
    return sorted(set(session.scalars(pending.union(due))))


# A 主送 unit's return that the issuer has not yet answered (退文处理) keeps the notice open: it
# may yet be sent to another unit (改发) or to the same one again (补发). It is not the unit's to
# do, so it is neither reminded nor waived as the unit's.
_AWAITING_ISSUER = select(Receipt.unit_id).where(
    Receipt.notice_id == bindparam("notice_id"), Receipt.kind == RecipientKind.MAIN,
    Receipt.state == ReceiptState.REJECTED)
# Asked after every acknowledgement and accepted report, so built once: each EXISTS stops at the
# first row it finds (through the (notice_id, state) indexes), however many units there are.
_ANYTHING_OUTSTANDING = select(or_(*(exists(s) for s in (
    *_outstanding(bindparam("notice_id")), _AWAITING_ISSUER))))
_NOTICE_STATE_LOCKED = lock_for_update(
    select(Notice.state).where(Notice.id == bindparam("notice_id")))


def _anything_outstanding(session: Session, notice_id: int) -> bool:
    """Whether any 主送 unit is not yet complete, or its return not yet answered."""
    return bool(session.scalar(_ANYTHING_OUTSTANDING, {"notice_id": notice_id}))


_NOTICE_OF_LOCKED = {model: lock_for_update(select(Notice.state).where(
    Notice.id == select(model.notice_id).where(model.id == bindparam("row_id"))
    .scalar_subquery())) for model in (Receipt, Report)}


def hold_notice_of(session: Session, model, row_id) -> None:
    """Lock the notice a receipt or report (`model`, `row_id`) belongs to, before the row itself.

    Whatever may close a notice takes its locks in one order — the notice, then its receipts and
    reports, then the audit chain's head — as closing by hand does. Signing for the last receipt
    closes the notice too: had it locked the receipt first, it and a supervisor's close at the
    same moment would each hold what the other waits for (PostgreSQL aborts one: a deadlock).
    An id that names nothing locks nothing (loading the row then says NotFound)."""
    if not takes_row_locks(session):  # SQLite: the command holds the whole database already
        return
    if not isinstance(row_id, int) or isinstance(row_id, bool) or not 1 <= row_id <= MAX_ID:
        return
    session.scalar(_NOTICE_OF_LOCKED[model], {"row_id": row_id})


def close_if_complete(session: Session, notice_id: int, *, now: dt.datetime) -> bool:
    """Close the notice (as the engine itself) when no 主送 unit is outstanding.

    The notice's row is locked before anything is counted: of two last acknowledgements at once,
    the second counts after the first has committed, so one of them closes. Only its state is read
    under the lock; the whole row is loaded only when the notice is to close.
    """
    state = session.scalar(_NOTICE_STATE_LOCKED, {"notice_id": notice_id})
    if state is not None and (state != NoticeState.ISSUED
                              or _anything_outstanding(session, notice_id)):
        return False
    notice = get_or_404(session, Notice, notice_id, lock=True, label="公文")
    if notice.state != NoticeState.ISSUED:
        return False
    return _advance(session, None, notice, NoticeAction.CLOSE, now=now, note=AUTO_CLOSE_NOTE,
                    apply=lambda n: setattr(n, "closed_at", now))


def _report(session: Session, report_id: int) -> Report:
    hold_notice_of(session, Report, report_id)  # accepting may close the notice
    return get_or_404(session, Report, report_id, lock=True, label="报告")


def _whose(report: Report) -> dict:
    """What the audit entry of a review names: the unit whose report it was, and the report
    asked for (the actor is the issuer's supervisor, so the trail would not say whose)."""
    return {"unit": report.unit.name, "request": report.request.what}


@command
def accept_report(session: Session, actor: User, *, report_id: int, opinion: str | None = None,
                  expected_version: int | None = None, now: dt.datetime | None = None) -> Report:
    """Accept a unit's report; the notice closes by itself if that was the last thing missing."""
    now, actor = as_utc(now), get_actor(session, actor)
    report = _report(session, report_id)

    def record(r: Report) -> None:
        r.reviewed_at, r.reviewed_by_id = now, actor.id

    _advance(session, actor, report, ReportAction.ACCEPT, now=now, note=opinion, apply=record,
             expected_version=expected_version, on_behalf_of=report.notice.issuer.name,
             details=_whose(report))
    tell_role(session, Role.RECEIVER, [report.unit_id], actor=actor, notice_id=report.notice_id,
              kind="accepted", now=now, message=f"报告“{report.request.what}”已被采纳")
    close_if_complete(session, report.notice_id, now=now)
    return report


@command
def return_report(session: Session, actor: User, *, report_id: int, reason: str,
                  expected_version: int | None = None, now: dt.datetime | None = None) -> Report:
    """Return a unit's report for revision with the reason; it is due again."""
    now, actor = as_utc(now), get_actor(session, actor)
    report = _report(session, report_id)

    def record(r: Report) -> None:
        r.reviewed_at, r.reviewed_by_id, r.return_reason = now, actor.id, clean_text(reason)

    _advance(session, actor, report, ReportAction.RETURN, now=now, note=reason, apply=record,
             expected_version=expected_version, on_behalf_of=report.notice.issuer.name,
             details=_whose(report))
    tell_role(session, Role.RECEIVER, [report.unit_id], actor=actor, notice_id=report.notice_id,
              kind="returned", now=now,
              message=f"报告“{report.request.what}”被退回修改：{clean_text(reason)}")
    return report


@command
def close(session: Session, actor: User, *, notice_id: int, reason: str,
          expected_version: int | None = None, now: dt.datetime | None = None) -> Notice:
    """A supervisor closes a notice; whatever 主送 units still owe is waived and recorded, and
    their receivers are told "已办结，免报"."""
    now, actor = as_utc(now), get_actor(session, actor)
    notice = get_or_404(session, Notice, notice_id, lock=True, label="公文")
    demand(actor, Right.CLOSE_BY_HAND, notice=notice)
    owing = outstanding_units(session, notice_id)
    waived = _unit_names(session, owing)
    _advance(session, actor, notice, NoticeAction.CLOSE, now=now, note=reason,
             apply=lambda n: setattr(n, "closed_at", now), expected_version=expected_version,
             on_behalf_of=notice.issuer.name, details={"waived_units": waived})
    # What they still owed vanished from their desks: they are told why, not left to wonder.
    tell_role(session, Role.RECEIVER, owing, actor=actor, notice_id=notice.id, kind="closed",
              now=now, message=f"{notice.doc_number}《{notice.title}》已办结，免报："
                               f"贵单位尚未办理的签收和上报不再需要。")
    return notice


def _unit_names(session: Session, unit_ids: list[int]) -> list[str]:
    if not unit_ids:
        return []
    return list(session.scalars(select(Unit.name).where(Unit.id.in_(unit_ids)).order_by(Unit.id)))


def reminded_today(session: Session, notice_id: int, unit_ids: list[int] | None, *,
                   now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """The units of `unit_ids` (every outstanding one when None) already reminded of the notice
    today (Asia/Shanghai), by anyone or by the tick: (name, the last reminder's time), by name."""
    targets = outstanding_units(session, notice_id) if unit_ids is None else list(unit_ids)
    if not targets:
        return []
    midnight = dt.datetime.combine(local_date(now), dt.time(), tzinfo=LOCAL_TZ)
    since = midnight.astimezone(dt.UTC).replace(tzinfo=None)
    return [(name, at) for name, at in session.execute(
        select(Unit.name, func.max(Reminder.at)).join(Unit, Unit.id == Reminder.unit_id)
        .where(Reminder.notice_id == notice_id, Reminder.unit_id.in_(targets),
               Reminder.at >= since)
        .group_by(Unit.name).order_by(Unit.name))]


AGAIN_TODAY = "今天已催办过，仍要发送吗？"


@command
def remind(session: Session, actor: User | None, *, notice_id: int,
           unit_ids: list[int] | None = None, channel: str = "app", message: str | None = None,
           dedupe_key: str | None = None, again: bool = False,
           now: dt.datetime | None = None) -> list[Reminder]:
    """催办: remind units (all outstanding ones when `unit_ids` is None) of what they owe.

    Records who reminded whom, when and by which channel, writes the audit entry and tells the
    units' receivers (`send_reminders`, the way the scheduled reminders of `workflow.tick` go
    too). `actor` None is the engine itself. With a `dedupe_key` each unit is reminded under
    that key once only: a repeated call is refused as a Conflict. A person's second 催办 of a
    unit on the same day is sent only when `again` confirms it (three presses in a minute used to
    send three reminders): without it, the refusal says "今天已催办过，仍要发送吗？".
    """
    now, actor = as_utc(now), get_actor(session, actor)
    notice = get_or_404(session, Notice, notice_id, label="公文")
    demand(actor, Right.REMIND, notice=notice)
    if channel not in CHANNELS:
        raise InvalidInput(f"催办方式只能是：{'、'.join(CHANNELS.values())}")
    if notice.state != NoticeState.ISSUED:
        raise InvalidState(f"该公文{notice.state.label}，不能催办")
    outstanding = outstanding_units(session, notice_id)
    if unit_ids is None:
        targets = outstanding
    else:
        not_owing = [u for u in unit_ids if u not in outstanding]
        if not_owing:
            names = "、".join(_unit_names(session, not_owing)) or "、".join(map(str, not_owing))
            raise InvalidInput(f"以下单位没有待办事项，无需催办：{names}")
        targets = list(dict.fromkeys(unit_ids))
    if not targets:
        raise InvalidInput("没有需要催办的单位")
    if actor is not None and not again:
        already = reminded_today(session, notice_id, targets, now=now)
        if already:
            names = "、".join(name for name, _ in already[:5]) + (
                f"等{len(already)}个单位" if len(already) > 5 else "")
            raise Conflict(f"{AGAIN_TODAY}（今天已催办：{names}）", units=len(already))
    text = clean_text(message) or f"请尽快办理：{notice.doc_number} {notice.title}"
    keys = {u: f"{dedupe_key}:{u}" for u in targets} if dedupe_key else None
    reminders = send_reminders(session, actor, notice, {u: text for u in targets},
                               channel=channel, now=now, keys=keys)
    if not reminders:
        raise Conflict("该催办已经发出，不再重复发送")
    return reminders


def send_reminders(session: Session, actor: User | None, notice: Notice,
                   messages: dict[int, str], *, channel: str, now: dt.datetime,
                   keys: dict[int, str] | None = None,
                   details: dict | None = None) -> list[Reminder]:
    """The one way a 催办 goes out, by a supervisor or by the tick: a Reminder per unit, one audit
    entry (notice.REMIND) naming the units reminded, and a notification to their receivers.

    `messages` maps each unit to what it is told. A unit with a key in `keys` (a scheduled
    reminder) is written with an insert that skips an existing key, so that of several ticks
    racing for the same reminder only one writes it: the others write nothing at all — no
    reminder, no audit entry, no notification. Callers check permission and state first.
    """
    keys = keys or {}
    by_user = actor.id if actor is not None else None
    rows = [{"notice_id": notice.id, "unit_id": unit_id, "by_user_id": by_user, "at": now,
             "channel": channel, "message": text, "dedupe_key": keys.get(unit_id)}
            for unit_id, text in messages.items()]
    unkeyed = [row for row in rows if row["dedupe_key"] is None]
    if unkeyed:  # a supervisor's 催办 to every outstanding unit: one statement, however many
        session.execute(insert(Reminder), unkeyed)
    written = [row["unit_id"] for row in unkeyed]
    written += [row["unit_id"] for row in rows
                if row["dedupe_key"] is not None and insert_once(session, Reminder.__table__, row)]
    if not written:
        return []
    reminders = list(session.scalars(
        select(Reminder).where(Reminder.notice_id == notice.id, Reminder.at == now,
                               Reminder.unit_id.in_(written)).order_by(Reminder.id)))
    texts = list(dict.fromkeys(messages[u] for u in written))
    audit.append(session, actor=actor, action="notice.REMIND", object_type="notice",
                 object_id=notice.id, notice_id=notice.id, state_before=notice.state.name,
                 state_after=notice.state.name, on_behalf_of=notice.issuer.name,
                 note="\n".join(texts),
                 details={"channel": channel, "units": _unit_names(session, written),
                          **(details or {})}, at=now)
    for text in texts:
        units = [u for u in written if messages[u] == text]
        notify(session, users_holding(session, Role.RECEIVER, units), actor=actor,
               notice_id=notice.id,
               kind="reminder", message=f"催办：{text}", now=now)
    return reminders


@command
def set_remind_interval(session: Session, actor: User, *, notice_id: int,
                        every_days: int | None, expected_version: int | None = None,
                        now: dt.datetime | None = None) -> Notice:
    """Set how often (in working days) the tick reminds the units of a notice once a deadline
    has passed; None returns to the deadline policy's interval."""
    now, actor = as_utc(now), get_actor(session, actor)
    notice = get_or_404(session, Notice, notice_id, lock=True, label="公文")
    demand(actor, Right.SET_REMIND_INTERVAL, notice=notice)  # who first
    if notice.state != NoticeState.ISSUED:
        raise InvalidState(f"该公文{notice.state.label}，不再催办")
    low, high, _ = DEADLINE_BOUNDS["remind_every_days"]
    if every_days is not None and (isinstance(every_days, bool) or not isinstance(every_days, int)
                                   or not low <= every_days <= high):
        raise InvalidInput(f"催办间隔应在 {low} 到 {high} 个工作日之间")
    if expected_version is not None and notice.version != expected_version:
        raise Conflict()
    before = notice.remind_every_days
    if before == every_days:
        raise InvalidInput("催办间隔没有变化")
    notice.remind_every_days = every_days
    session.flush()
    audit.append(session, actor=actor, action="notice.SET_REMIND_INTERVAL", object_type="notice",
                 object_id=notice.id, notice_id=notice.id, state_before=notice.state.name,
                 state_after=notice.state.name, on_behalf_of=notice.issuer.name,
                 details={"before": before, "after": every_days}, at=now)
    return notice
