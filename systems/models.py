"""The system inventory, information classification (KLASSA) and access reviews."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
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


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


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

    def clean(self) -> None:
        labels = self.labels
        if (
            not isinstance(labels, list)
            or len(labels) != 5
            or not all(isinstance(label, str) and label.strip() for label in labels)
        ):
            raise ValidationError({"labels": _("Ange exakt fem benämningar, för nivå 0–4.")})

    @classmethod
    def for_municipality(cls, municipality_id: int | None) -> ClassificationScale:
        """The municipality's scale, or the defaults (unsaved) when none is stored."""
        found = cls.objects.filter(municipality_id=municipality_id).first()
        return found or cls(
            municipality_id=municipality_id, max_age_years=settings.CLASSIFICATION_MAX_AGE_YEARS
        )

    def label(self, level: int | None) -> str:
        if level is None:
            return ""
        labels = self.labels if isinstance(self.labels, list) else DEFAULT_CLASSIFICATION_LABELS
        try:
            return f"{level} {labels[level]}"
        except (IndexError, TypeError):
            return str(level)

    def choices(self) -> list[tuple[int, str]]:
        return [(level, self.label(level)) for level in range(5)]

    def outdated_before(self, today: datetime.date | None = None) -> datetime.date:
        """A classification made before this day is too old."""
        return years_before(today or timezone.localdate(), self.max_age_years)


DEFAULT_TEST_ACCOUNT_PATTERNS = "\n".join(
    ["*test*", "temp*", "tmp*", "demo*", "svc*", "service*", "tjänst*", "utbildning*"]
)
DEFAULT_EXTERNAL_UNITS = "Räddningstjänst"


class ReviewSettings(models.Model):
    """Per municipality: the rules that flag accounts in an access review."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="review_settings",
        verbose_name=_("kommun"),
    )
    test_account_patterns = models.TextField(
        _("mönster för test- och tjänstekonton"),
        default=DEFAULT_TEST_ACCOUNT_PATTERNS,
        blank=True,
        help_text=_(
            "Ett mönster per rad, jämförs med kontonamn och namn utan hänsyn till versaler. "
            "* står för valfri text, t.ex. ”*test*” eller ”svc_*”."
        ),
    )
    external_units = models.TextField(
        _("andra organisationer"),
        default=DEFAULT_EXTERNAL_UNITS,
        blank=True,
        help_text=_(
            "En per rad. Ett konto som inte finns i personalförteckningen och vars enhet "
            "innehåller texten flaggas som annan organisation, t.ex. ”Räddningstjänst”."
        ),
    )
    inactive_days = models.PositiveSmallIntegerField(
        _("inaktiv efter (dagar utan inloggning)"), default=90
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("behörighetsgranskning minst var (månader)"), default=12
    )
    action_deadline_days = models.PositiveSmallIntegerField(
        _("tid för åtgärder efter granskning (dagar)"), default=30
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inställningar för behörighetsgranskning")
        verbose_name_plural = _("inställningar för behörighetsgranskning")
        constraints = [
            models.CheckConstraint(
                condition=Q(inactive_days__gte=1, review_interval_months__gte=1),
                name="systems_review_settings_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: behörighetsgranskning"

    @classmethod
    def for_municipality(cls, municipality_id: int) -> ReviewSettings:
        """The municipality's settings, or the defaults (unsaved) when none are stored."""
        found = cls.objects.filter(municipality_id=municipality_id).first()
        return found or cls(municipality_id=municipality_id)

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def test_patterns(self) -> list[str]:
        return self._lines(self.test_account_patterns)

    @property
    def external_unit_names(self) -> list[str]:
        return self._lines(self.external_units)


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
            models.Index(
                fields=["municipality", "has_personal_data", "dpa_reference"],
                name="systems_muni_dpa_idx",
            ),
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
        """Older than ``max_age_years``: the same rule as the register's SQL filter."""
        return self.classified_on < years_before(today or timezone.localdate(), max_age_years)


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

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def accepts_uploads(self) -> bool:
        """Files can be (re)loaded until a decision has been taken."""
        return self.status == self.Status.DRAFT or (
            self.status == self.Status.IN_REVIEW and not self.items.exclude(decision="").exists()
        )


class ReviewUpload(models.Model):
    """An uploaded account export or payroll roster, reduced on the way in.

    The original file is never stored. Every cell that has the shape of a personnummer is replaced
    at upload by its keyed hash and masked form (see :mod:`systems.tabular`), so the table kept here
    holds no personnummer in clear. The roster is cut down to its mapped columns when the accounts
    are matched, and both uploads are deleted when the review is completed: the review's items and
    its report are what remains.
    """

    class Kind(models.TextChoices):
        ACCOUNTS = "accounts", _("Kontoexport")
        ROSTER = "roster", _("Personalförteckning")

    review = models.ForeignKey(
        AccessReview, on_delete=models.CASCADE, related_name="uploads", verbose_name=_("granskning")
    )
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    original_name = models.CharField(_("filnamn"), max_length=255)
    size = models.PositiveBigIntegerField(_("storlek (byte)"))
    sha256 = models.CharField(_("SHA-256 för originalfilen"), max_length=64)
    header = models.JSONField(_("kolumner"), default=list)
    guessed_mapping = models.JSONField(_("föreslagen mappning"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("antal rader"))
    data = models.BinaryField(_("reducerad tabell"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uppladdad av"),
    )
    uploaded_at = models.DateTimeField(_("uppladdad"), auto_now_add=True)

    # The reduced table and its header stay out of the history table: bulk data, and temporary
    # (the uploads are deleted when the review is completed; their history must not outlive them).
    history = HistoricalRecords(excluded_fields=["data", "header", "guessed_mapping"])

    class Meta:
        verbose_name = _("uppladdad fil i behörighetsgranskning")
        verbose_name_plural = _("uppladdade filer i behörighetsgranskningar")
        ordering = ["review", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["review", "kind"], name="systems_upload_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class AccessReviewItemQuerySet(models.QuerySet):
    def flagged(self) -> AccessReviewItemQuerySet:
        """Accounts that need a decision: any category but OK, and uncertain name matches."""
        return self.filter(
            ~Q(category=AccessReviewItem.Category.OK)
            | Q(match=AccessReviewItem.Match.NAME_UNCERTAIN)
        )

    def undecided(self) -> AccessReviewItemQuerySet:
        return self.flagged().filter(decision="")


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
    row_number = models.PositiveIntegerField(_("rad i kontoexporten"), null=True, blank=True)
    remark = models.CharField(_("anmärkning"), max_length=255, blank=True)

    objects = AccessReviewItemQuerySet.as_manager()
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
        indexes = [
            models.Index(fields=["review", "category"], name="systems_item_review_cat_idx"),
            models.Index(fields=["review", "decision"], name="systems_item_review_dec_idx"),
            models.Index(fields=["review", "match"], name="systems_item_review_match_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} ({self.get_category_display()})"

    @property
    def is_flagged(self) -> bool:
        return self.category != self.Category.OK or self.match == self.Match.NAME_UNCERTAIN

    @property
    def is_uncertain(self) -> bool:
        return self.match == self.Match.NAME_UNCERTAIN
