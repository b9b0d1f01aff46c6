"""Read-side views of internal control: "My controls", the plan overview and the risk matrix.

Each function reads what a page needs in a fixed number of queries, whatever the number of
control points and occurrences (pinned by tests with 200+ rows).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from controls.models import (
    MONTH_NAMES,
    ControlOccurrence,
    ControlPlan,
    ControlPoint,
    OccurrenceState,
    RiskLevel,
    RiskScale,
)
from findings.models import Action, Finding
from organisation import policy
from organisation.models import User

# --------------------------------------------------------------------------------------------
# Traffic lights
# --------------------------------------------------------------------------------------------

LIGHT_LABELS = {
    "red": _("Åtgärd krävs"),
    "yellow": _("Avvikelse"),
    "green": _("Enligt plan"),
    "grey": _("Inga kontroller"),
}


def light_for(occurrences: list[ControlOccurrence], today: datetime.date) -> str:
    """Red: overdue, not done or a significant deviation; yellow: a minor one; else green."""
    if not occurrences:
        return "grey"
    colour = "green"
    for occurrence in occurrences:
        state = occurrence.state(today)
        if (
            state in (OccurrenceState.OVERDUE, OccurrenceState.NOT_DONE)
            or occurrence.outcome == ControlOccurrence.Outcome.MAJOR_DEVIATION
        ):
            return "red"
        if occurrence.outcome == ControlOccurrence.Outcome.MINOR_DEVIATION:
            colour = "yellow"
    return colour


# --------------------------------------------------------------------------------------------
# My controls
# --------------------------------------------------------------------------------------------


@dataclass
class MyControls:
    today: datetime.date
    year: int
    overdue: list[ControlOccurrence] = field(default_factory=list)
    soon: list[ControlOccurrence] = field(default_factory=list)
    later: list[ControlOccurrence] = field(default_factory=list)
    done: list[ControlOccurrence] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.soon) + len(self.later) + len(self.done)


def my_controls(user: User, year: int | None = None) -> MyControls:
    """The occurrences the user is to carry out: of the year, plus anything still overdue."""
    today = timezone.localdate()
    year = year or today.year
    occurrences = (
        policy.my_occurrences(user)
        .filter(
            Q(control_point__plan__year=year)
            | Q(status=ControlOccurrence.Status.PLANNED, due_date__lt=today)
        )
        .exclude(
            status=ControlOccurrence.Status.PLANNED,
            control_point__plan__status=ControlPlan.Status.FINAL_REPORTED,
        )
        .select_related("control_point__plan__unit")
        .annotate(evidence_count=Count("evidence", distinct=True))
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by("pk")))
        .order_by("due_date", "control_point__number", "pk")
    )
    result = MyControls(today=today, year=year)
    for occurrence in occurrences:
        state = occurrence.state(today)
        if state in (OccurrenceState.DONE, OccurrenceState.NOT_DONE):
            result.done.append(occurrence)
        elif state == OccurrenceState.OVERDUE:
            result.overdue.append(occurrence)
        elif state == OccurrenceState.DUE:
            result.soon.append(occurrence)
        else:
            result.later.append(occurrence)
    result.done.sort(key=lambda o: (o.performed_date or o.due_date, o.pk), reverse=True)
    return result


# --------------------------------------------------------------------------------------------
# Plan overview: a grid of points × months
# --------------------------------------------------------------------------------------------


@dataclass
class PointRow:
    point: ControlPoint
    months: list[list[ControlOccurrence]]
    light: str
    done: int
    total: int
    deviations: int

    @property
    def light_label(self) -> str:
        return str(LIGHT_LABELS[self.light])


@dataclass
class PlanOverview:
    plan: ControlPlan
    today: datetime.date
    rows: list[PointRow]
    counts: dict[str, int]
    light: str
    scale: RiskScale

    @property
    def months(self) -> list[tuple[int, str]]:
        return [(i + 1, str(name)) for i, name in enumerate(MONTH_NAMES)]

    @property
    def progress_percent(self) -> int:
        total = self.counts["total"]
        return round(100 * self.counts["with_result"] / total) if total else 0

    @property
    def light_label(self) -> str:
        return str(LIGHT_LABELS[self.light])


def plan_overview(plan: ControlPlan, scale: RiskScale) -> PlanOverview:
    """Every point of the plan with its occurrences by month, lights and the year's progress."""
    today = timezone.localdate()
    points = (
        plan.control_points.select_related("owner", "inherited_from")
        .prefetch_related(
            Prefetch(
                "occurrences",
                queryset=ControlOccurrence.objects.annotate(
                    finding_count=Count("findings", distinct=True)
                ).order_by("due_date", "pk"),
            )
        )
        .order_by("number")
    )
    rows = []
    counts: dict[str, int] = defaultdict(int)
    all_occurrences: list[ControlOccurrence] = []
    for point in points:
        occurrences = list(point.occurrences.all())
        all_occurrences.extend(occurrences)
        months: list[list[ControlOccurrence]] = [[] for _ in range(12)]
        for occurrence in occurrences:
            if occurrence.due_date.year == plan.year:
                months[occurrence.due_date.month - 1].append(occurrence)
            else:  # outside the plan's year (kept after a schedule change): show at the end
                months[11].append(occurrence)
            counts[occurrence.state(today).value] += 1
            if occurrence.is_deviation:
                counts["deviations"] += 1
        done = sum(1 for o in occurrences if o.status == ControlOccurrence.Status.DONE)
        rows.append(
            PointRow(
                point=point,
                months=months,
                light=light_for(occurrences, today),
                done=done,
                total=len(occurrences),
                deviations=sum(1 for o in occurrences if o.is_deviation),
            )
        )
    counts["total"] = len(all_occurrences)
    counts["with_result"] = counts[OccurrenceState.DONE] + counts[OccurrenceState.NOT_DONE]
    return PlanOverview(
        plan=plan,
        today=today,
        rows=rows,
        counts=dict(counts) | {k: counts[k] for k in OccurrenceState.values},
        light=light_for(all_occurrences, today),
        scale=scale,
    )


