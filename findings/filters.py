"""Filters of the finding and action lists (django-filter).

The dashboard's counts link to these lists with the same query-string keys, so a number on the
dashboard and the length of the list it opens always agree: ``open=1``, ``overdue=1``,
``closed=1``, ``unit=<pk>`` (the unit and everything under it), ``audit=<pk>``,
``system=<pk>``, ``severity=high``, ``status=…``, ``changed_days=30`` etc.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from findings.models import Action, Finding, Severity
from organisation import policy


def _units(request):
    return policy.units(request.user).filter(is_active=True).order_by("path")


def _audits(request):
    return policy.audits(request.user).order_by("-report_date", "title")


def _systems(request):
    return policy.systems(request.user).order_by("name")


def _owners(request):
    return policy.users(request.user).filter(is_active=True).order_by("last_name", "first_name")


def _since(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


class Checkbox(django_filters.BooleanFilter):
    """``?open=1`` → True; absent → no filtering."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)


class DaysFilter(django_filters.NumberFilter):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 3660)
        super().__init__(*args, **kwargs)


def _subtree(queryset: QuerySet, unit_field: str, unit) -> QuerySet:
    if not unit:
        return queryset
    return queryset.filter(**{f"{unit_field}__path__startswith": unit.path})


def overdue_action_exists(today: datetime.date | None = None) -> Exists:
    return Exists(
        Action.objects.filter(
            findings=OuterRef("pk"),
            status__in=Action.OPEN_STATUSES,
            deadline__lt=today or timezone.localdate(),
        )
    )


class SplitFilterSet(django_filters.FilterSet):
    """A filter set whose rarely used fields sit behind "Fler filter"."""

    more_fields: tuple[str, ...] = ()

    @property
    def more_active(self) -> bool:
        return any(self.data.get(name) for name in self.more_fields)


