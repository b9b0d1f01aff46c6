"""Excel in and out: the template, the export of a plan, and the two-step import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from controls import services
from controls.export import export_plan, template_workbook
from controls.forms import ImportForm, ImportNewPlanForm
from controls.models import ControlPlan, PlanImport
from controls.spreadsheet import ImportFailed
from controls.views.common import require_controls_reader
from core.exports import XLSX_CONTENT_TYPE
from core.files import content_disposition
from organisation import policy
from organisation.policy import Verb


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    require_controls_reader(request)
    scale = services.risk_scale_for(request.user.municipality)
    return _xlsx(template_workbook(scale), "mall-internkontrollplan.xlsx")


@require_GET
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policy.get_for_user(
        request.user, ControlPlan.objects.select_related("unit", "adoption_decision__organ"), pk
    )
    name = slugify(f"internkontrollplan {plan.year} {plan.unit.short_code or plan.unit.name}")
    return _xlsx(export_plan(plan), f"{name or 'internkontrollplan'}.xlsx")


def _stage(request: HttpRequest, form: ImportForm, **target: object) -> HttpResponse | None:
    try:
        staged = services.stage_import(
            user=request.user, uploaded=form.cleaned_data["file"], **target
        )
    except ImportFailed as exc:
        for problem in exc.problems:
            form.add_error("file", str(problem))
        return None
    return redirect("controls:import_preview", pk=staged.pk)


@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Add control points from a file to a draft plan."""
    plan = policy.get_for_user(
        request.user, ControlPlan.objects.select_related("unit", "municipality"), pk, Verb.CHANGE
    )
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        response = _stage(request, form, plan=plan)
        if response is not None:
            return response
    return render(request, "controls/import_form.html", {"form": form, "plan": plan})


@require_http_methods(["GET", "POST"])
def plan_import_new(request: HttpRequest) -> HttpResponse:
    """A new plan for a unit and year from a file."""
    if not policy.plan_units(request.user).exists():
        raise PermissionDenied
    form = ImportNewPlanForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        response = _stage(
            request, form, unit=form.cleaned_data["unit"], year=form.cleaned_data["year"]
        )
        if response is not None:
            return response
    return render(request, "controls/import_form.html", {"form": form, "plan": None})


def _staged_for(request: HttpRequest, pk: str) -> PlanImport:
    """The uploader's own pending import, still allowed on its target; else 404 / 403."""
    staged = (
        policy.plan_imports(request.user)
        .select_related("plan__unit", "unit", "municipality")
        .filter(pk=pk)
        .first()
    )
    if staged is None or staged.status != PlanImport.Status.PENDING or staged.is_expired:
        raise Http404
    if staged.plan is not None:
        policy.get_for_user(request.user, ControlPlan, staged.plan_id, Verb.CHANGE)
    elif not policy.may_create_in(request.user, staged.unit):
        raise PermissionDenied
    return staged


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: str) -> HttpResponse:
    """Show the parsed rows with their problems; confirming imports every row or none."""
    staged = _staged_for(request, pk)
    problems = []
    if request.method == "POST":
        try:
            plan = services.confirm_import(plan_import=staged, user=request.user)
        except ImportFailed as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                _("Importen är klar: %(n)s kontrollpunkter i planen.")
                % {"n": plan.control_points.count()},
            )
            return redirect(plan)
    result = services.preview(staged)
    problems = problems or result.problems
    by_row: dict[int, list[str]] = {}
    for problem in problems:
        if problem.row:
            by_row.setdefault(problem.row, []).append(
                f"{problem.column}: {problem.message}" if problem.column else problem.message
            )
    context = {
        "staged": staged,
        "preview": result,
        "problems": problems,
        "row_problems": by_row,
        "scale": services.risk_scale_for(staged.municipality),
    }
    return render(request, "controls/import_preview.html", context)
