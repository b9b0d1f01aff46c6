"""Notifications and reminders: the writes.

* :func:`notify` — one in-app notification (the bell), for other apps to call.
* :func:`run_reminders` — the daily job: record what is due exactly once, show it in the app,
  gather each recipient's reminders into one e-mail, and queue the e-mails after commit.
* :func:`send_reminder_email` — send one queued e-mail (called by the Celery task), at most once.
* :func:`retry_email` — put a failed e-mail back in the queue (the admin's action).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Collection
from dataclasses import dataclass
from smtplib import SMTPException

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications import emails, rules
from notifications.models import (
    Notification,
    OutgoingEmail,
    ReminderRecord,
    ReminderRule,
    ReminderRun,
)
from organisation.models import User

logger = logging.getLogger(__name__)

#: Rows per INSERT when recording reminders and notifications.
BATCH_SIZE = 5000


def notify(
    *, recipient: User, kind: str, title: str, url: str = "", body: str = ""
) -> Notification:
    notification = Notification(
        municipality_id=recipient.municipality_id,
        recipient=recipient,
        kind=kind,
        title=title[:255],
        body=body,
        url=url,
    )
    notification.full_clean()
    notification.save()
    return notification


@dataclass
class RunResult:
    run_id: int | None
    today: datetime.date
    window_start: datetime.date
    due_found: int
    records_created: int
    emails_queued: int
    dry_run: bool


def window_start_for(today: datetime.date) -> datetime.date:
    """Today, or after missed days the day after the last completed run (bounded)."""
    catch_up = max(0, settings.REMINDER_CATCH_UP_DAYS)
    last = (
        ReminderRun.objects.filter(finished_at__isnull=False, run_date__lte=today)
        .order_by("-run_date")
        .values_list("run_date", flat=True)
        .first()
    )
    if last is None or last >= today:
        return today
    return max(last + datetime.timedelta(days=1), today - datetime.timedelta(days=catch_up))


def run_reminders(
    *,
    today: datetime.date | None = None,
    dry_run: bool = False,
    trigger: str = "",
    municipality_ids: Collection[int] | None = None,
) -> RunResult:
    """The daily job. Safe to run twice, or twice at once: nothing is sent twice.

    The guarantee is the unique constraint on :class:`ReminderRecord`: each run inserts what
    is due with ``ON CONFLICT DO NOTHING`` and then works only with the rows it inserted itself
    (found again by their run id). Pending reminders are claimed for an e-mail with
    ``SELECT … FOR UPDATE SKIP LOCKED``, so two runs never put one reminder in two e-mails. The
    e-mails are queued only after the transaction commits. A dry run does all of it and rolls
    back. ``municipality_ids`` confines the run to some municipalities (for the benchmark).
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        window_start = window_start_for(today)
        run = ReminderRun.objects.create(
            run_date=today, window_start=window_start, trigger=trigger[:40]
        )
        due = rules.collect(
            today=today, window_start=window_start, municipality_ids=municipality_ids
        )
        email_ids = _record_and_compose(
            run=run, due=due, today=today, municipality_ids=municipality_ids
        )
        records_created = _notify_new_reminders(run=run, due=due)
        run.due_found = len(due)
        run.records_created = records_created
        run.emails_queued = len(email_ids)
        run.finished_at = timezone.now()
        run.save(update_fields=["due_found", "records_created", "emails_queued", "finished_at"])
        result = RunResult(
            run_id=None if dry_run else run.pk,
            today=today,
            window_start=window_start,
            due_found=len(due),
            records_created=records_created,
            emails_queued=len(email_ids),
            dry_run=dry_run,
        )
        if dry_run:
            transaction.set_rollback(True)
        elif email_ids:
            from notifications.tasks import dispatch_run_emails

            run_id = run.pk
            transaction.on_commit(lambda: dispatch_run_emails.delay(run_id), robust=True)
    logger.info(
        "reminders %s: %s due, %s new, %s e-mails%s",
        today,
        result.due_found,
        result.records_created,
        result.emails_queued,
        " (dry run)" if dry_run else "",
    )
    return result


