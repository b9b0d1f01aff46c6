"""The coordinator's dashboard (see findings.dashboard for how the numbers are counted)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from findings import dashboard as dashboard_data
from organisation import policy


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Open, overdue and closed findings and actions by unit, audit, system and severity.

    For everyone who reads findings of units (coordinator, admin, auditor, controller, board
    member); each sees the numbers of what the policy lets them see.
    """
    if not policy.roles_of(request.user) & policy.READ_ROLES:
        raise PermissionDenied
    return render(
        request, "findings/dashboard.html", {"dashboard": dashboard_data.build(request.user)}
    )
