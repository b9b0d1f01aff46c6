"""Writes to the findings register: findings, actions, their status transitions, the progress log.

Every status change goes through one function per transition (``start_remediation``,
``mark_remedied``, ``verify_finding``, ``accept_risk``, ``reopen_finding``; ``start_action``,
``complete_action``, ``cancel_action``, ``reopen_action``, ``carry_over_action``). Each one

* checks the user's right through :mod:`organisation.policy` (only a coordinator verifies or
  accepts a risk: ``Verb.VERIFY``; an action owner updates only their own actions:
  ``Verb.UPDATE``),
* checks in one table (:data:`FINDING_TRANSITIONS`, :data:`ACTION_TRANSITIONS`) that the
  transition is allowed from the current status, else raises :class:`TransitionNotAllowed` with
  a Swedish message and changes nothing,
* records who and why in the change history (django-simple-history's change reason), and for
  actions writes a dated entry in the progress log.

A finding follows its actions where that is natural (:func:`sync_finding_status`): the first
action started → *åtgärd pågår*; every action done (or cancelled, at least one done) →
*åtgärdad*; an action reopened on a remedied finding → *åtgärd pågår* again. Verifying and
accepting a risk are always explicit steps of the coordinator.

**Evidence for verification.** A remedy is verified only on evidence: at least one file, either
attached to a progress entry of a *done* action of the finding, or uploaded by the coordinator
with the verification itself (:class:`findings.models.FindingEvidence`). A note on what was
checked is always required as well. Without both the verification is refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.files import save_stored_file
from findings.models import (
    Action,
    ActionEvidence,
    ActionProgress,
    DeadlinePrecision,
    Finding,
    FindingEvidence,
    end_of_period,
    format_deadline,
)
from organisation import policy
from organisation.models import OrgUnit, User
from organisation.policy import Verb

FS = Finding.Status
AS = Action.Status


class TransitionNotAllowed(ValidationError):
    """A status change that the workflow does not allow from the current status."""


#: transition → (statuses it may start from, status it leads to)
FINDING_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start_remediation": (frozenset({FS.OPEN}), FS.IN_PROGRESS),
    "mark_remedied": (frozenset({FS.OPEN, FS.IN_PROGRESS}), FS.REMEDIED),
    "verify": (frozenset({FS.REMEDIED}), FS.VERIFIED),
    "accept_risk": (frozenset({FS.OPEN, FS.IN_PROGRESS, FS.REMEDIED}), FS.RISK_ACCEPTED),
    "reopen": (frozenset({FS.REMEDIED, FS.VERIFIED, FS.RISK_ACCEPTED}), FS.OPEN),
}
#: Why a transition is refused, in full Swedish sentences.
FINDING_TRANSITION_REFUSALS = {
    "start_remediation": gettext_lazy(
        "Åtgärdsarbete kan inte påbörjas för en avvikelse med status ”%(status)s”."
    ),
    "mark_remedied": gettext_lazy(
        "En avvikelse med status ”%(status)s” kan inte markeras som åtgärdad."
    ),
    "verify": gettext_lazy(
        "Endast åtgärdade avvikelser kan verifieras; den här har status ”%(status)s”."
    ),
    "accept_risk": gettext_lazy("En avvikelse med status ”%(status)s” kan inte riskaccepteras."),
    "reopen": gettext_lazy("Avvikelsen har status ”%(status)s” och behöver inte återöppnas."),
}

ACTION_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({AS.NOT_STARTED}), AS.IN_PROGRESS),
    "complete": (frozenset({AS.NOT_STARTED, AS.IN_PROGRESS}), AS.DONE),
    "cancel": (frozenset({AS.NOT_STARTED, AS.IN_PROGRESS}), AS.CANCELLED),
    "reopen": (frozenset({AS.DONE, AS.CANCELLED}), AS.IN_PROGRESS),
    "carry_over": (frozenset({AS.NOT_STARTED, AS.IN_PROGRESS}), AS.CARRIED_OVER),
}
ACTION_TRANSITION_REFUSALS = {
    "start": gettext_lazy("Åtgärden har status ”%(status)s” och kan inte påbörjas."),
    "complete": gettext_lazy(
        "Åtgärden har status ”%(status)s” och kan inte markeras som genomförd."
    ),
    "cancel": gettext_lazy("Åtgärden har status ”%(status)s” och kan inte utgå."),
    "reopen": gettext_lazy("Åtgärden har status ”%(status)s” och kan inte återöppnas."),
    "carry_over": gettext_lazy(
        "Åtgärden har status ”%(status)s” och kan inte föras över till nästa år."
    ),
}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _require(user: User, verb: str, obj: Any) -> None:
    if not policy.can(user, verb, obj):
        raise PermissionDenied


def _check(
    table: dict[str, tuple[frozenset[str], str]],
    refusals: dict[str, Any],
    transition: str,
    current: str,
    current_label: str,
) -> str:
    try:
        sources, target = table[transition]
    except KeyError as exc:
        raise TransitionNotAllowed(
            _("Okänd statusändring: %(name)s.") % {"name": transition}, code="unknown"
        ) from exc
    if current not in sources:
        raise TransitionNotAllowed(
            refusals[transition] % {"status": current_label}, code="not_allowed"
        )
    return target


def check_finding_transition(finding: Finding, transition: str) -> str:
    """The status ``transition`` leads to from the finding's status; refuses otherwise."""
    return _check(
        FINDING_TRANSITIONS,
        FINDING_TRANSITION_REFUSALS,
        transition,
        finding.status,
        finding.get_status_display(),
    )


