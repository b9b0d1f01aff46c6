"""Occurrences: "My controls", the list, the detail page with result logging (htmx), evidence."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from controls import services
from controls.forms import NotDoneForm, OccurrenceFilterForm, ResultForm
from controls.models import DUE_SOON_DAYS, ControlOccurrence, OccurrenceState
from controls.overview import as_int
from controls.overview import my_controls as my_controls_data
from controls.views.common import apply_errors, paginate, require_controls_reader
from core.files import serve_attachment
from core.history import history_for, history_without
from findings.models import Finding
from organisation import policy
from organisation.policy import Verb

OCCURRENCE_RELATED = (
    "control_point__plan__unit",
    "control_point__plan__municipality",
    "control_point__owner",
    "performed_by",
)


def _occurrence(request: HttpRequest, pk: int, verb: str = Verb.VIEW) -> ControlOccurrence:
    return policy.get_for_user(
        request.user, ControlOccurrence.objects.select_related(*OCCURRENCE_RELATED), pk, verb
    )


def _state_filter(state: str, today: datetime.date) -> Q:
    planned = ControlOccurrence.Status.PLANNED
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return {
        OccurrenceState.DONE: Q(status=ControlOccurrence.Status.DONE),
        OccurrenceState.NOT_DONE: Q(status=ControlOccurrence.Status.NOT_DONE),
        OccurrenceState.OVERDUE: Q(status=planned, due_date__lt=today),
        OccurrenceState.DUE: Q(status=planned, due_date__gte=today, due_date__lte=soon),
        OccurrenceState.PLANNED: Q(status=planned, due_date__gt=soon),
    }[state]


@require_GET
def my_controls(request: HttpRequest) -> HttpResponse:
    """The controller's work list: overdue, due within 30 days, later, done."""
    year = as_int(request.GET.get("year"))
    if year is not None and not 2000 <= year <= 2100:
        year = None
    data = my_controls_data(request.user, year)
    this_year = timezone.localdate().year
    context = {
        "data": data,
        "years": range(this_year + 1, this_year - 5, -1),
        "sections": [
            ("overdue", _("Försenade"), data.overdue),
            ("soon", _("Ska göras inom 30 dagar"), data.soon),
            ("later", _("Senare"), data.later),
            ("done", _("Klara"), data.done),
        ],
    }
    return render(request, "controls/my_controls.html", context)


@require_GET
def occurrence_list(request: HttpRequest) -> HttpResponse:
    require_controls_reader(request)
    filters = OccurrenceFilterForm(request.GET, user=request.user)
    chosen = filters.cleaned
    today = timezone.localdate()
    occurrences = policy.occurrences(request.user).select_related(
        "control_point__plan__unit", "control_point__owner"
    )
    if "year" in chosen:
        occurrences = occurrences.filter(control_point__plan__year=as_int(chosen["year"]))
    if "unit" in chosen:
        occurrences = occurrences.filter(
            control_point__plan__unit__path__startswith=chosen["unit"].path
        )
    if "state" in chosen:
        occurrences = occurrences.filter(_state_filter(chosen["state"], today))
    if "outcome" in chosen:
        occurrences = occurrences.filter(outcome=chosen["outcome"])
    if chosen.get("mine"):
        occurrences = occurrences.filter(pk__in=policy.my_occurrences(request.user).values("pk"))
    occurrences = occurrences.order_by("due_date", "control_point__plan__unit__path", "pk")
    return render(
        request,
        "controls/occurrence_list.html",
        {"page_obj": paginate(request, occurrences), "filters": filters},
    )


#: The free text of a result, withheld from readers when the deviation is secret (OSL 18:8).
SECRET_DETAIL_FIELDS = {"checked_what", "comment", "not_done_reason"}


