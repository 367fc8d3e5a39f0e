"""The mail sender: the outbox's messages to an SMTP server, after commit, each at least once.

Owns: `deliver()` — claim what is due, send it, record the outcome — with its retry schedule, and
the shape of a message on the wire (Chinese subject and body in UTF-8 MIME, the absolute link
the web layer's map gives for its target, a deterministic Message-ID). Must not: write a
notification or a mail (that happens in the acting transaction, `workflow.notifications`), or
hold a transaction open while talking to the server.

How a message travels
---------------------
1. **Claim.** In one short transaction, up to `batch` due messages — PENDING with
   `next_attempt_at` reached, or SENDING whose lease (`claimed_until`) has run out because their
   sender died — are moved to SENDING with this run's `claim_token` and a fresh lease, by an UPDATE
   that repeats the "still due" condition. Two senders that looked at the same rows cannot both
   take one: the second UPDATE finds it no longer due (SQLite lets one writer in at a time;
   PostgreSQL re-checks the condition after the first commits, and the SELECT skips rows another
   sender has locked). The claim is committed before anything is sent.
2. **Send**, over one SMTP connection. The moment the server answers 250, the message is marked
   SENT in its own commit.
3. **A refusal** with a 4xx reply, a broken connection or an unreachable server puts the message
   back to PENDING with one more attempt and the next one after 1, 2, 4 … minutes (at most an hour
   apart); after `max_attempts` it is FAILED. A 5xx reply is final at once (RFC 5321: the client
   must not repeat the same request) and the message is FAILED. `last_error` keeps the reply.
4. Messages of the batch the sender did not get to (its lease running short, an error) are handed
   back to PENDING without counting an attempt.

Never lost: a message leaves SENDING only for SENT (after the server's 250), PENDING or FAILED. A
sender killed at any moment leaves its claimed messages SENDING, and the next run claims them again
once their lease has run out.

Doubled only in one window, which no SMTP client can close: between the server's 250 and our
commit of SENT (the sender killed in between, or the database unreachable just then). The server
has the message but our record does not say so, and it is sent again when the lease runs out.
Recording first and sending after would instead lose the message whenever the send then failed.
Every message therefore carries the same Message-ID on every attempt, `<gongwen.{id}@{domain}>`,
fixed at its first claim, by which a receiving system can recognise and drop the second copy.
A sender checks that its lease has time left before each message, so that a slow run does not see
its messages claimed by another sender while it still holds them.
"""

from __future__ import annotations

import datetime as dt
import secrets
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from sqlalchemy import String, and_, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from workflow.db import as_utc, lock_skip_locked, utcnow
from workflow.models import MailMessage, MailStatus

FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send (the web layer reads them from its configuration)."""

    host: str
    base_url: str  # the site as the recipients reach it: links are base_url + path
    # The web layer's map from a notification's target (a `workflow.places.Target` as text) to the
    # path of its page; None: the mail links to the site's home.
    pages: Callable[[str | None], str | None]
    port: int = 25
    starttls: bool = False
    ssl: bool = False  # implicit TLS (SMTPS, usually port 465)
    username: str | None = None
    password: str | None = None
    sender: str = "公文流转 <gongwen@localhost>"  # the From header
    max_attempts: int = 8
    timeout: float = 30.0  # seconds for each exchange with the server
    lease: dt.timedelta = dt.timedelta(minutes=10)  # how long a claim holds
    helo_name: str | None = None  # the name given in EHLO (None: this host's name)

    def __post_init__(self):
        if self.lease <= dt.timedelta(seconds=2 * self.timeout):
            raise ValueError("邮件发送的租约必须长于两次与服务器交互的超时时间")
        if self.max_attempts < 1:
            raise ValueError("邮件最多尝试次数至少为 1")

    @property
    def envelope_sender(self) -> str:
        return parseaddr(self.sender)[1] or self.sender

    @property
    def domain(self) -> str:
        """The right-hand side of our Message-IDs: the sender's mail domain, else the site's."""
        _, _, domain = self.envelope_sender.rpartition("@")
        return domain or urlsplit(self.base_url).hostname or "gongwen.local"

    def link(self, target: str | None) -> str:
        """The absolute link of a message: the page of its target, or the site's home."""
        return self.base_url.rstrip("/") + (self.pages(target) or "/")


@dataclass
class DeliveryReport:
    """What one run did: counts of messages, and the last error the server gave."""

    sent: int = 0
    retry_later: int = 0  # refused for now; tried again after the backoff
    failed: int = 0  # refused for good, or out of attempts
    released: int = 0  # claimed but not tried (lease running short, or an error)
    unreachable: bool = False  # the server could not be reached: the run stopped there
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"已发送 {self.sent} 封，稍后重试 {self.retry_later} 封，发送失败 {self.failed} 封"
        if self.released:
            text += f"，未及发送、已放回 {self.released} 封"
        return text


