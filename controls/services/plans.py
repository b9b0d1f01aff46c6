"""Writes to plans and control points: status transitions, revisions, copies and inheritance.

Rules kept here (and tested in tests/controls/test_services_plans.py):

* A draft plan is edited freely. An **adopted** plan's control points change only through a
  recorded :class:`~controls.models.PlanRevision` (reason, optional decision, list of changes),
  written in the same transaction as the change. A **final-reported** plan does not change.
* **Municipality-wide control points** are the points with ``scope=municipality`` in the plan
  of the kommunstyrelse (the unit of kind ``kommunstyrelse``). They appear in every other unit's
  plan of the same year as *inherited copies* (``inherited_from`` points at KS's point): each unit
  carries out the control itself, so each copy has its own occurrences, results and control
  owner. The copies are created or updated when KS's plan is adopted, when KS revises a
  municipality-wide point of its adopted plan, and when a unit's plan is created while KS's plan
  of that year is adopted. In a unit's plan the inherited fields (what is controlled, the risk,
  the schedule) are read-only; the unit sets its own control owner and systems. When KS
  withdraws a point, copies without results are removed and copies with results are kept,
  detached from KS.
* Every change of a schedule re-syncs the point's occurrences (:mod:`controls.schedule`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from controls.models import (
    ControlOccurrence,
    ControlPlan,
    ControlPoint,
    PlanRevision,
    RiskScale,
)
from controls.schedule import month_name, sync_occurrences
from organisation.models import Decision, Municipality, OrgUnit, User

#: The fields of a control point a coordinator edits (``systems`` is handled apart).
POINT_FIELDS = (
    "number",
    "title",
    "process",
    "risk_description",
    "likelihood",
    "consequence",
    "control_activity",
    "method",
    "sample",
    "frequency",
    "planned_months",
    "owner",
    "owner_description",
    "reports_to",
    "scope",
    "is_access_review",
)
#: What KS decides for a municipality-wide point; read-only in the units' inherited copies.
INHERITED_FIELDS = (
    "title",
    "process",
    "risk_description",
    "likelihood",
    "consequence",
    "control_activity",
    "method",
    "sample",
    "frequency",
    "planned_months",
    "reports_to",
    "scope",
    "is_access_review",
)
#: Carried from one year's point to the next year's copy.
COPIED_FIELDS = tuple(f for f in POINT_FIELDS if f != "number")


@dataclass(frozen=True)
class DecisionInput:
    """A minute item: the organ, the meeting date, the paragraph (§) and the Dnr."""

    organ: OrgUnit
    meeting_date: datetime.date
    paragraph: str = ""
    dnr: str = ""


@dataclass(frozen=True)
class RevisionInput:
    """Why an adopted plan changes, and under which decision if there is one."""

    reason: str
    decision: DecisionInput | None = None


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def risk_scale_for(municipality: Municipality) -> RiskScale:
    """The municipality's risk scale; a default 4 × 4 scale is created the first time."""
    scale, _created = RiskScale.objects.get_or_create(municipality=municipality)
    return scale


def is_executive_board_plan(plan: ControlPlan) -> bool:
    return plan.unit.kind == OrgUnit.Kind.EXECUTIVE_BOARD


def executive_board_plan(municipality_id: int, year: int) -> ControlPlan | None:
    """KS's adopted (or final-reported) plan of the year, whose municipality-wide points spread."""
    return (
        ControlPlan.objects.filter(
            municipality_id=municipality_id,
            year=year,
            unit__kind=OrgUnit.Kind.EXECUTIVE_BOARD,
            status__in=[ControlPlan.Status.ADOPTED, ControlPlan.Status.FINAL_REPORTED],
        )
        .select_related("unit", "adoption_decision")
        .order_by("pk")
        .first()
    )


