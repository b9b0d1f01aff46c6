from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.history import history_for
from organisation import policy
from reports.models import Report
from security.events import record
from security.models import SecurityEvent


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    reports = (
        policy.reports(request.user)
        .select_related("unit", "requested_by")
        .order_by("-requested_at", "-pk")
    )
    page = Paginator(reports, 25).get_page(request.GET.get("page"))
    return render(request, "reports/report_list.html", {"page_obj": page})


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = policy.get_for_user(
        request.user, Report.objects.select_related("unit", "requested_by", "decision"), pk
    )
    return render(
        request, "reports/report_detail.html", {"report": report, "history": history_for(report)}
    )


@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = policy.get_for_user(request.user, Report, pk)
    if report.status != Report.Status.DONE or not report.file:
        raise Http404
    record(request, kind=SecurityEvent.Kind.REPORT_DOWNLOAD, obj=report)
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=f"{report.title} v{report.version}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
