"""The security app's e-mail messages: one function per message, each with a subject, a plain
text body and an HTML body template under ``security/email/``."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from security.models import SecurityEvent


def _send(template: str, context: dict, recipients: list[str]) -> int:
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}_body.txt", context)
    html = render_to_string(f"{template}_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach_alternative(html, "text/html")
    return message.send()


def _context(event: SecurityEvent) -> dict:
    who = event.username or "?"
    full_name = event.user.get_full_name() if event.user is not None else ""
    if full_name:
        who = f"{who} ({full_name})"
    return {
        "event": event,
        "who": who,
        "lockouts_url": settings.SITE_URL + reverse("security:lockout_list"),
        "events_url": settings.SITE_URL + reverse("security:event_list"),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
    }


def send_lockout_alert(event: SecurityEvent, recipients: list[str]) -> int:
    """An account was locked after repeated failed sign-ins."""
    return _send("security/email/lockout_alert", _context(event), recipients)


def send_spray_alert(event: SecurityEvent, recipients: list[str]) -> int:
    """Many usernames failed to sign in from one address (password spraying)."""
    return _send("security/email/spray_alert", _context(event), recipients)