def _check_risk(point: ControlPoint, scale: RiskScale) -> None:
    errors = {}
    for name, label in (("likelihood", _("Sannolikhet")), ("consequence", _("Konsekvens"))):
        value = getattr(point, name)
        if value is not None and not 1 <= value <= scale.size:
            errors[name] = _("%(label)s ska vara en nivå från 1 till %(n)s.") % {
                "label": label,
                "n": scale.size,
            }
    if errors:
        raise ValidationError(errors)


def _create_decision(
    *, municipality: Municipality, decision: DecisionInput, title: str
) -> Decision:
    if decision.organ.municipality_id != municipality.pk:
        raise ValidationError({"organ": _("Organet hör till en annan kommun.")})
    row = Decision(
        municipality=municipality,
        organ=decision.organ,
        meeting_date=decision.meeting_date,
        paragraph=decision.paragraph.strip(),
        dnr=decision.dnr.strip(),
        title=title[:255],
    )
    row.full_clean()
    row.save()
    return row


def _as_text(point: ControlPoint, name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if name == "planned_months":
        return ", ".join(month_name(m) for m in sorted(value))
    if name == "systems":
        return ", ".join(sorted(str(s) for s in value))
    field = ControlPoint._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    return str(value)


def _label(name: str) -> str:
    return str(ControlPoint._meta.get_field(name).verbose_name).capitalize()


def _snapshot(point: ControlPoint, systems: Iterable[Any] | None = None) -> dict[str, Any]:
    values = {name: getattr(point, name) for name in POINT_FIELDS}
    values["planned_months"] = sorted(values["planned_months"] or [])
    if point.pk is not None:
        values["systems"] = sorted(systems if systems is not None else point.systems.all(), key=str)
    return values


def _diff(point: ControlPoint, before: dict[str, Any], after: dict[str, Any]) -> list[dict]:
    changes = []
    for name, old in before.items():
        new = after.get(name)
        if old != new:
            changes.append(
                {
                    "point": str(point),
                    "kind": "changed",
                    "field": _label(name) if name != "systems" else _("System"),
                    "old": _as_text(point, name, old),
                    "new": _as_text(point, name, new),
                }
            )
    return changes


def _record_revision(
    *, plan: ControlPlan, user: User, revision: RevisionInput, changes: list[dict]
) -> PlanRevision:
    reason = revision.reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Ange skälet till ändringen av den fastställda planen.")}
        )
    decision = None
    if revision.decision is not None:
        decision = _create_decision(
            municipality=plan.municipality,
            decision=revision.decision,
            title=_("Revidering av %(plan)s") % {"plan": plan},
        )
    number = (plan.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    row = PlanRevision(
        plan=plan,
        number=number,
        reason=reason,
        decision=decision,
        changes=changes,
        created_by=user,
    )
    row.full_clean()
    row.save()
    return row


def _require_changeable(plan: ControlPlan, revision: RevisionInput | None) -> None:
    if plan.status == ControlPlan.Status.FINAL_REPORTED:
        raise ValidationError(_("Planen är slutredovisad och kan inte längre ändras."))
    if plan.status == ControlPlan.Status.ADOPTED and (
        revision is None or not revision.reason.strip()
    ):
        raise ValidationError(
            {
                "reason": _(
                    "Planen är fastställd. Ange skälet till ändringen; den sparas som en revision."
                )
            }
        )


def _next_number(plan: ControlPlan) -> int:
    return (plan.control_points.aggregate(n=Max("number"))["n"] or 0) + 1


def _save_point(point: ControlPoint, *, user: User, reason: str = "") -> None:
    point.full_clean()
    _check_risk(point, risk_scale_for(point.plan.municipality))
    point._history_user = user
    if reason:
        point._change_reason = reason
    point.save()


def _check_owner(point: ControlPoint) -> None:
    if point.owner_id and point.owner.municipality_id != point.plan.municipality_id:
        raise ValidationError({"owner": _("Kontrollansvarig ska höra till samma kommun.")})


def _check_systems(plan: ControlPlan, systems: Sequence[Any]) -> None:
    if any(system.municipality_id != plan.municipality_id for system in systems):
        raise ValidationError({"systems": _("Systemen ska höra till samma kommun.")})


# --------------------------------------------------------------------------------------------
# Plans and their status transitions
# --------------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    *,
    unit: OrgUnit,
    year: int,
    user: User,
    title: str = "",
    risk_analysis: str = "",
    copied_from: ControlPlan | None = None,
    inherit: bool = True,
) -> ControlPlan:
    """A new draft plan; it inherits KS's municipality-wide points of the year if adopted.

    ``inherit=False`` leaves that to the caller (an import adds its rows first, then calls
    :func:`inherit_municipality_wide_points` so that the file's numbers are kept).
    """
    if ControlPlan.objects.filter(unit=unit, year=year).exists():
        raise ValidationError(
            {
                "year": _("Det finns redan en plan för %(unit)s %(year)s.")
                % {"unit": unit, "year": year}
            }
        )
    plan = ControlPlan(
        municipality_id=unit.municipality_id,
        unit=unit,
        year=year,
        title=title.strip(),
        risk_analysis=risk_analysis,
        copied_from=copied_from,
        created_by=user,
    )
    plan.full_clean()
    plan._history_user = user
    plan.save()
    risk_scale_for(unit.municipality)
    if inherit:
        inherit_municipality_wide_points(plan=plan, user=user)
    return plan


