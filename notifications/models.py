"""In-app notifications (the bell), and the reminders sent by the daily job.

The daily job (:func:`notifications.services.run_reminders`) finds what is due
(:mod:`notifications.rules`), records each reminder once in :class:`ReminderRecord` — unique per
recipient, item, rule and date, so a retried task, a second beat or two workers never send it
twice — shows it in the app as a :class:`Notification`, and gathers each recipient's reminders
into one :class:`OutgoingEmail` (the digest), which a Celery task sends with retries.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisation.models import Municipality


class Notification(models.Model):
    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Tilldelad")
        REMINDER = "reminder", _("Påminnelse")
        ESCALATION = "escalation", _("Eskalering")
        STATUS = "status", _("Statusändring")
        REPORT_READY = "report_ready", _("Rapport klar")
        SECURITY = "security", _("Säkerhet")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("kommun"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("mottagare"),
        db_index=False,  # the indexes below lead with the recipient
    )
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("rubrik"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("länk"), max_length=500, blank=True)
    reminder = models.OneToOneField(
        "ReminderRecord",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification",
        verbose_name=_("påminnelse"),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    read_at = models.DateTimeField(_("läst"), null=True, blank=True)

    class Meta:
        verbose_name = _("notis")
        verbose_name_plural = _("notiser")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notif_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notifications:open", args=[self.pk])

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("måndag")
    TUESDAY = 1, _("tisdag")
    WEDNESDAY = 2, _("onsdag")
    THURSDAY = 3, _("torsdag")
    FRIDAY = 4, _("fredag")
    SATURDAY = 5, _("lördag")
    SUNDAY = 6, _("söndag")


def parse_days(value: str) -> list[int]:
    """ "14, 3" → [14, 3]. Raises ValueError on anything but non-negative whole numbers."""
    days = [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
    if any(day < 1 or day > 366 for day in days):
        raise ValueError(value)
    return sorted(set(days), reverse=True)


def validate_days(value: str) -> None:
    try:
        parse_days(value)
    except ValueError as exc:
        raise ValidationError(
            _("Ange antal dagar som heltal 1–366, åtskilda med kommatecken, t.ex. ”14, 3”.")
        ) from exc


class ReminderSettings(models.Model):
    """A municipality's reminder rules. Without a row the defaults below apply."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="reminder_settings",
        verbose_name=_("kommun"),
    )
    enabled = models.BooleanField(_("skicka påminnelser"), default=True)
    days_before = models.CharField(
        _("dagar före"),
        max_length=60,
        default="14, 3",
        blank=True,
        validators=[validate_days],
        help_text=_("Påminn så många dagar före sista dag, t.ex. ”14, 3”."),
    )
    on_due_date = models.BooleanField(_("påminn på sista dagen"), default=True)
    days_overdue = models.CharField(
        _("dagar efter (försenad)"),
        max_length=60,
        default="1, 7, 30",
        blank=True,
        validators=[validate_days],
        help_text=_("Påminn så många dagar efter passerad sista dag, t.ex. ”1, 7, 30”."),
    )
    escalation_days = models.PositiveSmallIntegerField(
        _("eskalera efter antal dagar"),
        default=30,
        help_text=_(
            "Så många dagar efter passerad sista dag går en eskalering till "
            "informationssäkerhetssamordnaren och enhetens chef. Eskaleringar kan inte väljas bort."
        ),
    )
    reporting_enabled = models.BooleanField(_("påminn om årlig rapportering"), default=True)
    reporting_day = models.PositiveSmallIntegerField(_("rapportering senast, dag"), default=1)
    reporting_month = models.PositiveSmallIntegerField(_("rapportering senast, månad"), default=3)
    digest_weekday = models.PositiveSmallIntegerField(
        _("veckosammanställning skickas på"),
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        help_text=_("För användare som valt veckovisa påminnelser."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inställningar för påminnelser")
        verbose_name_plural = _("inställningar för påminnelser")
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation_days__gte=1), name="notifications_settings_escalation_days"
            ),
            models.CheckConstraint(
                condition=Q(reporting_month__gte=1, reporting_month__lte=12),
                name="notifications_settings_reporting_month",
            ),
            models.CheckConstraint(
                condition=Q(reporting_day__gte=1, reporting_day__lte=31),
                name="notifications_settings_reporting_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Påminnelser')}: {self.municipality}"

    def clean(self) -> None:
        try:
            datetime.date(2023, self.reporting_month, self.reporting_day)  # not a leap year
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                {"reporting_day": _("Datumet finns inte (29 februari går inte heller).")}
            ) from exc

    @property
    def before(self) -> list[int]:
        return parse_days(self.days_before)

    @property
    def overdue(self) -> list[int]:
        return parse_days(self.days_overdue)

    def reporting_deadline(self, year: int) -> datetime.date:
        return datetime.date(year, self.reporting_month, self.reporting_day)


