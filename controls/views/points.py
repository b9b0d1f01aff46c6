"""Control points: list, detail, create, edit (a revision when the plan is adopted), delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from controls import services
from controls.forms import ControlPointForm, DeleteForm, PointFilterForm, RevisionForm
from controls.models import ControlPlan, ControlPoint, RiskLevel, RiskScale
from controls.overview import as_int, points_with_state
from controls.views.common import apply_errors, paginate, require_controls_reader
from core.history import history_for
from organisation import policy
from organisation.policy import Verb

POINT_RELATED = ("plan__unit", "plan__municipality", "owner", "inherited_from__plan__unit")


def _point(request: HttpRequest, pk: int, verb: str = Verb.VIEW) -> ControlPoint:
    return policy.get_for_user(
        request.user, ControlPoint.objects.select_related(*POINT_RELATED), pk, verb
    )


def _level_filter(level: str, scale: RiskScale) -> Q:
    """Points of a risk level, on a queryset aliased with ``score``."""
    if level == RiskLevel.HIGH:
        return Q(score__gte=scale.red_from)
    if level == RiskLevel.MEDIUM:
        return Q(score__gte=scale.yellow_from, score__lt=scale.red_from)
    return Q(score__lt=scale.yellow_from)


@require_GET
def point_list(request: HttpRequest) -> HttpResponse:
    require_controls_reader(request)
    filters = PointFilterForm(request.GET, user=request.user)
    chosen = filters.cleaned
    scale = services.risk_scale_for(request.user.municipality)
    points = policy.control_points(request.user).select_related("plan__unit", "owner")
    if "year" in chosen:
        points = points.filter(plan__year=as_int(chosen["year"]))
    if "unit" in chosen:
        points = points.filter(plan__unit__path__startswith=chosen["unit"].path)
    if "scope" in chosen:
        points = points.filter(scope=chosen["scope"])
    if "level" in chosen:
        points = points.alias(score=F("likelihood") * F("consequence")).filter(
            _level_filter(chosen["level"], scale)
        )
    if chosen.get("mine"):
        points = points.filter(owner=request.user)
    if "q" in chosen:
        text = chosen["q"]
        points = points.filter(
            Q(title__icontains=text)
            | Q(process__icontains=text)
            | Q(risk_description__icontains=text)
            | Q(control_activity__icontains=text)
        )
    points = points_with_state(points).order_by("-plan__year", "plan__unit__path", "number")
    return render(
        request,
        "controls/point_list.html",
        {"page_obj": paginate(request, points), "filters": filters, "scale": scale},
    )


@require_GET
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point(request, pk)
    scale = services.risk_scale_for(point.plan.municipality)
    occurrences = point.occurrences.select_related("performed_by").order_by("due_date", "pk")
    copies = point.inherited_copies.select_related("plan__unit").filter(
        plan__in=policy.plans(request.user)
    )
    context = {
        "point": point,
        "plan": point.plan,
        "scale": scale,
        "level": scale.level(point.risk_score),
        "occurrences": occurrences,
        "systems": point.systems.all(),
        "copies": copies.order_by("plan__unit__path"),
        "can_change": policy.can(request.user, Verb.CHANGE, point),
        "history": history_for(point),
    }
    return render(request, "controls/point_detail.html", context)


def _needs_revision(plan: ControlPlan) -> bool:
    return plan.status == ControlPlan.Status.ADOPTED


def _schedule_message(request: HttpRequest, kept_outside: list) -> None:
    if kept_outside:
        messages.warning(
            request,
            ngettext(
                "%(n)s kontrolltillfälle med resultat ligger utanför det nya schemat. Det är "
                "kvar som det var.",
                "%(n)s kontrolltillfällen med resultat ligger utanför det nya schemat. De är "
                "kvar som de var.",
                len(kept_outside),
            )
            % {"n": len(kept_outside)},
        )


@require_http_methods(["GET", "POST"])
def point_create(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = policy.get_for_user(
        request.user,
        ControlPlan.objects.select_related("unit", "municipality"),
        plan_pk,
        Verb.CHANGE,
    )
    scale = services.risk_scale_for(plan.municipality)
    data = request.POST or None
    form = ControlPointForm(
        data, instance=ControlPoint(plan=plan), user=request.user, plan=plan, scale=scale
    )
    revision_form = RevisionForm(data, user=request.user) if _needs_revision(plan) else None
    if request.method == "POST":
        valid = form.is_valid()
        valid = (revision_form is None or revision_form.is_valid()) and valid
        if valid:
            try:
                point = services.create_control_point(
                    plan=plan,
                    user=request.user,
                    data=form.point_data(),
                    systems=list(form.cleaned_data.get("systems") or []),
                    revision=revision_form.revision() if revision_form else None,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Kontrollpunkten är sparad och schemat skapat."))
                return redirect(point)
    context = {"plan": plan, "form": form, "revision_form": revision_form, "scale": scale}
    return render(request, "controls/point_form.html", context)


@require_http_methods(["GET", "POST"])
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point(request, pk, Verb.CHANGE)
    plan = point.plan
    scale = services.risk_scale_for(plan.municipality)
    data = request.POST or None
    form = ControlPointForm(data, instance=point, user=request.user, plan=plan, scale=scale)
    revision_form = RevisionForm(data, user=request.user) if _needs_revision(plan) else None
    if request.method == "POST":
        valid = form.is_valid()
        valid = (revision_form is None or revision_form.is_valid()) and valid
        if valid:
            try:
                result = services.update_control_point(
                    point=point,
                    user=request.user,
                    data=form.point_data(),
                    systems=list(form.cleaned_data.get("systems") or []),
                    revision=revision_form.revision() if revision_form else None,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if result.changes:
                    messages.success(request, _("Kontrollpunkten är sparad."))
                else:
                    messages.info(request, _("Inget ändrades."))
                _schedule_message(request, result.kept_outside)
                return redirect(result.point)
    context = {
        "plan": plan,
        "point": point,
        "form": form,
        "revision_form": revision_form,
        "scale": scale,
    }
    return render(request, "controls/point_form.html", context)


@require_http_methods(["GET", "POST"])
def point_delete(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point(request, pk, Verb.CHANGE)
    plan = point.plan
    data = request.POST or None
    form = DeleteForm(data)
    revision_form = RevisionForm(data, user=request.user) if _needs_revision(plan) else None
    if request.method == "POST":
        valid = form.is_valid()
        valid = (revision_form is None or revision_form.is_valid()) and valid
        if valid:
            try:
                services.delete_control_point(
                    point=point,
                    user=request.user,
                    revision=revision_form.revision() if revision_form else None,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Kontrollpunkten är borttagen."))
                return redirect(plan)
    context = {"plan": plan, "point": point, "form": form, "revision_form": revision_form}
    return render(request, "controls/point_delete.html", context)
