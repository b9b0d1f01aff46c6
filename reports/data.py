"""What goes into each report: collected with a fixed number of queries, however many rows.

Each collector reads the database in a handful of flat queries (select_related, one query per
relation, subquery annotations) and assembles plain dataclasses in Python, so that a plan with
500 control points costs the same number of queries as one with 5. The templates only read these
objects; they never touch the ORM.

Secrecy (OSL 18 kap. 8 §): the *board* version leaves out the titles and descriptions of
findings flagged secret and of the actions linked to them (as the policy module hides such
actions from board members), and counts what it left out so that the document can say so.
Statuses and counts are not secret and are computed from all rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audits.models import (
    Audit,
    BoardResponse,
    Observation,
    Recommendation,
    RecommendationAssessment,
    ResponseItem,
)
from controls.models import ControlOccurrence, ControlPlan, ControlPoint, RiskLevel, RiskScale
from findings.models import Action, ActionProgress, Finding
from organisation.models import Decision, OrgUnit
from systems.models import ClassificationScale, System, SystemRole

# --------------------------------------------------------------------------------------------
# Small shared pieces
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Light:
    """A traffic light: the colour never comes without its meaning in words."""

    colour: str
    label: str


def _actions_with_progress(qs: QuerySet[Action]) -> QuerySet[Action]:
    """Actions with their owner and the date and text of their latest progress entry."""
    latest = ActionProgress.objects.filter(action=OuterRef("pk")).order_by("-date", "-pk")
    return qs.select_related("owner").annotate(
        last_update=Subquery(latest.values("date")[:1]),
        last_comment=Subquery(latest.values("comment")[:1]),
    )


def _action_light(actions: Iterable[Action], today: datetime.date) -> Light | None:
    actions = list(actions)
    if not actions:
        return None
    open_actions = [a for a in actions if a.status in Action.OPEN_STATUSES]
    if any(a.deadline and a.deadline < today for a in open_actions):
        return Light("red", _("Försenad"))
    if open_actions:
        return Light("yellow", _("Pågår"))
    return Light("green", _("Åtgärdat"))


def is_overdue(action: Action, today: datetime.date) -> bool:
    return (
        action.status in Action.OPEN_STATUSES
        and action.deadline is not None
        and action.deadline < today
    )


def _finding_ref(finding: Finding) -> str:
    return finding.reference or f"A-{finding.pk}"


@dataclass
class Header:
    """The head of a minute item or staff memo (S004: Kommunstyrelsen, § 28, Dnr KS/2016:389)."""

    municipality: str
    organ: str
    title: str
    meeting_date: datetime.date | None = None
    paragraph: str = ""
    dnr: str = ""
    decision: Decision | None = None


def header_from_decision(
    *, municipality: str, organ: OrgUnit, title: str, decision: Decision | None, dnr: str = ""
) -> Header:
    if decision is None:
        return Header(municipality=municipality, organ=organ.name, title=title, dnr=dnr)
    return Header(
        municipality=municipality,
        organ=decision.organ.name,
        title=title,
        meeting_date=decision.meeting_date,
        paragraph=decision.paragraph,
        dnr=decision.dnr or dnr,
        decision=decision,
    )


# --------------------------------------------------------------------------------------------
# Internal control: a unit's plan, or every unit's plan of a year
# --------------------------------------------------------------------------------------------


@dataclass
class PointData:
    point: ControlPoint
    risk_score: int
    risk_level: str
    risk_label: str
    occurrences: list[ControlOccurrence]
    planned: int
    performed: int
    not_done: int
    overdue: int
    outcome: Light
    findings: list[Finding]
    secret_findings: int
    deviations: int
    actions: list[Action]
    secret_actions: int
    action_light: Light

    @property
    def is_municipality_wide(self) -> bool:
        return self.point.scope == ControlPoint.Scope.MUNICIPALITY_WIDE

    @property
    def label(self) -> str:
        """The title, marked "(kommungemensamt)" when municipality-wide (S004's list)."""
        title = self.point.title
        if self.is_municipality_wide and "kommungemensam" not in title.lower():
            return f"{title} ({_('kommungemensamt')})"
        return title

    @property
    def method_and_sample(self) -> str:
        method = self.point.method.strip()
        sample = self.point.sample.strip()
        if method and sample:
            joiner = " " if method.endswith((".", "!", "?")) else ". "
            return f"{method}{joiner}{_('Urval')}: {sample}"
        return method or (f"{_('Urval')}: {sample}" if sample else "")

    @property
    def performed_dates(self) -> list[datetime.date]:
        return [o.performed_date for o in self.occurrences if o.performed_date]


@dataclass
class PlanSummary:
    points: int = 0
    municipality_wide: int = 0
    unit_specific: int = 0
    planned: int = 0
    performed: int = 0
    not_done: int = 0
    overdue: int = 0
    deviations: int = 0
    major_deviations: int = 0
    secret_findings: int = 0
    actions: int = 0
    open_actions: int = 0
    overdue_actions: int = 0
    done_actions: int = 0

    @property
    def light(self) -> Light:
        """The overall state of a plan, for KS's summary table."""
        if not self.planned:
            return Light("grey", _("Inga kontroller planerade"))
        if self.overdue_actions or self.overdue or self.not_done:
            return Light("red", _("Brister i genomförandet"))
        if self.open_actions or self.performed < self.planned:
            return Light("yellow", _("Arbete pågår"))
        return Light("green", _("Tillfredsställande"))


@dataclass
class PlanData:
    plan: ControlPlan
    points: list[PointData]
    summary: PlanSummary
    carried_over: list[Action]
    secret_carried_over: int
    today: datetime.date

    @property
    def municipality_wide(self) -> list[PointData]:
        return [p for p in self.points if p.is_municipality_wide]

    @property
    def numbers_text(self) -> str:
        return numbers_sentence(self.summary, year=self.plan.year)

    @property
    def assessment(self) -> str:
        """The plan's own overall assessment, or one built from the numbers."""
        if self.plan.overall_assessment.strip():
            return self.plan.overall_assessment.strip()
        return (
            numbers_sentence(self.summary, year=self.plan.year)
            + " "
            + judgement(self.summary, unit=self.plan.unit.name)
        )


def numbers_sentence(s: PlanSummary, *, year: int) -> str:
    """E.g. "Av 5 planerade kontrolltillfällen under 2017 har 5 genomförts. …"."""
    if not s.planned:
        return _("Inga kontrolltillfällen var planerade under %(year)s.") % {"year": year}
    text = ngettext(
        "Av %(planned)s planerat kontrolltillfälle under %(year)s har %(performed)s genomförts",
        "Av %(planned)s planerade kontrolltillfällen under %(year)s har %(performed)s genomförts",
        s.planned,
    ) % {"planned": s.planned, "performed": s.performed, "year": year}
    if s.not_done:
        text += _(", %(n)s har inte genomförts") % {"n": s.not_done}
    if s.overdue:
        text += _(" och %(n)s är försenade") % {"n": s.overdue}
    text += "."
    if s.deviations == 0:
        return text + " " + _("Kontrollerna visade inga avvikelser.")
    text += " " + ngettext(
        "Kontrollerna visade %(n)s avvikelse.",
        "Kontrollerna visade %(n)s avvikelser.",
        s.deviations,
    ) % {"n": s.deviations}
    if s.actions:
        text += " " + ngettext(
            "Av %(n)s åtgärd har %(done)s genomförts och %(open)s pågår",
            "Av %(n)s åtgärder har %(done)s genomförts och %(open)s pågår",
            s.actions,
        ) % {"n": s.actions, "done": s.done_actions, "open": s.open_actions}
        if s.overdue_actions:
            text += ngettext(
                ", varav %(n)s har passerat sitt slutdatum",
                ", varav %(n)s har passerat sitt slutdatum",
                s.overdue_actions,
            ) % {"n": s.overdue_actions}
        text += "."
    return text


def judgement(s: PlanSummary, *, unit: str) -> str:
    colour = s.light.colour
    if colour == "grey":
        return _(
            "Någon bedömning av den interna kontrollen inom %(unit)s kan därför inte göras "
            "utifrån kontrollerna."
        ) % {"unit": unit}
    if colour == "green":
        return _(
            "Den samlade bedömningen är att den interna kontrollen inom %(unit)s har varit "
            "tillräcklig."
        ) % {"unit": unit}
    if colour == "yellow":
        return _(
            "Den samlade bedömningen är att den interna kontrollen inom %(unit)s i huvudsak har "
            "varit tillräcklig; pågående åtgärder följs upp under nästa år."
        ) % {"unit": unit}
    return _(
        "Den samlade bedömningen är att den interna kontrollen inom %(unit)s behöver "
        "förbättras: kontroller som inte genomförts och försenade åtgärder behöver följas upp."
    ) % {"unit": unit}


_OUTCOME_RANK = {
    ControlOccurrence.Outcome.MAJOR_DEVIATION: 3,
    ControlOccurrence.Outcome.MINOR_DEVIATION: 2,
    ControlOccurrence.Outcome.NO_REMARKS: 1,
}
_OUTCOME_COLOUR = {
    ControlOccurrence.Outcome.MAJOR_DEVIATION: "red",
    ControlOccurrence.Outcome.MINOR_DEVIATION: "yellow",
    ControlOccurrence.Outcome.NO_REMARKS: "green",
}


def _outcome(occurrences: list[ControlOccurrence], today: datetime.date) -> Light:
    outcomes = [o.outcome for o in occurrences if o.outcome]
    if outcomes:
        worst = max(outcomes, key=lambda o: _OUTCOME_RANK[o])
        return Light(_OUTCOME_COLOUR[worst], str(ControlOccurrence.Outcome(worst).label))
    if any(o.status == ControlOccurrence.Status.NOT_DONE for o in occurrences):
        return Light("red", _("Ej genomförd"))
    if any(o.due_date < today for o in occurrences):
        return Light("red", _("Försenad"))
    if occurrences:
        return Light("grey", _("Planerad"))
    return Light("grey", _("Inga kontrolltillfällen"))


def risk_scale_for(municipality_id: int) -> RiskScale:
    scale = RiskScale.objects.filter(municipality_id=municipality_id).first()
    return scale or RiskScale(municipality_id=municipality_id)


def collect_plans(
    plans: Iterable[ControlPlan], *, board: bool, today: datetime.date
) -> list[PlanData]:
    """Everything the follow-up of these plans shows, in seven queries whatever their size."""
    plans = list(plans)
    if not plans:
        return []
    plan_ids = [p.pk for p in plans]
    scale = risk_scale_for(plans[0].municipality_id)

    points = list(
        ControlPoint.objects.filter(plan_id__in=plan_ids)
        .select_related("owner")
        .order_by("plan_id", "number")
    )
    occurrences = list(
        ControlOccurrence.objects.filter(control_point__plan_id__in=plan_ids).order_by(
            "due_date", "pk"
        )
    )
    findings = list(
        Finding.objects.filter(occurrence__control_point__plan_id__in=plan_ids).order_by(
            "identified_date", "pk"
        )
    )
    finding_ids = [f.pk for f in findings]
    # All links of the actions remedying these findings (an action may also remedy findings
    # elsewhere; a link to any secret finding keeps it out of the board version).
    links = list(
        Action.findings.through.objects.filter(
            action__findings__occurrence__control_point__plan_id__in=plan_ids
        )
        .values_list("action_id", "finding_id", "finding__is_secret")
        .distinct()
    )
    action_ids = {a for a, _f, _s in links}
    actions = {
        a.pk: a
        for a in _actions_with_progress(Action.objects.filter(pk__in=action_ids)).order_by(
            "deadline", "pk"
        )
    }
    secret_action_ids = {a for a, _f, secret in links if secret}
    actions_by_finding: dict[int, list[Action]] = defaultdict(list)
    for action_id, finding_id, _secret in links:
        if finding_id in finding_ids and action_id in actions:
            actions_by_finding[finding_id].append(actions[action_id])

    # An occurrence whose deviation is secret (OSL 18:8) keeps its free text (what was checked,
    # the comment, the reason) out of the board version, as the app does for non-secret roles.
    secret_occurrences = {f.occurrence_id for f in findings if f.is_secret}
    occ_by_point: dict[int, list[ControlOccurrence]] = defaultdict(list)
    for occ in occurrences:
        occ.details_withheld = board and occ.pk in secret_occurrences
        occ_by_point[occ.control_point_id].append(occ)
    point_of_occ = {o.pk: o.control_point_id for o in occurrences}
    findings_by_point: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        findings_by_point[point_of_occ[finding.occurrence_id]].append(finding)

    plan_points: dict[int, list[PointData]] = defaultdict(list)
    plan_actions: dict[int, dict[int, Action]] = defaultdict(dict)
    for point in points:
        occs = occ_by_point[point.pk]
        point_findings = findings_by_point[point.pk]
        point_actions: dict[int, Action] = {}
        for finding in point_findings:
            for action in actions_by_finding[finding.pk]:
                point_actions[action.pk] = action
                if not hasattr(action, "report_point"):
                    action.report_point = point
        plan_actions[point.plan_id].update(point_actions)
        ordered_actions = sorted(
            point_actions.values(), key=lambda a: (a.deadline or datetime.date.max, a.pk)
        )
        light = _action_light(ordered_actions, today)
        if light is None:
            if point_findings or any(o.is_deviation for o in occs):
                light = Light("red", _("Åtgärd saknas"))
            elif any(o.status == ControlOccurrence.Status.DONE for o in occs):
                light = Light("green", _("Inga avvikelser"))
            else:
                light = Light("grey", _("Ej bedömd"))
        score = point.likelihood * point.consequence
        level = scale.level(score)
        visible_findings = [f for f in point_findings if not (board and f.is_secret)]
        visible_actions = [a for a in ordered_actions if not (board and a.pk in secret_action_ids)]
        plan_points[point.plan_id].append(
            PointData(
                point=point,
                risk_score=score,
                risk_level=str(level.value),
                risk_label=str(RiskLevel(level).label),
                occurrences=occs,
                planned=len(occs),
                performed=sum(o.status == ControlOccurrence.Status.DONE for o in occs),
                not_done=sum(o.status == ControlOccurrence.Status.NOT_DONE for o in occs),
                overdue=sum(
                    o.status == ControlOccurrence.Status.PLANNED and o.due_date < today
                    for o in occs
                ),
                outcome=_outcome(occs, today),
                findings=visible_findings,
                secret_findings=len(point_findings) - len(visible_findings),
                deviations=len(point_findings),
                actions=visible_actions,
                secret_actions=len(ordered_actions) - len(visible_actions),
                action_light=light,
            )
        )

    result = []
    for plan in plans:
        rows = plan_points[plan.pk]
        all_actions = list(plan_actions[plan.pk].values())
        summary = PlanSummary(
            points=len(rows),
            municipality_wide=sum(r.is_municipality_wide for r in rows),
            unit_specific=sum(not r.is_municipality_wide for r in rows),
            planned=sum(r.planned for r in rows),
            performed=sum(r.performed for r in rows),
            not_done=sum(r.not_done for r in rows),
            overdue=sum(r.overdue for r in rows),
            deviations=sum(r.deviations for r in rows),
            major_deviations=sum(
                o.outcome == ControlOccurrence.Outcome.MAJOR_DEVIATION
                for r in rows
                for o in r.occurrences
            ),
            secret_findings=sum(r.secret_findings for r in rows),
            actions=len(all_actions),
            open_actions=sum(a.status in Action.OPEN_STATUSES for a in all_actions),
            overdue_actions=sum(is_overdue(a, today) for a in all_actions),
            done_actions=sum(a.status == Action.Status.DONE for a in all_actions),
        )
        open_actions = sorted(
            (a for a in all_actions if a.status in Action.OPEN_STATUSES),
            key=lambda a: (a.deadline or datetime.date.max, a.pk),
        )
        visible_open = [a for a in open_actions if not (board and a.pk in secret_action_ids)]
        result.append(
            PlanData(
                plan=plan,
                points=rows,
                summary=summary,
                carried_over=visible_open,
                secret_carried_over=len(open_actions) - len(visible_open),
                today=today,
            )
        )
    return result


def plans_queryset() -> QuerySet[ControlPlan]:
    return ControlPlan.objects.select_related(
        "unit",
        "municipality",
        "adoption_decision__organ",
        "final_report_decision__organ",
    )


@dataclass
class OverallData:
    year: int
    municipality: str
    plans: list[PlanData]
    total: PlanSummary
    common_points: list[dict[str, Any]]

    @property
    def judgement(self) -> str:
        return judgement(self.total, unit=self.municipality)


def overall_plans(unit: OrgUnit, year: int):
    """The plans a samlad bedömning ordered on ``unit`` covers.

    Kommunstyrelsen has uppsikt over every nämnd (KL 6 kap. 1 §), which sit beside it under the
    council, not under it: ordered on KS (or on the council), it covers every plan of the
    municipality and year; ordered on another unit, that unit's subtree.
    """
    qs = plans_queryset().filter(municipality_id=unit.municipality_id, year=year)
    if unit.parent_id is None or unit.kind == OrgUnit.Kind.EXECUTIVE_BOARD:
        return qs
    return qs.filter(unit__path__startswith=unit.path)


def collect_overall(*, unit: OrgUnit, year: int, board: bool, today: datetime.date) -> OverallData:
    """Samlad bedömning: every unit's plan of the year that ``unit`` follows up (see above)."""
    plans = list(overall_plans(unit, year).order_by("unit__path"))
    data = collect_plans(plans, board=board, today=today)
    total = PlanSummary()
    for plan in data:
        for name in PlanSummary.__dataclass_fields__:
            setattr(total, name, getattr(total, name) + getattr(plan.summary, name))
    # Kommungemensamma kontrollpunkter, followed up across units (S004: Krishantering, Inköp).
    # A unit's copy points at KS's original (inherited_from); both count under the original.
    titles = {row.point.pk: row.point.title for plan in data for row in plan.municipality_wide}
    common: dict[int, dict[str, Any]] = {}
    for plan in data:
        for row in plan.municipality_wide:
            origin = row.point.inherited_from_id or row.point.pk
            title = titles.get(origin, row.point.title)
            entry = common.setdefault(
                origin, {"title": title, "units": 0, "performed": 0, "planned": 0, "dev": 0}
            )
            entry["units"] += 1
            entry["planned"] += row.planned
            entry["performed"] += row.performed
            entry["dev"] += row.deviations
    return OverallData(
        year=year,
        municipality=unit.municipality.name,
        plans=data,
        total=total,
        common_points=sorted(common.values(), key=_title),
    )


def _title(entry: dict[str, Any]) -> str:
    return entry["title"]


# --------------------------------------------------------------------------------------------
# Audit follow-up
# --------------------------------------------------------------------------------------------


@dataclass
class RecommendationRow:
    recommendation: Recommendation
    ref: str
    answers: list[ResponseItem]
    actions: list[Action]
    secret_actions: int
    assessments: dict[int, RecommendationAssessment]
    action_light: Light | None
    #: One cell per follow-up audit of the chain (None where it did not assess this one).
    cells: list[RecommendationAssessment | None] = field(default_factory=list)

    @property
    def notes(self) -> list[tuple[Audit, RecommendationAssessment]]:
        return [(c.follow_up, c) for c in self.cells if c is not None]


@dataclass
class AuditData:
    audit: Audit
    chain: list[Audit]
    follow_ups: list[Audit]
    addressed_units: list[OrgUnit]
    observations: list[Observation]
    secret_observations: int
    recommendations: list[RecommendationRow]
    responses: list[BoardResponse]
    details_withheld: bool
    secret_recommendations: int = 0
    secret_recommendation_actions: int = 0
    secret_recommendation_actions_done: int = 0


def _audit_chain(audit: Audit) -> list[int]:
    """The audit, the audits it follows up and those that follow it up, oldest first."""
    pairs = dict(
        Audit.objects.filter(municipality_id=audit.municipality_id).values_list(
            "pk", "follows_up_id"
        )
    )
    chain = [audit.pk]
    node = pairs.get(audit.pk)
    while node is not None and node not in chain:
        chain.insert(0, node)
        node = pairs.get(node)
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in pairs.items():
        if parent is not None:
            children[parent].append(pk)
    queue = list(children[audit.pk])
    while queue:
        pk = queue.pop(0)
        if pk not in chain:
            chain.append(pk)
            queue.extend(children[pk])
    return chain


def collect_audit(*, audit: Audit, board: bool, today: datetime.date) -> AuditData:
    chain_ids = _audit_chain(audit)
    audits = {a.pk: a for a in Audit.objects.filter(pk__in=chain_ids).order_by("report_date", "pk")}
    chain = sorted(audits.values(), key=lambda a: (a.report_date, a.pk))
    addressed = list(audit.addressed_units.order_by("path"))
    recommendations = list(
        Recommendation.objects.filter(audit_id__in=chain_ids)
        .select_related("addressee", "observation")
        .order_by("audit__report_date", "audit_id", "number")
    )
    rec_ids = [r.pk for r in recommendations]
    assessments: dict[int, dict[int, RecommendationAssessment]] = defaultdict(dict)
    follow_up_ids: set[int] = set()
    for a in RecommendationAssessment.objects.filter(recommendation_id__in=rec_ids):
        a.follow_up = audits.get(a.follow_up_id) or a.follow_up
        assessments[a.recommendation_id][a.follow_up_id] = a
        follow_up_ids.add(a.follow_up_id)
    follow_ups = [a for a in chain if a.pk in follow_up_ids]

    items = list(
        ResponseItem.objects.filter(recommendation_id__in=rec_ids)
        .select_related("response__unit", "response__decision")
        .order_by("response__unit__path", "number")
    )
    item_links = list(
        ResponseItem.actions.through.objects.filter(
            responseitem__in=[i.pk for i in items]
        ).values_list("responseitem_id", "action_id")
    )
    rec_links = list(
        Action.recommendations.through.objects.filter(recommendation_id__in=rec_ids).values_list(
            "recommendation_id", "action_id"
        )
    )
    item_rec = {i.pk: i.recommendation_id for i in items}
    actions_of_rec: dict[int, set[int]] = defaultdict(set)
    for rec_id, action_id in rec_links:
        actions_of_rec[rec_id].add(action_id)
    for item_id, action_id in item_links:
        actions_of_rec[item_rec[item_id]].add(action_id)
    all_action_ids = set().union(*actions_of_rec.values()) if actions_of_rec else set()
    actions = {
        a.pk: a for a in _actions_with_progress(Action.objects.filter(pk__in=all_action_ids))
    }
    secret_action_ids = set(
        Action.findings.through.objects.filter(
            action_id__in=all_action_ids, finding__is_secret=True
        ).values_list("action_id", flat=True)
    )
    answers: dict[int, list[ResponseItem]] = defaultdict(list)
    for item in items:
        answers[item.recommendation_id].append(item)

    rows = []
    # The recommendations of a secret audit are details of it (the app shows them only to secret
    # roles): the board version counts them and their actions, and lists none of them.
    withheld_recs = 0
    withheld_actions: dict[int, Action] = {}
    for rec in recommendations:
        rec_audit = audits[rec.audit_id]
        rec_actions = sorted(
            (actions[a] for a in actions_of_rec[rec.pk] if a in actions),
            key=lambda a: (a.deadline or datetime.date.max, a.pk),
        )
        if board and rec_audit.is_secret:
            withheld_recs += 1
            withheld_actions.update((a.pk, a) for a in rec_actions)
            continue
        visible = [a for a in rec_actions if not (board and a.pk in secret_action_ids)]
        rows.append(
            RecommendationRow(
                recommendation=rec,
                ref=f"{rec_audit.report_date.year}:{rec.number}",
                answers=answers[rec.pk],
                actions=visible,
                secret_actions=len(rec_actions) - len(visible),
                assessments=assessments[rec.pk],
                action_light=_action_light(rec_actions, today),
                cells=[assessments[rec.pk].get(f.pk) for f in follow_ups],
            )
        )
    withheld = board and audit.is_secret
    observations = list(Observation.objects.filter(audit=audit).order_by("number"))
    visible_obs = [o for o in observations if not (board and (o.is_secret or audit.is_secret))]
    responses = list(
        BoardResponse.objects.filter(audit_id__in=chain_ids)
        .select_related("unit", "decision", "audit")
        .order_by("audit__report_date", "unit__path")
    )
    return AuditData(
        audit=audits[audit.pk],
        chain=chain,
        follow_ups=follow_ups,
        addressed_units=addressed,
        observations=visible_obs,
        secret_observations=len(observations) - len(visible_obs),
        recommendations=rows,
        responses=responses,
        details_withheld=withheld,
        secret_recommendations=withheld_recs,
        secret_recommendation_actions=len(withheld_actions),
        secret_recommendation_actions_done=sum(
            a.status == Action.Status.DONE for a in withheld_actions.values()
        ),
    )


# --------------------------------------------------------------------------------------------
# Action plan
# --------------------------------------------------------------------------------------------


@dataclass
class ActionGroup:
    """The open actions answering one finding (or one recommendation, or none)."""

    ref: str
    area: str
    title: str
    description: str
    severity: str
    status: str
    actions: list[Action] = field(default_factory=list)


@dataclass
class GroupPart:
    group: ActionGroup
    actions: list[Action]
    continued: bool


#: Rows per table of the action plan. WeasyPrint lays out a long table again on every page it
#: spans; short consecutive tables (each repeating its header) keep the rendering linear.
TABLE_ROWS = 40


@dataclass
class ActionPlanData:
    groups: list[ActionGroup]
    total: int
    overdue: int
    not_started: int
    in_progress: int
    secret_actions: int
    secret_findings: int
    today: datetime.date

    @property
    def tables(self) -> list[list[GroupPart]]:
        """The groups cut into tables of about TABLE_ROWS rows, at group boundaries where
        possible (a longer group continues in the next table, marked "forts.")."""
        tables: list[list[GroupPart]] = []
        current: list[GroupPart] = []
        rows = 0
        for group in self.groups:
            actions = group.actions
            continued = False
            while actions:
                room = TABLE_ROWS - rows
                if room <= 1 and current:
                    tables.append(current)
                    current, rows = [], 0
                    room = TABLE_ROWS
                part, actions = actions[:room], actions[room:]
                current.append(GroupPart(group, part, continued))
                rows += len(part) + 1
                continued = True
        if current:
            tables.append(current)
        return tables


def collect_action_plan(
    *, unit: OrgUnit, audit: Audit | None, board: bool, today: datetime.date
) -> ActionPlanData:
    """Open actions of the unit and its subtree, grouped by the finding they remedy."""
    base = Action.objects.open().filter(
        municipality_id=unit.municipality_id, unit__path__startswith=unit.path
    )
    if audit is not None:
        base = base.filter(
            pk__in=Action.objects.filter(findings__audit=audit)
            .values("pk")
            .union(Action.objects.filter(recommendations__audit=audit).values("pk"))
        )
    actions = list(_actions_with_progress(base).order_by("deadline", "pk"))
    ids = [a.pk for a in actions]
    finding_links = list(
        Action.findings.through.objects.filter(action_id__in=ids).values_list(
            "action_id", "finding_id"
        )
    )
    findings = {
        f.pk: f
        for f in Finding.objects.filter(pk__in={f for _a, f in finding_links}).select_related(
            "audit"
        )
    }
    rec_links = list(
        Action.recommendations.through.objects.filter(action_id__in=ids).values_list(
            "action_id", "recommendation_id"
        )
    )
    recs = {
        r.pk: r
        for r in Recommendation.objects.filter(pk__in={r for _a, r in rec_links}).select_related(
            "audit"
        )
    }
    findings_of: dict[int, list[Finding]] = defaultdict(list)
    for action_id, finding_id in finding_links:
        findings_of[action_id].append(findings[finding_id])
    recs_of: dict[int, list[Recommendation]] = defaultdict(list)
    for action_id, rec_id in rec_links:
        recs_of[action_id].append(recs[rec_id])

    def finding_key(f: Finding) -> tuple:
        return (f.identified_date, f.pk)

    groups: dict[tuple[str, int], ActionGroup] = {}
    secret_actions = 0
    secret_findings: set[int] = set()
    for action in actions:
        linked = sorted(findings_of[action.pk], key=finding_key)
        if board and any(f.is_secret for f in linked):
            secret_actions += 1
            secret_findings.update(f.pk for f in linked if f.is_secret)
            continue
        if linked:
            f = linked[0]
            key = ("f", f.pk)
            if key not in groups:
                area = f.get_source_display()
                if f.audit_id:
                    area = f"{area}: {f.audit.title}"
                groups[key] = ActionGroup(
                    ref=_finding_ref(f),
                    area=area,
                    title=f.title,
                    description=f.description,
                    severity=f.get_severity_display(),
                    status=f.get_status_display(),
                )
            if len(linked) > 1:
                action.other_refs = ", ".join(_finding_ref(x) for x in linked[1:])
        elif recs_of[action.pk]:
            r = sorted(recs_of[action.pk], key=lambda r: (r.audit.report_date, r.number))[0]
            key = ("r", r.pk)
            if key not in groups:
                groups[key] = ActionGroup(
                    ref=f"{r.audit.report_date.year}:{r.number}",
                    area=_("Granskning: %(title)s") % {"title": r.audit.title},
                    title=r.text,
                    description="",
                    severity="",
                    status="",
                )
        else:
            key = ("x", 0)
            if key not in groups:
                groups[key] = ActionGroup(
                    ref="",
                    area=_("Övrigt"),
                    title=_("Åtgärder utan kopplad brist eller rekommendation"),
                    description="",
                    severity="",
                    status="",
                )
        groups[key].actions.append(action)

    ordered = sorted(
        groups.items(),
        key=lambda kv: (
            {"f": 0, "r": 1, "x": 2}[kv[0][0]],
            finding_key(findings[kv[0][1]]) if kv[0][0] == "f" else (datetime.date.min, kv[0][1]),
        ),
    )
    visible = [a for g in groups.values() for a in g.actions]
    _describe_actions(visible, today)
    return ActionPlanData(
        groups=[g for _k, g in ordered],
        total=len(visible),
        overdue=sum(is_overdue(a, today) for a in visible),
        not_started=sum(a.status == Action.Status.NOT_STARTED for a in visible),
        in_progress=sum(a.status == Action.Status.IN_PROGRESS for a in visible),
        secret_actions=secret_actions,
        secret_findings=len(secret_findings),
        today=today,
    )


def _describe_actions(actions: list[Action], today: datetime.date) -> None:
    """Precompute each action's line of facts: a thousand rows render fast when the template
    only prints strings (no per-row translation or filter calls)."""
    from findings.models import format_deadline

    owner_l, deadline_l, status_l = _("Ansvarig"), _("Klart senast"), _("Status")
    updated_l, also_l = _("Uppdaterad"), _("Avser även")
    statuses = {value: str(label) for value, label in Action.Status.choices}
    overdue_suffix = _("försenad")
    for a in actions:
        overdue = is_overdue(a, today)
        status = statuses[a.status] + (f" – {overdue_suffix}" if overdue else "")
        parts = [
            f"{owner_l}: {a.owner_display or '–'}",
            f"{deadline_l}: {format_deadline(a.deadline, a.deadline_precision) or '–'}",
            f"{status_l}: {status}",
        ]
        if a.last_update:
            parts.append(f"{updated_l} {a.last_update.isoformat()}")
        a.report_meta = " · ".join(parts)
        if getattr(a, "other_refs", ""):
            a.report_meta += f" · {also_l} {a.other_refs}"
        if overdue:
            a.report_class = "st-red"
        elif a.status == Action.Status.DONE:
            a.report_class = "st-green"
        else:
            a.report_class = "st-yellow"


# --------------------------------------------------------------------------------------------
# System inventory
# --------------------------------------------------------------------------------------------


@dataclass
class SystemRow:
    system: System
    owners: list[str]
    managers: list[str]
    classification: Any
    classification_outdated: bool
    labels: list[str]


@dataclass
class SystemData:
    rows: list[SystemRow]
    prioritised: int
    personal_data: int
    missing_dpa: int
    unclassified: int
    outdated: int
    max_age_years: int


def collect_systems(*, unit: OrgUnit, today: datetime.date) -> SystemData:
    from systems.models import Classification

    scale = ClassificationScale.for_municipality(unit.municipality_id)
    max_age = scale.max_age_years
    labels = list(scale.labels)
    systems = list(
        System.objects.filter(
            municipality_id=unit.municipality_id,
            owning_unit__path__startswith=unit.path,
            is_active=True,
        )
        .select_related("owning_unit", "information_owner")
        .prefetch_related(
            Prefetch("roles", SystemRole.objects.select_related("user").order_by("kind", "pk")),
            Prefetch("classifications", Classification.objects.order_by("-classified_on", "-pk")),
        )
        .order_by("-is_prioritised", "name")
    )
    rows = []
    for system in systems:
        roles = list(system.roles.all())
        current = next(iter(system.classifications.all()), None)
        rows.append(
            SystemRow(
                system=system,
                owners=[
                    str(r.user) if r.user_id else r.name
                    for r in roles
                    if r.kind == SystemRole.Kind.OWNER
                ],
                managers=[
                    str(r.user) if r.user_id else r.name
                    for r in roles
                    if r.kind == SystemRole.Kind.MANAGER
                ],
                classification=current,
                classification_outdated=bool(current and current.is_outdated(max_age, today)),
                labels=labels,
            )
        )
    return SystemData(
        rows=rows,
        prioritised=sum(r.system.is_prioritised for r in rows),
        personal_data=sum(r.system.has_personal_data for r in rows),
        missing_dpa=sum(r.system.missing_dpa for r in rows),
        unclassified=sum(r.classification is None for r in rows),
        outdated=sum(r.classification_outdated for r in rows),
        max_age_years=max_age,
    )