# --------------------------------------------------------------------------------------------
# Risk matrix
# --------------------------------------------------------------------------------------------


@dataclass
class MatrixCell:
    likelihood: int
    consequence: int
    score: int
    level: str
    count: int

    @property
    def level_label(self) -> str:
        return str(RiskLevel(self.level).label).lower()


@dataclass
class RiskMatrix:
    scale: RiskScale
    rows: list[tuple[int, str, list[MatrixCell]]]
    total: int

    @property
    def consequence_headers(self) -> list[tuple[int, str]]:
        return list(enumerate(self.scale.consequence_labels, start=1))


def risk_matrix(points: QuerySet[ControlPoint], scale: RiskScale) -> RiskMatrix:
    """Count points per likelihood × consequence cell; likelihood from high (top) to low."""
    counts = {
        (row["likelihood"], row["consequence"]): row["n"]
        for row in points.order_by().values("likelihood", "consequence").annotate(n=Count("pk"))
    }
    rows = []
    for likelihood in range(scale.size, 0, -1):
        cells = [
            MatrixCell(
                likelihood=likelihood,
                consequence=consequence,
                score=likelihood * consequence,
                level=scale.level(likelihood * consequence).value,
                count=counts.get((likelihood, consequence), 0),
            )
            for consequence in range(1, scale.size + 1)
        ]
        rows.append((likelihood, scale.likelihood_labels[likelihood - 1], cells))
    return RiskMatrix(scale=scale, rows=rows, total=sum(counts.values()))


# --------------------------------------------------------------------------------------------
# Carried over from last year
# --------------------------------------------------------------------------------------------


@dataclass
class CarryOver:
    previous_plan: ControlPlan | None
    findings: list[Finding]
    actions: list[Action]


def carry_over(user: User, plan: ControlPlan) -> CarryOver:
    """The open deviations and actions from the unit's plan of the year before."""
    previous = plan.copied_from
    if previous is None or previous.unit_id != plan.unit_id:
        previous = ControlPlan.objects.filter(unit_id=plan.unit_id, year=plan.year - 1).first()
    if previous is None:
        return CarryOver(previous_plan=None, findings=[], actions=[])
    findings = list(
        policy.findings(user)
        .filter(occurrence__control_point__plan=previous)
        .exclude(status__in=Finding.CLOSED_STATUSES)
        .select_related("occurrence__control_point")
        .order_by("identified_date", "pk")
    )
    actions = list(
        policy.actions(user)
        .open()
        .filter(findings__occurrence__control_point__plan=previous)
        .select_related("owner")
        .distinct()
        .order_by("deadline", "pk")
    )
    return CarryOver(previous_plan=previous, findings=findings, actions=actions)


def plan_counts(plans: QuerySet[ControlPlan]) -> QuerySet[ControlPlan]:
    """Annotate plans with their numbers of points and occurrences by status (for lists)."""
    today = timezone.localdate()
    planned = ControlOccurrence.Status.PLANNED
    return plans.annotate(
        point_count=Count("control_points", distinct=True),
        occurrence_count=Count("control_points__occurrences", distinct=True),
        result_count=Count(
            "control_points__occurrences",
            filter=~Q(control_points__occurrences__status=planned),
            distinct=True,
        ),
        overdue_count=Count(
            "control_points__occurrences",
            filter=Q(
                control_points__occurrences__status=planned,
                control_points__occurrences__due_date__lt=today,
            ),
            distinct=True,
        ),
        deviation_count=Count(
            "control_points__occurrences",
            filter=Q(
                control_points__occurrences__outcome__in=[
                    ControlOccurrence.Outcome.MINOR_DEVIATION,
                    ControlOccurrence.Outcome.MAJOR_DEVIATION,
                ]
            ),
            distinct=True,
        ),
    )


def points_with_state(points: QuerySet[ControlPoint]) -> QuerySet[ControlPoint]:
    """Annotate points with their occurrence counts (for the point list)."""
    today = timezone.localdate()
    planned = ControlOccurrence.Status.PLANNED
    return points.annotate(
        occurrence_count=Count("occurrences", distinct=True),
        result_count=Count("occurrences", filter=~Q(occurrences__status=planned), distinct=True),
        overdue_count=Count(
            "occurrences",
            filter=Q(occurrences__status=planned, occurrences__due_date__lt=today),
            distinct=True,
        ),
    )


def as_int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
