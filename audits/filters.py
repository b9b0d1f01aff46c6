"""Filters of the audit, recommendation and response lists (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from audits.models import (
    Assessment,
    Audit,
    BoardResponse,
    Recommendation,
    RecommendationAssessment,
)
from findings.filters import SplitFilterSet
from findings.models import Finding
from organisation import policy


def _units(request):
    return policy.units(request.user).filter(is_active=True).order_by("path")


def _audits(request):
    return policy.audits(request.user).order_by("-report_date", "title")


class AuditFilter(SplitFilterSet):
    q = django_filters.CharFilter(label=_("Sök"), method="search")
    body = django_filters.ChoiceFilter(
        empty_label=_("Alla"), label=_("Granskande organ"), choices=Audit.Body.choices
    )
    kind = django_filters.ChoiceFilter(
        empty_label=_("Alla"), label=_("Typ"), choices=Audit.Kind.choices
    )
    year = django_filters.NumberFilter(label=_("År"), field_name="report_date", lookup_expr="year")
    unit = django_filters.ModelChoiceFilter(
        empty_label=_("Alla"), label=_("Granskad enhet"), queryset=_units, method="addressed_to"
    )

    class Meta:
        model = Audit
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(firm__icontains=value)
            | Q(dnr__icontains=value)
            | Q(summary__icontains=value)
        )

    def addressed_to(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not value:
            return queryset
        through = Audit.addressed_units.through.objects.filter(
            audit_id=OuterRef("pk"), orgunit__path__startswith=value.path
        )
        return queryset.filter(Exists(through))


def latest_assessment() -> Subquery:
    """The assessment of the latest follow-up that assessed the recommendation."""
    return Subquery(
        RecommendationAssessment.objects.filter(recommendation=OuterRef("pk"))
        .order_by("-follow_up__report_date", "-follow_up_id")
        .values("assessment")[:1]
    )


REGISTER_CHOICES = [
    ("open", _("Öppna brister i registret")),
    ("closed", _("Alla brister stängda (verifierade eller riskaccepterade)")),
    ("none", _("Inte i registret")),
]


class RecommendationFilter(SplitFilterSet):
    q = django_filters.CharFilter(label=_("Sök"), field_name="text", lookup_expr="icontains")
    audit = django_filters.ModelChoiceFilter(
        empty_label=_("Alla"), label=_("Granskning"), queryset=_audits
    )
    addressee = django_filters.ModelChoiceFilter(
        empty_label=_("Alla"),
        label=_("Mottagare (med underenheter)"),
        queryset=_units,
        method="addressed_to",
    )
    assessment = django_filters.ChoiceFilter(
        empty_label=_("Alla"),
        label=_("Senaste bedömning"),
        choices=[*Assessment.choices, ("none", _("Inte bedömd"))],
        method="assessed",
    )
    register = django_filters.ChoiceFilter(
        empty_label=_("Alla"),
        label=_("I registret"),
        choices=REGISTER_CHOICES,
        method="in_register",
    )

    class Meta:
        model = Recommendation
        fields: list[str] = []

    def addressed_to(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(addressee__path__startswith=value.path) if value else queryset

    def assessed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        queryset = queryset.annotate(latest=latest_assessment())
        if value == "none":
            return queryset.filter(latest__isnull=True)
        return queryset.filter(latest=value)

    def in_register(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        findings = Finding.objects.filter(recommendation=OuterRef("pk"))
        open_findings = findings.exclude(status__in=Finding.CLOSED_STATUSES)
        if value == "none":
            return queryset.filter(~Exists(findings))
        if value == "open":
            return queryset.filter(Exists(open_findings))
        if value == "closed":
            return queryset.filter(Exists(findings) & ~Exists(open_findings))
        return queryset


class ResponseFilter(SplitFilterSet):
    status = django_filters.ChoiceFilter(
        empty_label=_("Alla"), label=_("Status"), choices=BoardResponse.Status.choices
    )
    audit = django_filters.ModelChoiceFilter(
        empty_label=_("Alla"), label=_("Granskning"), queryset=_audits
    )
    unit = django_filters.ModelChoiceFilter(
        empty_label=_("Alla"),
        label=_("Nämnd (med underenheter)"),
        queryset=_units,
        method="in_unit",
    )

    class Meta:
        model = BoardResponse
        fields: list[str] = []

    def in_unit(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(unit__path__startswith=value.path) if value else queryset
