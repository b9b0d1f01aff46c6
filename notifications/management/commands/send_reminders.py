"""``manage.py send_reminders [--date YYYY-MM-DD] [--dry-run]`` — the daily job, on demand.

The same run that Celery beat starts at 07:00 (task ``notifications.run_daily_reminders``),
including queueing again e-mails that could not be sent earlier. Safe to run as often as you
like: a reminder already recorded is never sent again.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from notifications import services
from notifications.tasks import requeue_stuck_emails


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ogiltigt datum {value!r}: ange ÅÅÅÅ-MM-DD.") from exc


class Command(BaseCommand):
    help = "Skickar påminnelser om det som förfaller (samma körning som den dagliga kl. 07.00)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=str, help="Kör för denna dag (ÅÅÅÅ-MM-DD) i stället för i dag."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Räkna vad som skulle skickas, men spara och skicka ingenting.",
        )

    def handle(self, *args, date: str | None = None, dry_run: bool = False, **options) -> None:
        today = _date(date) if date else timezone.localdate()
        result = services.run_reminders(today=today, dry_run=dry_run, trigger="send_reminders")
        requeued = 0 if dry_run else requeue_stuck_emails()
        window = (
            today.isoformat()
            if result.window_start == today
            else f"{result.window_start.isoformat()}–{today.isoformat()}"
        )
        prefix = "Provkörning (inget sparat eller skickat)" if dry_run else "Påminnelser"
        self.stdout.write(
            f"{prefix} för {window}: {result.due_found} förfallna, "
            f"{result.records_created} nya påminnelser, {result.emails_queued} e-brev att skicka."
        )
        if requeued:
            self.stdout.write(f"{requeued} e-brev som inte gått iväg tidigare köades igen.")