def inherit_municipality_wide_points(*, plan: ControlPlan, user: User) -> list[dict]:
    """Bring KS's municipality-wide points of the plan's year into ``plan`` (if KS adopted)."""
    if is_executive_board_plan(plan):
        return []
    ks_plan = executive_board_plan(plan.municipality_id, plan.year)
    if ks_plan is None:
        return []
    return _inherit_into(plan=plan, ks_plan=ks_plan, user=user)


@transaction.atomic
def update_plan(*, plan: ControlPlan, user: User, title: str, risk_analysis: str) -> ControlPlan:
    if not plan.is_editable:
        raise ValidationError(_("Bara ett utkast kan ändras. En fastställd plan revideras."))
    plan.title = title.strip()
    plan.risk_analysis = risk_analysis
    plan.full_clean()
    plan._history_user = user
    plan.save()
    return plan


@transaction.atomic
def delete_plan(*, plan: ControlPlan, user: User) -> None:
    """Only a draft without results goes; anything recorded stays."""
    if not plan.is_editable:
        raise ValidationError(_("Bara ett utkast kan tas bort."))
    if (
        ControlOccurrence.objects.filter(control_point__plan=plan)
        .exclude(status=ControlOccurrence.Status.PLANNED)
        .exists()
    ):
        raise ValidationError(_("Planen har registrerade resultat och kan inte tas bort."))
    plan._history_user = user
    plan.delete()


@transaction.atomic
def adopt_plan(*, plan: ControlPlan, user: User, decision: DecisionInput) -> ControlPlan:
    """Utkast → fastställd, with the nämnd's decision. KS's adoption spreads its common points."""
    plan = (
        ControlPlan.objects.select_for_update()
        .select_related("unit", "municipality")
        .get(pk=plan.pk)
    )
    if plan.status != ControlPlan.Status.DRAFT:
        raise ValidationError(_("Bara ett utkast kan fastställas."))
    if not plan.control_points.exists():
        raise ValidationError(_("Planen har inga kontrollpunkter. Lägg till minst en först."))
    plan.adoption_decision = _create_decision(
        municipality=plan.municipality,
        decision=decision,
        title=_("Fastställande av %(plan)s") % {"plan": plan},
    )
    plan.status = ControlPlan.Status.ADOPTED
    plan.full_clean()
    plan._history_user = user
    plan._change_reason = _("Fastställd")
    plan.save()
    if is_executive_board_plan(plan):
        spread_municipality_wide_points(ks_plan=plan, user=user)
    return plan


