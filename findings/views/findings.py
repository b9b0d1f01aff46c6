"""Findings: list (filter, sort, search, paginate, export), detail, register, edit, transitions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.exports import csv_response, xlsx_response
from core.files import serve_attachment
from core.history import history_for
from core.pagination import apply_sort, current_sort, paginate
from findings import services
from findings.filters import FindingFilter
from findings.forms import AcceptRiskForm, CommentForm, FindingForm, ReasonForm, VerifyForm
from findings.models import Action, ActionEvidence, Finding, FindingEvidence, Severity
from findings.views.common import form_page, run_service
from organisation import policy
from organisation.policy import Verb

FINDING_SORTS = {
    "identified": "identified_date",
    "title": "title",
    "reference": "reference",
    "unit": "unit__name",
    "severity": "severity_rank",
    "status": "status_rank",
    "actions": "open_actions",
}
DEFAULT_SORT = "-identified"
EXPORT_LIMIT = 20000


def _ranked(qs: QuerySet) -> QuerySet:
    severity = Case(
        *[When(severity=value, then=Value(i)) for i, value in enumerate(Severity.values)],
        output_field=IntegerField(),
    )
    status = Case(
        *[When(status=value, then=Value(i)) for i, value in enumerate(Finding.Status.values)],
        output_field=IntegerField(),
    )
    return qs.annotate(severity_rank=severity, status_rank=status)


def _list_queryset(request: HttpRequest) -> tuple[FindingFilter, QuerySet]:
    base = policy.findings(request.user)
    filterset = FindingFilter(request.GET or None, queryset=base, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    if filterset.is_bound and not filterset.is_valid():
        qs = base.none()
    today = timezone.localdate()
    qs = _ranked(qs).annotate(
        open_actions=Count(
            "actions", filter=Q(actions__status__in=Action.OPEN_STATUSES), distinct=True
        ),
        overdue_actions=Count(
            "actions",
            filter=Q(actions__status__in=Action.OPEN_STATUSES, actions__deadline__lt=today),
            distinct=True,
        ),
    )
    return filterset, qs.select_related("unit", "audit")


@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    filterset, qs = _list_queryset(request)
    qs = apply_sort(request, qs, FINDING_SORTS, DEFAULT_SORT)
    page = paginate(request, qs.prefetch_related("systems"))
    return render(
        request,
        "findings/finding_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "sort": current_sort(request, FINDING_SORTS, DEFAULT_SORT),
            "may_create": policy.units_for_creating(request.user).exists(),
        },
    )


EXPORT_HEADER = [
    _("Referens"),
    _("Rubrik"),
    _("Beskrivning"),
    _("Enhet"),
    _("Källa"),
    _("Granskning"),
    _("System"),
    _("Allvarlighetsgrad"),
    _("Status"),
    _("Sekretess"),
    _("Identifierad"),
    _("Öppna åtgärder"),
    _("Försenade åtgärder"),
    _("Verifierad av"),
    _("Verifierad"),
    _("Motivering för riskacceptans"),
]


@require_GET
def finding_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list as a spreadsheet; every text cell is formula-escaped."""
    _filterset, qs = _list_queryset(request)
    qs = apply_sort(request, qs, FINDING_SORTS, DEFAULT_SORT)
    qs = qs.select_related("verified_by").prefetch_related("systems")[:EXPORT_LIMIT]
    rows = (
        [
            f.reference,
            f.title,
            f.description,
            f.unit.name,
            f.get_source_display(),
            str(f.audit) if f.audit_id else "",
            ", ".join(s.name for s in f.systems.all()),
            f.get_severity_display(),
            f.get_status_display(),
            f.is_secret,
            f.identified_date,
            f.open_actions,
            f.overdue_actions,
            str(f.verified_by) if f.verified_by_id else "",
            f.verified_at,
            f.risk_acceptance_motivation,
        ]
        for f in qs
    )
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        return xlsx_response(f"avvikelser-{stamp}.xlsx", _("Avvikelser"), EXPORT_HEADER, list(rows))
    if fmt == "csv":
        return csv_response(f"avvikelser-{stamp}.csv", EXPORT_HEADER, rows)
    raise Http404


@require_GET
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = policy.get_for_user(
        request.user,
        Finding.objects.select_related(
            "unit",
            "audit",
            "observation",
            "recommendation",
            "occurrence__control_point",
            "access_review__system",
            "verified_by",
            "risk_accepted_by",
            "created_by",
        ),
        pk,
    )
    user = request.user
    actions = (
        policy.actions(user)
        .filter(findings=finding)
        .select_related("owner", "unit")
        .order_by("deadline", "pk")
    )
    action_evidence = (
        ActionEvidence.objects.filter(
            progress__action__in=actions, progress__action__status=Action.Status.DONE
        )
        .select_related("progress__action", "uploaded_by")
        .order_by("-uploaded_at")
    )
    may_change = policy.can(user, Verb.CHANGE, finding)
    may_verify = policy.can(user, Verb.VERIFY, finding)
    allowed = services.allowed_finding_transitions(finding)
    context = {
        "finding": finding,
        "actions": actions,
        "systems": policy.systems(user).filter(findings=finding).order_by("name"),
        "finding_evidence": finding.evidence.select_related("uploaded_by"),
        "action_evidence": action_evidence,
        "has_evidence": services.finding_has_evidence(finding),
        "audit_visible": finding.audit_id
        and policy.audits(user).filter(pk=finding.audit_id).exists(),
        "observation": policy.observations(user).filter(pk=finding.observation_id).first()
        if finding.observation_id
        else None,
        "recommendation": policy.recommendations(user).filter(pk=finding.recommendation_id).first()
        if finding.recommendation_id
        else None,
        "may_change": may_change,
        "may_verify": may_verify,
        "may_add_action": may_change and not finding.is_closed,
        "can_start": may_change and "start_remediation" in allowed,
        "can_remedy": may_change and "mark_remedied" in allowed,
        "can_verify": may_verify and "verify" in allowed,
        "can_accept": may_verify and "accept_risk" in allowed,
        "can_reopen": "reopen" in allowed and (may_verify if finding.is_closed else may_change),
        "history": history_for(finding),
    }
    return render(request, "findings/finding_detail.html", context)


