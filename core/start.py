"""What each user's start page shows: their own work, by the roles they hold.

Every section is a handful of queries whatever the amount of data (counts are aggregates,
lists are sliced), and everything is read through the policy module's scopes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from audits.models import Audit
from controls.models import ControlOccurrence, ControlPlan
from findings.models import Action, Finding, Severity
from organisation import policy
from organisation.models import Role, User
from reports.models import Report
from systems.models import AccessReview, SystemRole

SOON_DAYS = 30
LIST_LENGTH = 8


@dataclass
class StartPage:
    today: datetime.date
    roles: frozenset[str]
    occurrences: list[ControlOccurrence] = field(default_factory=list)
    occurrence_counts: dict[str, int] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)
    action_counts: dict[str, int] = field(default_factory=dict)
    overview: dict[str, Any] | None = None
    plans: list[ControlPlan] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    audits: list[Audit] = field(default_factory=list)
    managed_systems: list[Any] = field(default_factory=list)
    reviews: list[AccessReview] = field(default_factory=list)
    to_verify: list[Finding] = field(default_factory=list)
    to_verify_count: int = 0
    reporting_deadline: datetime.date | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.occurrences
            or self.actions
            or self.overview
            or self.plans
            or self.reports
            or self.audits
            or self.managed_systems
            or self.to_verify
        )


def _my_occurrences(user: User, today: datetime.date) -> tuple[list, dict[str, int]]:
    mine = policy.my_occurrences(user)
    counts = mine.aggregate(
        overdue=Count("pk", filter=Q(status=ControlOccurrence.Status.PLANNED, due_date__lt=today)),
        soon=Count(
            "pk",
            filter=Q(
                status=ControlOccurrence.Status.PLANNED,
                due_date__gte=today,
                due_date__lte=today + datetime.timedelta(days=SOON_DAYS),
            ),
        ),
        done=Count("pk", filter=~Q(status=ControlOccurrence.Status.PLANNED)),
    )
    upcoming = list(
        mine.filter(status=ControlOccurrence.Status.PLANNED)
        .select_related("control_point__plan__unit")
        .order_by("due_date", "pk")[:LIST_LENGTH]
    )
    return upcoming, counts


def _my_actions(user: User, today: datetime.date) -> tuple[list, dict[str, int]]:
    mine = policy.actions(user).filter(owner=user)
    counts = mine.aggregate(
        overdue=Count("pk", filter=Q(status__in=Action.OPEN_STATUSES, deadline__lt=today)),
        soon=Count(
            "pk",
            filter=Q(
                status__in=Action.OPEN_STATUSES,
                deadline__gte=today,
                deadline__lte=today + datetime.timedelta(days=SOON_DAYS),
            ),
        ),
        open=Count("pk", filter=Q(status__in=Action.OPEN_STATUSES)),
    )
    upcoming = list(mine.open().select_related("unit").order_by("deadline", "pk")[:LIST_LENGTH])
    return upcoming, counts


def _overview(user: User, today: datetime.date) -> dict[str, Any]:
    findings = policy.findings(user).aggregate(
        open=Count("pk", filter=~Q(status__in=Finding.CLOSED_STATUSES)),
        high=Count(
            "pk",
            filter=~Q(status__in=Finding.CLOSED_STATUSES)
            & Q(severity__in=[Severity.HIGH, Severity.CRITICAL]),
        ),
        closed=Count("pk", filter=Q(status__in=Finding.CLOSED_STATUSES)),
    )
    actions = policy.actions(user).aggregate(
        open=Count("pk", filter=Q(status__in=Action.OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=Action.OPEN_STATUSES, deadline__lt=today)),
    )
    occurrences = policy.occurrences(user).aggregate(
        overdue=Count("pk", filter=Q(status=ControlOccurrence.Status.PLANNED, due_date__lt=today)),
    )
    plans = dict(
        policy.plans(user)
        .filter(year=today.year)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    responses_due = list(
        policy.audits(user)
        .filter(response_deadline__gte=today)
        .order_by("response_deadline")[:LIST_LENGTH]
    )
    return {
        "findings": findings,
        "actions": actions,
        "occurrences": occurrences,
        "plans": {
            "draft": plans.get(ControlPlan.Status.DRAFT, 0),
            "adopted": plans.get(ControlPlan.Status.ADOPTED, 0),
            "final_reported": plans.get(ControlPlan.Status.FINAL_REPORTED, 0),
        },
        "responses_due": responses_due,
    }


def _reporting_deadline(user: User, today: datetime.date) -> datetime.date | None:
    """The next yearly reporting date to the coordinator (1 March unless configured)."""
    from notifications.models import ReminderSettings

    settings = ReminderSettings.objects.filter(municipality_id=user.municipality_id).first()
    settings = settings or ReminderSettings(municipality_id=user.municipality_id)
    if not settings.reporting_enabled:
        return None
    deadline = settings.reporting_deadline(today.year)
    return deadline if deadline >= today else settings.reporting_deadline(today.year + 1)


def start_page(user: User) -> StartPage:
    today = timezone.localdate()
    roles = policy.roles_of(user)
    page = StartPage(today=today, roles=roles)

    page.occurrences, page.occurrence_counts = _my_occurrences(user, today)
    page.actions, page.action_counts = _my_actions(user, today)

    if roles & {Role.ADMIN, Role.COORDINATOR, Role.AUDITOR}:
        page.overview = _overview(user, today)
    if Role.COORDINATOR in roles:
        waiting = policy.findings_to_verify(user)
        page.to_verify_count = waiting.count()
        page.to_verify = list(
            waiting.select_related("unit").order_by("updated_at", "pk")[:LIST_LENGTH]
        )
        page.reporting_deadline = _reporting_deadline(user, today)
    if roles & {Role.BOARD_MEMBER, Role.AUDITOR, Role.COORDINATOR, Role.ADMIN}:
        page.reports = list(
            policy.reports(user)
            .filter(status=Report.Status.DONE)
            .select_related("unit")
            .order_by("-generated_at")[:LIST_LENGTH]
        )
    if roles & {Role.BOARD_MEMBER, Role.CONTROLLER}:
        page.plans = list(
            policy.plans(user)
            .filter(year__gte=today.year - 1)
            .select_related("unit")
            .order_by("-year", "unit__path")[:LIST_LENGTH]
        )
    if roles & {Role.AUDITOR, Role.BOARD_MEMBER}:
        page.audits = list(policy.audits(user).order_by("-report_date")[:LIST_LENGTH])

    system_roles = SystemRole.objects.filter(user=user).select_related("system")
    page.managed_systems = sorted({r.system for r in system_roles}, key=lambda s: s.name)
    if page.managed_systems:
        page.reviews = list(
            policy.access_reviews(user)
            .exclude(status=AccessReview.Status.COMPLETED)
            .select_related("system")
            .order_by("-review_date")[:LIST_LENGTH]
        )
    return page