@transaction.atomic
def final_report_plan(
    *, plan: ControlPlan, user: User, decision: DecisionInput, overall_assessment: str = ""
) -> ControlPlan:
    """Fastställd → slutredovisad, once every occurrence has a result or is marked not done."""
    plan = (
        ControlPlan.objects.select_for_update()
        .select_related("unit", "municipality")
        .get(pk=plan.pk)
    )
    if plan.status != ControlPlan.Status.ADOPTED:
        raise ValidationError(_("Bara en fastställd plan kan slutredovisas."))
    open_count = ControlOccurrence.objects.filter(
        control_point__plan=plan, status=ControlOccurrence.Status.PLANNED
    ).count()
    if open_count:
        raise ValidationError(
            _(
                "%(n)s kontrolltillfällen saknar resultat. Registrera resultat eller markera dem "
                "som ej genomförda innan planen slutredovisas."
            )
            % {"n": open_count}
        )
    plan.final_report_decision = _create_decision(
        municipality=plan.municipality,
        decision=decision,
        title=_("Slutredovisning av %(plan)s") % {"plan": plan},
    )
    plan.overall_assessment = overall_assessment.strip()
    plan.status = ControlPlan.Status.FINAL_REPORTED
    plan.full_clean()
    plan._history_user = user
    plan._change_reason = _("Slutredovisad")
    plan.save()
    return plan


@transaction.atomic
def copy_plan_to_next_year(*, plan: ControlPlan, user: User) -> ControlPlan:
    """A draft for next year with this year's own control points (and their systems).

    Inherited municipality-wide points are not copied: they come from KS's plan of next year.
    The open deviations and actions of this year are listed on the new plan's page.
    """
    year = plan.year + 1
    new_plan = create_plan(
        unit=plan.unit,
        year=year,
        user=user,
        title=plan.title.replace(str(plan.year), str(year)) if plan.title else "",
        risk_analysis=plan.risk_analysis,
        copied_from=plan,
    )
    # Next year's plan may already hold KS's municipality-wide points (adopted in December,
    # before the units copy theirs): own points keep their numbers where free, the others follow
    # after every number taken so far, in their order.
    taken = set(new_plan.control_points.values_list("number", flat=True))
    sources = plan.control_points.filter(inherited_from__isnull=True).prefetch_related("systems")
    for source in sources.order_by("number"):
        copy = ControlPoint(plan=new_plan, copied_from=source)
        for name in COPIED_FIELDS:
            setattr(copy, name, getattr(source, name))
        copy.planned_months = list(source.planned_months or [])
        copy.number = source.number if source.number not in taken else max(taken) + 1
        taken.add(copy.number)
        if copy.owner_id and not copy.owner.is_active:
            copy.owner = None
        _save_point(copy, user=user)
        copy.systems.set(source.systems.all())
        sync_occurrences(point=copy)
    return new_plan


# --------------------------------------------------------------------------------------------
# Control points
# --------------------------------------------------------------------------------------------


@transaction.atomic
def create_control_point(
    *,
    plan: ControlPlan,
    user: User,
    data: dict[str, Any],
    systems: Sequence[Any] = (),
    revision: RevisionInput | None = None,
) -> ControlPoint:
    _require_changeable(plan, revision)
    point = ControlPoint(plan=plan)
    for name in POINT_FIELDS:
        if name in data:
            setattr(point, name, data[name])
    if not point.number:
        point.number = _next_number(plan)
    point.planned_months = sorted(point.planned_months or [])
    _check_owner(point)
    _check_systems(plan, systems)
    _save_point(point, user=user, reason=revision.reason if revision else "")
    point.systems.set(systems)
    sync_occurrences(point=point)
    if plan.status == ControlPlan.Status.ADOPTED:
        change = {"point": str(point), "kind": "added", "field": "", "old": "", "new": ""}
        _record_revision(plan=plan, user=user, revision=revision, changes=[change])
        if is_executive_board_plan(plan):
            spread_municipality_wide_points(ks_plan=plan, user=user)
    return point


@dataclass
class PointUpdate:
    point: ControlPoint
    changes: list[dict]
    kept_outside: list[ControlOccurrence]


