"""The system inventory, information classification (KLASSA) and access reviews."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisation.models import Municipality, OrgUnit

DEFAULT_CLASSIFICATION_LABELS = [
    "Försumbar",
    "Måttlig",
    "Betydande",
    "Allvarlig",
    "Synnerligen allvarlig",
]


def _default_classification_labels() -> list[str]:
    return list(DEFAULT_CLASSIFICATION_LABELS)


class ClassificationScale(models.Model):
    """Per municipality: the labels of levels 0–4 and when a classification is too old."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="classification_scale",
        verbose_name=_("kommun"),
    )
    labels = models.JSONField(_("nivåer 0–4"), default=_default_classification_labels)
    max_age_years = models.PositiveSmallIntegerField(
        _("klassning ska förnyas efter (år)"), default=3
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("klassningsskala")
        verbose_name_plural = _("klassningsskalor")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_age_years__gte=1, max_age_years__lte=10),
                name="systems_scale_max_age_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: KLASSA 0–4"


class System(models.Model):
    """A verksamhetssystem or infrastructure system in the inventory."""

    class AlarmLevel(models.TextChoices):
        NONE = "", _("Ej angiven")
        LOW = "low", _("Låg")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("Hög")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="systems", verbose_name=_("kommun")
    )
    name = models.CharField(_("namn"), max_length=160)
    description = models.TextField(_("beskrivning"), blank=True)
    owning_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="owned_systems",
        verbose_name=_("ägande nämnd"),
    )
    information_owner = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="information_owned_systems",
        verbose_name=_("informationsägare"),
    )
    vendor = models.CharField(_("leverantör"), max_length=160, blank=True)
    is_prioritised = models.BooleanField(_("prioriterat system"), default=False)
    has_personal_data = models.BooleanField(_("behandlar personuppgifter"), default=False)
    dpa_reference = models.CharField(_("PUB-avtal, referens"), max_length=120, blank=True)
    dpa_date = models.DateField(_("PUB-avtal, datum"), null=True, blank=True)
    integrations = models.ManyToManyField(
        "self",
        through="Integration",
        symmetrical=False,
        blank=True,
        related_name="integrated_from",
        verbose_name=_("integrationer"),
    )
    reserve_routine = models.TextField(_("reservrutin (plan B)"), blank=True)
    alarm_level = models.CharField(
        _("larmnivå"), max_length=10, choices=AlarmLevel.choices, blank=True
    )
    alarm_description = models.TextField(_("larm och övervakning"), blank=True)
    is_active = models.BooleanField(_("i drift"), default=True)
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("system")
        verbose_name_plural = _("system")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="systems_system_unique_name"
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "owning_unit"], name="systems_muni_unit_idx"),
            models.Index(fields=["municipality", "is_prioritised"], name="systems_muni_prio_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("systems:system_detail", args=[self.pk])

    @property
    def missing_dpa(self) -> bool:
        return self.has_personal_data and not self.dpa_reference


class SystemRole(models.Model):
    """A person's role on a system: systemägare, systemförvaltare, administratör, beställare."""

    class Kind(models.TextChoices):
        OWNER = "owner", _("Systemägare")
        MANAGER = "manager", _("Systemförvaltare")
        ADMINISTRATOR = "administrator", _("Systemadministratör")
        ORDERER = "orderer", _("Beställningsansvarig")

    system = models.ForeignKey(
        System, on_delete=models.CASCADE, related_name="roles", verbose_name=_("system")
    )
    kind = models.CharField(_("roll"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="system_roles",
        verbose_name=_("användare"),
    )
    name = models.CharField(
        _("namn eller funktion"),
        max_length=160,
        blank=True,
        help_text=_("När rollen innehas av en funktion, t.ex. ”Förvaltningschef SOC”."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("systemroll")
        verbose_name_plural = _("systemroller")
        ordering = ["system", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="systems_role_has_holder"
            ),
            models.UniqueConstraint(
                fields=["system", "kind", "user"],
                condition=Q(user__isnull=False),
                name="systems_role_unique_user",
            ),
        ]
        indexes = [models.Index(fields=["user", "kind"], name="systems_role_user_idx")]

    def __str__(self) -> str:
        holder = str(self.user) if self.user_id else self.name
        return f"{self.get_kind_display()}: {holder}"


class Integration(models.Model):
    source = models.ForeignKey(
        System,
        on_delete=models.CASCADE,
        related_name="outgoing_integrations",
        verbose_name=_("från"),
    )
    target = models.ForeignKey(
        System,
        on_delete=models.CASCADE,
        related_name="incoming_integrations",
        verbose_name=_("till"),
    )
    description = models.CharField(_("beskrivning"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("integration")
        verbose_name_plural = _("integrationer")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="systems_integration_unique"),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="systems_integration_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class ManagementPlan(models.Model):
    """A systemförvaltningsplan for one year: budget and the last risk analysis."""

    system = models.ForeignKey(
        System, on_delete=models.CASCADE, related_name="management_plans", verbose_name=_("system")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    budget = models.DecimalField(
        _("budget (kr)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    last_risk_analysis = models.DateField(_("senaste riskanalys"), null=True, blank=True)
    notes = models.TextField(_("anteckningar"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("systemförvaltningsplan")
        verbose_name_plural = _("systemförvaltningsplaner")
        ordering = ["system", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["system", "year"], name="systems_mgmt_plan_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.system}, {self.year}"


class Classification(models.Model):
    """An information classification in KLASSA's terms. Rows are kept: the newest is current."""

    system = models.ForeignKey(
        System, on_delete=models.CASCADE, related_name="classifications", verbose_name=_("system")
    )
    confidentiality = models.PositiveSmallIntegerField(_("konfidentialitet"))
    integrity = models.PositiveSmallIntegerField(_("riktighet"))
    availability = models.PositiveSmallIntegerField(_("tillgänglighet"))
    traceability = models.PositiveSmallIntegerField(_("spårbarhet"))
    classified_on = models.DateField(_("klassad"))
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("klassad av"),
    )
    classified_by_name = models.CharField(_("klassad av (namn)"), max_length=160, blank=True)
    required_measures = models.TextField(_("handlingsplan/krav på åtgärder"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("informationsklassning")
        verbose_name_plural = _("informationsklassningar")
        ordering = ["system", "-classified_on", "-pk"]
        get_latest_by = "classified_on"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    confidentiality__lte=4,
                    integrity__lte=4,
                    availability__lte=4,
                    traceability__lte=4,
                ),
                name="systems_classification_levels_0_to_4",
            )
        ]
        indexes = [
            models.Index(fields=["system", "-classified_on"], name="systems_class_system_idx")
        ]

    def __str__(self) -> str:
        return f"{self.system} {self.classified_on}: K{self.confidentiality} R{self.integrity} T{self.availability} S{self.traceability}"

    @property
    def highest_level(self) -> int:
        return max(self.confidentiality, self.integrity, self.availability, self.traceability)

    def is_outdated(self, max_age_years: int, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        try:
            limit = self.classified_on.replace(year=self.classified_on.year + max_age_years)
        except ValueError:  # 29 February
            limit = self.classified_on.replace(year=self.classified_on.year + max_age_years, day=28)
        return limit < today


class AccessReview(models.Model):
    """A behörighetsgranskning: a system's accounts compared with the payroll roster."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Påbörjad")
        IN_REVIEW = "in_review", _("Granskas")
        COMPLETED = "completed", _("Slutförd")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="access_reviews",
        verbose_name=_("kommun"),
    )
    system = models.ForeignKey(
        System, on_delete=models.PROTECT, related_name="access_reviews", verbose_name=_("system")
    )
    occurrence = models.ForeignKey(
        "controls.ControlOccurrence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_reviews",
        verbose_name=_("kontrolltillfälle"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    review_date = models.DateField(_("granskningsdatum"), default=timezone.localdate)
    accounts_source = models.CharField(_("kontoexport, källa"), max_length=200, blank=True)
    accounts_exported_on = models.DateField(_("kontoexport, datum"), null=True, blank=True)
    roster_source = models.CharField(_("personalförteckning, källa"), max_length=200, blank=True)
    roster_exported_on = models.DateField(_("personalförteckning, datum"), null=True, blank=True)
    inactive_days = models.PositiveSmallIntegerField(
        _("inaktiv efter (dagar utan inloggning)"), default=90
    )
    column_mapping = models.JSONField(_("kolumnmappning"), default=dict, blank=True)
    accounts_total = models.PositiveIntegerField(_("antal konton"), default=0)
    flagged_total = models.PositiveIntegerField(_("antal flaggade"), default=0)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granskare"),
    )
    completed_at = models.DateTimeField(_("slutförd"), null=True, blank=True)
    summary = models.TextField(_("sammanfattning"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("behörighetsgranskning")
        verbose_name_plural = _("behörighetsgranskningar")
        ordering = ["-review_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="systems_review_completed_has_time",
            )
        ]
        indexes = [
            models.Index(fields=["system", "-review_date"], name="systems_review_system_idx"),
            models.Index(fields=["municipality", "status"], name="systems_review_muni_idx"),
        ]

    def __str__(self) -> str:
        return f"Behörighetsgranskning {self.system} {self.review_date}"

    def get_absolute_url(self) -> str:
        return reverse("systems:review_detail", args=[self.pk])


class AccessReviewItem(models.Model):
    """One account in a review. Personnummer are stored only as a keyed hash and a masked form."""

    class Match(models.TextChoices):
        PERSONAL_NUMBER = "personal_number", _("Personnummer")
        EMPLOYEE_NUMBER = "employee_number", _("Anställningsnummer")
        NAME_UNCERTAIN = "name", _("Endast namn (osäker)")
        NONE = "none", _("Ingen träff")

    class Category(models.TextChoices):
        LEFT = "left", _("Slutat")
        UNKNOWN = "unknown", _("Okänd")
        TEST = "test", _("Test- eller tjänstekonto")
        EXTERNAL = "external", _("Annan organisation")
        INACTIVE = "inactive", _("Inaktiv")
        OK = "ok", _("OK")

    class Decision(models.TextChoices):
        REMOVE = "remove", _("Ta bort")
        ADJUST = "adjust", _("Justera")
        KEEP = "keep", _("Behåll med motivering")

    review = models.ForeignKey(
        AccessReview, on_delete=models.CASCADE, related_name="items", verbose_name=_("granskning")
    )
    account_id = models.CharField(_("konto"), max_length=160)
    name = models.CharField(_("namn"), max_length=200, blank=True)
    person_hash = models.CharField(_("personnummer (nyckelhash)"), max_length=64, blank=True)
    person_masked = models.CharField(_("personnummer"), max_length=13, blank=True)
    employee_number = models.CharField(_("anställningsnummer"), max_length=40, blank=True)
    last_login = models.DateField(_("senaste inloggning"), null=True, blank=True)
    role = models.CharField(_("roll i systemet"), max_length=200, blank=True)
    unit_text = models.CharField(_("enhet enligt systemet"), max_length=200, blank=True)
    match = models.CharField(
        _("matchning"), max_length=20, choices=Match.choices, default=Match.NONE
    )
    employment_end = models.DateField(_("anställning upphörde"), null=True, blank=True)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    decision = models.CharField(_("beslut"), max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("motivering"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beslutad av"),
    )
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)
    is_done = models.BooleanField(_("utförd"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("konto i behörighetsgranskning")
        verbose_name_plural = _("konton i behörighetsgranskning")
        ordering = ["review", "category", "account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "account_id"], name="systems_review_item_unique_account"
            ),
            models.CheckConstraint(
                condition=~Q(decision="keep") | ~Q(decision_reason=""),
                name="systems_review_item_keep_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["review", "category"], name="systems_item_review_cat_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} ({self.get_category_display()})"

    @property
    def is_flagged(self) -> bool:
        return self.category != self.Category.OK