def _detail_context(
    request: HttpRequest,
    occurrence: ControlOccurrence,
    *,
    form: ResultForm | None = None,
    not_done_form: NotDoneForm | None = None,
    oob: bool = False,
) -> dict[str, Any]:
    user = request.user
    can_log = (
        not occurrence.has_result
        and occurrence.control_point.plan.status
        != occurrence.control_point.plan.Status.FINAL_REPORTED
        and policy.can(user, Verb.LOG_RESULT, occurrence)
    )
    if can_log:
        form = form or ResultForm(user=user, occurrence=occurrence)
        not_done_form = not_done_form or NotDoneForm()
    findings = list(policy.findings(user).filter(occurrence=occurrence).order_by("pk"))
    actions = list(
        policy.actions(user)
        .filter(findings__occurrence=occurrence)
        .select_related("owner")
        .distinct()
        .order_by("deadline", "pk")
    )
    details_ok = policy.may_read_occurrence_details(user, occurrence)
    hidden_findings = (
        Finding.objects.filter(occurrence=occurrence).count() - len(findings)
        if occurrence.is_deviation
        else 0
    )
    return {
        "occurrence": occurrence,
        "point": occurrence.control_point,
        "plan": occurrence.control_point.plan,
        "can_log": can_log,
        "form": form,
        "not_done_form": not_done_form,
        "evidence": policy.occurrence_evidence(user)
        .filter(occurrence=occurrence)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk"),
        "findings": findings,
        "actions": actions,
        "hidden_findings": hidden_findings,
        "details_ok": details_ok,
        "history": history_for(occurrence)
        if details_ok
        else history_without(occurrence, SECRET_DETAIL_FIELDS),
        "oob": oob,
        "today": timezone.localdate(),
    }


@require_GET
def occurrence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _occurrence(request, pk)
    return render(request, "controls/occurrence_detail.html", _detail_context(request, occurrence))


def _respond(
    request: HttpRequest,
    occurrence: ControlOccurrence,
    done: bool,
    notice: str = "",
    **forms: Any,
) -> HttpResponse:
    """htmx: the result section (and the status chip out of band); else PRG or the page."""
    if request.htmx:
        context = _detail_context(request, occurrence, oob=done, **forms)
        context["notice"] = notice
        return render(request, "controls/occurrence_detail.html#result", context)
    if done:
        messages.success(request, notice)
        return redirect(occurrence)
    context = _detail_context(request, occurrence, **forms)
    return render(request, "controls/occurrence_detail.html", context)


@require_POST
def occurrence_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the result; an avvikelse creates a finding with its actions (same transaction)."""
    occurrence = _occurrence(request, pk, Verb.LOG_RESULT)
    form = ResultForm(request.POST, request.FILES, user=request.user, occurrence=occurrence)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.log_result(
                occurrence=occurrence,
                user=request.user,
                performed_date=data["performed_date"],
                outcome=data["outcome"],
                checked_what=data["checked_what"],
                sample=data["sample"],
                comment=data["comment"],
                evidence=data["evidence"],
                finding=form.finding(),
                actions=form.actions,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if result.finding is not None:
                notice = _(
                    "Resultatet är registrerat. Avvikelsen och %(n)s åtgärd(er) är skapade; "
                    "de ansvariga har fått en notis."
                ) % {"n": len(result.actions)}
            else:
                notice = _("Resultatet är registrerat.")
            return _respond(request, _occurrence(request, pk), True, notice=notice)
    return _respond(request, occurrence, False, form=form)


@require_POST
def occurrence_not_done(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _occurrence(request, pk, Verb.LOG_RESULT)
    form = NotDoneForm(request.POST)
    if form.is_valid():
        try:
            services.mark_not_done(
                occurrence=occurrence,
                user=request.user,
                reason=form.cleaned_data["not_done_reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            notice = _("Kontrollen är markerad som ej genomförd.")
            return _respond(request, _occurrence(request, pk), True, notice=notice)
    return _respond(request, occurrence, False, not_done_form=form)


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file, as an attachment, to those who may see it (else 404)."""
    evidence = (
        policy.occurrence_evidence(request.user).filter(pk=pk).select_related("occurrence").first()
    )
    if evidence is None:
        raise Http404
    return serve_attachment(evidence)
