from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.history import history_for
from findings.models import Finding
from organisation import policy
from organisation.models import Decision, OrgUnit, RoleAssignment


@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    """The organisation tree of one's own municipality, in path order."""
    units = policy.units(request.user).filter(is_active=True).select_related("serves", "head")
    return render(request, "organisation/unit_list.html", {"units": units})


@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = policy.get_for_user(
        request.user, OrgUnit.objects.select_related("parent", "serves", "head"), pk
    )
    children = unit.children.filter(is_active=True).order_by("name")
    may_see_roles = policy.can(request.user, policy.Verb.CHANGE, unit)
    roles = (
        RoleAssignment.objects.valid_on()
        .filter(unit=unit)
        .select_related("user")
        .order_by("role", "user__last_name")
        if may_see_roles
        else RoleAssignment.objects.none()
    )
    findings = policy.findings(request.user).filter(unit__path__startswith=unit.path)
    finding_counts = findings.aggregate(
        open=Count("pk", filter=~Q(status__in=Finding.CLOSED_STATUSES)),
        total=Count("pk"),
    )
    plans = policy.plans(request.user).filter(unit=unit).order_by("-year")[:10]
    context = {
        "unit": unit,
        "children": children,
        "roles": roles,
        "may_see_roles": may_see_roles,
        "finding_counts": finding_counts,
        "plans": plans,
        "history": history_for(unit),
    }
    return render(request, "organisation/unit_detail.html", context)


@require_GET
def decision_list(request: HttpRequest) -> HttpResponse:
    decisions = (
        policy.decisions(request.user)
        .select_related("organ")
        .order_by("-meeting_date", "paragraph")
    )
    page = Paginator(decisions, 25).get_page(request.GET.get("page"))
    return render(request, "organisation/decision_list.html", {"page_obj": page})


@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = policy.get_for_user(request.user, Decision.objects.select_related("organ"), pk)
    return render(
        request,
        "organisation/decision_detail.html",
        {"decision": decision, "history": history_for(decision)},
    )


@require_GET
def my_account(request: HttpRequest) -> HttpResponse:
    roles = (
        RoleAssignment.objects.filter(user=request.user)
        .select_related("unit")
        .order_by("unit__path", "role")
    )
    return render(request, "organisation/my_account.html", {"roles": roles})
