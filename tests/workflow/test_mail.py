"""The mail sender against a real SMTP server on loopback (aiosmtpd): what arrives, what a refusal
does, and that a sender killed halfway or two senders at once neither lose nor double a message.

The server counts only the messages it answered 250 to (tests/mailbox.py).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import String, cast, select, update

from tests.factories import add_units_with_receivers, at
from tests.mailbox import WAIT, SmtpServer, free_port
from workflow.db import read_only, utcnow
from workflow.mail import DeliveryReport, MailSettings, deliver, retry_delay
from workflow.models import MailMessage, MailStatus, User
from workflow.notifications import notify
from workflow.places import Place, Target

ROOT = Path(__file__).resolve().parents[2]
SITE = "https://gongwen.example.org"
# What the web layer's map answers for the places these mails name (the engine knows no pages).
PAGES = {"sign_for:1": "/receiving/#sign-1", "sign_for:7": "/receiving/#sign-7"}
SIGN_FOR_1 = Target(Place.SIGN_FOR, 1)
MINUTE = dt.timedelta(minutes=1)


def settings_for(server: SmtpServer | None, **overrides) -> MailSettings:
    values = dict(host="127.0.0.1", port=server.port if server else free_port(), base_url=SITE,
                  pages=PAGES.get, sender="公文流转 <gongwen@example.org>", helo_name="localhost", timeout=10)
    return MailSettings(**{**values, **overrides})


def queue(session, world, n: int, *, message: str = "待签收：示妇发〔2016〕1号 关于开展调研的通知",
          target: Target | None = SIGN_FOR_1) -> list[int]:
    """`n` people with an address, each told `message` once; the ids of their mails."""
    units = add_units_with_receivers(session, world, "邮", n)
    users = list(session.scalars(select(User.id).where(User.unit_id.in_(units))
                                 .order_by(User.id)))
    session.execute(update(User).where(User.id.in_(users))
                    .values(email="user" + cast(User.id, String) + "@example.org"))
    notify(session, users, actor=None, notice_id=None, kind="task", message=message, now=at(0), target=target)
    ids = list(session.scalars(select(MailMessage.id).order_by(MailMessage.id)))
    session.commit()  # and hold no transaction: the senders need the write lock
    return ids


def statuses(session_factory) -> dict[int, MailMessage]:
    with session_factory() as s:
        read_only(s)
        return {m.id: m for m in s.scalars(select(MailMessage))}


# ------------------------------------------------------------------------------------------------
# What arrives.


def test_a_mail_arrives_with_its_subject_recipient_chinese_body_absolute_link_and_message_id(
        world, session, session_factory):
    world.receiver1.email = "zhang@example.org"
    world.receiver1.display_name = "张敏"
    notify(session, [world.receiver1.id], actor=None, notice_id=None, kind="task",
           message="待签收：示妇发〔2016〕1号 关于开展调研的通知", now=at(0),
           target=Target(Place.SIGN_FOR, 7))
    [mail_id] = session.scalars(select(MailMessage.id))
    session.commit()
    with SmtpServer() as server:
        report = deliver(session_factory, settings_for(server), now=at(1))
    assert (report.sent, report.retry_later, report.failed) == (1, 0, 0)
    [arrived] = server.mailbox.accepted
    mail = arrived.message
    assert arrived.recipients == ["zhang@example.org"] and arrived.sender == "gongwen@example.org"
    assert mail["Subject"] == "【公文流转】待签收：示妇发〔2016〕1号 关于开展调研的通知"
    assert mail["To"].addresses[0].display_name == "张敏"
    assert mail["To"].addresses[0].addr_spec == "zhang@example.org"
    assert mail["From"].addresses[0].display_name == "公文流转"
    assert mail["Message-ID"] == f"<gongwen.{mail_id}@example.org>"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_content_charset() == "utf-8"
    body = mail.get_content()
    assert body.startswith("张敏，您好：")
    assert "示妇发〔2016〕1号 关于开展调研的通知" in body
    assert f"{SITE}/receiving/#sign-7" in body.split()
    row = statuses(session_factory)[mail_id]
    assert row.status == MailStatus.SENT and row.sent_at == at(1) and row.attempts == 1
    assert row.message_id == mail["Message-ID"] and row.claim_token is None


def test_a_second_run_sends_nothing_again(world, session, session_factory):
    queue(session, world, 3)
    with SmtpServer() as server:
        first = deliver(session_factory, settings_for(server), now=at(1))
        second = deliver(session_factory, settings_for(server), now=at(2))
    assert first.sent == 3 and str(second) == str(DeliveryReport())
    assert len(server.mailbox.accepted) == 3


def test_a_mail_without_a_link_points_at_the_site(world, session, session_factory):
    queue(session, world, 1, target=None)
    with SmtpServer() as server:
        deliver(session_factory, settings_for(server, base_url=SITE + "/"), now=at(1))
    body = server.mailbox.accepted[0].message.get_content()
    assert f"{SITE}/" in body.split() and "请登录公文流转系统查看" in body


# ------------------------------------------------------------------------------------------------
# Refusals.


def test_a_temporary_refusal_is_retried_after_1_then_2_minutes_then_given_up(
        world, session, session_factory):
    [mail_id] = queue(session, world, 1)
    with SmtpServer() as server:
        server.mailbox.refuse_data = "451 4.3.0 请稍后再试"
        settings = settings_for(server, max_attempts=3)
        first = deliver(session_factory, settings, now=at(1))
        assert (first.sent, first.retry_later, first.failed) == (0, 1, 0)
        row = statuses(session_factory)[mail_id]
        assert (row.status, row.attempts) == (MailStatus.PENDING, 1)
        assert row.next_attempt_at == at(1) + MINUTE and "451" in row.last_error

        early = deliver(session_factory, settings, now=at(1) + MINUTE - dt.timedelta(seconds=1))
        assert early.retry_later == 0 and server.mailbox.data_count == 1

        deliver(session_factory, settings, now=at(1) + MINUTE)
        row = statuses(session_factory)[mail_id]
        assert row.attempts == 2 and row.next_attempt_at == at(1) + 3 * MINUTE

        last = deliver(session_factory, settings, now=at(1) + 3 * MINUTE)
        assert (last.retry_later, last.failed) == (0, 1)
        later = deliver(session_factory, settings, now=at(30))
        assert server.mailbox.data_count == 3 and later.failed == 0
    row = statuses(session_factory)[mail_id]
    assert (row.status, row.attempts) == (MailStatus.FAILED, 3) and "451" in row.last_error
    assert server.mailbox.accepted == []


def test_a_permanent_refusal_fails_at_once_with_the_servers_reason(
        world, session, session_factory):
    ids = queue(session, world, 2)
    with SmtpServer() as server:
        server.mailbox.refuse_rcpt = "550 5.1.1 mailbox unavailable"
        report = deliver(session_factory, settings_for(server), now=at(1))
    assert (report.sent, report.retry_later, report.failed) == (0, 0, 2)
    rows = statuses(session_factory)
    assert all(rows[i].status == MailStatus.FAILED and rows[i].attempts == 1 for i in ids)
    assert all("550" in rows[i].last_error for i in ids)


def test_an_unreachable_server_leaves_every_message_for_later(world, session, session_factory):
    ids = queue(session, world, 3)
    report = deliver(session_factory, settings_for(None), now=at(1))
    assert (report.sent, report.retry_later, report.failed) == (0, 3, 0) and report.unreachable
    rows = statuses(session_factory)
    assert all(rows[i].status == MailStatus.PENDING and rows[i].attempts == 1 for i in ids)
    assert all("无法连接" in rows[i].last_error for i in ids)
    with SmtpServer() as server:
        deliver(session_factory, settings_for(server), now=at(1) + MINUTE)
    assert sorted(server.mailbox.ids()) == sorted(f"<gongwen.{i}@example.org>" for i in ids)


def test_an_address_no_header_can_hold_fails_that_message_only(world, session, session_factory):
    ids = queue(session, world, 2)
    session.execute(update(MailMessage).where(MailMessage.id == ids[0])
                    .values(to_addr="a@b\r\nBcc: c@d"))
    session.commit()
    with SmtpServer() as server:
        report = deliver(session_factory, settings_for(server), now=at(1))
    assert (report.sent, report.failed) == (1, 1)
    assert statuses(session_factory)[ids[0]].status == MailStatus.FAILED


def test_the_wait_between_attempts_doubles_up_to_an_hour():
    assert [retry_delay(n) // MINUTE for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_a_lease_too_short_for_one_exchange_is_refused():
    with pytest.raises(ValueError):
        settings_for(None, timeout=30, lease=dt.timedelta(seconds=60))


# ------------------------------------------------------------------------------------------------
# Killed halfway, or two at once: nothing lost, nothing doubled.

SENDER = """
import sys
from workflow.db import make_engine, make_session_factory
from workflow.mail import MailSettings, deliver
url, port, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
settings = MailSettings(host="127.0.0.1", port=port, base_url="https://gongwen.example.org",
                        pages=lambda target: None, sender="gongwen@example.org",
                        helo_name="localhost", timeout=60)
