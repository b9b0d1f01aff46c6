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
from findings.models import Action, Finding
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
    ("open", _("Åtgärdas (öppna brister eller åtgärder)")),
    ("closed", _("Stängda i registret (åtgärdade eller risk accepterad)")),
    ("remedied", _("Åtgärdade enligt registret")),
    ("risk_accepted", _("Riskaccepterad")),
    ("none", _("Inte i registret")),
]


def register_state() -> dict[str, Q]:
    """Where a recommendation stands in the findings register, as conditions on its row.

    *Stängd* (``closed``): every finding that tracks it is verified or risk-accepted; a
    recommendation followed only through actions (no finding): every action is done or
    cancelled, at least one done. A closed one is either *åtgärdad* (``remedied``: nothing of it
    was left as an accepted risk) or *risk accepterad* (``risk_accepted``: a finding of it was
    closed by accepting the risk), which is not a remedy and is never counted as one.
    *Åtgärdas* (``open``): an open finding, or (without findings) an open action.
    *Inte i registret* (``none``): neither findings nor actions.
    """
    findings = Finding.objects.filter(recommendation=OuterRef("pk"))
    open_findings = findings.exclude(status__in=Finding.CLOSED_STATUSES)
    actions = Action.objects.filter(recommendations=OuterRef("pk")).exclude(
        status=Action.Status.CARRIED_OVER
    )
    open_actions = actions.filter(status__in=Action.OPEN_STATUSES)
    done_actions = actions.filter(status=Action.Status.DONE)
    accepted = findings.filter(status=Finding.Status.RISK_ACCEPTED)
    has_findings = Q(Exists(findings))
    closed = (has_findings & ~Q(Exists(open_findings))) | (
        ~has_findings & Q(Exists(done_actions)) & ~Q(Exists(open_actions))
    )
    return {
        "closed": closed,
        "remedied": closed & ~Q(Exists(accepted)),
        "risk_accepted": closed & Q(Exists(accepted)),
        "open": Q(Exists(open_findings)) | (~has_findings & Q(Exists(open_actions))),
        "none": ~has_findings & ~Q(Exists(actions)),
    }


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
        state = register_state().get(value)
        return queryset.filter(state) if state is not None else queryset


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
