"""The system register: list with filters, detail, edit, classification, plans, roles,
integrations, and the spreadsheet import and export."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Greatest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exports import xlsx_response
from core.history import history_for
from core.pagination import apply_sort, current_sort, paginate
from organisation import policy
from organisation.models import User
from systems import importing, services
from systems.forms import (
    ClassificationForm,
    IntegrationForm,
    ManagementPlanForm,
    SystemFilterForm,
    SystemForm,
    SystemImportForm,
    SystemRoleForm,
)
from systems.models import (
    AccessReview,
    Classification,
    ClassificationScale,
    Integration,
    ManagementPlan,
    ReviewSettings,
    System,
    SystemRole,
)

SORTS = {
    "name": "name",
    "unit": "owning_unit__name",
    "level": "highest_level",
    "classified": "classified_on",
    "review": "last_review",
}


def _months_before(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, 28))


def annotated_systems(user: User) -> QuerySet[System]:
    """The systems the user may see, with the current classification and last completed
    review as columns: one query for a whole page, whatever its length."""
    latest = Classification.objects.filter(system=OuterRef("pk")).order_by("-classified_on", "-pk")
    last_review = AccessReview.objects.filter(
        system=OuterRef("pk"), status=AccessReview.Status.COMPLETED
    ).order_by("-review_date", "-pk")
    return (
        policy.systems(user)
        .select_related("owning_unit", "information_owner")
        .annotate(
            current_k=Subquery(latest.values("confidentiality")[:1]),
            current_r=Subquery(latest.values("integrity")[:1]),
            current_t=Subquery(latest.values("availability")[:1]),
            current_s=Subquery(latest.values("traceability")[:1]),
            classified_on=Subquery(latest.values("classified_on")[:1]),
            last_review=Subquery(last_review.values("review_date")[:1]),
        )
        .annotate(
            highest_level=Greatest(F("current_k"), F("current_r"), F("current_t"), F("current_s"))
        )
    )


def filtered_systems(request: HttpRequest) -> tuple[QuerySet[System], SystemFilterForm, dict]:
    user = request.user
    scale = ClassificationScale.for_municipality(user.municipality_id)
    rules = ReviewSettings.for_municipality(user.municipality_id)
    today = timezone.localdate()
    form = SystemFilterForm(request.GET or None, user=user, scale=scale)
    qs = annotated_systems(user)
    data = form.cleaned_data if form.is_valid() else {}
    if not data.get("inactive"):
        qs = qs.filter(is_active=True)
    if data.get("q"):
        q = data["q"]
        qs = qs.filter(Q(name__icontains=q) | Q(vendor__icontains=q) | Q(description__icontains=q))
    if data.get("unit"):
        qs = qs.filter(owning_unit__path__startswith=data["unit"].path)
    if data.get("prioritised") in ("0", "1"):
        qs = qs.filter(is_prioritised=data["prioritised"] == "1")
    if data.get("level") is not None:
        qs = qs.filter(highest_level__gte=data["level"])
    if data.get("missing_dpa"):
        qs = qs.filter(has_personal_data=True, dpa_reference="")
    outdated_before = scale.outdated_before(today)
    if data.get("classification_due"):
        qs = qs.filter(Q(classified_on__isnull=True) | Q(classified_on__lt=outdated_before))
    review_due_before = _months_before(today, rules.review_interval_months)
    if data.get("review_overdue"):
        qs = qs.filter(Q(last_review__isnull=True) | Q(last_review__lt=review_due_before))
    facts = {
        "scale": scale,
        "outdated_before": outdated_before,
        "review_due_before": review_due_before,
        "review_interval_months": rules.review_interval_months,
    }
    return qs, form, facts


@require_GET
def system_list(request: HttpRequest) -> HttpResponse:
    qs, form, facts = filtered_systems(request)
    managers = Prefetch(
        "roles",
        queryset=SystemRole.objects.filter(kind=SystemRole.Kind.MANAGER).select_related("user"),
        to_attr="manager_roles",
    )
    qs = apply_sort(request, qs.prefetch_related(managers), SORTS, default="name")
    page = paginate(request, qs)
    context = {
        "page_obj": page,
        "form": form,
        "sort": current_sort(request, SORTS, "name"),
        "may_register": policy.may_register_systems(request.user),
        "may_see_reviews": policy.access_reviews(request.user).exists()
        or _manages_any(request.user),
        **facts,
    }
    return render(request, "systems/system_list.html", context)


def _manages_any(user: User) -> bool:
    return SystemRole.objects.filter(
        user=user, kind__in=policy.REVIEWING_SYSTEM_ROLES, system__municipality=user.municipality_id
    ).exists()


@require_GET
def system_export(request: HttpRequest) -> HttpResponse:
    qs, _form, _facts = filtered_systems(request)
    qs = qs.prefetch_related(importing.roles_prefetch()).order_by("name", "pk")
    today = timezone.localdate().isoformat()
    return xlsx_response(
        f"systemregister-{today}.xlsx",
        _("Systemregister"),
        importing.export_header(),
        importing.export_rows(qs),
    )


@require_http_methods(["GET", "POST"])
def system_import(request: HttpRequest) -> HttpResponse:
    if not policy.may_register_systems(request.user):
        raise PermissionDenied
    form = SystemImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = importing.import_systems(user=request.user, file=form.cleaned_data["file"])
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                _("Importen är klar: %(created)s nya och %(updated)s uppdaterade system.")
                % {"created": len(result.created), "updated": len(result.updated)},
            )
            return redirect("systems:system_list")
    status = 400 if errors or form.errors else 200
    return render(
        request,
        "systems/system_import.html",
        {
            "form": form,
            "errors": errors,
            "columns": [str(label) for _f, label in importing.COLUMNS],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def system_create(request: HttpRequest) -> HttpResponse:
    if not policy.may_register_systems(request.user):
        raise PermissionDenied
    form = SystemForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            system = services.create_system(
                user=request.user, **{f: form.cleaned_data[f] for f in SystemForm.Meta.fields}
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Systemet är registrerat."))
            return redirect(system)
    return render(
        request,
        "systems/form_page.html",
        {"form": form, "system": None, "heading": _("Registrera system")},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def system_edit(request: HttpRequest, pk: int) -> HttpResponse:
    system = policy.get_for_user(request.user, System, pk, policy.Verb.CHANGE)
    form = SystemForm(request.POST or None, instance=system, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {f: form.cleaned_data[f] for f in SystemForm.Meta.fields}
        system.refresh_from_db()
        try:
            services.update_system(system=system, user=request.user, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect(system)
    return render(
        request,
        "systems/form_page.html",
        {"form": form, "system": system, "heading": _("Ändra uppgifter")},
        status=400 if form.errors else 200,
    )


@require_GET
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    system = policy.get_for_user(
        user, System.objects.select_related("owning_unit", "information_owner"), pk
    )
    scale = ClassificationScale.for_municipality(system.municipality_id)
    rules = ReviewSettings.for_municipality(system.municipality_id)
    classifications = list(system.classifications.select_related("classified_by"))
    current = classifications[0] if classifications else None
    findings = (
        policy.findings(user)
        .filter(systems=system)
        .select_related("unit")
        .order_by("-identified_date", "-pk")
    )
    actions = (
        policy.actions(user)
        .filter(findings__systems=system)
        .select_related("owner")
        .distinct()
        .order_by("deadline", "pk")
    )
    control_points = policy.control_points(user).filter(systems=system).select_related("plan__unit")
    reviews = policy.access_reviews(user).filter(system=system).order_by("-review_date", "-pk")
    last_completed = next(
        (r.review_date for r in reviews if r.status == AccessReview.Status.COMPLETED), None
    )
    context = {
        "system": system,
        "scale": scale,
        "roles": system.roles.select_related("user").order_by("kind", "pk"),
        "outgoing": system.outgoing_integrations.select_related("target"),
        "incoming": system.incoming_integrations.select_related("source"),
        "plans": system.management_plans.all(),
        "current": current,
        "current_outdated": current is None or current.is_outdated(scale.max_age_years),
        "classifications": classifications,
        "findings": findings[:20],
        "finding_count": findings.count(),
        "actions": actions[:20],
        "control_points": control_points[:20],
        "reviews": reviews[:20],
        "review_overdue": last_completed is None
        or last_completed < _months_before(timezone.localdate(), rules.review_interval_months),
        "review_interval_months": rules.review_interval_months,
        "may_change": policy.can(user, policy.Verb.CHANGE, system),
        "may_review": policy.can(user, policy.Verb.REVIEW, system),
        "may_manage_roles": policy.may_create_in(user, system.owning_unit),
        "history": history_for(system),
    }
    return render(request, "systems/system_detail.html", context)


@require_http_methods(["GET", "POST"])
def classification_add(request: HttpRequest, pk: int) -> HttpResponse:
    system = policy.get_for_user(request.user, System, pk, policy.Verb.CHANGE)
    scale = ClassificationScale.for_municipality(system.municipality_id)
    latest = system.classifications.first()
    initial = (
        {
            "confidentiality": latest.confidentiality,
            "integrity": latest.integrity,
            "availability": latest.availability,
            "traceability": latest.traceability,
            "required_measures": latest.required_measures,
        }
        if latest
        else {}
    )
    form = ClassificationForm(request.POST or None, scale=scale, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_classification(system=system, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Klassningen är registrerad."))
            return redirect(system)
    return render(
        request,
        "systems/form_page.html",
        {
            "form": form,
            "system": system,
            "heading": _("Ny informationsklassning"),
            "intro": _(
                "Klassa informationen enligt KLASSA. Tidigare klassningar sparas som historik; "
                "en klassning äldre än %(years)s år flaggas för omklassning."
            )
            % {"years": scale.max_age_years},
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int, plan_pk: int | None = None) -> HttpResponse:
    system = policy.get_for_user(request.user, System, pk, policy.Verb.CHANGE)
    plan = get_object_or_404(ManagementPlan, pk=plan_pk, system=system) if plan_pk else None
    form = ManagementPlanForm(
        request.POST or None,
        instance=plan,
        initial=None if plan else {"year": timezone.localdate().year},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_management_plan(system=system, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Systemförvaltningsplanen är sparad."))
            return redirect(system)
    return render(
        request,
        "systems/form_page.html",
        {
            "form": form,
            "system": system,
            "heading": _("Systemförvaltningsplan %(year)s") % {"year": plan.year}
            if plan
            else _("Ny systemförvaltningsplan"),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def integration_add(request: HttpRequest, pk: int) -> HttpResponse:
    system = policy.get_for_user(request.user, System, pk, policy.Verb.CHANGE)
    form = IntegrationForm(request.POST or None, user=request.user, system=system)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_integration(
                source=system,
                target=form.cleaned_data["target"],
                user=request.user,
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Integrationen är registrerad."))
            return redirect(system)
    return render(
        request,
        "systems/form_page.html",
        {"form": form, "system": system, "heading": _("Ny integration")},
        status=400 if form.errors else 200,
    )


@require_POST
def integration_remove(request: HttpRequest, pk: int, integration_pk: int) -> HttpResponse:
    system = policy.get_for_user(request.user, System, pk, policy.Verb.CHANGE)
    integration = get_object_or_404(Integration, pk=integration_pk, source=system)
    services.remove_integration(integration=integration, user=request.user)
    messages.success(request, _("Integrationen är borttagen."))
    return redirect(system)


@require_http_methods(["GET", "POST"])
def role_add(request: HttpRequest, pk: int) -> HttpResponse:
    system = policy.get_for_user(request.user, System, pk)
    if not policy.may_create_in(request.user, system.owning_unit):
        raise PermissionDenied
    form = SystemRoleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_system_role(
                system=system,
                user=request.user,
                kind=form.cleaned_data["kind"],
                holder=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Rollen är tillsatt."))
            return redirect(system)
    return render(
        request,
        "systems/form_page.html",
        {
            "form": form,
            "system": system,
            "heading": _("Tillsätt roll"),
            "intro": _(
                "Välj en person, eller ange en funktion när rollen innehas av en befattning."
            ),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def role_remove(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    system = policy.get_for_user(request.user, System, pk)
    role = get_object_or_404(SystemRole, pk=role_pk, system=system)
    services.remove_system_role(role=role, user=request.user)
    messages.success(request, _("Rollen är borttagen."))
    return redirect(system)