report = deliver(make_session_factory(make_engine(url)), settings, batch=batch)
print(report.sent, report.retry_later, report.failed)
"""


def start_sender(database_url: str, port: int, batch: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", SENDER, database_url, str(port), str(batch)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.mark.slow
def test_a_sender_killed_mid_batch_loses_nothing_and_doubles_nothing(
        world, session, session_factory, database_url):
    ids = queue(session, world, 6)
    with SmtpServer() as server:
        box = server.mailbox
        box.hold_at = 3  # the sender waits for the server's answer to the third message
        sender = start_sender(database_url, server.port, batch=10)
        try:
            assert box.held.wait(WAIT), sender.stderr.read() if sender.poll() is not None else ""
            sender.kill()  # SIGKILL: no finally, no clean-up
            sender.wait(WAIT)
        finally:
            box.release.set()  # the held message is answered 451: the server did not take it
        assert sender.returncode == -9
        rows = statuses(session_factory)
        assert [rows[i].status for i in ids] == [MailStatus.SENT] * 2 + [MailStatus.SENDING] * 4
        assert len(box.accepted) == 2

        # Nothing is claimed again while the dead sender's lease holds …
        assert deliver(session_factory, settings_for(server), now=utcnow()).sent == 0
        # … and everything once it has run out.
        late = utcnow() + dt.timedelta(minutes=11)
        report = deliver(session_factory, settings_for(server), now=late)
    assert report.sent == 4
    assert sorted(box.ids()) == sorted(f"<gongwen.{i}@example.org>" for i in ids)
    assert len(set(box.ids())) == len(box.ids()) == 6
    assert all(row.status == MailStatus.SENT for row in statuses(session_factory).values())


@pytest.mark.slow
def test_two_senders_at_once_send_each_message_once(world, session, session_factory,
                                                    database_url):
    ids = queue(session, world, 20)
    with SmtpServer() as server:
        box = server.mailbox
        box.gate_sessions = 2  # the first message of each waits until both senders are sending
        senders = [start_sender(database_url, server.port, batch=5) for _ in range(2)]
        outputs = [s.communicate(timeout=3 * WAIT) for s in senders]
    assert [s.returncode for s in senders] == [0, 0], outputs
    assert sorted(box.ids()) == sorted(f"<gongwen.{i}@example.org>" for i in ids)
    assert len(box.ids()) == 20
    assert not box.gate_timed_out  # both were sending at the same time, not one after the other
    assert len({a.session for a in box.accepted}) >= 2
    sent = [int(re.match(r"(\d+)", out).group(1)) for out, _ in outputs]
    assert sum(sent) == 20 and min(sent) > 0
    assert all(row.status == MailStatus.SENT for row in statuses(session_factory).values())