def _crumbs(finding: Finding | None = None) -> list[tuple[str, str]]:
    crumbs = [(reverse("findings:finding_list"), _("Avvikelser"))]
    if finding is not None:
        crumbs.append((finding.get_absolute_url(), str(finding)))
    return crumbs


@require_http_methods(["GET", "POST"])
def finding_create(request: HttpRequest) -> HttpResponse:
    if not policy.units_for_creating(request.user).exists():
        raise PermissionDenied
    initial = {"identified_date": timezone.localdate()}
    if request.GET.get("unit"):
        initial["unit"] = request.GET["unit"]
    form = FindingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        systems = data.pop("systems")
        ok, finding = run_service(
            form,
            lambda: services.create_finding(user=request.user, systems=systems, **data),
        )
        if ok:
            messages.success(request, _("Avvikelsen är registrerad."))
            return redirect(finding)
    return form_page(
        request,
        form=form,
        title=_("Registrera avvikelse eller brist"),
        back_url=reverse("findings:finding_list"),
        submit=_("Registrera"),
        crumbs=_crumbs(),
    )


@require_http_methods(["GET", "POST"])
def finding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    finding = policy.get_for_user(request.user, Finding, pk, Verb.CHANGE)
    form = FindingForm(request.POST or None, user=request.user, instance=finding)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        systems = data.pop("systems", None)
        # The ModelForm has already set the cleaned values on the instance; the service saves.
        finding.refresh_from_db()
        ok, _result = run_service(
            form,
            lambda: services.update_finding(
                finding=finding, user=request.user, systems=systems, **data
            ),
        )
        if ok:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect(finding)
    return form_page(
        request,
        form=form,
        title=_("Ändra %s") % finding,
        back_url=finding.get_absolute_url(),
        submit=_("Spara"),
        obj=finding,
        crumbs=_crumbs(finding),
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
) -> HttpResponse:
    finding = policy.get_for_user(request.user, Finding, pk, verb)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ok, _result = run_service(form, lambda: call(finding, form.cleaned_data))
        if ok:
            messages.success(request, success)
            return redirect(finding)
    return form_page(
        request,
        form=form,
        title=title,
        back_url=finding.get_absolute_url(),
        submit=submit,
        obj=finding,
        intro=intro,
        crumbs=_crumbs(finding),
        danger=danger,
    )


@require_http_methods(["GET", "POST"])
def finding_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_page(
        request,
        pk,
        verb=Verb.CHANGE,
        form_class=CommentForm,
        call=lambda finding, data: services.start_remediation(
            finding=finding, user=request.user, comment=data["comment"]
        ),
        title=_("Påbörja åtgärdsarbete"),
        submit=_("Påbörja"),
        success=_("Status: Åtgärd pågår."),
    )


@require_http_methods(["GET", "POST"])
def finding_remedied(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_page(
        request,
        pk,
        verb=Verb.CHANGE,
        form_class=CommentForm,
        call=lambda finding, data: services.mark_remedied(
            finding=finding, user=request.user, comment=data["comment"]
        ),
        title=_("Markera som åtgärdad"),
        submit=_("Markera som åtgärdad"),
        success=_("Avvikelsen är markerad som åtgärdad och väntar på verifiering."),
    )


@require_http_methods(["GET", "POST"])
def finding_verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_page(
        request,
        pk,
        verb=Verb.VERIFY,
        form_class=VerifyForm,
        call=lambda finding, data: services.verify_finding(
            finding=finding,
            user=request.user,
            note=data["note"],
            evidence=[data["evidence"]] if data.get("evidence") else [],
        ),
        title=_("Verifiera åtgärd"),
        submit=_("Verifiera"),
        success=_("Avvikelsen är verifierad och stängd."),
        intro=_(
            "Verifiering kräver underlag: en fil som visar att bristen är åtgärdad. Ladda upp "
            "den här, om inte en genomförd åtgärd redan har underlag."
        ),
    )


@require_http_methods(["GET", "POST"])
def finding_accept_risk(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_page(
        request,
        pk,
        verb=Verb.VERIFY,
        form_class=AcceptRiskForm,
        call=lambda finding, data: services.accept_risk(
            finding=finding, user=request.user, motivation=data["motivation"]
        ),
        title=_("Acceptera risken"),
        submit=_("Acceptera risken"),
        success=_("Risken är accepterad och avvikelsen stängd."),
        intro=_("Du står som beslutsfattare för riskacceptansen."),
        danger=True,
    )


@require_http_methods(["GET", "POST"])
def finding_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    finding = policy.get_for_user(request.user, Finding, pk)
    verb = Verb.VERIFY if finding.is_closed else Verb.CHANGE
    return _transition_page(
        request,
        pk,
        verb=verb,
        form_class=ReasonForm,
        call=lambda finding, data: services.reopen_finding(
            finding=finding, user=request.user, reason=data["reason"]
        ),
        title=_("Återöppna avvikelsen"),
        submit=_("Återöppna"),
        success=_("Avvikelsen är återöppnad."),
    )


@require_GET
def finding_evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = FindingEvidence.objects.filter(pk=pk).first()
    if evidence is None:
        raise Http404
    policy.get_for_user(request.user, Finding, evidence.finding_id)
    return serve_attachment(evidence)
