"""Writes for audits: registering an audit and its follow-ups, observations, recommendations,
reassessments, and the boards' responses (yttranden) with their answers, actions and signatures.

Every function is keyword-only, runs in one transaction, checks the user's right through
:mod:`organisation.policy` and calls ``full_clean()``; bad input raises a ValidationError with a
Swedish message and changes nothing.

Recommendations and observations enter the one findings register: registering a recommendation
(by default) also registers a finding for its addressee (source *Revision*, or
*Säkerhetsgranskning* for a technical security review), which the coordinator then tracks to
verification like any other finding. An action recorded in a board response is linked to the
recommendation it answers and to that recommendation's findings.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from audits.models import (
    Assessment,
    Audit,
    BoardResponse,
    Observation,
    Recommendation,
    RecommendationAssessment,
    ResponseItem,
    Signatory,
)
from core.files import clean_filename, validate_upload
from findings import services as findings_services
from findings.models import Action, Finding, Severity
from organisation import policy
from organisation.models import Decision, OrgUnit, User
from organisation.policy import Verb

REPORT_FILE_TYPES = frozenset({"pdf", "docx", "odt"})

AUDIT_FIELDS = (
    "title",
    "body",
    "firm",
    "kind",
    "report_date",
    "dnr",
    "response_deadline",
    "purpose",
    "summary",
    "assessment",
    "is_secret",
)


def _require(user: User, verb: str, obj: Any) -> None:
    if not policy.can(user, verb, obj):
        raise PermissionDenied


def _save(obj: Any, *, user: User, reason: str) -> None:
    obj._history_user = user
    obj._change_reason = reason[:2000]
    obj.full_clean()
    obj.save()


def _check_units(user: User, units: Sequence[OrgUnit]) -> None:
    if not units:
        raise ValidationError({"addressed_units": _("Välj minst en granskad nämnd.")})
    for unit in units:
        if unit.municipality_id != user.municipality_id or not policy.may_create_in(user, unit):
            raise ValidationError(
                {"addressed_units": _("Du kan inte registrera granskningar för %s.") % unit}
            )


def _attach_report(audit: Audit, report_file: UploadedFile | None) -> None:
    if report_file is None:
        return
    validate_upload(report_file, allowed=REPORT_FILE_TYPES)
    name = clean_filename(report_file.name or "rapport.pdf")
    audit.report_file.save(name, report_file, save=False)
    audit.report_file_name = name


def _check_dates(report_date: datetime.date, response_deadline: datetime.date | None) -> None:
    if response_deadline and response_deadline < report_date:
        raise ValidationError(
            {
                "response_deadline": _(
                    "Svar senast (%(deadline)s) kan inte vara före rapportdatum %(date)s."
                )
                % {"deadline": response_deadline.isoformat(), "date": report_date.isoformat()}
            },
            code="deadline_before_report",
        )


# --------------------------------------------------------------------------------------------
# Audits and follow-ups
# --------------------------------------------------------------------------------------------


@transaction.atomic
def create_audit(
    *,
    user: User,
    title: str,
    body: str,
    kind: str,
    report_date: datetime.date,
    addressed_units: Sequence[OrgUnit],
    firm: str = "",
    dnr: str = "",
    response_deadline: datetime.date | None = None,
    purpose: str = "",
    summary: str = "",
    assessment: str = "",
    is_secret: bool = False,
    report_file: UploadedFile | None = None,
    follows_up: Audit | None = None,
) -> Audit:
    units = list(addressed_units)
    _check_units(user, units)
    _check_dates(report_date, response_deadline)
    if follows_up is not None:
        if not policy.audits(user).filter(pk=follows_up.pk).exists():
            raise ValidationError({"follows_up": _("Välj en granskning i din kommun.")})
        if report_date <= follows_up.report_date:
            raise ValidationError(
                {
                    "report_date": _(
                        "Uppföljningen måste vara daterad efter granskningen den följer upp (%s)."
                    )
                    % follows_up.report_date.isoformat()
                },
                code="follow_up_before_audit",
            )
    audit = Audit(
        municipality_id=user.municipality_id,
        title=title,
        body=body,
        firm=firm,
        kind=kind,
        report_date=report_date,
        dnr=dnr,
        response_deadline=response_deadline,
        purpose=purpose,
        summary=summary,
        assessment=assessment,
        is_secret=is_secret,
        follows_up=follows_up,
        created_by=user,
    )
    audit.full_clean()
    _attach_report(audit, report_file)
    _save(audit, user=user, reason=_("Registrerad"))
    audit.addressed_units.set(units)
    return audit


@transaction.atomic
def update_audit(
    *,
    audit: Audit,
    user: User,
    addressed_units: Sequence[OrgUnit] | None = None,
    report_file: UploadedFile | None = None,
    **fields: Any,
) -> Audit:
    _require(user, Verb.CHANGE, audit)
    unknown = set(fields) - set(AUDIT_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(audit, name, value)
    _check_dates(audit.report_date, audit.response_deadline)
    if audit.follows_up_id and audit.report_date <= audit.follows_up.report_date:
        raise ValidationError(
            {
                "report_date": _(
                    "Uppföljningen måste vara daterad efter granskningen den följer upp."
                )
            }
        )
    audit.full_clean()
    _attach_report(audit, report_file)
    _save(audit, user=user, reason=_("Uppgifter ändrade"))
    if addressed_units is not None:
        units = list(addressed_units)
        added = [u for u in units if u not in set(audit.addressed_units.all())]
        _check_units(user, added or units)
        audit.addressed_units.set(units)
    return audit


@transaction.atomic
def create_follow_up(
    *,
    audit: Audit,
    user: User,
    title: str,
    report_date: datetime.date,
    firm: str = "",
    dnr: str = "",
    response_deadline: datetime.date | None = None,
    summary: str = "",
    report_file: UploadedFile | None = None,
) -> Audit:
    """A follow-up audit of ``audit``: same body and addressees, kind *uppföljande*.

    Its page lists every recommendation of the chain before it (2014 → 2016 → 2017) for
    reassessment; the assessments are saved with :func:`save_assessments`.
    """
    _require(user, Verb.CHANGE, audit)
    return create_audit(
        user=user,
        title=title,
        body=audit.body,
        kind=Audit.Kind.FOLLOW_UP,
        report_date=report_date,
        addressed_units=list(audit.addressed_units.all()),
        firm=firm or audit.firm,
        dnr=dnr,
        response_deadline=response_deadline,
        summary=summary,
        is_secret=audit.is_secret,
        report_file=report_file,
        follows_up=audit,
    )


def audit_chain(audit: Audit) -> list[Audit]:
    """The whole chain the audit belongs to, oldest first: its predecessors and follow-ups."""
    root = audit.chain()[0]
    chain = [root]
    frontier = [root.pk]
    seen = {root.pk}
    while frontier:
        children = list(
            Audit.objects.filter(follows_up_id__in=frontier).order_by("report_date", "pk")
        )
        frontier = [c.pk for c in children if c.pk not in seen]
        seen.update(frontier)
        chain.extend(c for c in children if c.pk in frontier)
    return sorted(chain, key=lambda a: (a.report_date, a.pk))


def recommendations_for_reassessment(follow_up: Audit) -> list[Recommendation]:
    """Every recommendation of the audits the follow-up follows (directly or further back)."""
    earlier = [a.pk for a in follow_up.chain()[:-1]]
    return list(
        Recommendation.objects.filter(audit_id__in=earlier)
        .select_related("audit", "addressee")
        .order_by("audit__report_date", "number")
    )


@transaction.atomic
def save_assessments(
    *,
    follow_up: Audit,
    user: User,
    entries: Iterable[tuple[Recommendation, str, str]],
) -> list[RecommendationAssessment]:
    """Save the follow-up's (re)assessments: ``(recommendation, assessment, comment)`` each.

    An empty assessment removes an earlier one of this follow-up. Only recommendations of the
    chain before the follow-up can be assessed.
    """
    _require(user, Verb.CHANGE, follow_up)
    if follow_up.kind != Audit.Kind.FOLLOW_UP or follow_up.follows_up_id is None:
        raise ValidationError(_("Endast en uppföljande granskning kan bedöma rekommendationer."))
    allowed = {r.pk for r in recommendations_for_reassessment(follow_up)}
    existing = {a.recommendation_id: a for a in follow_up.assessments.all()}
    saved = []
    for recommendation, value, comment in entries:
        if recommendation.pk not in allowed:
            raise ValidationError(
                _("Rekommendationen hör inte till en granskning som uppföljningen följer upp.")
            )
        if value and value not in Assessment.values:
            raise ValidationError(_("Okänd bedömning: %s.") % value, code="unknown_assessment")
        current = existing.get(recommendation.pk)
        if not value:
            if current is not None:
                current._history_user = user
                current._change_reason = _("Bedömning borttagen")
                current.delete()
            continue
        if current is not None and current.assessment == value and current.comment == comment:
            saved.append(current)
            continue
        row = current or RecommendationAssessment(
            follow_up=follow_up, recommendation=recommendation
        )
        row.assessment = value
        row.comment = comment
        _save(row, user=user, reason=_("Bedömd vid uppföljning"))
        saved.append(row)
    return saved


# --------------------------------------------------------------------------------------------
# Observations and recommendations
# --------------------------------------------------------------------------------------------


def _finding_source(audit: Audit) -> str:
    if audit.kind == Audit.Kind.SECURITY_REVIEW:
        return Finding.Source.SECURITY_REVIEW
    return Finding.Source.AUDIT


def _reference(audit: Audit, label: str) -> str:
    return f"{audit.dnr or audit.report_date.year} {label}"[:40]


def _within_addressed(audit: Audit, unit: OrgUnit | None) -> bool:
    if unit is None:
        return True
    return any(unit.path.startswith(u.path) for u in audit.addressed_units.all())


@transaction.atomic
def add_observation(
    *,
    audit: Audit,
    user: User,
    area: str,
    text: str,
    unit: OrgUnit | None = None,
    is_secret: bool = False,
    register_finding: bool = False,
    severity: str = Severity.MEDIUM,
) -> Observation:
    _require(user, Verb.CHANGE, audit)
    if not _within_addressed(audit, unit):
        raise ValidationError(
            {"unit": _("Enheten måste vara en granskad nämnd eller en enhet under den.")}
        )
    number = (audit.observations.aggregate(n=Max("number"))["n"] or 0) + 1
    observation = Observation(
        audit=audit, number=number, area=area, text=text, unit=unit, is_secret=is_secret
    )
    _save(observation, user=user, reason=_("Registrerad"))
    if register_finding:
        target = unit or audit.addressed_units.order_by("path").first()
        findings_services.create_finding(
            user=user,
            unit=target,
            title=Truncator(f"{area}: {text}").chars(255),
            description=text,
            source=_finding_source(audit),
            severity=severity,
            reference=_reference(audit, _("iakttagelse %s") % number),
            is_secret=is_secret or audit.is_secret,
            identified_date=min(audit.report_date, timezone.localdate()),
            audit=audit,
            observation=observation,
            reason=_("Registrerad från granskningens iakttagelse"),
        )
    return observation


@transaction.atomic
def update_observation(
    *,
    observation: Observation,
    user: User,
    area: str,
    text: str,
    unit: OrgUnit | None,
    is_secret: bool,
) -> Observation:
    _require(user, Verb.CHANGE, observation.audit)
    if not _within_addressed(observation.audit, unit):
        raise ValidationError(
            {"unit": _("Enheten måste vara en granskad nämnd eller en enhet under den.")}
        )
    observation.area, observation.text, observation.unit = area, text, unit
    observation.is_secret = is_secret
    _save(observation, user=user, reason=_("Uppgifter ändrade"))
    return observation


@transaction.atomic
def add_recommendation(
    *,
    audit: Audit,
    user: User,
    text: str,
    addressee: OrgUnit,
    observation: Observation | None = None,
    register_finding: bool = True,
    severity: str = Severity.MEDIUM,
) -> Recommendation:
    """A recommendation ("X bör …"); by default also a finding for the addressee to track."""
    _require(user, Verb.CHANGE, audit)
    if addressee.municipality_id != audit.municipality_id or not _within_addressed(
        audit, addressee
    ):
        raise ValidationError(
            {"addressee": _("Mottagaren måste vara en granskad nämnd eller en enhet under den.")}
        )
    if observation is not None and observation.audit_id != audit.pk:
        raise ValidationError({"observation": _("Iakttagelsen hör till en annan granskning.")})
    number = (audit.recommendations.aggregate(n=Max("number"))["n"] or 0) + 1
    recommendation = Recommendation(
        audit=audit, number=number, text=text, addressee=addressee, observation=observation
    )
    _save(recommendation, user=user, reason=_("Registrerad"))
    if register_finding:
        findings_services.create_finding(
            user=user,
            unit=addressee,
            title=Truncator(text).chars(255),
            description=text,
            source=_finding_source(audit),
            severity=severity,
            reference=_reference(audit, _("rek. %s") % number),
            is_secret=audit.is_secret or bool(observation and observation.is_secret),
            identified_date=min(audit.report_date, timezone.localdate()),
            audit=audit,
            observation=observation,
            recommendation=recommendation,
            reason=_("Registrerad från granskningens rekommendation"),
        )
    return recommendation


@transaction.atomic
def update_recommendation(
    *,
    recommendation: Recommendation,
    user: User,
    text: str,
    addressee: OrgUnit,
    observation: Observation | None,
) -> Recommendation:
    audit = recommendation.audit
    _require(user, Verb.CHANGE, audit)
    if not _within_addressed(audit, addressee):
        raise ValidationError(
            {"addressee": _("Mottagaren måste vara en granskad nämnd eller en enhet under den.")}
        )
    if observation is not None and observation.audit_id != audit.pk:
        raise ValidationError({"observation": _("Iakttagelsen hör till en annan granskning.")})
    recommendation.text, recommendation.addressee = text, addressee
    recommendation.observation = observation
    _save(recommendation, user=user, reason=_("Uppgifter ändrade"))
    return recommendation


# --------------------------------------------------------------------------------------------
# Board responses (yttranden)
# --------------------------------------------------------------------------------------------


def _require_draft(response: BoardResponse) -> None:
    if response.status != BoardResponse.Status.DRAFT:
        raise ValidationError(
            _("Yttrandet har status ”%s” och kan inte längre ändras.")
            % response.get_status_display(),
            code="not_draft",
        )


@transaction.atomic
def create_response(
    *,
    audit: Audit,
    user: User,
    unit: OrgUnit,
    title: str = "",
    summary: str = "",
    board_decision_text: str = "",
) -> BoardResponse:
    """A nämnd's response (yttrande) to an audit addressed to it; one per unit and audit."""
    if not policy.audits(user).filter(pk=audit.pk).exists():
        raise PermissionDenied
    if not policy.may_create_in(user, unit):
        raise PermissionDenied
    if not _within_addressed(audit, unit):
        raise ValidationError({"unit": _("Granskningen är inte riktad till %s.") % unit})
    if BoardResponse.objects.filter(audit=audit, unit=unit).exists():
        raise ValidationError(
            {"unit": _("%s har redan ett yttrande över den här granskningen.") % unit},
            code="duplicate",
        )
    response = BoardResponse(
        audit=audit,
        unit=unit,
        title=title or _("Svar på revisionens granskning: %s") % audit.title,
        summary=summary,
        board_decision_text=board_decision_text,
    )
    _save(response, user=user, reason=_("Utkast skapat"))
    return response


