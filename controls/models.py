"""Internal control: the risk scale, the yearly plan, its control points and their occurrences."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import StoredFile
from organisation.models import Decision, Municipality, OrgUnit

DEFAULT_LIKELIHOOD_LABELS = ["Mycket liten", "Liten", "Stor", "Mycket stor"]
DEFAULT_CONSEQUENCE_LABELS = ["Försumbar", "Lindrig", "Kännbar", "Allvarlig"]

MONTH_NAMES = [
    _("januari"),
    _("februari"),
    _("mars"),
    _("april"),
    _("maj"),
    _("juni"),
    _("juli"),
    _("augusti"),
    _("september"),
    _("oktober"),
    _("november"),
    _("december"),
]


class RiskLevel(models.TextChoices):
    LOW = "green", _("Låg")
    MEDIUM = "yellow", _("Medel")
    HIGH = "red", _("Hög")


def _default_likelihood_labels() -> list[str]:
    return list(DEFAULT_LIKELIHOOD_LABELS)


def _default_consequence_labels() -> list[str]:
    return list(DEFAULT_CONSEQUENCE_LABELS)


class RiskScale(models.Model):
    """Sannolikhet × konsekvens on an n × n grid; labels and colour thresholds per municipality."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="risk_scale", verbose_name=_("kommun")
    )
    size = models.PositiveSmallIntegerField(_("antal nivåer"), default=4)
    likelihood_labels = models.JSONField(
        _("nivåer för sannolikhet"), default=_default_likelihood_labels
    )
    consequence_labels = models.JSONField(
        _("nivåer för konsekvens"), default=_default_consequence_labels
    )
    yellow_from = models.PositiveSmallIntegerField(_("gult från riskvärde"), default=5)
    red_from = models.PositiveSmallIntegerField(_("rött från riskvärde"), default=10)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("riskskala")
        verbose_name_plural = _("riskskalor")
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=3, size__lte=6), name="controls_riskscale_size_3_to_6"
            ),
            models.CheckConstraint(
                condition=Q(yellow_from__lt=models.F("red_from")),
                name="controls_riskscale_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.size}×{self.size}"

    def clean(self) -> None:
        for field in ("likelihood_labels", "consequence_labels"):
            labels = getattr(self, field)
            if not isinstance(labels, list) or len(labels) != self.size:
                raise ValidationError({field: _("Ange exakt %(n)s nivåer.") % {"n": self.size}})

    def level(self, score: int) -> RiskLevel:
        if score >= self.red_from:
            return RiskLevel.HIGH
        if score >= self.yellow_from:
            return RiskLevel.MEDIUM
        return RiskLevel.LOW

    @property
    def values(self) -> range:
        return range(1, self.size + 1)


class ControlPlan(models.Model):
    """A unit's internkontrollplan for one year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        ADOPTED = "adopted", _("Fastställd")
        FINAL_REPORTED = "final_reported", _("Slutredovisad")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="control_plans",
        verbose_name=_("kommun"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="control_plans", verbose_name=_("enhet")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    title = models.CharField(_("rubrik"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    risk_analysis = models.TextField(_("risk- och väsentlighetsanalys"), blank=True)
    adoption_decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_plans",
        verbose_name=_("beslut om fastställande"),
    )
    final_report_decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="final_reported_plans",
        verbose_name=_("beslut om slutredovisning"),
    )
    overall_assessment = models.TextField(_("samlad bedömning"), blank=True)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("kopierad från"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skapad av"),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("internkontrollplan")
        verbose_name_plural = _("internkontrollplaner")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="controls_plan_unique_unit_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="controls_plan_year_range"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(adoption_decision__isnull=False),
                name="controls_plan_adopted_has_decision",
            ),
        ]
        indexes = [
            models.Index(
                fields=["municipality", "year", "status"], name="controls_plan_muni_year_idx"
            )
        ]

    def __str__(self) -> str:
        return self.title or f"Internkontrollplan {self.year}, {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("controls:plan_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        """Only a draft is edited freely; an adopted plan changes through a recorded revision."""
        return self.status == self.Status.DRAFT


class ControlPoint(models.Model):
    """A row of the plan: the risk, its score, and the control activity that checks it."""

    class Frequency(models.TextChoices):
        YEARLY = "yearly", _("Årligen")
        HALF_YEARLY = "half_yearly", _("Halvårsvis")
        QUARTERLY = "quarterly", _("Kvartalsvis")
        MONTHLY = "monthly", _("Månadsvis")
        GIVEN_MONTHS = "months", _("Angivna månader")
        ONCE = "once", _("Vid ett tillfälle")

    class Scope(models.TextChoices):
        MUNICIPALITY_WIDE = "municipality", _("Kommungemensam")
        UNIT_SPECIFIC = "unit", _("Förvaltningsspecifik")

    plan = models.ForeignKey(
        ControlPlan, on_delete=models.CASCADE, related_name="control_points", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    title = models.CharField(_("kontrollpunkt"), max_length=200)
    process = models.CharField(_("process/rutin"), max_length=200, blank=True)
    risk_description = models.TextField(_("risk"), blank=True)
    likelihood = models.PositiveSmallIntegerField(_("sannolikhet"))
    consequence = models.PositiveSmallIntegerField(_("konsekvens"))
    control_activity = models.TextField(_("kontrollmoment"), blank=True)
    method = models.TextField(_("kontrollmetod"), blank=True)
    sample = models.CharField(_("urval"), max_length=255, blank=True)
    frequency = models.CharField(
        _("frekvens"), max_length=20, choices=Frequency.choices, default=Frequency.YEARLY
    )
    planned_months = models.JSONField(
        _("planerade månader"),
        default=list,
        blank=True,
        help_text=_("Månadsnummer 1–12, t.ex. [2, 5, 11] för februari, maj och november."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_control_points",
        verbose_name=_("kontrollansvarig"),
    )
    owner_description = models.CharField(
        _("kontrollansvarig (funktion)"), max_length=160, blank=True
    )
    reports_to = models.CharField(_("rapporteras till"), max_length=200, blank=True)
    scope = models.CharField(
        _("omfattning"), max_length=20, choices=Scope.choices, default=Scope.UNIT_SPECIFIC
    )
    inherited_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inherited_copies",
        verbose_name=_("kommungemensam kontrollpunkt från KS"),
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_year_copies",
        verbose_name=_("kopierad från föregående år"),
    )
    systems = models.ManyToManyField(
        "systems.System", blank=True, related_name="control_points", verbose_name=_("system")
    )
    is_access_review = models.BooleanField(
        _("behörighetsgranskning"),
        default=False,
        help_text=_("Kontrollen genomförs som en behörighetsgranskning mot lönesystemet."),
    )

    history = HistoricalRecords(m2m_fields=[systems])

    class Meta:
        verbose_name = _("kontrollpunkt")
        verbose_name_plural = _("kontrollpunkter")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="controls_point_unique_plan_number"
            ),
            models.CheckConstraint(
                condition=Q(
                    likelihood__gte=1, likelihood__lte=6, consequence__gte=1, consequence__lte=6
                ),
                name="controls_point_risk_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["owner"], name="controls_point_owner_idx"),
            models.Index(fields=["plan", "scope"], name="controls_point_scope_idx"),
            models.Index(
                fields=["plan", "likelihood", "consequence"], name="controls_point_risk_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("controls:point_detail", args=[self.pk])

    @property
    def risk_score(self) -> int:
        return self.likelihood * self.consequence

    def clean(self) -> None:
        from controls.schedule import schedule_errors

        months = self.planned_months or []
        if not isinstance(months, list) or any(
            not isinstance(m, int) or isinstance(m, bool) or not 1 <= m <= 12 for m in months
        ):
            raise ValidationError({"planned_months": _("Månader anges som tal 1–12.")})
        errors = schedule_errors(self.frequency, months)
        if errors:
            raise ValidationError({"planned_months": errors})

    @property
    def planned_months_display(self) -> str:
        return ", ".join(str(MONTH_NAMES[m - 1]) for m in sorted(self.planned_months or []))


class PlanRevision(models.Model):
    """A recorded change to an adopted plan: why, by whom, under which decision."""

    plan = models.ForeignKey(
        ControlPlan, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("revision"))
    reason = models.TextField(_("skäl"))
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beslut"),
    )
    changes = models.JSONField(_("ändringar"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("av")
    )
    created_at = models.DateTimeField(_("tidpunkt"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("planrevision")
        verbose_name_plural = _("planrevisioner")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="controls_revision_unique_plan_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan}, revision {self.number}"


#: An occurrence "is due" when its due date is at most this many days away.
DUE_SOON_DAYS = 30


class OccurrenceState(models.TextChoices):
    """Where an occurrence stands today; derived from status and dates, never stored."""

    DONE = "done", _("Genomförd")
    NOT_DONE = "not_done", _("Ej genomförd")
    OVERDUE = "overdue", _("Försenad")
    DUE = "due", _("Ska göras inom 30 dagar")
    PLANNED = "planned", _("Planerad")


#: Chip colour of each state (done is coloured by its outcome instead).
STATE_COLOURS = {
    OccurrenceState.NOT_DONE: "red",
    OccurrenceState.OVERDUE: "red",
    OccurrenceState.DUE: "yellow",
    OccurrenceState.PLANNED: "blue",
}
OUTCOME_COLOURS = {"no_remarks": "green", "minor": "yellow", "major": "red"}


class ControlOccurrence(models.Model):
    """One planned performance of a control point (e.g. the February check of subscriptions).

    "Försenad" is derived (planned and past its due date), never stored.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planerad")
        DONE = "done", _("Genomförd")
        NOT_DONE = "not_done", _("Ej genomförd")

    class Outcome(models.TextChoices):
        NO_REMARKS = "no_remarks", _("Utan anmärkning")
        MINOR_DEVIATION = "minor", _("Avvikelse, mindre")
        MAJOR_DEVIATION = "major", _("Avvikelse, väsentlig")

    control_point = models.ForeignKey(
        ControlPoint,
        on_delete=models.CASCADE,
        related_name="occurrences",
        verbose_name=_("kontrollpunkt"),
    )
    period_label = models.CharField(_("period"), max_length=60, blank=True)
    due_date = models.DateField(_("ska vara klar"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    performed_date = models.DateField(_("genomförd datum"), null=True, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("genomförd av"),
    )
    checked_what = models.TextField(_("vad som kontrollerats och hur"), blank=True)
    sample = models.CharField(_("urval"), max_length=255, blank=True)
    outcome = models.CharField(_("utfall"), max_length=20, choices=Outcome.choices, blank=True)
    comment = models.TextField(_("kommentar"), blank=True)
    not_done_reason = models.TextField(_("skäl till att kontrollen inte genomförts"), blank=True)
    recorded_at = models.DateTimeField(_("registrerad"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kontrolltillfälle")
        verbose_name_plural = _("kontrolltillfällen")
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(performed_date__isnull=False) & ~Q(outcome="")),
                name="controls_occurrence_done_has_result",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_done") | ~Q(not_done_reason=""),
                name="controls_occurrence_not_done_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(status="done"),
                name="controls_occurrence_outcome_only_when_done",
            ),
        ]
        indexes = [
            models.Index(fields=["control_point", "due_date"], name="controls_occ_point_due_idx"),
            models.Index(fields=["status", "due_date"], name="controls_occ_status_due_idx"),
            models.Index(fields=["outcome", "due_date"], name="controls_occ_outcome_idx"),
        ]

    def __str__(self) -> str:
        label = self.period_label or self.due_date.isoformat()
        return f"{self.control_point.title} – {label}"

    def get_absolute_url(self) -> str:
        return reverse("controls:occurrence_detail", args=[self.pk])

    @property
    def has_result(self) -> bool:
        return self.status != self.Status.PLANNED

    @property
    def is_deviation(self) -> bool:
        return self.outcome in {self.Outcome.MINOR_DEVIATION, self.Outcome.MAJOR_DEVIATION}

    @cached_property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PLANNED and self.due_date < timezone.localdate()

    def days_until_due(self, today: datetime.date | None = None) -> int:
        return (self.due_date - (today or timezone.localdate())).days

    def state(self, today: datetime.date | None = None) -> OccurrenceState:
        if self.status == self.Status.DONE:
            return OccurrenceState.DONE
        if self.status == self.Status.NOT_DONE:
            return OccurrenceState.NOT_DONE
        days = self.days_until_due(today)
        if days < 0:
            return OccurrenceState.OVERDUE
        if days <= DUE_SOON_DAYS:
            return OccurrenceState.DUE
        return OccurrenceState.PLANNED

    @property
    def chip(self) -> tuple[str, str]:
        """(colour, text) of the status chip: the outcome when done, else the state."""
        state = self.state()
        if state == OccurrenceState.DONE:
            return OUTCOME_COLOURS.get(self.outcome, "green"), self.get_outcome_display()
        return STATE_COLOURS[state], str(state.label)


class OccurrenceEvidence(StoredFile):
    occurrence = models.ForeignKey(
        ControlOccurrence,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("kontrolltillfälle"),
    )

    history = HistoricalRecords()

    class Meta(StoredFile.Meta):
        verbose_name = _("underlag")
        verbose_name_plural = _("underlag")


class PlanImport(models.Model):
    """An uploaded plan file waiting for confirmation: the preview step of an import.

    Only the cell texts are kept (JSON, never a pickle), limited in rows and size, and read back
    only by the user who uploaded them within :data:`IMPORT_TTL`. Confirming parses the cells
    again against the database as it is then, and imports every row or none.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Väntar på bekräftelse")
        IMPORTED = "imported", _("Importerad")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommun")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("av")
    )
    plan = models.ForeignKey(
        ControlPlan,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name=_("plan"),
        help_text=_("Planen som raderna läggs till i; tom när importen skapar en ny plan."),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enhet"),
    )
    year = models.PositiveSmallIntegerField(_("år"), null=True, blank=True)
    filename = models.CharField(_("filnamn"), max_length=255)
    header = models.JSONField(_("kolumner"), default=list)
    rows = models.JSONField(_("rader"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    result_plan = models.ForeignKey(
        ControlPlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("importerad till"),
    )
    created_at = models.DateTimeField(_("uppladdad"), auto_now_add=True)

    class Meta:
        verbose_name = _("import av plan")
        verbose_name_plural = _("importer av planer")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(plan__isnull=False) | (Q(unit__isnull=False) & Q(year__isnull=False)),
                name="controls_import_has_target",
            )
        ]
        indexes = [models.Index(fields=["created_by", "status"], name="controls_import_user_idx")]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_expired(self) -> bool:
        return self.created_at < timezone.now() - IMPORT_TTL


IMPORT_TTL = datetime.timedelta(hours=2)
