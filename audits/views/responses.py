"""Board responses (yttranden): list, detail, draft, answers with actions, signatories,
decided at a meeting, dispatched."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits import services
from audits.filters import ResponseFilter
from audits.forms import (
    DecideForm,
    DispatchForm,
    ItemActionForm,
    ResponseForm,
    ResponseItemForm,
    SignatoryForm,
)
from audits.models import Audit, BoardResponse, ResponseItem, Signatory
from core.history import history_for
from core.pagination import paginate
from findings.views.common import form_page, run_service
from organisation import policy
from organisation.policy import Verb


def _crumbs(response: BoardResponse) -> list[tuple[str, str]]:
    return [
        (reverse("audits:audit_list"), _("Granskningar")),
        (response.audit.get_absolute_url(), str(response.audit)),
        (response.get_absolute_url(), str(response.unit)),
    ]


def _not_draft(request: HttpRequest, response: BoardResponse) -> HttpResponse | None:
    """A decided response is a record: say so and go back instead of showing a form."""
    if response.status == BoardResponse.Status.DRAFT:
        return None
    messages.error(
        request,
        _("Yttrandet har status ”%s” och kan inte längre ändras.") % response.get_status_display(),
    )
    return redirect(response)


@require_GET
def response_list(request: HttpRequest) -> HttpResponse:
    base = policy.responses(request.user)
    filterset = ResponseFilter(request.GET or None, queryset=base, request=request)
    if filterset.is_bound and not filterset.is_valid():
        qs = base.none()
    else:
        qs = filterset.qs if filterset.is_bound else base
    qs = qs.select_related("audit", "unit", "decision").order_by(
        "-audit__report_date", "unit__path"
    )
    return render(
        request,
        "audits/response_list.html",
        {"filter": filterset, "page_obj": paginate(request, qs)},
    )


@require_GET
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    response = policy.get_for_user(
        user,
        BoardResponse.objects.select_related("audit", "unit", "decision__organ"),
        pk,
    )
    visible_actions = policy.actions(user).select_related("owner")
    visible_recs = set(
        policy.recommendations(user)
        .filter(audit__in=response.audit.chain())
        .values_list("pk", flat=True)
    )
    visible_obs = set(
        policy.observations(user)
        .filter(audit__in=response.audit.chain())
        .values_list("pk", flat=True)
    )
    items = list(
        response.items.select_related("recommendation__audit", "observation")
        .prefetch_related(Prefetch("actions", visible_actions))
        .order_by("number")
    )
    for item in items:
        # An answer to a recommendation or observation the reader may not see (a secret audit's,
        # a secret observation) is withheld with it: the answer tends to repeat the weakness.
        item.withheld = (item.recommendation_id and item.recommendation_id not in visible_recs) or (
            item.observation_id and item.observation_id not in visible_obs
        )
    may_change = policy.can(user, Verb.CHANGE, response)
    is_draft = response.status == BoardResponse.Status.DRAFT
    context = {
        "response": response,
        "audit": response.audit,
        "items": items,
        "visible_recs": visible_recs,
        "visible_obs": visible_obs,
        "signatories": response.signatories.order_by("order"),
        "may_change": may_change,
        "may_edit": may_change and is_draft,
        "can_decide": may_change and is_draft,
        "can_dispatch": may_change and response.status == BoardResponse.Status.DECIDED,
        "history": history_for(response),
    }
    return render(request, "audits/response_detail.html", context)


@require_http_methods(["GET", "POST"])
def response_create(request: HttpRequest, pk: int) -> HttpResponse:
    audit = policy.get_for_user(request.user, Audit, pk)
    if not any(policy.may_create_in(request.user, u) for u in audit.addressed_units.all()):
        raise PermissionDenied
    initial = {"unit": request.GET.get("unit")} if request.GET.get("unit") else {}
    form = ResponseForm(request.POST or None, audit=audit, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, response = run_service(
            form,
            lambda: services.create_response(audit=audit, user=request.user, **form.cleaned_data),
        )
        if ok:
            messages.success(request, _("Yttrandet är skapat som utkast. Lägg nu till svaren."))
            return redirect(response)
    return form_page(
        request,
        form=form,
        title=_("Nytt yttrande"),
        back_url=audit.get_absolute_url(),
        submit=_("Skapa utkast"),
        obj=audit,
        crumbs=[
            (reverse("audits:audit_list"), _("Granskningar")),
            (audit.get_absolute_url(), str(audit)),
        ],
    )


@require_http_methods(["GET", "POST"])
def response_edit(request: HttpRequest, pk: int) -> HttpResponse:
    response = policy.get_for_user(
        request.user, BoardResponse.objects.select_related("audit", "unit"), pk, Verb.CHANGE
    )
    if (refused := _not_draft(request, response)) is not None:
        return refused
    form = ResponseForm(
        request.POST or None, audit=response.audit, user=request.user, instance=response
    )
    if request.method == "POST" and form.is_valid():
        response.refresh_from_db()
        ok, _result = run_service(
            form,
            lambda: services.update_response(
                response=response, user=request.user, **form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect(response)
    return form_page(
        request,
        form=form,
        title=_("Ändra yttrande"),
        back_url=response.get_absolute_url(),
        submit=_("Spara"),
        obj=response,
        crumbs=_crumbs(response),
    )


@require_http_methods(["GET", "POST"])
def response_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    response = policy.get_for_user(
        request.user, BoardResponse.objects.select_related("audit", "unit"), pk, Verb.CHANGE
    )
    if (refused := _not_draft(request, response)) is not None:
        return refused
    initial = {}
    if request.GET.get("recommendation"):
        initial["recommendation"] = request.GET["recommendation"]
    form = ResponseItemForm(
        request.POST or None, response=response, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        spec = form.action_spec()
        ok, _item = run_service(
            form,
            lambda: services.add_response_item(
                response=response,
                user=request.user,
                text=form.cleaned_data["text"],
                recommendation=form.cleaned_data.get("recommendation"),
                observation=form.cleaned_data.get("observation"),
                actions=[spec] if spec else [],
            ),
        )
        if ok:
            messages.success(request, _("Svaret är registrerat."))
            return redirect(response)
    return form_page(
        request,
        form=form,
        title=_("Nytt svar"),
        back_url=response.get_absolute_url(),
        submit=_("Spara svar"),
        obj=response,
        crumbs=_crumbs(response),
    )


@require_http_methods(["GET", "POST"])
def item_action_create(request: HttpRequest, pk: int) -> HttpResponse:
    item = (
        ResponseItem.objects.select_related("response__audit", "response__unit")
        .filter(pk=pk)
        .first()
    )
    response = policy.get_for_user(
        request.user, BoardResponse, item.response_id if item else 0, Verb.CHANGE
    )
    form = ItemActionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, _action = run_service(
            form,
            lambda: services.add_item_action(item=item, user=request.user, **form.action_spec()),
        )
        if ok:
            messages.success(request, _("Åtgärden är registrerad."))
            return redirect(response)
    return form_page(
        request,
        form=form,
        title=_("Ny åtgärd för svar %s") % item.number,
        back_url=response.get_absolute_url(),
        submit=_("Registrera åtgärd"),
        obj=response,
        intro=item.text,
        crumbs=_crumbs(response),
    )


@require_http_methods(["GET", "POST"])
def signatory_create(request: HttpRequest, pk: int) -> HttpResponse:
    response = policy.get_for_user(
        request.user, BoardResponse.objects.select_related("audit", "unit"), pk, Verb.CHANGE
    )
    if (refused := _not_draft(request, response)) is not None:
        return refused
    form = SignatoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _result = run_service(
            form,
            lambda: services.add_signatory(
                response=response, user=request.user, **form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, _("Undertecknaren är tillagd."))
            return redirect(response)
    return form_page(
        request,
        form=form,
        title=_("Lägg till undertecknare"),
        back_url=response.get_absolute_url(),
        submit=_("Lägg till"),
        obj=response,
        crumbs=_crumbs(response),
    )


@require_POST
def signatory_delete(request: HttpRequest, pk: int) -> HttpResponse:
    signatory = Signatory.objects.filter(pk=pk).first()
    response = policy.get_for_user(
        request.user, BoardResponse, signatory.response_id if signatory else 0, Verb.CHANGE
    )
    try:
        services.remove_signatory(signatory=signatory, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Undertecknaren är borttagen."))
    return redirect(response)


@require_http_methods(["GET", "POST"])
def response_decide(request: HttpRequest, pk: int) -> HttpResponse:
    response = policy.get_for_user(
        request.user, BoardResponse.objects.select_related("audit", "unit"), pk, Verb.CHANGE
    )
    if (refused := _not_draft(request, response)) is not None:
        return refused
    form = DecideForm(request.POST or None, response=response, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, _result = run_service(
            form,
            lambda: services.decide_response(
                response=response, user=request.user, **form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, _("Yttrandet är beslutat."))
            return redirect(response)
    return form_page(
        request,
        form=form,
        title=_("Registrera beslut om yttrandet"),
        back_url=response.get_absolute_url(),
        submit=_("Registrera beslut"),
        obj=response,
        intro=_("Organ, sammanträdesdatum, paragraf och diarienummer från protokollet."),
        crumbs=_crumbs(response),
    )


@require_http_methods(["GET", "POST"])
def response_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    response = policy.get_for_user(
        request.user,
        BoardResponse.objects.select_related("audit", "unit", "decision"),
        pk,
        Verb.CHANGE,
    )
    form = DispatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _result = run_service(
            form,
            lambda: services.dispatch_response(
                response=response, user=request.user, **form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, _("Yttrandet är expedierat."))
            return redirect(response)
    return form_page(
        request,
        form=form,
        title=_("Expediera yttrandet"),
        back_url=response.get_absolute_url(),
        submit=_("Expediera"),
        obj=response,
        crumbs=_crumbs(response),
    )