def check_action_transition(action: Action, transition: str) -> str:
    return _check(
        ACTION_TRANSITIONS,
        ACTION_TRANSITION_REFUSALS,
        transition,
        action.status,
        action.get_status_display(),
    )


def allowed_finding_transitions(finding: Finding) -> set[str]:
    return {
        name for name, (sources, _t) in FINDING_TRANSITIONS.items() if finding.status in sources
    }


def allowed_action_transitions(action: Action) -> set[str]:
    return {name for name, (sources, _t) in ACTION_TRANSITIONS.items() if action.status in sources}


def _save(obj: Any, *, user: User | None, reason: str) -> None:
    """full_clean() and save, with who and why written to the change history."""
    obj._history_user = user
    obj._change_reason = reason[:2000]
    obj.full_clean()
    obj.save()


def _required_text(value: str, message: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message}, code="required")
    return value


def _not_in_future(day: datetime.date, field: str = "date") -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("Datumet kan inte ligga i framtiden.")}, code="future")


def _same_municipality(user: User, *objects: Any, field: str) -> None:
    for obj in objects:
        if obj is not None and obj.municipality_id != user.municipality_id:
            raise ValidationError({field: _("Välj ett alternativ i din egen kommun.")})


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------

FINDING_FIELDS = (
    "reference",
    "title",
    "description",
    "source",
    "severity",
    "is_secret",
    "identified_date",
    "unit",
    "occurrence",
    "audit",
    "observation",
    "recommendation",
    "access_review",
)


@transaction.atomic
def create_finding(
    *,
    user: User,
    unit: OrgUnit,
    title: str,
    source: str,
    severity: str,
    description: str = "",
    reference: str = "",
    is_secret: bool = False,
    identified_date: datetime.date | None = None,
    systems: Iterable[Any] = (),
    reason: str = "",
    **links: Any,
) -> Finding:
    """Register a finding in ``unit``. ``links``: occurrence, audit, observation, recommendation,
    access_review (each optional)."""
    if not policy.may_create_in(user, unit):
        raise PermissionDenied
    unknown = set(links) - {"occurrence", "audit", "observation", "recommendation", "access_review"}
    if unknown:
        raise TypeError(f"unknown links: {sorted(unknown)}")
    systems = list(systems)
    _same_municipality(user, *systems, field="systems")
    finding = Finding(
        municipality_id=unit.municipality_id,
        unit=unit,
        title=title,
        description=description,
        reference=reference,
        source=source,
        severity=severity,
        is_secret=is_secret,
        identified_date=identified_date or timezone.localdate(),
        created_by=user,
        **links,
    )
    if finding.identified_date > timezone.localdate():
        raise ValidationError({"identified_date": _("Datumet kan inte ligga i framtiden.")})
    _save(finding, user=user, reason=reason or _("Registrerad"))
    if systems:
        finding.systems.set(systems)
    return finding


