"""Archived board documents: each generated PDF is an immutable, versioned record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import private_upload_to
from organisation.models import Decision, Municipality, OrgUnit


class Report(models.Model):
    """A generated report. Regenerating makes a new version in the same series."""

    class Kind(models.TextChoices):
        ANNUAL_FOLLOW_UP = "annual_follow_up", _("Uppföljning av internkontrollplan")
        OVERALL_ASSESSMENT = "overall_assessment", _("Samlad bedömning")
        AUDIT_FOLLOW_UP = "audit_follow_up", _("Uppföljning av granskning")
        ACTION_PLAN = "action_plan", _("Åtgärdsplan")
        SYSTEM_INVENTORY = "system_inventory", _("Systemförteckning")

    class Audience(models.TextChoices):
        BOARD = "board", _("Nämndversion (utan sekretessbelagda detaljer)")
        INTERNAL = "internal", _("Intern version")

    class Status(models.TextChoices):
        PENDING = "pending", _("I kö")
        RUNNING = "running", _("Skapas")
        DONE = "done", _("Klar")
        FAILED = "failed", _("Misslyckades")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="reports", verbose_name=_("kommun")
    )
    kind = models.CharField(_("rapporttyp"), max_length=30, choices=Kind.choices)
    audience = models.CharField(
        _("version"), max_length=10, choices=Audience.choices, default=Audience.BOARD
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("enhet"),
        help_text=_("Den nämnd eller enhet rapporten gäller; styr vem som får läsa den."),
    )
    year = models.PositiveSmallIntegerField(_("år"), null=True, blank=True)
    audit = models.ForeignKey(
        "audits.Audit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("granskning"),
    )
    parameters = models.JSONField(_("parametrar"), default=dict, blank=True)
    series_key = models.CharField(_("serie"), max_length=200, editable=False)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("titel"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("fil"), upload_to=private_upload_to, max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("storlek (byte)"), null=True, blank=True)
    data_as_of = models.DateTimeField(_("data per"), null=True, blank=True)
    error = models.TextField(_("fel"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("beställd av"),
    )
    requested_at = models.DateTimeField(_("beställd"), auto_now_add=True)
    generated_at = models.DateTimeField(_("skapad"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("antal sidor"), null=True, blank=True)
    pdf_variant = models.CharField(_("PDF-variant"), max_length=20, blank=True)
    is_sent_to_board = models.BooleanField(_("skickad till nämnden"), default=False)
    sent_to_board_at = models.DateTimeField(_("markerad som skickad"), null=True, blank=True)
    sent_to_board_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("markerad som skickad av"),
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("beslut"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rapport")
        verbose_name_plural = _("rapporter")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series_key", "version"], name="reports_report_unique_series_version"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(sha256=""), name="reports_report_done_has_hash"
            ),
            models.UniqueConstraint(
                fields=["series_key"],
                condition=Q(is_sent_to_board=True),
                name="reports_report_one_sent_per_series",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file=""), name="reports_report_done_has_file"
            ),
            models.CheckConstraint(
                condition=Q(is_sent_to_board=False) | (Q(status="done") & Q(audience="board")),
                name="reports_report_sent_is_done_board_version",
            ),
        ]
        indexes = [
            models.Index(
                fields=["municipality", "kind", "year"], name="reports_muni_kind_year_idx"
            ),
            models.Index(fields=["unit", "kind"], name="reports_unit_kind_idx"),
            models.Index(fields=["series_key", "-version"], name="reports_series_version_idx"),
            models.Index(fields=["municipality", "status"], name="reports_muni_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def get_absolute_url(self) -> str:
        return reverse("reports:report_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_board_version(self) -> bool:
        return self.audience == self.Audience.BOARD

    @property
    def download_name(self) -> str:
        return f"{self.title} v{self.version}.pdf"


#: Fields of a report that never change once it is done (the archived record). A database trigger
#: (migration 0002) refuses such updates; only the sent-to-board marking may change later.
FROZEN_WHEN_DONE = (
    "municipality_id",
    "kind",
    "audience",
    "unit_id",
    "year",
    "audit_id",
    "parameters",
    "series_key",
    "version",
    "title",
    "status",
    "file",
    "sha256",
    "size",
    "data_as_of",
    "requested_by_id",
    "requested_at",
    "generated_at",
    "page_count",
    "pdf_variant",
)
