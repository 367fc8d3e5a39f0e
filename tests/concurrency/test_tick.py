"""Three `flask --app wsgi tick` started at once — cron on three hosts — on notices whose units are
overdue in signing for receipt, and on 收文 whose 办理时限 is today inside a unit: every reminder is
sent once, by one of them, and the others write nothing for it (no second reminder, audit entry
or notification).

The command runs at the real time of the machine, so the world is set up around today: the
notices were issued three weeks ago (their receipt deadline long past), and today is made a
working day in the calendar (a tick sends nothing on a day off).

On PostgreSQL the three really race: the test holds the audit chain's head until all three are
waiting for a lock, so that each has read that nothing was sent and the dedupe key alone decides.
SQLite lets one writer in at a time: there the ticks line up, and the later ones find the
reminders already sent.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.concurrency import assert_everything_holds
from tests.factories import AUDIT_KEY, build_world
from workflow import commands as c
from workflow.commands.calendar import set_calendar_day
from workflow.db import lock_for_update, utcnow
from workflow.deadlines import local_date
from workflow.models import (
    AuditEntry,
    AuditHead,
    IncomingReminder,
    Notice,
    Notification,
    Reminder,
)
from workflow.states import NoticeState as NS
from workflow.states import Role

ROOT = Path(__file__).resolve().parents[2]
TICKS, NOTICES, UNITS, INCOMING = 3, 40, 3, 10


def flask_tick(database_url: str, instance: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGWEN_", "FLASK_"))}
    env.update(DATABASE_URL=database_url, GONGWEN_INSTANCE_PATH=str(instance),
               GONGWEN_AUDIT_KEY=AUDIT_KEY)
    return subprocess.Popen([str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "tick"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_until_blocked(session, n: int, timeout: float = 120) -> None:
    """Until `n` other sessions of the database wait for a lock (PostgreSQL)."""
    deadline = time.monotonic() + timeout
    query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND wait_event_type = 'Lock'")
    with session.get_bind().connect() as probe:
        while probe.scalar(query) < n:
            assert time.monotonic() < deadline, f"the ticks did not all get going in {timeout} s"
            probe.rollback()
            time.sleep(0.05)


@pytest.mark.slow
def test_three_flask_ticks_started_at_once_send_every_reminder_once(
        database_url, engine, session_factory, tmp_path):
    now = utcnow()
    issued_at = now - dt.timedelta(days=21)
    with session_factory() as s:
        world = build_world(s, review_required=False, districts=UNITS)
        set_calendar_day(s, None, day=local_date(now), is_workday=True, note="并发催办测试")
        notice_ids = []
        for i in range(NOTICES):
            notice = c.create_draft(s, world.drafter, title=f"关于第{i + 1}项工作的通知",
                                    body="请各区妇联抓好落实。", main_group_ids=[world.group.id],
                                    now=issued_at)
            c.submit(s, world.drafter, notice_id=notice.id, now=issued_at)
            c.sign(s, world.signatory, notice_id=notice.id, opinion="同意印发", now=issued_at)
            c.issue(s, world.clerk, notice_id=notice.id, now=issued_at)
            notice_ids.append(notice.id)
        districts = {u.id for u in world.districts}
        incoming_ids, owed = in_hand_due_today(s, world, since=issued_at, today=local_date(now))
        s.commit()
    engine.dispose()

    ticks = []
    try:
        with session_factory() as s:
            if s.get_bind().dialect.name == "postgresql":
                # Hold the audit chain's head, which every tick needs to record its reminders:
                # all three read that nothing was sent and insert their reminders before any
                # of them can commit — the race of three hosts, made certain.
                s.execute(lock_for_update(select(AuditHead)))
            ticks = [flask_tick(database_url, tmp_path / "instance") for _ in range(TICKS)]
            if s.get_bind().dialect.name == "postgresql":
                wait_until_blocked(s, TICKS)
            s.rollback()
        results = [tick.communicate(timeout=180) for tick in ticks]
    finally:
        for tick in ticks:
            if tick.poll() is None:
                tick.kill()
                tick.wait()
    for tick, (out, err) in zip(ticks, results, strict=True):
        assert tick.returncode == 0, out + err
        assert "Traceback" not in err, err

    with session_factory() as s:
        reminded = s.execute(select(Reminder.notice_id, Reminder.unit_id)).all()
        assert Counter(reminded) == Counter(
            {(n, u): 1 for n in notice_ids for u in districts})  # each once, none missing
        units_by_entry = Counter()
        for notice_id, details in s.execute(select(AuditEntry.notice_id, AuditEntry.details)
                                            .where(AuditEntry.action == "notice.REMIND")):
            units_by_entry.update((notice_id, name) for name in details["units"])
        assert sorted(units_by_entry.values()) == [1] * NOTICES * UNITS  # no unit twice
        inside = s.execute(select(IncomingReminder.incoming_id, IncomingReminder.user_id)).all()
        assert Counter(inside) == Counter({(i, u): 1 for i in incoming_ids for u in owed})
        users_by_entry = Counter()
        for incoming_id, details in s.execute(select(AuditEntry.object_id, AuditEntry.details)
                                              .where(AuditEntry.action == "incoming.REMIND")):
            users_by_entry.update((incoming_id, user) for user in details["users"])
        assert sorted(users_by_entry.values()) == [1] * INCOMING * len(owed)
        assert s.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "reminder")) == NOTICES * UNITS + INCOMING * len(owed)
        assert {n.state for n in s.scalars(select(Notice))} == {NS.ISSUED}
        s.rollback()
    assert_everything_holds(session_factory)


def in_hand_due_today(s, world, *, since: dt.datetime, today: dt.date) -> tuple[list[int], list]:
    """District 1 registered INCOMING 收文 three weeks ago; each is in its 承办人's hands, due
    today, with a copy unread by a vice chair. Returns their ids and the two people owed a
    reminder of each (the 承办人 and the reader)."""
    d1 = world.districts[0]
    people = {}
    for username, role in (("office_head", Role.PROPOSER), ("chair", Role.INSTRUCTOR),
                           ("handler", Role.HANDLER), ("vice_chair", None)):
        people[username] = c.create_user(s, None, username=username, display_name=username,
                                         unit_id=d1.id)
        if role is not None:
            c.grant_role(s, None, user_id=people[username].id, role=role, unit_id=d1.id)
    ids = []
    for i in range(INCOMING):
        incoming = c.register_external(s, world.receiver1, unit_id=d1.id,
                                       source_organ="示范市教育局", title=f"关于第{i + 1}项工作的函",
                                       received_on=local_date(since), now=since)
        c.propose(s, people["office_head"], incoming_id=incoming.id, kind="TO_HANDLE",
                  lead_unit_id=d1.id, lead_person_id=people["handler"].id, deadline=today,
                  now=since)
        c.instruct(s, people["chair"], incoming_id=incoming.id, instruction="请办理", now=since)
        c.circulate(s, people["chair"], incoming_id=incoming.id,
                    reader_ids=[people["vice_chair"].id], now=since)
        ids.append(incoming.id)
    return ids, [people["handler"].id, people["vice_chair"].id]
