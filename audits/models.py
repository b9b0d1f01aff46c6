"""Audits (granskningar), their observations and recommendations, and the boards' responses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import private_upload_to
from organisation.models import Decision, Municipality, OrgUnit


class Audit(models.Model):
    """A revisionsrapport or a security review; a follow-up audit points at the one it follows."""

    class Body(models.TextChoices):
        ELECTED_AUDITORS = "auditors", _("Förtroendevalda revisorer")
        CITY_AUDIT = "city_audit", _("Stadsrevisionen")
        ADMINISTRATION = "administration", _("Extern granskning på uppdrag av förvaltningen")

    class Kind(models.TextChoices):
        BASIC = "basic", _("Grundläggande granskning")
        IN_DEPTH = "in_depth", _("Fördjupad granskning")
        FOLLOW_UP = "follow_up", _("Uppföljande granskning")
        SECURITY_REVIEW = "security_review", _("Teknisk säkerhetsgranskning")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="audits", verbose_name=_("kommun")
    )
    title = models.CharField(_("rubrik"), max_length=255)
    body = models.CharField(_("granskande organ"), max_length=20, choices=Body.choices)
    firm = models.CharField(_("sakkunnigt biträde/företag"), max_length=120, blank=True)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    report_date = models.DateField(_("rapportdatum"))
    dnr = models.CharField(_("diarienummer"), max_length=60, blank=True)
    addressed_units = models.ManyToManyField(
        OrgUnit, related_name="audits", verbose_name=_("granskade nämnder")
    )
    follows_up = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("följer upp"),
    )
    response_deadline = models.DateField(_("svar senast"), null=True, blank=True)
    purpose = models.TextField(_("syfte"), blank=True)
    summary = models.TextField(_("sammanfattning"), blank=True)
    assessment = models.TextField(_("bedömning"), blank=True)
    is_secret = models.BooleanField(
        _("sekretess (OSL 18 kap. 8 §)"),
        default=False,
        help_text=_("Rapportens detaljer omfattas av sekretess; endast sammanfattningen visas."),
    )
    report_file = models.FileField(
        _("rapport"), upload_to=private_upload_to, max_length=255, blank=True
    )
    report_file_name = models.CharField(_("rapportens filnamn"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[addressed_units])

    class Meta:
        verbose_name = _("granskning")
        verbose_name_plural = _("granskningar")
        ordering = ["-report_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response_deadline__isnull=True)
                | Q(response_deadline__gte=models.F("report_date")),
                name="audits_audit_deadline_after_report",
            ),
            models.CheckConstraint(
                condition=~Q(follows_up=models.F("pk")), name="audits_audit_not_following_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "-report_date"], name="audits_muni_date_idx"),
            models.Index(fields=["municipality", "kind"], name="audits_muni_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.report_date.year})"

    def get_absolute_url(self) -> str:
        return reverse("audits:audit_detail", args=[self.pk])

    def chain(self) -> list[Audit]:
        """The audit and the ones it follows up, oldest first (2014 → 2016 → 2017)."""
        chain: list[Audit] = []
        node: Audit | None = self
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node)
            node = node.follows_up
        return list(reversed(chain))


class Observation(models.Model):
    """An iakttagelse under an area of the audit (S001's Granskning | Resultat rows)."""

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="observations", verbose_name=_("granskning")
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    area = models.CharField(_("område"), max_length=200)
    text = models.TextField(_("iakttagelse"))
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_observations",
        verbose_name=_("avser enhet"),
    )
    is_secret = models.BooleanField(_("sekretess (OSL 18 kap. 8 §)"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("iakttagelse")
        verbose_name_plural = _("iakttagelser")
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "number"], name="audits_observation_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.area}"


class Recommendation(models.Model):
    """A rekommendation ("Kommunstyrelsen bör …") addressed to one unit."""

    audit = models.ForeignKey(
        Audit,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("granskning"),
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    text = models.TextField(_("rekommendation"))
    addressee = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("mottagare"),
    )
    observation = models.ForeignKey(
        Observation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("iakttagelse"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rekommendation")
        verbose_name_plural = _("rekommendationer")
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "number"], name="audits_recommendation_unique_number"
            )
        ]
        indexes = [models.Index(fields=["addressee"], name="audits_rec_addressee_idx")]

    def __str__(self) -> str:
        return f"{self.audit.title}, rekommendation {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("audits:recommendation_detail", args=[self.pk])


