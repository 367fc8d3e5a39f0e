"""A real SMTP server on loopback for the mail tests (aiosmtpd), and what it has accepted.

The server keeps only the messages it answered 250 to: a message whose sender was killed before
the answer, or that the test made it refuse, is not in `accepted`. A test may make the server
refuse (`refuse_rcpt` / `refuse_data`), or hold one message (`hold_at`) until it says so.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller

WAIT = 60  # seconds a test waits for the other side before it fails (never reached when all is well)


@dataclass(frozen=True)
class Arrived:
    sender: str
    recipients: list[str]
    message: EmailMessage
    session: int  # which SMTP connection brought it

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


class Mailbox:
    """The handler: accepts, refuses or holds, and records what it accepted."""

    def __init__(self):
        self.accepted: list[Arrived] = []
        self.refuse_rcpt: str | None = None  # e.g. "550 5.1.1 no such user"
        self.refuse_data: str | None = None  # e.g. "451 4.3.0 try again later"
        self.hold_at: int | None = None  # hold the n-th DATA (1-based) until `release` is set
        self.held = threading.Event()  # set when the held message has arrived
        self.release = threading.Event()
        self.held_reply = "451 4.3.0 aborted"  # what the held message gets once released
        self.gate_sessions = 0  # hold each first DATA until this many connections have sent one
        self._gate = threading.Condition()
        self._gate_seen: set[int] = set()
        self.gate_timed_out = False
        self.data_count = 0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self._lock:
            self.data_count += 1
            number = self.data_count
        loop = asyncio.get_running_loop()
        if self.gate_sessions:
            await loop.run_in_executor(None, self._pass_gate, id(session))
        if number == self.hold_at:
            self.held.set()
            await loop.run_in_executor(None, self.release.wait, WAIT)
            return self.held_reply
        if self.refuse_data:
            return self.refuse_data
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=default_policy)
        with self._lock:
            self.accepted.append(Arrived(envelope.mail_from, list(envelope.rcpt_tos), message,
                                         id(session)))
        return "250 OK"

    def _pass_gate(self, session: int) -> None:
        with self._gate:
            self._gate_seen.add(session)
            self._gate.notify_all()
            if not self._gate.wait_for(lambda: len(self._gate_seen) >= self.gate_sessions, WAIT):
                self.gate_timed_out = True

    def ids(self) -> list[str]:
        return [a.message_id for a in self.accepted]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """An aiosmtpd Controller on 127.0.0.1, started and stopped with the test."""

    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.mailbox.release.set()
        self.controller.stop()