@transaction.atomic
def update_control_point(
    *,
    point: ControlPoint,
    user: User,
    data: dict[str, Any],
    systems: Sequence[Any] | None = None,
    revision: RevisionInput | None = None,
) -> PointUpdate:
    """Change a point; in an adopted plan only with a reason, recorded as a revision."""
    point = ControlPoint.objects.select_for_update().select_related("plan__unit").get(pk=point.pk)
    plan = point.plan
    _require_changeable(plan, revision)
    before = _snapshot(point)
    for name in POINT_FIELDS:
        if name in data:
            value = data[name]
            if name == "planned_months":
                value = sorted(value or [])
            if point.inherited_from_id and name in INHERITED_FIELDS and value != before[name]:
                raise ValidationError(
                    {
                        name: _(
                            "Kommungemensamma kontrollpunkter bestäms av kommunstyrelsen och "
                            "ändras i kommunstyrelsens plan."
                        )
                    }
                )
            setattr(point, name, value)
    new_systems = list(systems) if systems is not None else list(before["systems"])
    _check_owner(point)
    _check_systems(plan, new_systems)
    after = _snapshot(point, new_systems)
    changes = _diff(point, before, after)
    if not changes:
        return PointUpdate(point=point, changes=[], kept_outside=[])
    _save_point(point, user=user, reason=revision.reason if revision else "")
    if systems is not None:
        point.systems.set(new_systems)
    schedule_changed = any(before[name] != after[name] for name in ("frequency", "planned_months"))
    kept_outside = sync_occurrences(point=point).kept_outside if schedule_changed else []
    if plan.status == ControlPlan.Status.ADOPTED:
        _record_revision(plan=plan, user=user, revision=revision, changes=changes)
        if is_executive_board_plan(plan):
            spread_municipality_wide_points(ks_plan=plan, user=user)
    return PointUpdate(point=point, changes=changes, kept_outside=kept_outside)


@transaction.atomic
def delete_control_point(
    *, point: ControlPoint, user: User, revision: RevisionInput | None = None
) -> None:
    """Remove a point that has no results; an adopted plan records it as a revision."""
    point = ControlPoint.objects.select_for_update().select_related("plan__unit").get(pk=point.pk)
    plan = point.plan
    _require_changeable(plan, revision)
    if point.inherited_from_id:
        raise ValidationError(
            _("En kommungemensam kontrollpunkt tas bort i kommunstyrelsens plan, inte här.")
        )
    if point.occurrences.exclude(status=ControlOccurrence.Status.PLANNED).exists():
        raise ValidationError(_("Kontrollpunkten har registrerade resultat och kan inte tas bort."))
    label = str(point)
    _withdraw_copies(source_ids=[point.pk], user=user)
    point._history_user = user
    point.delete()
    if plan.status == ControlPlan.Status.ADOPTED:
        change = {"point": label, "kind": "removed", "field": "", "old": "", "new": ""}
        _record_revision(plan=plan, user=user, revision=revision, changes=[change])


# --------------------------------------------------------------------------------------------
# Municipality-wide points: KS's points copied into every unit's plan of the year
# --------------------------------------------------------------------------------------------


