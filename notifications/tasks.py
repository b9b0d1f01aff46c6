"""Celery tasks of the reminders. They take ids, call a service, and are safe to run twice.

* ``notifications.run_daily_reminders`` — the daily job, run by beat at 07:00 Europe/Stockholm
  (``CELERY_BEAT_SCHEDULE``); ``manage.py send_reminders`` runs the same on demand.
* ``notifications.dispatch_run_emails`` — queues one send task per e-mail of a run; queued by
  the daily job after its transaction commits.
* ``notifications.send_reminder_email`` — sends one e-mail; SMTP failures retry with
  exponential backoff and end as "failed" on the row, listed in the admin.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from smtplib import SMTPException

from celery import shared_task
from celery.exceptions import Retry
from django.conf import settings
from django.utils import timezone

from notifications import services
from notifications.models import OutgoingEmail

logger = logging.getLogger(__name__)

#: An e-mail still queued this long after it was made lost its task (the broker was down at
#: commit time, or tasks run in-process and the SMTP server was down); the daily job queues it
#: again. Sending twice is impossible: the send task locks the row and checks its status.
STUCK_AFTER = datetime.timedelta(hours=2)


@shared_task(name="notifications.run_daily_reminders")
def run_daily_reminders(day: str | None = None) -> dict:
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    result = services.run_reminders(today=today, trigger="celery")
    requeued = requeue_stuck_emails()
    summary = {
        key: value.isoformat() if isinstance(value, datetime.date) else value
        for key, value in dataclasses.asdict(result).items()
    }
    return {**summary, "requeued": requeued}


def requeue_stuck_emails() -> int:
    """Queue again the e-mails that should have gone long ago (see :data:`STUCK_AFTER`)."""
    stuck = list(
        OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.QUEUED, created_at__lt=timezone.now() - STUCK_AFTER
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _queue(stuck)
    return len(stuck)


@shared_task(name="notifications.dispatch_run_emails")
def dispatch_run_emails(run_id: int) -> int:
    email_ids = list(
        OutgoingEmail.objects.filter(run_id=run_id, status=OutgoingEmail.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _queue(email_ids)
    return len(email_ids)


def _queue(email_ids: list[int]) -> None:
    for email_id in email_ids:
        try:
            send_reminder_email_task.delay(email_id)
        except (SMTPException, OSError, Retry) as exc:
            # Only when tasks run in-process (no worker to retry later): the failure is on the
            # e-mail's row, and the next daily run tries again.
            logger.warning("reminder e-mail %s not sent: %s", email_id, exc)


@shared_task(
    bind=True,
    name="notifications.send_reminder_email",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=settings.REMINDER_EMAIL_RETRY_BACKOFF,
    retry_backoff_max=3600,
    retry_jitter=False,  # the documented schedule: the backoff, doubled each time
    max_retries=settings.REMINDER_EMAIL_MAX_RETRIES,
    acks_late=True,
)
def send_reminder_email_task(self, email_id: int) -> str:
    return services.send_reminder_email(
        email_id=email_id, final_attempt=self.request.retries >= self.max_retries
    )
