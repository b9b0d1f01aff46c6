"""In-app notifications (the bell). Reminder e-mails and their exactly-once records build on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
    )
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("rubrik"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("länk"), max_length=500, blank=True)
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
