"""Plans: list, detail, create/edit, status transitions, copy, overview, risk matrix and scale."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from controls import services
from controls.forms import (
    DecisionForm,
    FinalReportForm,
    MatrixFilterForm,
    PlanCreateForm,
    PlanEditForm,
    PlanFilterForm,
)
from controls.models import ControlPlan, ControlPoint
from controls.overview import (
    as_int,
    carry_over,
    plan_counts,
    plan_overview,
    points_with_state,
    risk_matrix,
)
from controls.views.common import apply_errors, paginate, require_controls_reader
from core.history import history_for
from organisation import policy
from organisation.policy import Verb

PLAN_RELATED = ("unit", "municipality", "adoption_decision__organ", "final_report_decision__organ")


def _plan(request: HttpRequest, pk: int, verb: str = Verb.VIEW) -> ControlPlan:
    return policy.get_for_user(
        request.user, ControlPlan.objects.select_related(*PLAN_RELATED), pk, verb
    )


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    require_controls_reader(request)
    filters = PlanFilterForm(request.GET, user=request.user)
    chosen = filters.cleaned
    plans = policy.plans(request.user).select_related("unit", "adoption_decision")
    if "year" in chosen:
        plans = plans.filter(year=as_int(chosen["year"]))
    if "unit" in chosen:
        plans = plans.filter(unit__path__startswith=chosen["unit"].path)
    if "status" in chosen:
        plans = plans.filter(status=chosen["status"])
    plans = plan_counts(plans).order_by("-year", "unit__path", "pk")
    context = {
        "page_obj": paginate(request, plans),
        "filters": filters,
        "may_create": policy.plan_units(request.user).exists(),
    }
    return render(request, "controls/plan_list.html", context)


@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    points = points_with_state(
        plan.control_points.select_related("owner", "inherited_from__plan__unit")
    ).order_by("number")
    revisions = plan.revisions.select_related("created_by", "decision__organ").order_by("-number")
    scale = services.risk_scale_for(plan.municipality)
    context = {
        "plan": plan,
        "points": points,
        "revisions": revisions,
        "scale": scale,
        "carry_over": carry_over(request.user, plan),
        "can_change": policy.can(request.user, Verb.CHANGE, plan),
        "is_ks_plan": services.is_executive_board_plan(plan),
        "next_year_exists": ControlPlan.objects.filter(
            unit_id=plan.unit_id, year=plan.year + 1
        ).exists(),
        "history": history_for(plan),
    }
    return render(request, "controls/plan_detail.html", context)


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    if not policy.plan_units(request.user).exists():
        raise PermissionDenied
    form = PlanCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.create_plan(
                unit=data["unit"],
                year=data["year"],
                user=request.user,
                title=data["title"],
                risk_analysis=data["risk_analysis"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Planen är skapad som utkast."))
            return redirect(plan)
    return render(request, "controls/plan_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, Verb.CHANGE)
    form = PlanEditForm(
        request.POST or None,
        instance=ControlPlan(title=plan.title, risk_analysis=plan.risk_analysis),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(
                plan=plan,
                user=request.user,
                title=form.cleaned_data["title"],
                risk_analysis=form.cleaned_data["risk_analysis"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Planen är sparad."))
            return redirect(plan)
    return render(request, "controls/plan_form.html", {"form": form, "plan": plan})


@require_POST
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, Verb.CHANGE)
    try:
        services.delete_plan(plan=plan, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(plan)
    messages.success(request, _("Utkastet är borttaget."))
    return redirect("controls:plan_list")


@require_http_methods(["GET", "POST"])
def plan_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, Verb.CHANGE)
    form = DecisionForm(request.POST or None, user=request.user, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.adopt_plan(plan=plan, user=request.user, decision=form.decision())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Planen är fastställd."))
            return redirect(plan)
    context = {
        "plan": plan,
        "form": form,
        "heading": _("Fastställ planen"),
        "submit": _("Fastställ"),
        "intro": _(
            "Ange nämndens beslut. Efter fastställandet ändras kontrollpunkterna bara genom "
            "en registrerad revision."
        ),
    }
    return render(request, "controls/plan_transition.html", context)


@require_http_methods(["GET", "POST"])
def plan_final_report(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, Verb.CHANGE)
    form = FinalReportForm(request.POST or None, user=request.user, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.final_report_plan(
                plan=plan,
                user=request.user,
                decision=form.decision(),
                overall_assessment=form.cleaned_data["overall_assessment"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Planen är slutredovisad."))
            return redirect(plan)
    context = {
        "plan": plan,
        "form": form,
        "heading": _("Slutredovisa planen"),
        "submit": _("Slutredovisa"),
        "intro": _(
            "Ange beslutet om slutredovisningen och den samlade bedömningen. Alla "
            "kontrolltillfällen ska ha resultat eller vara markerade som ej genomförda."
        ),
    }
    return render(request, "controls/plan_transition.html", context)


@require_POST
def plan_copy(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not policy.may_create_in(request.user, plan.unit):
        raise PermissionDenied
    try:
        new_plan = services.copy_plan_to_next_year(plan=plan, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(plan)
    messages.success(
        request,
        _("Ett utkast för %(year)s är skapat med årets kontrollpunkter.") % {"year": new_plan.year},
    )
    return redirect(new_plan)


@require_GET
def plan_overview_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    scale = services.risk_scale_for(plan.municipality)
    context = {
        "plan": plan,
        "overview": plan_overview(plan, scale),
        "can_change": policy.can(request.user, Verb.CHANGE, plan),
    }
    return render(request, "controls/plan_overview.html", context)


@require_GET
def risk_matrix_view(request: HttpRequest) -> HttpResponse:
    """The n × n grid with the number of control points per cell; a cell lists its points."""
    require_controls_reader(request)
    scale = services.risk_scale_for(request.user.municipality)
    filters = MatrixFilterForm(request.GET, user=request.user)
    chosen = filters.cleaned
    points = policy.control_points(request.user)
    plan = None
    plan_pk = as_int(request.GET.get("plan"))
    if plan_pk is not None:
        plan = _plan(request, plan_pk)
        points = points.filter(plan=plan)
    else:
        year = as_int(chosen.get("year"), timezone.localdate().year)
        points = points.filter(plan__year=year)
        if "unit" in chosen:
            points = points.filter(plan__unit__path__startswith=chosen["unit"].path)
    matrix = risk_matrix(points, scale)
    likelihood = as_int(request.GET.get("l"))
    consequence = as_int(request.GET.get("k"))
    cell_points = None
    if likelihood and consequence:
        if not (1 <= likelihood <= scale.size and 1 <= consequence <= scale.size):
            raise Http404
        cell_points = (
            points.filter(likelihood=likelihood, consequence=consequence)
            .select_related("plan__unit", "owner")
            .order_by("plan__unit__path", "number")
        )
    context = {
        "matrix": matrix,
        "filters": filters,
        "plan": plan,
        "cell": (likelihood, consequence) if cell_points is not None else None,
        "cell_points": cell_points,
        "cell_labels": (
            scale.likelihood_labels[likelihood - 1] if cell_points is not None else "",
            scale.consequence_labels[consequence - 1] if cell_points is not None else "",
        ),
        "year": None if plan else as_int(chosen.get("year"), timezone.localdate().year),
    }
    if request.htmx and cell_points is not None:
        return render(request, "controls/risk_matrix.html#cell-points", context)
    return render(request, "controls/risk_matrix.html", context)


@require_GET
def risk_scale_view(request: HttpRequest) -> HttpResponse:
    """The municipality's risk scale, read-only (the administrators set it in the admin)."""
    require_controls_reader(request)
    scale = services.risk_scale_for(request.user.municipality)
    matrix = risk_matrix(ControlPoint.objects.none(), scale)
    return render(
        request,
        "controls/risk_scale.html",
        {"scale": scale, "matrix": matrix, "history": history_for(scale)},
    )