@dataclass(frozen=True)
class _Claimed:
    id: int
    to_addr: str
    to_name: str | None
    subject: str
    body: str
    target: str | None
    attempts: int
    message_id: str
    claimed_until: dt.datetime


class _Refused(Exception):
    """A message was not accepted; `final` when trying again cannot help."""

    def __init__(self, reason: str, *, final: bool = False, connection: bool = False):
        super().__init__(reason)
        self.reason, self.final, self.connection = reason, final, connection


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes, at most 1 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def deliver(session_factory: sessionmaker[Session], settings: MailSettings, *,
            now: dt.datetime | None = None, batch: int = 50) -> DeliveryReport:
    """Send every message that is due, `batch` at a time; each outcome is committed at once.

    `now` fixes the clock for the whole run (tests); without it the run follows the real clock.
    """
    fixed = as_utc(now) if now is not None else None
    clock: Callable[[], dt.datetime] = (lambda: fixed) if fixed is not None else utcnow
    report = DeliveryReport()
    while True:
        token, claimed = _claim(session_factory, settings, clock=clock, batch=batch)
        if not claimed:
            return report
        tried = _send_batch(session_factory, settings, token, claimed, clock=clock,
                            report=report)
        if not tried or report.unreachable:  # leave the rest to the next run
            return report


