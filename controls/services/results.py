"""Writes to occurrences: logging a result, marking "ej genomförd", deviation → finding + actions.

A deviation (avvikelse, mindre or väsentlig) is registered in the one register of findings: the
finding is linked to the occurrence, and at least one action with an owner and a deadline is
required. The rows are written here, in the same transaction as the result, with
``full_clean()``; each action owner gets an in-app notification. The findings app owns the pages
of findings and actions; this module only creates the rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from controls.models import ControlOccurrence, ControlPlan, OccurrenceEvidence
from core.files import save_stored_file, validate_upload
from findings.models import Action, Finding, Severity
from notifications.models import Notification
from notifications.services import notify
from organisation.models import User

#: The severity a finding gets from the outcome unless the controller chooses another.
SEVERITY_FOR_OUTCOME = {
    ControlOccurrence.Outcome.MINOR_DEVIATION: Severity.MEDIUM,
    ControlOccurrence.Outcome.MAJOR_DEVIATION: Severity.HIGH,
}
#: At most this many evidence files per result.
MAX_EVIDENCE_FILES = 10


@dataclass(frozen=True)
class FindingInput:
    title: str
    description: str = ""
    severity: str = ""
    is_secret: bool = False


@dataclass(frozen=True)
class ActionInput:
    title: str
    owner: User
    deadline: datetime.date
    description: str = ""


def _locked(occurrence: ControlOccurrence) -> ControlOccurrence:
    return (
        ControlOccurrence.objects.select_for_update(of=("self",))
        .select_related("control_point__plan__unit", "control_point__plan__municipality")
        .get(pk=occurrence.pk)
    )


def _require_open(occurrence: ControlOccurrence) -> None:
    if occurrence.has_result:
        raise ValidationError(_("Resultatet för det här kontrolltillfället är redan registrerat."))
    if occurrence.control_point.plan.status == ControlPlan.Status.FINAL_REPORTED:
        raise ValidationError(_("Planen är slutredovisad; inga fler resultat kan registreras."))


def _check_evidence(files: Sequence[UploadedFile]) -> None:
    """Every file is checked before anything is written (size and sniffed content)."""
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            {"evidence": _("Högst %(n)s filer per resultat.") % {"n": MAX_EVIDENCE_FILES}}
        )
    problems = []
    for uploaded in files:
        try:
            validate_upload(uploaded)
        except ValidationError as exc:
            problems.extend(f"{uploaded.name}: {message}" for message in exc.messages)
    if problems:
        raise ValidationError({"evidence": problems})


def _create_finding(
    *, occurrence: ControlOccurrence, user: User, finding: FindingInput, outcome: str
) -> Finding:
    plan = occurrence.control_point.plan
    severity = finding.severity or SEVERITY_FOR_OUTCOME.get(outcome, Severity.MEDIUM)
    row = Finding(
        municipality_id=plan.municipality_id,
        unit=plan.unit,
        title=finding.title.strip(),
        description=finding.description.strip(),
        source=Finding.Source.CONTROL,
        occurrence=occurrence,
        severity=severity,
        is_secret=finding.is_secret,
        identified_date=occurrence.performed_date,
        created_by=user,
    )
    row.full_clean()
    row._history_user = user
    row.save()
    systems = list(occurrence.control_point.systems.all())
    if systems:
        row.systems.set(systems)
    return row


def _create_action(
    *, finding: Finding, user: User, action: ActionInput, today: datetime.date
) -> Action:
    if action.owner.municipality_id != finding.municipality_id or not action.owner.is_active:
        raise ValidationError({"owner": _("Ansvarig ska vara en aktiv användare i kommunen.")})
    if action.deadline < today:
        raise ValidationError({"deadline": _("Klart senast kan inte ligga bakåt i tiden.")})
    row = Action(
        municipality_id=finding.municipality_id,
        unit=finding.unit,
        title=action.title.strip(),
        description=action.description.strip(),
        owner=action.owner,
        deadline=action.deadline,
        created_by=user,
    )
    row.full_clean()
    row._history_user = user
    row.save()
    row.findings.add(finding)
    notify(
        recipient=action.owner,
        kind=Notification.Kind.ASSIGNED,
        title=_("Ny åtgärd: %(title)s") % {"title": row.title},
        body=_("Avvikelse i kontrollen %(point)s. Klart senast %(deadline)s.")
        % {"point": finding.occurrence.control_point.title, "deadline": row.deadline_display},
        url=row.get_absolute_url(),
    )
    return row


@dataclass
class LoggedResult:
    occurrence: ControlOccurrence
    finding: Finding | None
    actions: list[Action]
    evidence: list[OccurrenceEvidence]


@transaction.atomic
def log_result(
    *,
    occurrence: ControlOccurrence,
    user: User,
    performed_date: datetime.date,
    outcome: str,
    checked_what: str = "",
    sample: str = "",
    comment: str = "",
    evidence: Sequence[UploadedFile] = (),
    finding: FindingInput | None = None,
    actions: Sequence[ActionInput] = (),
) -> LoggedResult:
    """Planerad → genomförd with the result; an avvikelse also creates a finding and actions."""
    occurrence = _locked(occurrence)
    _require_open(occurrence)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if performed_date is None:
        errors["performed_date"] = [_("Ange när kontrollen genomfördes.")]
    elif performed_date > today:
        errors["performed_date"] = [_("Datumet kan inte ligga i framtiden.")]
    if outcome not in ControlOccurrence.Outcome.values:
        errors["outcome"] = [_("Välj utfall: utan anmärkning eller avvikelse.")]
    is_deviation = outcome in SEVERITY_FOR_OUTCOME
    if is_deviation:
        if finding is None or not finding.title.strip():
            errors["finding_title"] = [_("Beskriv avvikelsen med en rubrik.")]
        if not actions:
            errors["actions"] = [
                _("Ange minst en åtgärd med ansvarig och klart senast-datum för avvikelsen.")
            ]
    if errors:
        raise ValidationError(errors)
    _check_evidence(evidence)

    occurrence.status = ControlOccurrence.Status.DONE
    occurrence.performed_date = performed_date
    occurrence.performed_by = user
    occurrence.checked_what = checked_what.strip()
    occurrence.sample = sample.strip()
    occurrence.outcome = outcome
    occurrence.comment = comment.strip()
    occurrence.recorded_at = timezone.now()
    occurrence.full_clean()
    occurrence._history_user = user
    occurrence._change_reason = _("Resultat registrerat")
    occurrence.save()

    created_finding = None
    created_actions: list[Action] = []
    if is_deviation:
        created_finding = _create_finding(
            occurrence=occurrence, user=user, finding=finding, outcome=outcome
        )
        for action in actions:
            created_actions.append(
                _create_action(finding=created_finding, user=user, action=action, today=today)
            )
    stored = [
        save_stored_file(OccurrenceEvidence, uploaded=uploaded, user=user, occurrence=occurrence)
        for uploaded in evidence
    ]
    return LoggedResult(
        occurrence=occurrence, finding=created_finding, actions=created_actions, evidence=stored
    )


@transaction.atomic
def mark_not_done(*, occurrence: ControlOccurrence, user: User, reason: str) -> ControlOccurrence:
    """Planerad → ej genomförd, with the reason (reported to the nämnd as it is)."""
    occurrence = _locked(occurrence)
    _require_open(occurrence)
    if not reason.strip():
        raise ValidationError({"not_done_reason": _("Ange varför kontrollen inte genomfördes.")})
    occurrence.status = ControlOccurrence.Status.NOT_DONE
    occurrence.not_done_reason = reason.strip()
    occurrence.performed_by = user
    occurrence.recorded_at = timezone.now()
    occurrence.full_clean()
    occurrence._history_user = user
    occurrence._change_reason = _("Markerad som ej genomförd")
    occurrence.save()
    return occurrence
