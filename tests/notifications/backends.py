"""E-mail backends for the tests: one whose SMTP server is down."""

from __future__ import annotations

from smtplib import SMTPServerDisconnected

from django.core.mail.backends.base import BaseEmailBackend

ATTEMPTS: list[str] = []


class DownBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        ATTEMPTS.extend(m.to[0] for m in email_messages)
        raise SMTPServerDisconnected("Connection unexpectedly closed")
