"""Municipalities, their organisation tree, users and the roles they hold on units.

Who may see and do what is answered in one place, :mod:`organisation.policy`; this module only
stores the facts it reasons from.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Municipality(models.Model):
    """A kommun. One installation may serve several (shared IT services are common)."""

    name = models.CharField(_("namn"), max_length=120, unique=True)
    slug = models.SlugField(_("kortnamn"), max_length=60, unique=True)
    org_number = models.CharField(_("organisationsnummer"), max_length=11, blank=True)
    email_domain = models.CharField(_("e-postdomän"), max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kommun")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def root_unit(self) -> OrgUnit | None:
        return self.units.filter(parent__isnull=True).order_by("pk").first()


class OrgUnit(models.Model):
    """A unit of the municipal organisation: fullmäktige, a nämnd, a förvaltning, an avdelning…

    ``path`` is the materialised path of primary keys from the root ("/1/4/9/"); a role held on a
    unit covers the unit's whole subtree, which the policy module matches with ``startswith``.
    """

    class Kind(models.TextChoices):
        COUNCIL = "fullmaktige", _("Fullmäktige")
        EXECUTIVE_BOARD = "kommunstyrelse", _("Kommunstyrelse")
        COMMITTEE = "namnd", _("Nämnd")
        SUBCOMMITTEE = "utskott", _("Utskott")
        DEPARTMENT = "forvaltning", _("Förvaltning")
        DIVISION = "avdelning", _("Avdelning/enhet")
        COMPANY = "bolag", _("Bolag/förbund")
        AUDIT = "revision", _("Revision")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="units", verbose_name=_("kommun")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("överordnad enhet"),
    )
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("namn"), max_length=160)
    short_code = models.CharField(_("förkortning"), max_length=20, blank=True)
    serves = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="departments",
        verbose_name=_("nämnd som förvaltningen betjänar"),
    )
    head = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_units",
        verbose_name=_("chef"),
    )
    path = models.CharField(_("sökväg"), max_length=255, editable=False, db_index=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisatorisk enhet")
        verbose_name_plural = _("organisatoriska enheter")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "short_code"],
                condition=~Q(short_code=""),
                name="organisation_unit_unique_short_code",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="organisation_unit_not_own_parent"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "kind"], name="org_unit_muni_kind_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The path needs the primary key, so a new unit is saved twice. Moving a unit with
        # descendants goes through organisation.services.move_unit, which rewrites the subtree.
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if path != self.path:
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)

    def get_absolute_url(self) -> str:
        return reverse("organisation:unit_detail", args=[self.pk])

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]


class User(AbstractUser):
    """A person who signs in. Belongs to one municipality; everything they see is within it."""

    class DigestFrequency(models.TextChoices):
        DAILY = "daily", _("Dagligen")
        WEEKLY = "weekly", _("Veckovis")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("kommun"),
    )
    title = models.CharField(_("befattning"), max_length=120, blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    digest_frequency = models.CharField(
        _("påminnelser"),
        max_length=10,
        choices=DigestFrequency.choices,
        default=DigestFrequency.DAILY,
    )
    # Raised by "Logga ut från alla sessioner" (security.services.end_all_sessions): it is part
    # of the session hash, so every session signed in before the raise stops being valid.
    session_generation = models.PositiveIntegerField(
        _("sessionsgeneration"), default=0, editable=False
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login", "session_generation"])

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")
        ordering = ["last_name", "first_name", "username"]
        indexes = [models.Index(fields=["municipality", "is_active"], name="org_user_muni_idx")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's hash covers the password (a new password ends the other sessions); ours also
        # covers the session generation. Generation 0 keeps Django's value unchanged.
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "organisation.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Role(models.TextChoices):
    """Roles held on an organisation unit; they cover the unit's subtree."""

    ADMIN = "admin", _("Administratör")
    COORDINATOR = "coordinator", _("Informationssäkerhetssamordnare")
    CONTROLLER = "controller", _("Kontrollant")
    ACTION_OWNER = "action_owner", _("Åtgärdsägare")
    BOARD_MEMBER = "board_member", _("Nämndledamot")
    AUDITOR = "auditor", _("Revisor")


class RoleAssignmentQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date | None = None) -> RoleAssignmentQuerySet:
        day = day or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("användare")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("enhet")
    )
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("gäller från"), null=True, blank=True)
    valid_to = models.DateField(_("gäller till"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rolltilldelning")
        verbose_name_plural = _("rolltilldelningar")
        ordering = ["unit__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="organisation_role_unique_user_unit_role"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="organisation_role_valid_period",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"], name="org_role_user_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.unit}"


class Decision(models.Model):
    """A decision reference: the organ, meeting date, paragraph (§) and registry number (Dnr).

    Used by plans (adoption, final report), board responses and reports sent to a board. The
    text fields carry what a minute item (protokollsutdrag) holds.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("kommun")
    )
    organ = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("organ")
    )
    meeting_date = models.DateField(_("sammanträdesdatum"))
    paragraph = models.CharField(_("paragraf (§)"), max_length=20, blank=True)
    dnr = models.CharField(_("diarienummer"), max_length=60, blank=True)
    title = models.CharField(_("ärende"), max_length=255, blank=True)
    decision_basis = models.TextField(_("beslutsunderlag"), blank=True)
    proposal = models.TextField(_("förslag till beslut"), blank=True)
    decision_text = models.TextField(_("beslut"), blank=True)
    distribution = models.TextField(
        _("beslutet skickas till"), blank=True, help_text=_("En mottagare per rad.")
    )
    case_officer = models.CharField(_("handläggare"), max_length=160, blank=True)
    case_officer_contact = models.CharField(
        _("handläggarens kontaktuppgifter"), max_length=160, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")
        ordering = ["-meeting_date", "paragraph"]
        indexes = [
            models.Index(
                fields=["municipality", "meeting_date"], name="org_decision_muni_date_idx"
            ),
            models.Index(fields=["dnr"], name="org_decision_dnr_idx"),
        ]

    def __str__(self) -> str:
        parts = [self.organ.short_code or self.organ.name]
        if self.paragraph:
            parts.append(f"§ {self.paragraph}")
        parts.append(self.meeting_date.isoformat())
        text = " ".join(parts)
        return f"{text}, Dnr {self.dnr}" if self.dnr else text

    def get_absolute_url(self) -> str:
        return reverse("organisation:decision_detail", args=[self.pk])

    @property
    def distribution_list(self) -> list[str]:
        return [line.strip() for line in self.distribution.splitlines() if line.strip()]