class Assessment(models.TextChoices):
    REMEDIED = "remedied", _("Åtgärdad")
    PARTLY_REMEDIED = "partly", _("Delvis åtgärdad")
    NOT_REMEDIED = "not_remedied", _("Ej åtgärdad")
    OBSOLETE = "obsolete", _("Inaktuell")


class RecommendationAssessment(models.Model):
    """A follow-up audit's reassessment of an earlier recommendation."""

    follow_up = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("uppföljning")
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("rekommendation"),
    )
    assessment = models.CharField(_("bedömning"), max_length=20, choices=Assessment.choices)
    comment = models.TextField(_("kommentar"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bedömning vid uppföljning")
        verbose_name_plural = _("bedömningar vid uppföljning")
        ordering = ["follow_up__report_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "recommendation"],
                name="audits_assessment_unique_per_follow_up",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recommendation}: {self.get_assessment_display()}"


class BoardResponse(models.Model):
    """A nämnd's yttrande/svar to an audit: decided at a meeting, then dispatched."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        DECIDED = "decided", _("Beslutad")
        DISPATCHED = "dispatched", _("Expedierad")

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="responses", verbose_name=_("granskning")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="board_responses", verbose_name=_("nämnd")
    )
    title = models.CharField(_("rubrik"), max_length=255, blank=True)
    summary = models.TextField(_("sammanfattning"), blank=True)
    board_decision_text = models.TextField(
        _("nämndens beslut"),
        blank=True,
        help_text=_("T.ex. ”Servicenämnden tillstyrker förslag till svar …”"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_responses",
        verbose_name=_("beslut"),
    )
    dispatched_date = models.DateField(_("expedierad"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("yttrande")
        verbose_name_plural = _("yttranden")
        ordering = ["audit", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "unit"], name="audits_response_unique_unit"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(decision__isnull=False),
                name="audits_response_decided_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(status="dispatched") | Q(dispatched_date__isnull=False),
                name="audits_response_dispatched_has_date",
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="audits_response_unit_idx")]

    def __str__(self) -> str:
        return self.title or f"Yttrande från {self.unit} över {self.audit.title}"

    def get_absolute_url(self) -> str:
        return reverse("audits:response_detail", args=[self.pk])


class ResponseItem(models.Model):
    """One answer (SVAR) in a response, to a recommendation or an observation."""

    response = models.ForeignKey(
        BoardResponse, on_delete=models.CASCADE, related_name="items", verbose_name=_("yttrande")
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response_items",
        verbose_name=_("rekommendation"),
    )
    observation = models.ForeignKey(
        Observation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response_items",
        verbose_name=_("iakttagelse"),
    )
    text = models.TextField(_("svar"))
    actions = models.ManyToManyField(
        "findings.Action", blank=True, related_name="response_items", verbose_name=_("åtgärder")
    )

    history = HistoricalRecords(m2m_fields=[actions])

    class Meta:
        verbose_name = _("svarspunkt")
        verbose_name_plural = _("svarspunkter")
        ordering = ["response", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "number"], name="audits_response_item_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class Signatory(models.Model):
    response = models.ForeignKey(
        BoardResponse,
        on_delete=models.CASCADE,
        related_name="signatories",
        verbose_name=_("yttrande"),
    )
    name = models.CharField(_("namn"), max_length=160)
    title = models.CharField(_("titel"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("undertecknare")
        verbose_name_plural = _("undertecknare")
        ordering = ["response", "order"]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name
