"""Sending: SMTP failures retry with backoff and end visibly in the admin; at most once."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from notifications.models import OutgoingEmail
from notifications.tasks import send_reminder_email_task
from tests import factories as f
from tests.notifications import backends
from tests.notifications.scenario import DUE, action, run_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.DownBackend"
    backends.ATTEMPTS.clear()
    return backends.ATTEMPTS


@pytest.fixture
def staff(world):
    return f.UserFactory(
        username="drift", municipality=world.municipality, is_staff=True, is_superuser=True
    )


def test_smtp_failure_is_retried_then_marked_failed(world, controller, coordinator, smtp_down):
    # In-process, Celery runs a task's retries one after another when errors do not propagate
    # (a real worker waits between them: the worker test and the backoff settings below).
    celery_app.conf.task_eager_propagates = False
    action(world.sn, owner=controller)
    action(world.sn, owner=None, owner_description="IT-chefen")
    run_on(DUE)  # must not raise: the run committed, sending is the task's business

    tries = django_settings.REMINDER_EMAIL_MAX_RETRIES + 1
    assert len(smtp_down) == 2 * tries
    for email in OutgoingEmail.objects.all():
        assert email.status == OutgoingEmail.Status.FAILED
        assert email.attempts == tries
        assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
        assert email.sent_at is None


def test_without_a_worker_the_next_runs_try_again_until_failed(world, controller, smtp_down):
    from notifications.models import ReminderSettings

    # Only the due-date reminder, so that the following days bring no e-mails of their own.
    ReminderSettings.objects.create(
        municipality=world.municipality, days_before="", days_overdue=""
    )
    action(world.sn, owner=controller)
    run_on(DUE)
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.QUEUED, 1)
    assert "SMTPServerDisconnected" in email.last_error
    tries = django_settings.REMINDER_EMAIL_MAX_RETRIES + 1
    for day in range(1, tries):
        run_on(DUE + datetime.timedelta(days=day))
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.FAILED, tries)
    assert len(smtp_down) == tries


def test_task_retries_with_exponential_backoff():
    task = send_reminder_email_task
    assert task.autoretry_for == (__import__("smtplib").SMTPException, OSError)
    assert task.retry_backoff == django_settings.REMINDER_EMAIL_RETRY_BACKOFF
    assert task.retry_jitter is False  # the documented schedule: backoff, doubled each time
    assert task.max_retries == django_settings.REMINDER_EMAIL_MAX_RETRIES


def test_failed_emails_are_listed_in_the_admin_and_can_be_retried(
    world, controller, staff, smtp_down, client, settings
):
    celery_app.conf.task_eager_propagates = False  # all retries in-process (see above)
    action(world.sn, owner=controller, title="Stäng fjärrsessioner")
    run_on(DUE)
    email = OutgoingEmail.objects.get()
    client.force_login(staff)
    changelist = reverse("admin:notifications_outgoingemail_changelist")

    failed = client.get(changelist, {"status__exact": "failed"})
    assert failed.status_code == 200
    assert controller.email in failed.text
    assert "SMTPServerDisconnected" in failed.text
    assert controller.email not in client.get(changelist, {"status__exact": "sent"}).text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            changelist, {"action": "retry", "_selected_action": [email.pk]}, follow=True
        )
    assert response.status_code == 200
    assert "1 e-brev köades igen." in response.text
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert len(mail.outbox) == 1
    assert "Stäng fjärrsessioner" in mail.outbox[0].body


def test_a_sent_email_is_never_sent_again(world, controller):
    action(world.sn, owner=controller)
    run_on(DUE)
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.SENT
    # A retried or duplicated task, and the admin's retry, do nothing.
    assert send_reminder_email_task.delay(email.pk).get() == OutgoingEmail.Status.SENT
    from notifications.services import retry_email

    assert retry_email(email=email) is False
    assert len(mail.outbox) == 1


def test_email_is_skipped_when_nothing_in_it_is_due_any_more(world, controller):
    item = action(world.sn, owner=controller)
    from notifications import services
    from tests.notifications.scenario import at

    with at(DUE):
        services.run_reminders()  # the e-mail is queued, not yet sent (no commit in a test)
    item.status = item.Status.DONE
    item.completed_date = DUE
    item.save()
    email = OutgoingEmail.objects.get()
    assert send_reminder_email_task.delay(email.pk).get() == OutgoingEmail.Status.SKIPPED
    assert mail.outbox == []


def test_admin_pages_for_reminders_render(world, staff, controller, client):
    action(world.sn, owner=controller)
    run_on(DUE)
    client.force_login(staff)
    for name in (
        "admin:notifications_remindersettings_add",
        "admin:notifications_reminderrecord_changelist",
        "admin:notifications_reminderrun_changelist",
        "admin:notifications_outgoingemail_changelist",
        "admin:notifications_notification_changelist",
    ):
        assert client.get(reverse(name)).status_code == 200, name


def test_settings_reject_bad_day_lists(world):
    from django.core.exceptions import ValidationError

    from notifications.models import ReminderSettings

    row = ReminderSettings(municipality=world.municipality, days_before="14, tre")
    with pytest.raises(ValidationError, match="heltal"):
        row.full_clean()
    row = ReminderSettings(municipality=world.municipality, reporting_day=30, reporting_month=2)
    with pytest.raises(ValidationError, match="finns inte"):
        row.full_clean()
    assert ReminderSettings(municipality=world.municipality, days_before="3,14").before == [14, 3]


def test_a_database_failure_after_sending_never_sends_twice(world, controller, monkeypatch):
    """SMTP accepted the message, then recording it failed: the row stays "sending" and no
    later task, retry or daily run delivers it again; the admin's retry is a person's choice."""
    from django.db import OperationalError

    from notifications import services
    from notifications.tasks import requeue_stuck_emails
    from tests.notifications.scenario import at

    action(world.sn, owner=controller)
    with at(DUE):
        services.run_reminders()  # queued; the test's transaction never commits
    email = OutgoingEmail.objects.get()
    real_save = OutgoingEmail.save

    def fail_when_recording_sent(self, *args, **kwargs):
        if self.status == OutgoingEmail.Status.SENT:
            raise OperationalError("database is locked")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(OutgoingEmail, "save", fail_when_recording_sent)
    with pytest.raises(OperationalError):
        services.send_reminder_email(email_id=email.pk)
    monkeypatch.setattr(OutgoingEmail, "save", real_save)
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENDING, 1)

    assert services.send_reminder_email(email_id=email.pk) == OutgoingEmail.Status.SENDING
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        assert requeue_stuck_emails() == 0
    assert len(mail.outbox) == 1