def _insert_records(*, run: ReminderRun, due: list[rules.Due], email_ids: list[int | None]) -> None:
    """Insert what is due, skipping what is already recorded (``ON CONFLICT DO NOTHING``).

    On PostgreSQL one ``INSERT … SELECT FROM unnest(arrays)`` whatever the number of rows,
    without building a model instance per row; elsewhere ``bulk_create(ignore_conflicts=True)``.
    """
    if not due:
        return
    if connection.vendor != "postgresql":
        ReminderRecord.objects.bulk_create(
            [d.as_record(run=run, email_id=e) for d, e in zip(due, email_ids, strict=True)],
            ignore_conflicts=True,
            batch_size=BATCH_SIZE,
        )
        return
    columns = [
        *zip(*(_record_row(d) for d in due), strict=True),
        email_ids,
    ]
    table = ReminderRecord._meta.db_table
    sql = f"""
        INSERT INTO {table} (municipality_id, recipient_id, content_type_id, object_id,
            item_kind, rule, days, for_date, due_date, title, unit_name, url, mandatory,
            run_id, email_id, created_at)
        SELECT m, r, ct, o, k, ru, d, fd, dd, t, u, url, man, %s, e, %s
        FROM unnest(%s::bigint[], %s::bigint[], %s::integer[], %s::bigint[], %s::text[],
            %s::text[], %s::smallint[], %s::date[], %s::date[], %s::text[], %s::text[],
            %s::text[], %s::boolean[], %s::bigint[])
            AS x(m, r, ct, o, k, ru, d, fd, dd, t, u, url, man, e)
        ON CONFLICT DO NOTHING
    """  # noqa: S608 (the table name comes from the model)
    with connection.cursor() as cursor:
        cursor.execute(sql, [run.pk, timezone.now(), *(list(c) for c in columns)])


def _record_row(d: rules.Due) -> tuple:
    return (
        d.municipality_id,
        d.recipient_id,
        d.content_type_id,
        d.object_id,
        d.item_kind,
        d.rule,
        d.days,
        d.for_date,
        d.due_date,
        d.title[:255],
        d.unit_name[:160],
        d.url[:500],
        d.mandatory,
    )


def _notify_new_reminders(*, run: ReminderRun, due: list[rules.Due]) -> int:
    """A notification in the app for each reminder this run inserted (not the duplicates).

    One ``INSERT … SELECT`` from the rows the run inserted (found by their run id); the texts,
    a handful of distinct ones, are made here in Swedish and chosen in SQL with ``CASE``.
    Returns the number of reminders the run inserted.
    """
    if not due:
        return 0
    params: list[object] = []
    kind_cases = []
    with translation.override(settings.LANGUAGE_CODE):
        for value, label in rules.ItemKind.choices:
            kind_cases.append("WHEN %s THEN %s")
            params += [value, f"{label}: "]
        when_cases = []
        for rule, days in sorted({(d.rule, d.days) for d in due}):
            when_cases.append("WHEN r.rule = %s AND r.days = %s THEN %s")
            params += [rule, days, rules.describe(rule, days)]
    date_text = (
        "to_char(r.due_date, 'YYYY-MM-DD')" if connection.vendor == "postgresql" else "r.due_date"
    )
    sql = f"""
        INSERT INTO {Notification._meta.db_table} (municipality_id, recipient_id, kind, title,
            body, url, reminder_id, created_at, read_at)
        SELECT r.municipality_id, r.recipient_id,
            CASE WHEN r.rule = %s THEN %s ELSE %s END,
            substr((CASE r.item_kind {" ".join(kind_cases)} ELSE '' END) || r.title, 1, 255),
            (CASE {" ".join(when_cases)} ELSE '' END) || ' (' || {date_text} || ').'
                || CASE WHEN r.unit_name = '' THEN '' ELSE ' ' || r.unit_name || '.' END,
            r.url, r.id, %s, NULL
        FROM {ReminderRecord._meta.db_table} r
        WHERE r.run_id = %s
    """  # noqa: S608 (table names from the models; values are parameters)
    rule_params = [
        ReminderRule.ESCALATION.value,
        Notification.Kind.ESCALATION.value,
        Notification.Kind.REMINDER.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rule_params, *params, timezone.now(), run.pk])
        return cursor.rowcount


