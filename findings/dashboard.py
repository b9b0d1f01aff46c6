"""The coordinator's dashboard: where every finding and action stands.

All numbers are aggregates computed in the database from the policy module's scopes — one query
per table whatever the number of findings, units, audits or systems — and every number comes
with the query string of the list it counts, so a click shows exactly those rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from audits.filters import latest_assessment, register_state
from audits.models import Assessment
from findings.models import Action, Finding, Severity
from organisation import policy
from organisation.models import User
from systems.models import System

RECENT_DAYS = 30
RECENT_CHANGES = 15


@dataclass
class Cell:
    count: int
    url: str


@dataclass
class Row:
    label: str
    url: str | None
    cells: dict[str, Cell] = field(default_factory=dict)
    depth: int = 0


@dataclass
class Dashboard:
    today: datetime.date
    totals: dict[str, Cell]
    by_unit: list[Row]
    by_severity: list[Row]
    by_system: list[Row]
    by_audit: list[Row]
    recent: dict[str, Cell]
    changes: list[dict[str, Any]]


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


FINDING_LIST = "findings:finding_list"
ACTION_LIST = "findings:action_list"
RECOMMENDATION_LIST = "audits:recommendation_list"

#: The columns of every table: (key, list url name, filter that the list understands).
COLUMNS = [
    ("findings_open", FINDING_LIST, {"open": 1}),
    ("findings_overdue", FINDING_LIST, {"overdue": 1}),
    ("findings_closed", FINDING_LIST, {"closed": 1}),
    ("actions_open", ACTION_LIST, {"open": 1}),
    ("actions_overdue", ACTION_LIST, {"overdue": 1}),
    ("actions_closed", ACTION_LIST, {"closed": 1}),
]


def _has_overdue_action(today: datetime.date) -> Exists:
    return Exists(
        Action.objects.filter(
            findings=OuterRef("pk"), status__in=Action.OPEN_STATUSES, deadline__lt=today
        )
    )


def _finding_counts(today: datetime.date, prefix: str = "") -> dict[str, Count]:
    open_q = ~Q(**{f"{prefix}status__in": Finding.CLOSED_STATUSES})
    return {
        "findings_open": Count(f"{prefix}pk", filter=open_q, distinct=True),
        "findings_overdue": Count(
            f"{prefix}pk", filter=open_q & Q(_has_overdue_action(today)), distinct=True
        ),
        "findings_closed": Count(
            f"{prefix}pk",
            filter=Q(**{f"{prefix}status__in": Finding.CLOSED_STATUSES}),
            distinct=True,
        ),
    }


def _action_counts(today: datetime.date) -> dict[str, Count]:
    return {
        "actions_open": Count("pk", filter=Q(status__in=Action.OPEN_STATUSES), distinct=True),
        "actions_overdue": Count(
            "pk",
            filter=Q(status__in=Action.OPEN_STATUSES, deadline__lt=today),
            distinct=True,
        ),
        "actions_closed": Count(
            "pk",
            filter=Q(status__in=(Action.Status.DONE, Action.Status.CANCELLED)),
            distinct=True,
        ),
    }


def _cells(values: dict[str, int], **params: Any) -> dict[str, Cell]:
    return {
        key: Cell(values.get(key) or 0, _url(list_name, **params, **extra))
        for key, list_name, extra in COLUMNS
    }


def _merge(*groups: dict[Any, dict[str, int]]) -> dict[Any, dict[str, int]]:
    merged: dict[Any, dict[str, int]] = {}
    for group in groups:
        for key, values in group.items():
            merged.setdefault(key, {}).update(values)
    return merged


def _grouped(qs, key: str, counts: dict[str, Count]) -> dict[Any, dict[str, int]]:
    rows = qs.order_by().values(key).annotate(**counts)
    return {row.pop(key): row for row in rows}


def _count_subquery(qs) -> Coalesce:
    """``COUNT(*)`` of a correlated queryset, as an annotation (0 when none)."""
    counted = qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _audit_rows(user: User, findings, actions, today: datetime.date) -> list[Row]:
    linked_to_audit = Q(
        Exists(
            Action.findings.through.objects.filter(
                action_id=OuterRef("pk"), finding__audit_id=OuterRef(OuterRef("pk"))
            )
        )
    ) | Q(
        Exists(
            Action.recommendations.through.objects.filter(
                action_id=OuterRef("pk"), recommendation__audit_id=OuterRef(OuterRef("pk"))
            )
        )
    )
    audit_actions = actions.filter(linked_to_audit)
    recs = policy.recommendations(user).annotate(latest=latest_assessment())
    rec_counts = {
        row["audit"]: row
        for row in recs.order_by()
        .values("audit")
        .annotate(
            recs_total=Count("pk"),
            recs_closed=Count("pk", filter=register_state()["remedied"]),
            recs_assessed_remedied=Count("pk", filter=Q(latest=Assessment.REMEDIED)),
        )
    }
    audits = policy.audits(user).order_by("-report_date", "pk")
    finding_groups = _grouped(findings.filter(audit__isnull=False), "audit", _finding_counts(today))
    action_counts = {
        f"a_{key}": _count_subquery(audit_actions.filter(cond))
        for key, cond in {
            "actions_open": Q(status__in=Action.OPEN_STATUSES),
            "actions_overdue": Q(status__in=Action.OPEN_STATUSES, deadline__lt=today),
            "actions_closed": Q(status__in=(Action.Status.DONE, Action.Status.CANCELLED)),
        }.items()
    }
    rows = []
    for audit in audits.annotate(**action_counts):
        values = dict(finding_groups.get(audit.pk, {}))
        for key in ("actions_open", "actions_overdue", "actions_closed"):
            values[key] = getattr(audit, f"a_{key}")
        row = Row(
            label=str(audit), url=audit.get_absolute_url(), cells=_cells(values, audit=audit.pk)
        )
        recs = rec_counts.get(audit.pk, {})
        row.cells["recs_total"] = Cell(
            recs.get("recs_total", 0), _url(RECOMMENDATION_LIST, audit=audit.pk)
        )
        row.cells["recs_closed"] = Cell(
            recs.get("recs_closed", 0),
            _url(RECOMMENDATION_LIST, audit=audit.pk, register="remedied"),
        )
        row.cells["recs_assessed_remedied"] = Cell(
            recs.get("recs_assessed_remedied", 0),
            _url(RECOMMENDATION_LIST, audit=audit.pk, assessment=Assessment.REMEDIED),
        )
        rows.append(row)
    return rows


def _unit_tree(user: User, values: dict[int, dict[str, int]]) -> list[Row]:
    units = list(policy.units(user).order_by("path"))
    paths = {u.pk: u.path for u in units}
    rows = []
    for unit in units:
        totals: dict[str, int] = {}
        for pk, counts in values.items():
            if paths.get(pk, "").startswith(unit.path):
                for key, n in counts.items():
                    totals[key] = totals.get(key, 0) + (n or 0)
        if any(totals.values()):
            row = Row(
                label=str(unit), url=unit.get_absolute_url(), cells=_cells(totals, unit=unit.pk)
            )
            row.depth = unit.depth
            rows.append(row)
    return rows


def build(user: User) -> Dashboard:
    today = timezone.localdate()
    findings = policy.findings(user)
    actions = policy.actions(user)

    totals_values = {
        **findings.aggregate(**_finding_counts(today)),
        **actions.aggregate(**_action_counts(today)),
    }
    totals = _cells(totals_values)

    # By unit, rolled up the organisation tree: a nämnd's row counts its förvaltning's rows too
    # (each finding and action sits on exactly one unit, so the sums never count one twice),
    # which is what the list's unit filter (the unit and everything under it) shows.
    unit_values = _merge(
        _grouped(findings, "unit", _finding_counts(today)),
        _grouped(actions, "unit", _action_counts(today)),
    )
    by_unit = _unit_tree(user, unit_values)

    # By severity: of the finding; an action counts under the severities of its findings.
    severity_values = _merge(
        _grouped(findings, "severity", _finding_counts(today)),
        _grouped(
            actions.filter(findings__isnull=False), "findings__severity", _action_counts(today)
        ),
    )
    order = list(reversed(Severity.values))
    by_severity = [
        Row(label=str(Severity(key).label), url=None, cells=_cells(values, severity=key))
        for key, values in sorted(severity_values.items(), key=lambda kv: order.index(kv[0]))
        if key in Severity.values
    ]

    # By system: through the findings' systems.
    system_values = _merge(
        _grouped(findings.filter(systems__isnull=False), "systems", _finding_counts(today)),
        _grouped(
            actions.filter(findings__systems__isnull=False),
            "findings__systems",
            _action_counts(today),
        ),
    )
    systems = System.objects.in_bulk(list(system_values))
    by_system = [
        Row(
            label=systems[pk].name,
            url=systems[pk].get_absolute_url(),
            cells=_cells(values, system=pk),
        )
        for pk, values in sorted(system_values.items(), key=lambda kv: systems[kv[0]].name)
        if pk in systems
    ]

    by_audit = _audit_rows(user, findings, actions, today)

    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    since_day = today - datetime.timedelta(days=RECENT_DAYS)
    recent_findings = findings.aggregate(
        created=Count("pk", filter=Q(created_at__gte=since)),
        closed=Count(
            "pk", filter=Q(status__in=Finding.CLOSED_STATUSES, status_changed_at__gte=since)
        ),
        changed=Count("pk", filter=Q(updated_at__gte=since)),
    )
    recent_actions = actions.aggregate(
        completed=Count("pk", filter=Q(status=Action.Status.DONE, completed_date__gte=since_day)),
        changed=Count("pk", filter=Q(updated_at__gte=since)),
    )
    recent = {
        "findings_created": Cell(
            recent_findings["created"], _url(FINDING_LIST, created_days=RECENT_DAYS)
        ),
        "findings_closed": Cell(
            recent_findings["closed"],
            _url(FINDING_LIST, closed=1, status_changed_days=RECENT_DAYS),
        ),
        "findings_changed": Cell(
            recent_findings["changed"], _url(FINDING_LIST, changed_days=RECENT_DAYS)
        ),
        "actions_completed": Cell(
            recent_actions["completed"], _url(ACTION_LIST, completed_days=RECENT_DAYS)
        ),
        "actions_changed": Cell(
            recent_actions["changed"], _url(ACTION_LIST, changed_days=RECENT_DAYS)
        ),
    }

    return Dashboard(
        today=today,
        totals=totals,
        by_unit=by_unit,
        by_severity=by_severity,
        by_system=by_system,
        by_audit=by_audit,
        recent=recent,
        changes=recent_changes(user, since),
    )


def recent_changes(user: User, since: datetime.datetime) -> list[dict[str, Any]]:
    """The latest changes to visible findings and actions, from their history tables."""
    entries = []
    for model, scope, kind in (
        (Finding, policy.findings(user), "finding"),
        (Action, policy.actions(user), "action"),
    ):
        records = (
            model.history.filter(history_date__gte=since, id__in=scope.values("pk"))
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:RECENT_CHANGES]
        )
        for record in records:
            entries.append(
                {
                    "when": record.history_date,
                    "who": str(record.history_user) if record.history_user_id else "",
                    "kind": kind,
                    "title": record.title,
                    "url": reverse(f"findings:{kind}_detail", args=[record.id]),
                    "status": record.status,
                    "status_label": model.Status(record.status).label
                    if record.status in model.Status.values
                    else record.status,
                    "reason": record.history_change_reason or "",
                    "type": record.history_type,
                }
            )
    entries.sort(key=lambda e: e["when"], reverse=True)
    return entries[:RECENT_CHANGES]