def compose(settings: MailSettings, message: _Claimed, *, now: dt.datetime) -> EmailMessage:
    """The message as it goes on the wire."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = settings.sender
    mail["To"] = Address(display_name=message.to_name or "", addr_spec=message.to_addr)
    mail["Date"] = format_datetime(now.replace(tzinfo=dt.UTC))
    mail["Message-ID"] = message.message_id
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    greeting = f"{message.to_name}，您好：" if message.to_name else "您好："
    action = "请登录公文流转系统办理" if message.target else "请登录公文流转系统查看"
    mail.set_content(
        f"{greeting}\n\n{message.body}\n\n{action}：\n{settings.link(message.target)}\n\n"
        "——\n本邮件由公文流转系统自动发送，请勿直接回复。\n", charset="utf-8")
    return mail


def _claim(session_factory, settings: MailSettings, *, clock, batch: int):
    """Take up to `batch` due messages for this run, committed before anything is sent."""
    token = secrets.token_hex(16)
    with session_factory() as session, session.begin():
        moment = clock()
        due = or_(
            and_(MailMessage.status == MailStatus.PENDING, MailMessage.next_attempt_at <= moment),
            and_(MailMessage.status == MailStatus.SENDING, MailMessage.claimed_until <= moment),
        )
        ids = list(session.scalars(lock_skip_locked(
            select(MailMessage.id).where(due)
            .order_by(MailMessage.next_attempt_at, MailMessage.id).limit(batch))))
        if not ids:
            return token, []
        message_id = (literal("<gongwen.") + cast(MailMessage.id, String)
                      + literal(f"@{settings.domain}>"))
        session.execute(
            update(MailMessage).where(MailMessage.id.in_(ids), due)
            .values(status=MailStatus.SENDING, claim_token=token,
                    claimed_until=moment + settings.lease,
                    message_id=func.coalesce(MailMessage.message_id, message_id))
            .execution_options(synchronize_session=False))
        rows = session.execute(
            select(MailMessage.id, MailMessage.to_addr, MailMessage.to_name, MailMessage.subject,
                   MailMessage.body, MailMessage.target, MailMessage.attempts,
                   MailMessage.message_id, MailMessage.claimed_until)
            .where(MailMessage.claim_token == token).order_by(MailMessage.id))
        return token, [_Claimed(*row) for row in rows]


def _send_batch(session_factory, settings: MailSettings, token: str, claimed: list[_Claimed], *,
                clock, report: DeliveryReport) -> int:
    """Send a claimed batch; returns how many messages were tried."""
    waiting = list(claimed)
    connection = None
    # Stop while the lease still has room for one more exchange with the server.
    margin = dt.timedelta(seconds=2 * settings.timeout)
    try:
        while waiting:
            message = waiting[0]
            if clock() + margin >= message.claimed_until:
                break
            waiting.pop(0)
            try:
                mail = _composed(settings, message, now=clock())
                connection = connection or _connect(settings)
                _send(connection, settings, message, mail)
            except _Refused as refusal:
                if refusal.connection or not refusal.final:
                    connection = _close(connection)
                report.errors.append(f"{message.to_addr}: {refusal.reason}")
                _record_failure(session_factory, settings, token, message, refusal, clock(), report)
                if refusal.connection:  # nobody to talk to: the rest of the batch waits too
                    report.unreachable = True
                    for other in waiting:
                        _record_failure(session_factory, settings, token, other, refusal, clock(),
                                        report)
                    waiting = []
                continue
            _record_sent(session_factory, message, clock())
            report.sent += 1
    finally:
        _close(connection)
        if waiting:
            report.released += _release(session_factory, token, [m.id for m in waiting])
    return len(claimed) - len(waiting)


def _composed(settings: MailSettings, message: _Claimed, *, now: dt.datetime) -> EmailMessage:
    try:
        return compose(settings, message, now=now)
    except (ValueError, TypeError, MessageError) as error:  # an address no header can hold
        raise _Refused(f"收件地址或邮件内容无效：{error}", final=True) from error


def _connect(settings: MailSettings) -> smtplib.SMTP:
    try:
        if settings.ssl:
            connection = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                          local_hostname=settings.helo_name,
                                          context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout,
                                      local_hostname=settings.helo_name)
        try:
            if settings.starttls:
                connection.starttls(context=ssl.create_default_context())
            if settings.username:
                connection.login(settings.username, settings.password or "")
        except BaseException:
            _close(connection)
            raise
        return connection
    except (smtplib.SMTPException, OSError) as error:
        raise _Refused(f"无法连接邮件服务器 {settings.host}:{settings.port}：{_describe(error)}",
                       connection=True) from error


def _send(connection: smtplib.SMTP, settings: MailSettings, message: _Claimed,
          mail: EmailMessage) -> None:
    """Hand one message to the server; returns only when the server has answered 250."""
    try:
        refused = connection.send_message(mail, from_addr=settings.envelope_sender,
                                          to_addrs=[message.to_addr])
    except smtplib.SMTPRecipientsRefused as error:
        code = max((reply[0] for reply in error.recipients.values()), default=550)
        raise _Refused(_describe(error), final=code >= 500) from error
    except smtplib.SMTPResponseException as error:
        raise _Refused(_describe(error), final=error.smtp_code >= 500) from error
    except (smtplib.SMTPException, OSError) as error:
        raise _Refused(_describe(error)) from error
    if refused:  # one recipient only, so a partial refusal cannot happen; kept for safety
        raise _Refused(_describe(refused), final=True)


def _describe(error) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "；".join(f"{addr} {code} {_text(reply)}"
                        for addr, (code, reply) in error.recipients.items())
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is None:
        return None
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()
    return None


def _record_sent(session_factory, message: _Claimed, moment: dt.datetime) -> None:
    """The server has it: say so, whoever holds the claim now (a lapsed lease changes nothing)."""
    with session_factory() as session, session.begin():
        session.execute(
            update(MailMessage)
            .where(MailMessage.id == message.id, MailMessage.status != MailStatus.SENT)
            .values(status=MailStatus.SENT, sent_at=moment, attempts=MailMessage.attempts + 1,
                    claim_token=None, claimed_until=None, last_error=None)
            .execution_options(synchronize_session=False))


def _record_failure(session_factory, settings: MailSettings, token: str, message: _Claimed,
                    refusal: _Refused, moment: dt.datetime, report: DeliveryReport) -> None:
    attempts = message.attempts + 1
    final = refusal.final or attempts >= settings.max_attempts
    values = {"attempts": attempts, "last_error": refusal.reason[:2000], "claim_token": None,
              "claimed_until": None}
    if final:
        values["status"] = MailStatus.FAILED
    else:
        values.update(status=MailStatus.PENDING, next_attempt_at=moment + retry_delay(attempts))
    with session_factory() as session, session.begin():
        done = session.execute(
            update(MailMessage)
            .where(MailMessage.id == message.id, MailMessage.claim_token == token)
            .values(**values).execution_options(synchronize_session=False)).rowcount
    if done and final:
        report.failed += 1
    elif done:
        report.retry_later += 1


def _release(session_factory, token: str, ids: list[int]) -> int:
    """Hand claimed but untried messages back, due at once, no attempt counted."""
    with session_factory() as session, session.begin():
        return session.execute(
            update(MailMessage)
            .where(MailMessage.id.in_(ids), MailMessage.claim_token == token,
                   MailMessage.status == MailStatus.SENDING)
            .values(status=MailStatus.PENDING, claim_token=None, claimed_until=None)
            .execution_options(synchronize_session=False)).rowcount
