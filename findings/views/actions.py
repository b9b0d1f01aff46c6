"""Actions: list and export, detail with the progress log, register and edit, transitions,
and the action owner's own page "Mina åtgärder" with in-place updates (htmx)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exports import csv_response, xlsx_response
from core.files import serve_attachment
from core.history import history_for
from core.pagination import apply_sort, current_sort, paginate
from findings import services
from findings.filters import ActionFilter
from findings.forms import (
    ActionForm,
    CarryOverForm,
    CompleteForm,
    MyActionForm,
    ProgressForm,
    ReasonForm,
    StartForm,
)
from findings.models import Action, ActionEvidence, ActionProgress, Finding
from findings.views.common import form_page, run_service
from organisation import policy
from organisation.policy import Verb

ACTION_SORTS = {
    "deadline": "deadline",
    "title": "title",
    "unit": "unit__name",
    "owner": "owner__last_name",
    "status": "status_rank",
    "updated": "updated_at",
}
DEFAULT_SORT = "deadline"
EXPORT_LIMIT = 20000


def _status_rank() -> Case:
    return Case(
        *[When(status=value, then=Value(i)) for i, value in enumerate(Action.Status.values)],
        output_field=IntegerField(),
    )


def _list_queryset(request: HttpRequest) -> tuple[ActionFilter, QuerySet]:
    base = policy.actions(request.user)
    filterset = ActionFilter(request.GET or None, queryset=base, request=request)
    if filterset.is_bound and not filterset.is_valid():
        qs = base.none()
    else:
        qs = filterset.qs if filterset.is_bound else base
    qs = qs.annotate(status_rank=_status_rank()).select_related("unit", "owner")
    return filterset, qs


@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    filterset, qs = _list_queryset(request)
    qs = apply_sort(request, qs, ACTION_SORTS, DEFAULT_SORT)
    visible_findings = policy.findings(request.user).only("pk", "title", "reference")
    page = paginate(request, qs.prefetch_related(Prefetch("findings", visible_findings)))
    return render(
        request,
        "findings/action_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "sort": current_sort(request, ACTION_SORTS, DEFAULT_SORT),
            "today": timezone.localdate(),
        },
    )


EXPORT_HEADER = [
    _("Åtgärd"),
    _("Beskrivning"),
    _("Enhet"),
    _("Ansvarig"),
    _("Klart senast"),
    _("Klart senast (datum)"),
    _("Status"),
    _("Försenad"),
    _("Genomförd"),
    _("Skäl till att åtgärden utgår"),
    _("Avvikelser"),
    _("Senast ändrad"),
]


@require_GET
def action_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _filterset, qs = _list_queryset(request)
    qs = apply_sort(request, qs, ACTION_SORTS, DEFAULT_SORT)
    visible_findings = policy.findings(request.user).only("pk", "title", "reference")
    qs = qs.prefetch_related(Prefetch("findings", visible_findings))[:EXPORT_LIMIT]
    rows = (
        [
            a.title,
            a.description,
            a.unit.name,
            a.owner_display,
            a.deadline_display,
            a.deadline,
            a.get_status_display(),
            a.is_overdue,
            a.completed_date,
            a.cancel_reason,
            "; ".join(str(f) for f in a.findings.all()),
            a.updated_at,
        ]
        for a in qs
    )
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        return xlsx_response(f"atgarder-{stamp}.xlsx", _("Åtgärder"), EXPORT_HEADER, list(rows))
    if fmt == "csv":
        return csv_response(f"atgarder-{stamp}.csv", EXPORT_HEADER, rows)
    raise Http404


def _progress(action: Action) -> QuerySet:
    return (
        ActionProgress.objects.filter(action=action)
        .select_related("author")
        .prefetch_related("evidence")
        .order_by("-date", "-pk")
    )


@require_GET
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = policy.get_for_user(
        request.user,
        Action.objects.select_related("unit", "owner", "created_by", "carried_over_from"),
        pk,
    )
    user = request.user
    may_change = policy.can(user, Verb.CHANGE, action)
    may_update = policy.can(user, Verb.UPDATE, action)
    allowed = services.allowed_action_transitions(action)
    context = {
        "action": action,
        "findings": policy.findings(user).filter(actions=action).select_related("unit"),
        "recommendations": policy.recommendations(user)
        .filter(actions=action)
        .select_related("audit", "addressee"),
        "response_items": policy.responses(user)
        .filter(items__actions=action)
        .select_related("audit", "unit")
        .distinct(),
        "carried_over_to": policy.actions(user).filter(carried_over_from=action),
        "progress": _progress(action),
        "may_change": may_change,
        "may_update": may_update,
        "can_start": may_update and "start" in allowed,
        "can_complete": may_update and "complete" in allowed,
        "can_progress": may_update and action.status != Action.Status.CARRIED_OVER,
        "can_cancel": may_change and "cancel" in allowed,
        "can_reopen": may_change and "reopen" in allowed,
        "can_carry_over": may_change and "carry_over" in allowed,
        "progress_form": ProgressForm(initial={"date": timezone.localdate()}),
        "history": history_for(action),
    }
    return render(request, "findings/action_detail.html", context)


def _crumbs(action: Action | None = None) -> list[tuple[str, str]]:
    crumbs = [(reverse("findings:action_list"), _("Åtgärder"))]
    if action is not None:
        crumbs.append((action.get_absolute_url(), action.title))
    return crumbs


@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, finding_pk: int | None = None) -> HttpResponse:
    finding = None
    initial = {}
    if finding_pk is not None:
        finding = policy.get_for_user(request.user, Finding, finding_pk, Verb.CHANGE)
        if finding.is_closed:
            messages.error(request, _("Avvikelsen är stängd; återöppna den först."))
            return redirect(finding)
        initial["unit"] = finding.unit_id
    elif not policy.units_for_creating(request.user).exists():
        raise PermissionDenied
    form = ActionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, action = run_service(
            form,
            lambda: services.create_action(
                user=request.user,
                findings=[finding] if finding else [],
                **form.service_kwargs(),
            ),
        )
        if ok:
            messages.success(request, _("Åtgärden är registrerad."))
            return redirect(finding or action)
    crumbs = (
        [
            (reverse("findings:finding_list"), _("Avvikelser")),
            (finding.get_absolute_url(), str(finding)),
        ]
        if finding
        else _crumbs()
    )
    return form_page(
        request,
        form=form,
        title=_("Ny åtgärd"),
        back_url=finding.get_absolute_url() if finding else reverse("findings:action_list"),
        submit=_("Registrera åtgärd"),
        obj=finding,
        crumbs=crumbs,
    )


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = policy.get_for_user(request.user, Action, pk, Verb.CHANGE)
    form = ActionForm(request.POST or None, user=request.user, instance=action)
    if request.method == "POST" and form.is_valid():
        action.refresh_from_db()
        ok, _result = run_service(
            form,
            lambda: services.update_action(
                action=action, user=request.user, **form.service_kwargs()
            ),
        )
        if ok:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect(action)
    return form_page(
        request,
        form=form,
        title=_("Ändra åtgärd"),
        back_url=action.get_absolute_url(),
        submit=_("Spara"),
        obj=action,
        crumbs=_crumbs(action),
    )


def _transition_page(
    request: HttpRequest,
    pk: int,
    *,
    verb: str,
    form_class,
    call,
    title: str,
    submit: str,
    success: str,
    intro: str = "",
    danger: bool = False,
    initial: dict | None = None,
) -> HttpResponse:
    action = policy.get_for_user(request.user, Action, pk, verb)
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, result = run_service(form, lambda: call(action, form.cleaned_data))
        if ok:
            messages.success(request, success)
            target = result if isinstance(result, Action) else action
            return redirect(target)
    return form_page(
        request,
        form=form,
        title=title,
        back_url=action.get_absolute_url(),
        submit=submit,
        obj=action,
        intro=intro,
        crumbs=_crumbs(action),
        danger=danger,
    )


def _files(data: dict) -> list:
    return [data["evidence"]] if data.get("evidence") else []


@require_http_methods(["GET", "POST"])
def action_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_page(
        request,
        pk,
        verb=Verb.UPDATE,
        form_class=StartForm,
        call=lambda action, data: services.start_action(
            action=action, user=request.user, comment=data["comment"]
        ),
        title=_("Påbörja åtgärden"),
        submit=_("Påbörja"),
        success=_("Åtgärden är påbörjad."),
    )


@require_http_methods(["GET", "POST"])
def action_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_page(
        request,
        pk,
        verb=Verb.UPDATE,
        form_class=CompleteForm,
        call=lambda action, data: services.complete_action(
            action=action,
            user=request.user,
            comment=data["comment"],
            date=data["date"],
            evidence=_files(data),
        ),
        title=_("Markera åtgärden som genomförd"),
        submit=_("Markera som genomförd"),
        success=_("Åtgärden är genomförd."),
        intro=_(
            "Bifoga gärna underlag (t.ex. en skärmbild eller ett protokoll): samordnaren "
            "behöver underlag för att verifiera att bristen är åtgärdad."
        ),
        initial={"date": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def action_progress(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_page(
        request,
        pk,
        verb=Verb.UPDATE,
        form_class=ProgressForm,
        call=lambda action, data: services.add_progress(
            action=action,
            user=request.user,
            comment=data["comment"],
            date=data["date"],
            evidence=_files(data),
        ),
        title=_("Ny lägesrapport"),
        submit=_("Spara lägesrapport"),
        success=_("Lägesrapporten är sparad."),
        initial={"date": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def action_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_page(
        request,
        pk,
        verb=Verb.CHANGE,
        form_class=ReasonForm,
        call=lambda action, data: services.cancel_action(
            action=action, user=request.user, reason=data["reason"]
        ),
        title=_("Låt åtgärden utgå"),
        submit=_("Låt utgå"),
        success=_("Åtgärden utgår."),
        danger=True,
    )


@require_http_methods(["GET", "POST"])
def action_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_page(
        request,
        pk,
        verb=Verb.CHANGE,
        form_class=ReasonForm,
        call=lambda action, data: services.reopen_action(
            action=action, user=request.user, reason=data["reason"]
        ),
        title=_("Återöppna åtgärden"),
        submit=_("Återöppna"),
        success=_("Åtgärden är återöppnad."),
    )


@require_http_methods(["GET", "POST"])
def action_carry_over(request: HttpRequest, pk: int) -> HttpResponse:
    def call(action: Action, data: dict) -> Action:
        deadline, precision = data["deadline"]
        return services.carry_over_action(
            action=action,
            user=request.user,
            deadline=deadline,
            deadline_precision=precision,
            comment=data["comment"],
        )

    return _transition_page(
        request,
        pk,
        verb=Verb.CHANGE,
        form_class=CarryOverForm,
        call=call,
        title=_("För över åtgärden till nästa år"),
        submit=_("För över"),
        success=_("Åtgärden är överförd. Här är den nya åtgärden."),
        intro=_(
            "En ny åtgärd skapas med samma ansvarig och kopplingar; den gamla får status "
            "”Överförd till nästa år” och räknas inte längre som öppen."
        ),
    )


@require_GET
def action_evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = ActionEvidence.objects.select_related("progress").filter(pk=pk).first()
    if evidence is None:
        raise Http404
    policy.get_for_user(request.user, Action, evidence.progress.action_id)
    return serve_attachment(evidence)


# --------------------------------------------------------------------------------------------
# Mina åtgärder
# --------------------------------------------------------------------------------------------


def _my_actions(request: HttpRequest) -> QuerySet:
    visible_findings = policy.findings(request.user).only("pk", "title", "reference")
    latest = ActionProgress.objects.select_related("author").order_by("-date", "-pk")
    return (
        policy.actions(request.user)
        .filter(owner=request.user)
        .select_related("unit")
        .prefetch_related(Prefetch("findings", visible_findings), Prefetch("progress", latest))
    )


def _card_context(action: Action, form: MyActionForm | None = None, saved: str = "") -> dict:
    return {
        "action": action,
        "form": form or MyActionForm(action=action),
        "saved": saved,
        "today": timezone.localdate(),
    }


@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    mine = _my_actions(request)
    open_actions = list(mine.filter(status__in=Action.OPEN_STATUSES).order_by("deadline", "pk"))
    closed = paginate(
        request, mine.exclude(status__in=Action.OPEN_STATUSES).order_by("-updated_at", "-pk")
    )
    return render(
        request,
        "findings/my_actions.html",
        {
            "cards": [_card_context(a) for a in open_actions],
            "page_obj": closed,
            "today": timezone.localdate(),
        },
    )


def _apply_my_update(request: HttpRequest, action: Action, form: MyActionForm) -> str:
    """Run the service the owner's choice calls for; returns the confirmation text."""
    data = form.cleaned_data
    status, comment = data["status"], (data.get("comment") or "").strip()
    files = _files(data)
    if status == action.status:
        services.add_progress(action=action, user=request.user, comment=comment, evidence=files)
        return _("Lägesrapporten är sparad.")
    if status == Action.Status.IN_PROGRESS:
        services.start_action(action=action, user=request.user, comment=comment)
        if files:
            services.add_progress(
                action=action, user=request.user, comment=comment or _("Underlag"), evidence=files
            )
        return _("Åtgärden är påbörjad.")
    if status == Action.Status.DONE:
        services.complete_action(action=action, user=request.user, comment=comment, evidence=files)
        return _("Åtgärden är markerad som genomförd.")
    raise services.TransitionNotAllowed(_("Den statusändringen går inte att göra här."))


@require_POST
def my_action_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The in-place form of one card on "Mina åtgärder": status and/or a progress entry."""
    action = policy.get_for_user(request.user, _my_actions(request), pk, Verb.UPDATE)
    form = MyActionForm(request.POST, request.FILES, action=action)
    saved = ""
    if form.is_valid():
        ok, saved = run_service(form, lambda: _apply_my_update(request, action, form))
        if ok:
            action = _my_actions(request).get(pk=pk)
            form = None
        else:
            saved = ""
    if request.htmx:
        return render(
            request,
            "findings/my_actions.html#action-card",
            _card_context(action, form, saved or ""),
        )
    if form is None:
        messages.success(request, saved)
        return redirect("findings:my_actions")
    return render(request, "findings/my_action_form.html", _card_context(action, form), status=400)
