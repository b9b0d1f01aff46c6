"""The security event log: who did what, when and from where.

Rows are written by :func:`security.events.record` and never changed or deleted by the app
(no truncation job, read-only admin); only ``alert_sent_at`` is set once an alert about the
event has gone out. The log is kept as long as the database is.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecurityEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("Inloggning")
        LOGIN_FAILED = "login_failed", _("Misslyckad inloggning")
        LOGOUT = "logout", _("Utloggning")
        LOCKOUT = "lockout", _("Inloggning spärrad")
        UNLOCK = "unlock", _("Spärr hävd")
        PASSWORD_SPRAY = "password_spray", _("Misstänkt lösenordsgissning")
        PASSWORD_CHANGED = "password_changed", _("Lösenord bytt")
        SESSIONS_ENDED = "sessions_ended", _("Utloggad från alla sessioner")
        OTP_DEVICE_ADDED = "otp_device_added", _("Tvåfaktorsinloggning aktiverad")
        OTP_VERIFIED = "otp_verified", _("Tvåfaktorsverifiering")
        OTP_FAILED = "otp_failed", _("Misslyckad tvåfaktorsverifiering")
        RECOVERY_CODE_USED = "recovery_code_used", _("Reservkod använd")
        RECOVERY_CODES_CREATED = "recovery_codes_created", _("Nya reservkoder")
        ROLE_GRANTED = "role_granted", _("Roll tilldelad")
        ROLE_CHANGED = "role_changed", _("Roll ändrad")
        ROLE_REVOKED = "role_revoked", _("Roll borttagen")
        PERMISSION_GRANTED = "permission_granted", _("Behörighet tilldelad")
        PERMISSION_REVOKED = "permission_revoked", _("Behörighet borttagen")
        ACCOUNT_CHANGED = "account_changed", _("Kontots status ändrad")
        EXPORT = "export", _("Export")
        REPORT_DOWNLOAD = "report_download", _("Rapport nedladdad")
        EVIDENCE_DOWNLOAD = "evidence_download", _("Underlag nedladdat")

    #: Kinds that tell of an attack or a lockout; the log page marks them.
    ALERT_KINDS = frozenset({Kind.LOCKOUT, Kind.PASSWORD_SPRAY})

    created_at = models.DateTimeField(_("tidpunkt"), default=timezone.now, db_index=True)
    kind = models.CharField(_("händelse"), max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_events",
        verbose_name=_("användare"),
    )
    # Kept as text too: failed sign-ins for unknown usernames, and users deleted later.
    username = models.CharField(_("användarnamn"), max_length=150, blank=True)
    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="security_events",
        verbose_name=_("kommun"),
    )
    ip = models.GenericIPAddressField(_("IP-adress"), null=True, blank=True)
    user_agent = models.CharField(_("webbläsare"), max_length=255, blank=True)
    object_type = models.CharField(_("objekttyp"), max_length=100, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=64, blank=True)
    object_repr = models.CharField(_("objekt"), max_length=200, blank=True)
    detail = models.TextField(_("beskrivning"), blank=True)
    alert_sent_at = models.DateTimeField(_("larm skickat"), null=True, blank=True)

    class Meta:
        verbose_name = _("säkerhetshändelse")
        verbose_name_plural = _("säkerhetshändelser")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "-created_at"], name="sec_event_muni_time_idx"),
            models.Index(fields=["municipality", "kind", "-created_at"], name="sec_event_kind_idx"),
            models.Index(fields=["ip", "-created_at"], name="sec_event_ip_idx"),
            models.Index(fields=["username", "-created_at"], name="sec_event_username_idx"),
            models.Index(fields=["user", "-created_at"], name="sec_event_user_idx"),
        ]

    def __str__(self) -> str:
        who = self.username or "–"
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} ({who})"

    @property
    def is_alert(self) -> bool:
        return self.kind in self.ALERT_KINDS