class FindingFilter(SplitFilterSet):
    q = django_filters.CharFilter(label=_("Sök"), method="search")
    status = django_filters.ChoiceFilter(
        empty_label=_("Alla"), label=_("Status"), choices=Finding.Status.choices
    )
    severity = django_filters.ChoiceFilter(
        empty_label=_("Alla"), label=_("Allvarlighetsgrad"), choices=Severity.choices
    )
    source = django_filters.ChoiceFilter(
        empty_label=_("Alla"), label=_("Källa"), choices=Finding.Source.choices
    )
    unit = django_filters.ModelChoiceFilter(
        empty_label=_("Alla"),
        label=_("Enhet (med underenheter)"),
        queryset=_units,
        method="in_unit",
    )
    audit = django_filters.ModelChoiceFilter(
        empty_label=_("Alla"), label=_("Granskning"), queryset=_audits
    )
    system = django_filters.ModelChoiceFilter(
        empty_label=_("Alla"), label=_("System"), queryset=_systems, field_name="systems"
    )
    secret = django_filters.ChoiceFilter(
        empty_label=_("Alla"),
        label=_("Sekretess"),
        choices=[("1", _("Endast sekretessmarkerade")), ("0", _("Endast utan sekretess"))],
        method="secrecy",
    )
    open = Checkbox(label=_("Endast öppna"), method="only_open")
    overdue = Checkbox(label=_("Endast med försenade åtgärder"), method="only_overdue")
    closed = Checkbox(label=_("Endast stängda"), method="only_closed")
    created_days = DaysFilter(label=_("Registrerade senaste dagarna"), method="created_within")
    status_changed_days = DaysFilter(
        label=_("Status ändrad senaste dagarna"), method="status_changed_within"
    )
    changed_days = DaysFilter(label=_("Ändrade senaste dagarna"), method="changed_within")

    more_fields = ("source", "secret", "created_days", "status_changed_days", "changed_days")

    class Meta:
        model = Finding
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(reference__icontains=value)
            | Q(description__icontains=value)
        )

    def in_unit(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return _subtree(queryset, "unit", value)

    def secrecy(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(is_secret=value == "1") if value in ("0", "1") else queryset

    def only_open(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.exclude(status__in=Finding.CLOSED_STATUSES) if value else queryset

    def only_closed(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(status__in=Finding.CLOSED_STATUSES) if value else queryset

    def only_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.exclude(status__in=Finding.CLOSED_STATUSES).filter(overdue_action_exists())

    def created_within(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(created_at__gte=_since(int(value))) if value else queryset

    def status_changed_within(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(status_changed_at__gte=_since(int(value))) if value else queryset

    def changed_within(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(updated_at__gte=_since(int(value))) if value else queryset


def _audit_link(value) -> Q:
    return Q(findings__audit=value) | Q(recommendations__audit=value)


class ActionFilter(SplitFilterSet):
    q = django_filters.CharFilter(label=_("Sök"), method="search")
    status = django_filters.ChoiceFilter(
        empty_label=_("Alla"), label=_("Status"), choices=Action.Status.choices
    )
    unit = django_filters.ModelChoiceFilter(
        empty_label=_("Alla"),
        label=_("Enhet (med underenheter)"),
        queryset=_units,
        method="in_unit",
    )
    owner = django_filters.ModelChoiceFilter(
        empty_label=_("Alla"), label=_("Ansvarig"), queryset=_owners
    )
    audit = django_filters.ModelChoiceFilter(
        empty_label=_("Alla"), label=_("Granskning"), queryset=_audits, method="of_audit"
    )
    system = django_filters.ModelChoiceFilter(
        empty_label=_("Alla"), label=_("System"), queryset=_systems, method="of_system"
    )
    severity = django_filters.ChoiceFilter(
        empty_label=_("Alla"),
        label=_("Avvikelsens allvarlighetsgrad"),
        choices=Severity.choices,
        method="of_severity",
    )
    finding = django_filters.NumberFilter(label=_("Avvikelse"), method="of_finding")
    year = django_filters.NumberFilter(
        label=_("Klart senast år"), field_name="deadline", lookup_expr="year"
    )
    open = Checkbox(label=_("Endast öppna"), method="only_open")
    overdue = Checkbox(label=_("Endast försenade"), method="only_overdue")
    closed = Checkbox(label=_("Endast avslutade"), method="only_closed")
    completed_days = DaysFilter(label=_("Genomförda senaste dagarna"), method="completed_within")
    changed_days = DaysFilter(label=_("Ändrade senaste dagarna"), method="changed_within")

    more_fields = ("system", "severity", "finding", "year", "completed_days", "changed_days")

    class Meta:
        model = Action
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(owner_description__icontains=value)
        )

    def in_unit(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return _subtree(queryset, "unit", value)

    def _linked(self, queryset: QuerySet, condition: Q) -> QuerySet:
        # Through a subquery, so that the M2M joins never duplicate rows of the list.
        return queryset.filter(pk__in=Action.objects.filter(condition).values("pk"))

    def of_audit(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return self._linked(queryset, _audit_link(value)) if value else queryset

    def of_system(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return self._linked(queryset, Q(findings__systems=value)) if value else queryset

    def of_severity(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return self._linked(queryset, Q(findings__severity=value)) if value else queryset

    def of_finding(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return self._linked(queryset, Q(findings=int(value))) if value else queryset

    def only_open(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(status__in=Action.OPEN_STATUSES) if value else queryset

    def only_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.overdue() if value else queryset

    def only_closed(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return (
            queryset.filter(status__in=(Action.Status.DONE, Action.Status.CANCELLED))
            if value
            else queryset
        )

    def completed_within(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not value:
            return queryset
        since = timezone.localdate() - datetime.timedelta(days=int(value))
        return queryset.filter(status=Action.Status.DONE, completed_date__gte=since)

    def changed_within(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(updated_at__gte=_since(int(value))) if value else queryset