@transaction.atomic
def update_finding(
    *, finding: Finding, user: User, systems: Iterable[Any] | None = None, **fields: Any
) -> Finding:
    """Change a finding's details (not its status: that goes through the transitions)."""
    _require(user, Verb.CHANGE, finding)
    unknown = set(fields) - set(FINDING_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    if "unit" in fields and fields["unit"] != finding.unit:
        _same_municipality(user, fields["unit"], field="unit")
        if not policy.may_create_in(user, fields["unit"]):
            raise ValidationError({"unit": _("Du kan inte flytta avvikelsen till den enheten.")})
    for name, value in fields.items():
        setattr(finding, name, value)
    _save(finding, user=user, reason=_("Uppgifter ändrade"))
    if systems is not None:
        systems = list(systems)
        _same_municipality(user, *systems, field="systems")
        finding.systems.set(systems)
    return finding


def _set_finding_status(finding: Finding, target: str, *, user: User | None, reason: str) -> None:
    finding.status = target
    finding.status_changed_at = timezone.now()
    _save(finding, user=user, reason=reason)


@transaction.atomic
def start_remediation(*, finding: Finding, user: User, comment: str = "") -> Finding:
    _require(user, Verb.CHANGE, finding)
    target = check_finding_transition(finding, "start_remediation")
    reason = _("Åtgärdsarbete påbörjat")
    _set_finding_status(
        finding, target, user=user, reason=f"{reason}: {comment}" if comment else reason
    )
    return finding


@transaction.atomic
def mark_remedied(*, finding: Finding, user: User, comment: str) -> Finding:
    _require(user, Verb.CHANGE, finding)
    target = check_finding_transition(finding, "mark_remedied")
    comment = _required_text(comment, _("Beskriv hur bristen har åtgärdats."), "comment")
    _set_finding_status(finding, target, user=user, reason=_("Åtgärdad: %s") % comment)
    return finding


def finding_has_evidence(finding: Finding) -> bool:
    """Is there a file showing the remedy: on the finding or on a done action's progress log?"""
    return (
        finding.evidence.exists()
        or ActionEvidence.objects.filter(
            progress__action__findings=finding, progress__action__status=AS.DONE
        ).exists()
    )


@transaction.atomic
def verify_finding(
    *,
    finding: Finding,
    user: User,
    note: str,
    evidence: Sequence[UploadedFile] = (),
) -> Finding:
    """The coordinator confirms that the remedy works. Needs a note and evidence (see module)."""
    _require(user, Verb.VERIFY, finding)
    target = check_finding_transition(finding, "verify")
    note = _required_text(note, _("Beskriv vad som kontrollerades vid verifieringen."), "note")
    if not evidence and not finding_has_evidence(finding):
        raise ValidationError(
            {
                "evidence": _(
                    "Verifiering kräver underlag: ladda upp en fil som visar att bristen är "
                    "åtgärdad, eller låt åtgärdsägaren bifoga underlag när åtgärden markeras "
                    "som genomförd."
                )
            },
            code="no_evidence",
        )
    for uploaded in evidence:
        save_stored_file(FindingEvidence, uploaded=uploaded, user=user, finding=finding)
    finding.verified_by = user
    finding.verified_at = timezone.now()
    finding.verification_note = note
    _set_finding_status(finding, target, user=user, reason=_("Verifierad: %s") % note)
    return finding


@transaction.atomic
def accept_risk(*, finding: Finding, user: User, motivation: str) -> Finding:
    """The coordinator accepts the remaining risk instead of remedying it; motivation required."""
    _require(user, Verb.VERIFY, finding)
    target = check_finding_transition(finding, "accept_risk")
    motivation = _required_text(motivation, _("Motivera varför risken accepteras."), "motivation")
    finding.risk_acceptance_motivation = motivation
    finding.risk_accepted_by = user
    finding.risk_accepted_at = timezone.now()
    _set_finding_status(finding, target, user=user, reason=_("Risk accepterad: %s") % motivation)
    return finding


@transaction.atomic
def reopen_finding(*, finding: Finding, user: User, reason: str) -> Finding:
    """Back to work: a closed finding needs the coordinator, a remedied one a manager."""
    _require(user, Verb.VERIFY if finding.is_closed else Verb.CHANGE, finding)
    target = check_finding_transition(finding, "reopen")
    reason = _required_text(reason, _("Ange varför avvikelsen återöppnas."), "reason")
    finding.verified_by = None
    finding.verified_at = None
    finding.verification_note = ""
    finding.risk_acceptance_motivation = ""
    finding.risk_accepted_by = None
    finding.risk_accepted_at = None
    _set_finding_status(finding, target, user=user, reason=_("Återöppnad: %s") % reason)
    sync_finding_status(finding, user=user)
    return finding


def sync_finding_status(finding: Finding, *, user: User | None) -> None:
    """Let an open, in-progress or remedied finding follow its actions (see module docstring).

    Carried-over actions are left out: the action they were carried over to stands for them.
    Verified and risk-accepted findings are never changed here.
    """
    if finding.status not in (FS.OPEN, FS.IN_PROGRESS, FS.REMEDIED):
        return
    statuses = set(finding.actions.exclude(status=AS.CARRIED_OVER).values_list("status", flat=True))
    if not statuses:
        return
    all_closed = statuses <= {AS.DONE, AS.CANCELLED}
    if all_closed and AS.DONE in statuses and finding.status != FS.REMEDIED:
        _set_finding_status(
            finding, FS.REMEDIED, user=user, reason=_("Alla åtgärder är genomförda")
        )
    elif finding.status == FS.OPEN and statuses & {AS.IN_PROGRESS, AS.DONE}:
        _set_finding_status(finding, FS.IN_PROGRESS, user=user, reason=_("En åtgärd har påbörjats"))
    elif finding.status == FS.REMEDIED and statuses & set(Action.OPEN_STATUSES):
        _set_finding_status(finding, FS.IN_PROGRESS, user=user, reason=_("En åtgärd är åter öppen"))


def _sync_findings_of(action: Action, user: User | None) -> None:
    for finding in action.findings.select_for_update().order_by("pk"):
        sync_finding_status(finding, user=user)


# --------------------------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------------------------


def earliest_deadline(
    findings: Iterable[Finding] = (), recommendations: Iterable[Any] = ()
) -> tuple[datetime.date, str] | None:
    """The latest report date of the audits behind these findings/recommendations, if any.

    A deadline before the audit was even reported is a typing error ("2107" for "2017" or a
    wrong year); it is refused with the audit's date in the message.
    """
    dates = []
    for finding in findings:
        if finding.audit_id:
            dates.append((finding.audit.report_date, str(finding.audit)))
    for recommendation in recommendations:
        dates.append((recommendation.audit.report_date, str(recommendation.audit)))
    return max(dates) if dates else None


def _check_deadline(
    deadline: datetime.date | None,
    precision: str,
    findings: Iterable[Finding],
    recommendations: Iterable[Any],
    audits: Iterable[Any] = (),
) -> None:
    if deadline is None:
        return
    floor = earliest_deadline(findings, recommendations)
    for audit in audits:  # an answer to an observation: the audit it belongs to
        if floor is None or audit.report_date > floor[0]:
            floor = (audit.report_date, str(audit))
    if floor and deadline < floor[0]:
        raise ValidationError(
            {
                "deadline": _(
                    "Klart senast (%(deadline)s) kan inte vara före granskningens rapportdatum "
                    "%(date)s (%(audit)s)."
                )
                % {
                    "deadline": format_deadline(deadline, precision),
                    "date": floor[0].isoformat(),
                    "audit": floor[1],
                }
            },
            code="deadline_before_audit",
        )


def _log(
    action: Action,
    *,
    user: User,
    comment: str,
    status_after: str = "",
    date: datetime.date | None = None,
    evidence: Sequence[UploadedFile] = (),
) -> ActionProgress:
    entry = ActionProgress(
        action=action,
        date=date or timezone.localdate(),
        comment=comment,
        status_after=status_after,
        author=user,
    )
    entry._history_user = user
    entry.full_clean()
    entry.save()
    for uploaded in evidence:
        save_stored_file(ActionEvidence, uploaded=uploaded, user=user, progress=entry)
    return entry


def _notify_owner(action: Action, user: User) -> None:
    if action.owner_id and action.owner_id != user.pk:
        from notifications.models import Notification
        from notifications.services import notify

        notify(
            recipient=action.owner,
            kind=Notification.Kind.ASSIGNED,
            title=_("Du är ansvarig för åtgärden ”%s”") % action.title,
            url=action.get_absolute_url(),
        )


@transaction.atomic
def create_action(
    *,
    user: User,
    unit: OrgUnit,
    title: str,
    description: str = "",
    owner: User | None = None,
    owner_description: str = "",
    deadline: datetime.date | None = None,
    deadline_precision: str = DeadlinePrecision.DAY,
    findings: Iterable[Finding] = (),
    recommendations: Iterable[Any] = (),
    answers_audit: Any = None,
) -> Action:
    """Register an action for ``unit``, linked to findings and/or audit recommendations.

    ``answers_audit``: the audit whose report the action answers (a board response's answer to
    an observation), so its deadline cannot precede the report either. A deadline given with a
    coarser precision is stored as the last day of its period ("Q1 2019" → 2019-03-31), which
    is when it falls due.
    """
    if not policy.may_create_in(user, unit):
        raise PermissionDenied
    findings, recommendations = list(findings), list(recommendations)
    _same_municipality(user, unit, field="unit")
    _same_municipality(user, owner, field="owner")
    _same_municipality(user, *findings, field="findings")
    for recommendation in recommendations:
        _same_municipality(user, recommendation.audit, field="recommendations")
    if deadline is not None:
        deadline = end_of_period(deadline, deadline_precision)
    _check_deadline(
        deadline,
        deadline_precision,
        findings,
        recommendations,
        [answers_audit] if answers_audit else [],
    )
    action = Action(
        municipality_id=unit.municipality_id,
        unit=unit,
        title=title,
        description=description,
        owner=owner,
        owner_description=owner_description,
        deadline=deadline,
        deadline_precision=deadline_precision,
        created_by=user,
    )
    _save(action, user=user, reason=_("Registrerad"))
    if findings:
        action.findings.set(findings)
    if recommendations:
        action.recommendations.set(recommendations)
    for finding in findings:
        sync_finding_status(finding, user=user)
    _notify_owner(action, user)
    return action


ACTION_FIELDS = (
    "title",
    "description",
    "unit",
    "owner",
    "owner_description",
    "deadline",
    "deadline_precision",
)


@transaction.atomic
def update_action(
    *,
    action: Action,
    user: User,
    findings: Iterable[Finding] | None = None,
    **fields: Any,
) -> Action:
    _require(user, Verb.CHANGE, action)
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    previous_owner = action.owner_id
    _same_municipality(user, fields.get("unit"), fields.get("owner"), field="owner")
    if (
        "unit" in fields
        and fields["unit"] != action.unit
        and not policy.may_create_in(user, fields["unit"])
    ):
        raise ValidationError({"unit": _("Du kan inte flytta åtgärden till den enheten.")})
    if fields.get("deadline") is not None or "deadline_precision" in fields:
        deadline = fields.get("deadline", action.deadline)
        if deadline is not None:
            fields["deadline"] = end_of_period(
                deadline, fields.get("deadline_precision", action.deadline_precision)
            )
    linked = list(findings) if findings is not None else list(action.findings.all())
    _check_deadline(
        fields.get("deadline", action.deadline),
        fields.get("deadline_precision", action.deadline_precision),
        linked,
        action.recommendations.select_related("audit"),
    )
    for name, value in fields.items():
        setattr(action, name, value)
    _save(action, user=user, reason=_("Uppgifter ändrade"))
    if findings is not None:
        before = set(action.findings.all())
        action.findings.set(linked)
        for finding in before | set(linked):
            sync_finding_status(finding, user=user)
    if action.owner_id != previous_owner:
        _notify_owner(action, user)
    return action


def _set_action_status(action: Action, target: str, *, user: User, reason: str) -> None:
    action.status = target
    _save(action, user=user, reason=reason)


@transaction.atomic
def start_action(*, action: Action, user: User, comment: str = "") -> Action:
    _require(user, Verb.UPDATE, action)
    target = check_action_transition(action, "start")
    text = comment.strip() or _("Åtgärden har påbörjats.")
    _set_action_status(action, target, user=user, reason=_("Påbörjad: %s") % text)
    _log(action, user=user, comment=text, status_after=target)
    _sync_findings_of(action, user)
    return action


@transaction.atomic
def complete_action(
    *,
    action: Action,
    user: User,
    comment: str,
    evidence: Sequence[UploadedFile] = (),
    date: datetime.date | None = None,
) -> Action:
    """The owner reports the action done, with what was done and (preferably) evidence files."""
    _require(user, Verb.UPDATE, action)
    target = check_action_transition(action, "complete")
    comment = _required_text(comment, _("Beskriv vad som har gjorts."), "comment")
    day = date or timezone.localdate()
    _not_in_future(day)
    action.completed_date = day
    _set_action_status(action, target, user=user, reason=_("Genomförd: %s") % comment)
    _log(action, user=user, comment=comment, status_after=target, date=day, evidence=evidence)
    _sync_findings_of(action, user)
    return action


@transaction.atomic
def cancel_action(*, action: Action, user: User, reason: str) -> Action:
    _require(user, Verb.CHANGE, action)
    target = check_action_transition(action, "cancel")
    reason = _required_text(reason, _("Ange varför åtgärden utgår."), "reason")
    action.cancel_reason = reason
    _set_action_status(action, target, user=user, reason=_("Utgår: %s") % reason)
    _log(action, user=user, comment=reason, status_after=target)
    _sync_findings_of(action, user)
    return action


@transaction.atomic
def reopen_action(*, action: Action, user: User, reason: str) -> Action:
    _require(user, Verb.CHANGE, action)
    target = check_action_transition(action, "reopen")
    reason = _required_text(reason, _("Ange varför åtgärden återöppnas."), "reason")
    action.completed_date = None
    action.cancel_reason = ""
    _set_action_status(action, target, user=user, reason=_("Återöppnad: %s") % reason)
    _log(action, user=user, comment=reason, status_after=target)
    _sync_findings_of(action, user)
    return action


@transaction.atomic
def add_progress(
    *,
    action: Action,
    user: User,
    comment: str,
    date: datetime.date | None = None,
    evidence: Sequence[UploadedFile] = (),
) -> ActionProgress:
    """A dated entry in the progress log, with optional evidence files; status unchanged."""
    _require(user, Verb.UPDATE, action)
    if action.status == AS.CARRIED_OVER:
        raise TransitionNotAllowed(
            _("Åtgärden är överförd till nästa år; skriv lägesrapporten på den nya åtgärden."),
            code="carried_over",
        )
    comment = _required_text(comment, _("Skriv en kommentar."), "comment")
    day = date or timezone.localdate()
    _not_in_future(day)
    entry = _log(action, user=user, comment=comment, date=day, evidence=evidence)
    action._history_user = user
    action._change_reason = _("Lägesrapport: %s") % comment[:200]
    action.save(update_fields=["updated_at"])
    return entry


@transaction.atomic
def carry_over_action(
    *,
    action: Action,
    user: User,
    deadline: datetime.date,
    deadline_precision: str,
    comment: str = "",
) -> Action:
    """Carry an unfinished action into next year's work.

    A new action takes over title, owner, unit, status and every link (findings,
    recommendations, answers in board responses) and points back with ``carried_over_from``.
    The old one gets the status *Överförd till nästa år*, so it is counted only once: it is
    neither open nor overdue any more, and findings follow the new one.
    """
    _require(user, Verb.CHANGE, action)
    check_action_transition(action, "carry_over")
    if deadline is None:
        raise ValidationError({"deadline": _("Ange ny tidpunkt för klart senast.")})
    deadline = end_of_period(deadline, deadline_precision)
    if action.deadline and deadline <= action.deadline:
        raise ValidationError(
            {
                "deadline": _("Den nya tidpunkten måste vara senare än den gamla (%s).")
                % action.deadline_display
            },
            code="not_later",
        )
    successor = Action(
        municipality_id=action.municipality_id,
        unit=action.unit,
        title=action.title,
        description=action.description,
        owner=action.owner,
        owner_description=action.owner_description,
        deadline=deadline,
        deadline_precision=deadline_precision,
        status=action.status,
        carried_over_from=action,
        created_by=user,
    )
    label = format_deadline(deadline, deadline_precision)
    _save(successor, user=user, reason=_("Överförd från föregående år (klart senast %s)") % label)
    successor.findings.set(action.findings.all())
    successor.recommendations.set(action.recommendations.all())
    for item in action.response_items.all():
        item.actions.add(successor)
    text = comment.strip() or _("Överförd till nästa år, ny tidpunkt %s.") % label
    _set_action_status(action, AS.CARRIED_OVER, user=user, reason=text)
    _log(action, user=user, comment=text, status_after=AS.CARRIED_OVER)
    _log(
        successor,
        user=user,
        comment=_("Överförd från föregående år."),
        status_after=successor.status,
    )
    _sync_findings_of(successor, user)
    return successor
