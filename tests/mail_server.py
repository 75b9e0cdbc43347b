"""A real SMTP server for the tests: aiosmtpd, in-process, on 127.0.0.1 (a free port)."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from email.message import Message as ParsedEmail
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Keeps every message the server accepted: (envelope sender, recipients, parsed email).
    `hold_at` (a 1-based message count) makes the server wait, before accepting that message,
    until `release` is set: a worker can be killed while it waits for the server."""

    def __init__(self):
        self.received: list[tuple[str, list[str], ParsedEmail]] = []
        self.started = 0
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self._lock:
            self.started += 1
            number = self.started
        if self.hold_at == number:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        with self._lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[ParsedEmail]:
        return [m for _, rcpts, m in self.received if address in rcpts]


class MailServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.recorder = Recorder()
        self._controller: Controller | None = None

    def start(self) -> MailServer:
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self):
        return self.recorder.received


def attachment_bytes(parsed: ParsedEmail, suffix: str = ".ics") -> list[bytes]:
    return [part.get_payload(decode=True) for part in parsed.walk()
            if (part.get_filename() or "").endswith(suffix)]


def body(parsed: ParsedEmail, subtype: str) -> str:
    part = parsed.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else ""