def _inherit_into(*, plan: ControlPlan, ks_plan: ControlPlan, user: User) -> list[dict]:
    """Create or update the inherited copies of KS's municipality-wide points in ``plan``."""
    sources = list(
        ks_plan.control_points.filter(scope=ControlPoint.Scope.MUNICIPALITY_WIDE).order_by("number")
    )
    source_ids = {s.pk for s in sources}
    existing = {
        p.inherited_from_id: p
        for p in plan.control_points.filter(inherited_from__plan=ks_plan).select_for_update()
    }
    changes: list[dict] = []
    for source_id, copy in existing.items():
        if source_id not in source_ids:
            changes.extend(_withdraw_copy(copy, user=user))
    number = _next_number(plan) - 1
    for source in sources:
        copy = existing.get(source.pk)
        if copy is None:
            number += 1
            copy = ControlPoint(
                plan=plan,
                number=number,
                inherited_from=source,
                owner_description=source.owner_description,
            )
            for name in INHERITED_FIELDS:
                setattr(copy, name, getattr(source, name))
            copy.planned_months = list(source.planned_months or [])
            _save_point(copy, user=user, reason=_("Kommungemensam kontrollpunkt från KS"))
            changes.append({"point": str(copy), "kind": "added", "field": "", "old": "", "new": ""})
        else:
            before = _snapshot(copy)
            for name in INHERITED_FIELDS:
                setattr(copy, name, getattr(source, name))
            copy.planned_months = sorted(source.planned_months or [])
            point_changes = _diff(copy, before, _snapshot(copy, before["systems"]))
            if not point_changes:
                continue
            _save_point(copy, user=user, reason=_("Ändrad av kommunstyrelsen"))
            changes.extend(point_changes)
        sync_occurrences(point=copy)
    if changes and plan.status == ControlPlan.Status.ADOPTED:
        decision = ks_plan.adoption_decision
        reason = _("Kommungemensamma kontrollpunkter ändrade av kommunstyrelsen (%(ref)s).") % {
            "ref": decision or ks_plan
        }
        _record_revision(
            plan=plan, user=user, revision=RevisionInput(reason=reason), changes=changes
        )
    return changes


def _withdraw_copy(copy: ControlPoint, *, user: User) -> list[dict]:
    """KS no longer has the point: drop a copy without results, detach one with results."""
    label = str(copy)
    if copy.occurrences.exclude(status=ControlOccurrence.Status.PLANNED).exists():
        copy.inherited_from = None
        copy.scope = ControlPoint.Scope.UNIT_SPECIFIC
        _save_point(copy, user=user, reason=_("Inte längre kommungemensam (KS)"))
        return [
            {
                "point": label,
                "kind": "changed",
                "field": _label("inherited_from"),
                "old": _("Ja"),
                "new": _("Nej (behålls eftersom resultat finns)"),
            }
        ]
    copy._history_user = user
    copy.delete()
    return [{"point": label, "kind": "removed", "field": "", "old": "", "new": ""}]


def _withdraw_copies(*, source_ids: Sequence[int], user: User) -> None:
    copies = ControlPoint.objects.filter(inherited_from_id__in=source_ids).select_related(
        "plan__municipality"
    )
    by_plan: dict[ControlPlan, list[dict]] = {}
    for copy in copies:
        if copy.plan.status == ControlPlan.Status.FINAL_REPORTED:
            copy.inherited_from = None
            copy.save(update_fields=["inherited_from"])
            continue
        by_plan.setdefault(copy.plan, []).extend(_withdraw_copy(copy, user=user))
    for plan, changes in by_plan.items():
        if plan.status == ControlPlan.Status.ADOPTED:
            _record_revision(
                plan=plan,
                user=user,
                revision=RevisionInput(
                    reason=_("Kommungemensam kontrollpunkt borttagen av kommunstyrelsen.")
                ),
                changes=changes,
            )


@transaction.atomic
def spread_municipality_wide_points(*, ks_plan: ControlPlan, user: User) -> int:
    """Bring every other plan of KS's year in step with KS's municipality-wide points.

    Returns the number of plans that changed. Final-reported plans are left as they are.
    """
    if not is_executive_board_plan(ks_plan) or ks_plan.status == ControlPlan.Status.DRAFT:
        return 0
    changed = 0
    targets = (
        ControlPlan.objects.filter(municipality_id=ks_plan.municipality_id, year=ks_plan.year)
        .exclude(pk=ks_plan.pk)
        .exclude(status=ControlPlan.Status.FINAL_REPORTED)
        .select_related("unit", "municipality")
        .order_by("pk")
    )
    for plan in targets:
        if _inherit_into(plan=plan, ks_plan=ks_plan, user=user):
            changed += 1
    return changed