@transaction.atomic
def update_response(
    *, response: BoardResponse, user: User, title: str, summary: str, board_decision_text: str
) -> BoardResponse:
    _require(user, Verb.CHANGE, response)
    _require_draft(response)
    response.title, response.summary = title, summary
    response.board_decision_text = board_decision_text
    _save(response, user=user, reason=_("Uppgifter ändrade"))
    return response


@transaction.atomic
def add_response_item(
    *,
    response: BoardResponse,
    user: User,
    text: str,
    recommendation: Recommendation | None = None,
    observation: Observation | None = None,
    actions: Iterable[dict[str, Any]] = (),
) -> ResponseItem:
    """An answer (SVAR) to a recommendation or an observation, with the actions it promises.

    ``actions`` are dicts of :func:`findings.services.create_action` arguments (title, owner,
    owner_description, deadline, deadline_precision, description); each action is created for
    the responding unit and linked to the recommendation and its findings.
    """
    _require(user, Verb.CHANGE, response)
    _require_draft(response)
    if recommendation is None and observation is None:
        raise ValidationError(_("Ange vilken rekommendation eller iakttagelse svaret avser."))
    chain = {a.pk for a in response.audit.chain()}
    if recommendation is not None and recommendation.audit_id not in chain:
        raise ValidationError(
            {"recommendation": _("Rekommendationen hör till en annan granskning.")}
        )
    if observation is not None and observation.audit_id not in chain:
        raise ValidationError({"observation": _("Iakttagelsen hör till en annan granskning.")})
    number = (response.items.aggregate(n=Max("number"))["n"] or 0) + 1
    item = ResponseItem(
        response=response,
        number=number,
        recommendation=recommendation,
        observation=observation,
        text=text,
    )
    _save(item, user=user, reason=_("Svar registrerat"))
    linked_findings: list[Finding] = []
    if recommendation is not None:
        linked_findings += list(recommendation.findings.select_related("audit"))
    if observation is not None:
        linked_findings += [
            f for f in observation.findings.select_related("audit") if f not in linked_findings
        ]
    for spec in actions:
        action = findings_services.create_action(
            user=user,
            unit=response.unit,
            findings=linked_findings,
            recommendations=[recommendation] if recommendation else [],
            answers_audit=response.audit,
            **spec,
        )
        item.actions.add(action)
    return item


