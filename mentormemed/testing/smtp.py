"""A real SMTP server on loopback for tests (aiosmtpd): mail goes through Django's SMTP backend
and arrives as the bytes a mail client would read."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.mail.utils import DNS_NAME


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp_inbox(settings):
    """Start an SMTP server on 127.0.0.1 (a free port) and point Django's SMTP backend at it."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port for this test
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    DNS_NAME._fqdn = "localhost"  # the EHLO name: no reverse DNS lookup on a machine without DNS
    try:
        yield inbox
    finally:
        controller.stop()


def calendar_part(message: EmailMessage) -> str:
    """The ``text/calendar`` alternative of a message (RFC 6047)."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_content()
    raise AssertionError("no text/calendar part")