def _record_and_compose(
    *,
    run: ReminderRun,
    due: list[rules.Due],
    today: datetime.date,
    municipality_ids: Collection[int] | None = None,
) -> list[int]:
    """Record what is due and gather each recipient's ready reminders into one e-mail.

    Ready: escalations always (mandatory); everything for users who chose daily reminders; for
    users who chose a weekly digest, everything gathered since their last one, on their
    municipality's digest weekday. The e-mails are made first and the new reminders inserted
    already pointing at them, so the rows are written once; reminders held from earlier days
    are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (never by two runs). An e-mail left
    with no reminders (all of them recorded by a concurrent run) is deleted again. Returns the
    ids of the e-mails to send.
    """
    weekly_today = {
        municipality_id
        for municipality_id, schedule in rules.schedules(
            enabled_only=False, municipality_ids=municipality_ids
        ).items()
        if schedule.digest_weekday == today.weekday()
    }
    ready = Q(mandatory=True) | Q(recipient__digest_frequency=User.DigestFrequency.DAILY)
    if weekly_today:
        ready |= Q(municipality_id__in=weekly_today)
    held = ReminderRecord.objects.filter(ready, email__isnull=True)
    if municipality_ids is not None:
        held = held.filter(municipality_id__in=list(municipality_ids))
    claimed = list(
        held.select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
        .values_list("pk", "recipient_id")
    )
    users = {
        pk: (address, municipality_id, is_active, frequency)
        for pk, address, municipality_id, is_active, frequency in User.objects.filter(
            pk__in={d.recipient_id for d in due} | {r for _pk, r in claimed}
        ).values_list("pk", "email", "municipality_id", "is_active", "digest_frequency")
    }

    def is_ready(d: rules.Due) -> bool:
        return (
            d.mandatory
            or users[d.recipient_id][3] == User.DigestFrequency.DAILY
            or d.municipality_id in weekly_today
        )

    ready_due = [is_ready(d) for d in due]
    to_mail = {d.recipient_id for d, r in zip(due, ready_due, strict=True) if r}
    to_mail |= {recipient_id for _pk, recipient_id in claimed}
    emails = []
    for user_id in sorted(to_mail):
        address, municipality_id, is_active, _frequency = users[user_id]
        if address and is_active:
            status, error = OutgoingEmail.Status.QUEUED, ""
        else:
            status = OutgoingEmail.Status.SKIPPED
            error = _("Mottagaren saknar e-postadress.") if is_active else _("Kontot är inaktivt.")
        emails.append(
            OutgoingEmail(
                run=run,
                recipient_id=user_id,
                municipality_id=municipality_id,
                to_address=address,
                status=status,
                last_error=error,
            )
        )
    OutgoingEmail.objects.bulk_create(emails, batch_size=BATCH_SIZE)
    email_of = {e.recipient_id: e.pk for e in emails}
    _insert_records(
        run=run,
        due=due,
        email_ids=[
            email_of[d.recipient_id] if r else None for d, r in zip(due, ready_due, strict=True)
        ],
    )
    if claimed:
        ReminderRecord.objects.filter(pk__in=[pk for pk, _r in claimed]).update(
            email_id=Subquery(
                OutgoingEmail.objects.filter(run=run, recipient_id=OuterRef("recipient_id"))
                .order_by()
                .values("pk")[:1]
            )
        )
    if emails:
        OutgoingEmail.objects.filter(run=run).exclude(
            Exists(ReminderRecord.objects.filter(email_id=OuterRef("pk")))
        )._raw_delete(connection.alias)
    return list(
        OutgoingEmail.objects.filter(run=run, status=OutgoingEmail.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def send_reminder_email(*, email_id: int, final_attempt: bool = False) -> str:
    """Send one queued e-mail, at most once; record the outcome on its row.

    Three steps, each committed before the next: **claim** (the row goes from queued to
    sending, under a row lock that a second worker skips), **send** (outside any transaction),
    **record** (sent, or back to queued for the task's retry, or failed after the last attempt).
    Whatever fails after the SMTP server accepted the message — the database, the worker
    process — leaves the row in "sending": nothing re-sends it by itself; the admin lists it
    and a person decides (``retry_email``). So a reminder may, rarely, need a look, but it never
    arrives twice. An SMTP failure is recorded (attempts, error) and re-raised for the task to
    retry; after the last attempt the row is marked failed, which the admin lists. Returns the
    e-mail's status.
    """
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "municipality")
            .filter(pk=email_id)
            .first()
        )
        if email is None:
            return "locked-or-missing"
        if email.status != OutgoingEmail.Status.QUEUED:
            return email.status
        records = list(email.records.order_by("due_date", "pk"))
        current = rules.still_due(records)
        items = [r for r in records if r.pk in current]
        if not items:
            email.status = OutgoingEmail.Status.SKIPPED
            email.last_error = _("Inget av ärendena är längre aktuellt.")
            email.save(update_fields=["status", "last_error"])
            return email.status
        email.attempts += 1
        email.status = OutgoingEmail.Status.SENDING
        email.save(update_fields=["attempts", "status"])

    try:
        with translation.override(settings.LANGUAGE_CODE):
            subject = emails.reminder_digest(email=email, records=items)
    except (SMTPException, OSError) as exc:
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        failed = final_attempt or email.attempts > settings.REMINDER_EMAIL_MAX_RETRIES
        email.status = OutgoingEmail.Status.FAILED if failed else OutgoingEmail.Status.QUEUED
        email.save(update_fields=["last_error", "status"])
        logger.warning("reminder e-mail %s failed (attempt %s): %s", email.pk, email.attempts, exc)
        raise
    email.subject = subject
    email.status = OutgoingEmail.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["subject", "status", "sent_at", "last_error"])
    return email.status


def retry_email(*, email: OutgoingEmail) -> bool:
    """Queue a failed (or stuck) e-mail again. Returns whether it was queued."""
    if email.status == OutgoingEmail.Status.SENT:
        return False
    with transaction.atomic():
        updated = OutgoingEmail.objects.filter(
            pk=email.pk,
            status__in=[
                OutgoingEmail.Status.FAILED,
                OutgoingEmail.Status.QUEUED,
                OutgoingEmail.Status.SENDING,
            ],
        ).update(status=OutgoingEmail.Status.QUEUED)
        if updated:
            from notifications.tasks import send_reminder_email_task

            email_id = email.pk
            transaction.on_commit(lambda: send_reminder_email_task.delay(email_id), robust=True)
    return bool(updated)


def mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