@transaction.atomic
def add_item_action(*, item: ResponseItem, user: User, **spec: Any) -> Action:
    """One more action for an answer (also after the response is decided: work goes on)."""
    response = item.response
    _require(user, Verb.CHANGE, response)
    linked: list[Finding] = []
    if item.recommendation_id:
        linked += list(item.recommendation.findings.select_related("audit"))
    if item.observation_id:
        linked += [f for f in item.observation.findings.select_related("audit") if f not in linked]
    action = findings_services.create_action(
        user=user,
        unit=response.unit,
        findings=linked,
        recommendations=[item.recommendation] if item.recommendation_id else [],
        answers_audit=response.audit,
        **spec,
    )
    item._history_user = user
    item._change_reason = _("Åtgärd tillagd")
    item.actions.add(action)
    return action


@transaction.atomic
def add_signatory(*, response: BoardResponse, user: User, name: str, title: str = "") -> Signatory:
    _require(user, Verb.CHANGE, response)
    _require_draft(response)
    order = (response.signatories.aggregate(n=Max("order"))["n"] or 0) + 1
    signatory = Signatory(response=response, name=name.strip(), title=title.strip(), order=order)
    _save(signatory, user=user, reason=_("Undertecknare tillagd"))
    return signatory


@transaction.atomic
def remove_signatory(*, signatory: Signatory, user: User) -> None:
    _require(user, Verb.CHANGE, signatory.response)
    _require_draft(signatory.response)
    signatory._history_user = user
    signatory._change_reason = _("Undertecknare borttagen")
    signatory.delete()


