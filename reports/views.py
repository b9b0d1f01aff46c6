"""Report pages: the archive, ordering and previewing reports, and the board members' page.

Rendering never happens in a request: ordering creates a pending report and the Celery task
makes the PDF; the detail page polls a small status partial until it is done. The preview
renders the document's HTML only (no PDF) for the coordinator.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.files import DownloadKind, mark_download, serve_attachment
from core.history import history_without
from organisation import policy
from reports import documents, services
from reports.forms import MarkSentForm, ReportOrderForm
from reports.models import Report


def _get_report(request: HttpRequest, pk: int, verb: str = policy.Verb.VIEW) -> Report:
    """The report if the user may see it (else 404) and do ``verb`` to it (else 403)."""
    qs = Report.objects.select_related(
        "unit", "audit", "decision__organ", "requested_by", "sent_to_board_by"
    )
    return policy.get_for_user(request.user, qs, pk, verb)


def _may_order(request: HttpRequest) -> bool:
    return policy.report_units(request.user).exists()


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    reports = (
        policy.reports(request.user)
        .select_related("unit", "requested_by")
        .order_by("-requested_at", "-pk")
    )
    page = Paginator(reports, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/report_list.html",
        {"page_obj": page, "may_order": _may_order(request)},
    )


@require_GET
def board_reports(request: HttpRequest) -> HttpResponse:
    """Mina rapporter: the finished reports of the user's boards, newest first; the version
    marked as sent to the board is highlighted."""
    reports = (
        policy.reports(request.user)
        .filter(status=Report.Status.DONE)
        .select_related("unit", "decision__organ")
        .order_by("-generated_at", "-version", "-pk")
    )
    page = Paginator(reports, 25).get_page(request.GET.get("page"))
    return render(request, "reports/board_reports.html", {"page_obj": page})


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    if not _may_order(request):
        raise PermissionDenied
    form = ReportOrderForm(
        request.POST or None, user=request.user, initial=request.GET.dict() or None
    )
    if request.method == "POST" and form.is_valid():
        spec = form.spec()
        try:
            report = services.order_report(
                user=request.user,
                kind=spec.kind,
                unit=spec.unit,
                audience=spec.audience,
                year=spec.year,
                audit=spec.audit,
                decision=spec.decision,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Rapporten är beställd. Den skapas nu och visas här när den är klar.")
            )
            return redirect(report)
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/report_form.html", {"form": form}, status=status)


@require_GET
def report_preview(request: HttpRequest) -> HttpResponse:
    """The document as HTML with today's data, in the browser; nothing is archived."""
    if not _may_order(request):
        raise PermissionDenied
    form = ReportOrderForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "reports/report_form.html", {"form": form}, status=400)
    document = documents.build(form.spec(), as_of=timezone.now(), requested_by=request.user)
    back = f"{reverse('reports:report_create')}?{request.GET.urlencode()}"
    return render(
        request, document.template, {**document.context, "preview": True, "back_url": back}
    )


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    may_change = policy.can(request.user, policy.Verb.CHANGE, report)
    if request.htmx:
        # The polled status: a report that fails meanwhile shows its "Försök igen" at once.
        return render(
            request,
            "reports/report_detail.html#status",
            {"report": report, "may_change": may_change},
        )
    versions = (
        policy.reports(request.user)
        .filter(series_key=report.series_key)
        .select_related("requested_by")
        .order_by("-version")
    )
    context = {
        "report": report,
        "versions": versions,
        "may_change": may_change,
        "mark_form": MarkSentForm(user=request.user, report=report) if may_change else None,
        "preview_query": _preview_query(report),
        # The series key, the parameters and the storage name are for the machine; the page
        # shows what they mean above.
        "history": history_without(report, {"parameters", "series_key", "file"}),
    }
    return render(request, "reports/report_detail.html", context)


def _preview_query(report: Report) -> str:
    from django.http import QueryDict

    params = report.parameters or {}
    query = QueryDict(mutable=True)
    query.update(
        {
            "kind": report.kind,
            "unit": report.unit_id,
            "audience": report.audience,
            "year": report.year or "",
            "audit": report.audit_id or "",
            "decision": params.get("decision") or "",
        }
    )
    return query.urlencode()


@require_POST
def report_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk, policy.Verb.CHANGE)
    try:
        new = services.regenerate_report(user=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(report)
    messages.success(request, _("En ny version beställdes: version %(v)s.") % {"v": new.version})
    return redirect(new)


@require_POST
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk, policy.Verb.CHANGE)
    try:
        services.retry_report(user=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(report)


@require_POST
def report_mark_sent(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk, policy.Verb.CHANGE)
    form = MarkSentForm(request.POST, user=request.user, report=report)
    if form.is_valid():
        try:
            services.mark_sent_to_board(
                user=request.user, report=report, decision=form.cleaned_data["decision"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Versionen är markerad som skickad till nämnden."))
    else:
        messages.error(request, _("Välj ett giltigt beslut."))
    return redirect(report)


@require_POST
def report_unmark_sent(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk, policy.Verb.CHANGE)
    try:
        services.unmark_sent_to_board(user=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Markeringen är borttagen."))
    return redirect(report)


@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    """The archived PDF, as an attachment, to whoever may see the report (else 404)."""
    report = policy.get_for_user(request.user, Report, pk)
    if report.status != Report.Status.DONE or not report.file:
        raise Http404
    response = serve_attachment(
        report.file, filename=report.download_name, content_type="application/pdf"
    )
    return mark_download(
        response, kind=DownloadKind.REPORT, obj=report, detail=report.download_name
    )