class ReminderRun(models.Model):
    """One run of the daily job: the day it ran for and what it did."""

    run_date = models.DateField(_("avser dag"))
    window_start = models.DateField(
        _("från dag"), help_text=_("Dagar som en missad körning inte hann med tas igen.")
    )
    trigger = models.CharField(_("startad av"), max_length=40, blank=True)
    started_at = models.DateTimeField(_("startad"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    due_found = models.PositiveIntegerField(_("förfallna påminnelser hittade"), default=0)
    records_created = models.PositiveIntegerField(_("nya påminnelser"), default=0)
    emails_queued = models.PositiveIntegerField(_("e-brev köade"), default=0)

    class Meta:
        verbose_name = _("körning av påminnelser")
        verbose_name_plural = _("körningar av påminnelser")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["-run_date"], name="notif_run_date_idx")]

    def __str__(self) -> str:
        return f"{self.run_date.isoformat()} ({self.started_at:%H:%M:%S})"


class OutgoingEmail(models.Model):
    """One reminder e-mail (a digest of one or more reminders) and how its sending went."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kö")
        # Handed to the SMTP server, outcome not recorded (the worker or database failed right
        # then): never re-sent automatically; a person checks and resends from the admin.
        SENDING = "sending", _("Skickas – utfallet okänt")
        SENT = "sent", _("Skickat")
        FAILED = "failed", _("Misslyckades")
        SKIPPED = "skipped", _("Inte skickat")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommun")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_emails",
        verbose_name=_("mottagare"),
    )
    run = models.ForeignKey(
        ReminderRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("körning"),
    )
    to_address = models.EmailField(_("till"), blank=True)
    subject = models.CharField(_("ämne"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("försök"), default=0)
    last_error = models.TextField(_("senaste fel"), blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    sent_at = models.DateTimeField(_("skickat"), null=True, blank=True)

    class Meta:
        verbose_name = _("utgående e-brev")
        verbose_name_plural = _("utgående e-brev")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notifications_email_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="notif_email_status_idx"),
            models.Index(fields=["run", "recipient"], name="notif_email_run_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.to_address or self.recipient_id}: {self.subject or _('påminnelser')}"


class ReminderRule(models.TextChoices):
    BEFORE = "before", _("Före sista dag")
    DUE = "due", _("Sista dag")
    OVERDUE = "overdue", _("Försenad")
    ESCALATION = "escalation", _("Eskalering")


class ItemKind(models.TextChoices):
    OCCURRENCE = "occurrence", _("Kontrolltillfälle")
    ACTION = "action", _("Åtgärd")
    RESPONSE = "response", _("Yttrande")
    REPORTING = "reporting", _("Årlig rapportering")


class ReminderRecord(models.Model):
    """A reminder, recorded once: (recipient, item, rule, days, date) is unique.

    ``for_date`` is the day the rule fires (due date + ``days``); ``due_date`` the item's
    deadline. Title, unit and link are copied from the item when the reminder is made, so the
    e-mail says what the reminder said even if the item changes later.
    """

    # Few indexes: the daily job inserts thousands of rows. The unique constraint leads with
    # the recipient and the object index with the content type, so those need none of their own.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("kommun"),
        db_index=False,
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("mottagare"),
        db_index=False,
    )
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("objekttyp"),
        db_index=False,
        # Content types are fixed rows; checking them for every reminder at commit is waste.
        db_constraint=False,
    )
    object_id = models.PositiveBigIntegerField(_("objekt-id"))
    item_kind = models.CharField(_("typ"), max_length=20, choices=ItemKind.choices)
    rule = models.CharField(_("regel"), max_length=20, choices=ReminderRule.choices)
    days = models.SmallIntegerField(
        _("dagar"), help_text=_("Negativt före sista dag, positivt efter.")
    )
    for_date = models.DateField(_("avser dag"))
    due_date = models.DateField(_("sista dag"))
    title = models.CharField(_("rubrik"), max_length=255)
    unit_name = models.CharField(_("enhet"), max_length=160, blank=True)
    url = models.CharField(_("länk"), max_length=500, blank=True)
    mandatory = models.BooleanField(_("obligatorisk"), default=False)
    run = models.ForeignKey(
        ReminderRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("körning"),
    )
    email = models.ForeignKey(
        OutgoingEmail,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("e-brev"),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("skickad påminnelse")
        verbose_name_plural = _("skickade påminnelser")
        ordering = ["-for_date", "due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "content_type", "object_id", "rule", "days", "for_date"],
                name="notifications_reminder_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "for_date"],
                name="notif_reminder_pending_idx",
                condition=Q(email__isnull=True),
            ),
            models.Index(fields=["content_type", "object_id"], name="notif_reminder_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.for_date.isoformat()} {self.get_rule_display()}: {self.title}"

    @property
    def absolute_url(self) -> str:
        return f"{settings.SITE_URL}{self.url}" if self.url.startswith("/") else self.url
