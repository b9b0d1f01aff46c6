"""One register of findings from every source, and the actions that remedy them."""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import StoredFile
from organisation.models import Municipality, OrgUnit


class Severity(models.TextChoices):
    LOW = "low", _("Låg")
    MEDIUM = "medium", _("Medel")
    HIGH = "high", _("Hög")
    CRITICAL = "critical", _("Kritisk")


class Finding(models.Model):
    """An avvikelse, brist or iakttagelse, whatever its source.

    Status workflow (checked in findings.services): öppen → åtgärd pågår → åtgärdad →
    verifierad | riskaccepterad. Details of a finding flagged secret (OSL 18 kap. 8 §) are kept
    from board members and left out of board documents.
    """

    class Source(models.TextChoices):
        CONTROL = "control", _("Internkontroll")
        AUDIT = "audit", _("Revision")
        SECURITY_REVIEW = "security_review", _("Säkerhetsgranskning")
        ACCESS_REVIEW = "access_review", _("Behörighetsgranskning")
        INCIDENT = "incident", _("Incident")
        OTHER = "other", _("Övrigt")

    class Status(models.TextChoices):
        OPEN = "open", _("Öppen")
        IN_PROGRESS = "in_progress", _("Åtgärd pågår")
        REMEDIED = "remedied", _("Åtgärdad")
        VERIFIED = "verified", _("Verifierad")
        RISK_ACCEPTED = "risk_accepted", _("Riskaccepterad")

    CLOSED_STATUSES = (Status.VERIFIED, Status.RISK_ACCEPTED)

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="findings", verbose_name=_("kommun")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="findings", verbose_name=_("enhet")
    )
    reference = models.CharField(_("referens"), max_length=40, blank=True)
    title = models.CharField(_("rubrik"), max_length=255)
    description = models.TextField(_("beskrivning"), blank=True)
    source = models.CharField(_("källa"), max_length=20, choices=Source.choices)
    occurrence = models.ForeignKey(
        "controls.ControlOccurrence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("kontrolltillfälle"),
    )
    audit = models.ForeignKey(
        "audits.Audit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("granskning"),
    )
    observation = models.ForeignKey(
        "audits.Observation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("iakttagelse"),
    )
    recommendation = models.ForeignKey(
        "audits.Recommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("rekommendation"),
        help_text=_("Rekommendationen som bristen följs upp genom, när källan är en granskning."),
    )
    access_review = models.ForeignKey(
        "systems.AccessReview",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("behörighetsgranskning"),
    )
    systems = models.ManyToManyField(
        "systems.System", blank=True, related_name="findings", verbose_name=_("system")
    )
    severity = models.CharField(
        _("allvarlighetsgrad"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    is_secret = models.BooleanField(
        _("sekretess (OSL 18 kap. 8 §)"),
        default=False,
        help_text=_("Detaljer om säkerhetsbrister kan omfattas av sekretess."),
    )
    identified_date = models.DateField(_("identifierad"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    status_changed_at = models.DateTimeField(_("status ändrad"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verifierad av"),
    )
    verified_at = models.DateTimeField(_("verifierad"), null=True, blank=True)
    verification_note = models.TextField(_("verifiering"), blank=True)
    risk_acceptance_motivation = models.TextField(_("motivering för riskacceptans"), blank=True)
    risk_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk accepterad av"),
    )
    risk_accepted_at = models.DateTimeField(_("risk accepterad"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[systems])

    class Meta:
        verbose_name = _("avvikelse/brist")
        verbose_name_plural = _("avvikelser och brister")
        ordering = ["-identified_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="risk_accepted")
                | (~Q(risk_acceptance_motivation="") & Q(risk_accepted_by__isnull=False)),
                name="findings_finding_risk_accepted_has_motivation",
            ),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(verified_by__isnull=False),
                name="findings_finding_verified_has_verifier",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status"], name="findings_muni_status_idx"),
            models.Index(fields=["unit", "status"], name="findings_unit_status_idx"),
            models.Index(fields=["municipality", "severity"], name="findings_muni_severity_idx"),
            models.Index(fields=["municipality", "source"], name="findings_muni_source_idx"),
            models.Index(
                fields=["municipality", "-identified_date"], name="findings_muni_date_idx"
            ),
            models.Index(fields=["updated_at"], name="findings_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return reverse("findings:finding_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES


class DeadlinePrecision(models.TextChoices):
    """Real answers say "Q1 2019" or "färdigställs 2019"; the deadline is the period's last day."""

    DAY = "day", _("Dag")
    MONTH = "month", _("Månad")
    QUARTER = "quarter", _("Kvartal")
    YEAR = "year", _("År")


def end_of_period(day: datetime.date, precision: str) -> datetime.date:
    """The last day of the period that ``day`` falls in, at the given precision."""
    if precision == DeadlinePrecision.YEAR:
        return datetime.date(day.year, 12, 31)
    if precision == DeadlinePrecision.QUARTER:
        month = ((day.month - 1) // 3 + 1) * 3
        return datetime.date(day.year, month, calendar.monthrange(day.year, month)[1])
    if precision == DeadlinePrecision.MONTH:
        return datetime.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


def format_deadline(day: datetime.date | None, precision: str) -> str:
    if day is None:
        return ""
    if precision == DeadlinePrecision.YEAR:
        return str(day.year)
    if precision == DeadlinePrecision.QUARTER:
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if precision == DeadlinePrecision.MONTH:
        from controls.models import MONTH_NAMES

        return f"{MONTH_NAMES[day.month - 1]} {day.year}"
    return day.isoformat()


class ActionQuerySet(models.QuerySet):
    def open(self) -> ActionQuerySet:
        return self.filter(status__in=Action.OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None) -> ActionQuerySet:
        return self.open().filter(deadline__lt=today or timezone.localdate())


class Action(models.Model):
    """An åtgärd: who does what by when. Overdue is derived from the deadline, never stored."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Ej påbörjad")
        IN_PROGRESS = "in_progress", _("Pågår")
        DONE = "done", _("Genomförd")
        CANCELLED = "cancelled", _("Utgår")
        # Moved into next year's work as a new action (``carried_over_to``); counted there only.
        CARRIED_OVER = "carried_over", _("Överförd till nästa år")

    OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)
    CLOSED_STATUSES = (Status.DONE, Status.CANCELLED, Status.CARRIED_OVER)

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="actions", verbose_name=_("kommun")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="actions", verbose_name=_("ansvarig enhet")
    )
    findings = models.ManyToManyField(
        Finding, blank=True, related_name="actions", verbose_name=_("avvikelser/brister")
    )
    recommendations = models.ManyToManyField(
        "audits.Recommendation",
        blank=True,
        related_name="actions",
        verbose_name=_("rekommendationer"),
    )
    title = models.CharField(_("åtgärd"), max_length=255)
    description = models.TextField(_("beskrivning"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_actions",
        verbose_name=_("ansvarig"),
    )
    owner_description = models.CharField(_("ansvarig (funktion)"), max_length=160, blank=True)
    deadline = models.DateField(_("klart senast"), null=True, blank=True)
    deadline_precision = models.CharField(
        _("precision"),
        max_length=10,
        choices=DeadlinePrecision.choices,
        default=DeadlinePrecision.DAY,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    completed_date = models.DateField(_("genomförd datum"), null=True, blank=True)
    cancel_reason = models.TextField(_("skäl till att åtgärden utgår"), blank=True)
    carried_over_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_over_to",
        verbose_name=_("överförd från"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[findings])

    class Meta:
        verbose_name = _("åtgärd")
        verbose_name_plural = _("åtgärder")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="findings_action_cancelled_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | ~Q(owner_description=""),
                name="findings_action_has_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"], name="findings_action_owner_idx"),
            models.Index(
                fields=["municipality", "status", "deadline"], name="findings_action_muni_idx"
            ),
            models.Index(fields=["unit", "status"], name="findings_action_unit_idx"),
            models.Index(fields=["updated_at"], name="findings_action_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("findings:action_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline is not None and self.deadline < timezone.localdate()

    @property
    def deadline_display(self) -> str:
        return format_deadline(self.deadline, self.deadline_precision)

    @property
    def owner_display(self) -> str:
        return str(self.owner) if self.owner_id else self.owner_description


class ActionProgress(models.Model):
    """A dated entry in an action's progress log."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="progress", verbose_name=_("åtgärd")
    )
    date = models.DateField(_("datum"), default=timezone.localdate)
    comment = models.TextField(_("kommentar"))
    status_after = models.CharField(
        _("status efter"), max_length=20, choices=Action.Status.choices, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("av")
    )
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lägesrapport")
        verbose_name_plural = _("lägesrapporter")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["action", "-date"], name="findings_progress_action_idx")]

    def __str__(self) -> str:
        return f"{self.date}: {self.comment[:60]}"


class ActionEvidence(StoredFile):
    """A file that shows what was done (a screenshot, a minute, a log export)."""

    progress = models.ForeignKey(
        ActionProgress,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("lägesrapport"),
    )

    history = HistoricalRecords()

    class Meta(StoredFile.Meta):
        verbose_name = _("underlag för åtgärd")
        verbose_name_plural = _("underlag för åtgärder")


class FindingEvidence(StoredFile):
    """A file the coordinator attaches when verifying a remedy (e.g. a new scan result)."""

    finding = models.ForeignKey(
        Finding,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("avvikelse/brist"),
    )

    history = HistoricalRecords()

    class Meta(StoredFile.Meta):
        verbose_name = _("underlag för verifiering")
        verbose_name_plural = _("underlag för verifiering")