@transaction.atomic
def decide_response(
    *,
    response: BoardResponse,
    user: User,
    organ: OrgUnit,
    meeting_date: datetime.date,
    paragraph: str,
    dnr: str = "",
) -> BoardResponse:
    """Utkast → beslutad: the nämnd decided the response at a meeting (organ, date, §, Dnr)."""
    _require(user, Verb.CHANGE, response)
    _require_draft(response)
    if not response.items.exists():
        raise ValidationError(
            _("Ett yttrande utan svar kan inte beslutas. Lägg till svaren först.")
        )
    if organ.municipality_id != response.audit.municipality_id:
        raise ValidationError({"organ": _("Välj ett organ i din kommun.")})
    if meeting_date < response.audit.report_date:
        raise ValidationError(
            {
                "meeting_date": _(
                    "Sammanträdesdatum kan inte vara före granskningens rapportdatum %s."
                )
                % response.audit.report_date.isoformat()
            }
        )
    if not paragraph.strip():
        raise ValidationError({"paragraph": _("Ange paragraf (§) i protokollet.")})
    decision = Decision(
        municipality_id=response.audit.municipality_id,
        organ=organ,
        meeting_date=meeting_date,
        paragraph=paragraph.strip(),
        dnr=dnr.strip() or response.audit.dnr,
        title=response.title,
        decision_text=response.board_decision_text,
        distribution=str(response.audit.get_body_display()),
    )
    _save(decision, user=user, reason=_("Yttrande beslutat"))
    response.decision = decision
    response.status = BoardResponse.Status.DECIDED
    _save(response, user=user, reason=_("Beslutat: %s") % decision)
    return response


@transaction.atomic
def dispatch_response(
    *, response: BoardResponse, user: User, dispatched_date: datetime.date
) -> BoardResponse:
    """Beslutad → expedierad: the decided response was sent to the auditors."""
    _require(user, Verb.CHANGE, response)
    if response.status != BoardResponse.Status.DECIDED:
        raise ValidationError(
            _("Endast ett beslutat yttrande kan expedieras; det här har status ”%s”.")
            % response.get_status_display(),
            code="not_decided",
        )
    if dispatched_date < response.decision.meeting_date:
        raise ValidationError(
            {
                "dispatched_date": _("Yttrandet kan inte expedieras före beslutet (%s).")
                % response.decision.meeting_date.isoformat()
            }
        )
    if dispatched_date > timezone.localdate():
        raise ValidationError({"dispatched_date": _("Datumet kan inte ligga i framtiden.")})
    response.dispatched_date = dispatched_date
    response.status = BoardResponse.Status.DISPATCHED
    _save(response, user=user, reason=_("Expedierat %s") % dispatched_date.isoformat())
    return response
