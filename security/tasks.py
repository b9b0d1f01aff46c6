"""Background work of the security app: sending alerts. Tasks take ids and are idempotent."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from security import emails
from security.alerts import alert_recipients
from security.models import SecurityEvent

log = logging.getLogger(__name__)

SENDERS = {
    SecurityEvent.Kind.LOCKOUT: emails.send_lockout_alert,
    SecurityEvent.Kind.PASSWORD_SPRAY: emails.send_spray_alert,
}


@shared_task(name="security.send_security_alert", autoretry_for=(OSError,), max_retries=5)
def send_security_alert(event_id: int) -> bool:
    """E-mail the alert about one event; a second run after success sends nothing."""
    with transaction.atomic():
        event = (
            SecurityEvent.objects.select_for_update(of=("self",))
            .select_related("municipality", "user")
            .filter(pk=event_id, alert_sent_at__isnull=True)
            .first()
        )
        if event is None or event.kind not in SENDERS:
            return False
        recipients = alert_recipients(event)
        if not recipients:
            log.warning("Security alert %s has no recipients (set SECURITY_ALERT_EMAILS)", event)
            return False
        SENDERS[SecurityEvent.Kind(event.kind)](event, recipients)
        SecurityEvent.objects.filter(pk=event.pk).update(alert_sent_at=timezone.now())
    return True
