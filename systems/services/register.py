"""Writes of the system register: systems, roles, integrations, classifications, plans."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation import policy
from organisation.models import OrgUnit, User
from systems.models import (
    Classification,
    Integration,
    ManagementPlan,
    System,
    SystemRole,
)


def _require(user: User, verb: str, obj: Any) -> None:
    if not policy.can(user, verb, obj):
        raise PermissionDenied


# ============================================================================================
# The register
# ============================================================================================

SYSTEM_FIELDS = (
    "name",
    "description",
    "owning_unit",
    "information_owner",
    "vendor",
    "is_prioritised",
    "has_personal_data",
    "dpa_reference",
    "dpa_date",
    "reserve_routine",
    "alarm_level",
    "alarm_description",
    "is_active",
)


def _check_unit(user: User, unit: OrgUnit | None, *, field_name: str) -> None:
    if unit is None:
        return
    if unit.municipality_id != user.municipality_id:
        raise ValidationError({field_name: _("Enheten tillhör en annan kommun.")})


@transaction.atomic
def create_system(*, user: User, **fields: Any) -> System:
    unknown = set(fields) - set(SYSTEM_FIELDS)
    if unknown:
        raise TypeError(f"Unknown system fields: {sorted(unknown)}")
    unit = fields.get("owning_unit")
    if unit is None or not policy.may_create_in(user, unit):
        raise PermissionDenied
    _check_unit(user, fields.get("information_owner"), field_name="information_owner")
    system = System(municipality_id=user.municipality_id, **fields)
    system.full_clean()
    system.save()
    return system


@transaction.atomic
def update_system(*, system: System, user: User, **fields: Any) -> System:
    _require(user, policy.Verb.CHANGE, system)
    unknown = set(fields) - set(SYSTEM_FIELDS)
    if unknown:
        raise TypeError(f"Unknown system fields: {sorted(unknown)}")
    new_unit = fields.get("owning_unit")
    moving = new_unit is not None and new_unit.pk != system.owning_unit_id
    # Moving a system to another nämnd is for whoever manages both.
    if moving and not (
        policy.may_create_in(user, new_unit) and policy.may_create_in(user, system.owning_unit)
    ):
        raise ValidationError(
            {"owning_unit": _("Du kan inte flytta systemet till eller från den enheten.")}
        )
    _check_unit(user, fields.get("information_owner"), field_name="information_owner")
    for name, value in fields.items():
        setattr(system, name, value)
    system.full_clean()
    system.save()
    return system


@transaction.atomic
def add_system_role(
    *, system: System, user: User, kind: str, holder: User | None = None, name: str = ""
) -> SystemRole:
    """Appoint a systemägare, systemförvaltare…: for those who manage the owning unit."""
    if not policy.may_create_in(user, system.owning_unit):
        raise PermissionDenied
    if holder is not None and holder.municipality_id != system.municipality_id:
        raise ValidationError({"user": _("Personen tillhör en annan kommun.")})
    role = SystemRole(system=system, kind=kind, user=holder, name=name)
    role.full_clean()
    role.save()
    return role


@transaction.atomic
def remove_system_role(*, role: SystemRole, user: User) -> None:
    if not policy.may_create_in(user, role.system.owning_unit):
        raise PermissionDenied
    role.delete()


@transaction.atomic
def add_integration(
    *, source: System, target: System, user: User, description: str = ""
) -> Integration:
    _require(user, policy.Verb.CHANGE, source)
    if target.municipality_id != source.municipality_id:
        raise ValidationError({"target": _("Systemet tillhör en annan kommun.")})
    integration = Integration(source=source, target=target, description=description)
    integration.full_clean()
    integration.save()
    return integration


@transaction.atomic
def remove_integration(*, integration: Integration, user: User) -> None:
    _require(user, policy.Verb.CHANGE, integration.source)
    integration.delete()


@transaction.atomic
def add_classification(
    *,
    system: System,
    user: User,
    confidentiality: int,
    integrity: int,
    availability: int,
    traceability: int,
    classified_on: datetime.date,
    required_measures: str = "",
    classified_by_name: str = "",
) -> Classification:
    """A new classification; earlier ones are kept as the system's classification history."""
    _require(user, policy.Verb.CHANGE, system)
    if classified_on > timezone.localdate():
        raise ValidationError({"classified_on": _("Klassningsdatum kan inte ligga i framtiden.")})
    classification = Classification(
        system=system,
        confidentiality=confidentiality,
        integrity=integrity,
        availability=availability,
        traceability=traceability,
        classified_on=classified_on,
        classified_by=user,
        classified_by_name=classified_by_name or user.get_full_name() or user.username,
        required_measures=required_measures,
    )
    classification.full_clean()
    classification.save()
    return classification


@transaction.atomic
def save_management_plan(
    *,
    system: System,
    user: User,
    year: int,
    budget: Any = None,
    last_risk_analysis: datetime.date | None = None,
    notes: str = "",
) -> ManagementPlan:
    """Create or update the systemförvaltningsplan of one year."""
    _require(user, policy.Verb.CHANGE, system)
    plan = ManagementPlan.objects.filter(system=system, year=year).first() or ManagementPlan(
        system=system, year=year
    )
    plan.budget = budget
    plan.last_risk_analysis = last_risk_analysis
    plan.notes = notes
    plan.full_clean()
    plan.save()
    return plan
