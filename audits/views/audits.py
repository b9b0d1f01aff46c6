"""Audits: list, detail with the follow-up chain, register, follow-up and reassessment,
observations and recommendations."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audits import services
from audits.filters import AuditFilter, RecommendationFilter, latest_assessment, register_state
from audits.forms import (
    AssessmentsForm,
    AuditForm,
    FollowUpForm,
    ObservationForm,
    RecommendationForm,
)
from audits.models import (
    Assessment,
    Audit,
    Observation,
    Recommendation,
    RecommendationAssessment,
    ResponseItem,
)
from core.exports import csv_response, xlsx_response
from core.files import serve_attachment
from core.history import history_for, history_without
from core.pagination import apply_sort, current_sort, paginate
from findings.models import Finding
from findings.views.common import form_page, run_service
from organisation import policy
from organisation.policy import Verb

#: Details of a secret audit that only secret roles read (the summary is public).
SECRET_AUDIT_FIELDS = {"purpose", "assessment", "report_file_name"}

EXPORT_LIMIT = 20000

AUDIT_SORTS = {"date": "report_date", "title": "title", "firm": "firm", "kind": "kind"}
DEFAULT_AUDIT_SORT = "-date"


def _audit_crumbs(audit: Audit | None = None) -> list[tuple[str, str]]:
    crumbs = [(reverse("audits:audit_list"), _("Granskningar"))]
    if audit is not None:
        crumbs.append((audit.get_absolute_url(), str(audit)))
    return crumbs


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    base = policy.audits(request.user)
    filterset = AuditFilter(request.GET or None, queryset=base, request=request)
    if filterset.is_bound and not filterset.is_valid():
        qs = base.none()
    else:
        qs = filterset.qs if filterset.is_bound else base
    qs = qs.annotate(
        recommendation_count=Count("recommendations", distinct=True),
        open_findings=Count(
            "findings", filter=~Q(findings__status__in=Finding.CLOSED_STATUSES), distinct=True
        ),
    ).select_related("follows_up")
    qs = apply_sort(request, qs, AUDIT_SORTS, DEFAULT_AUDIT_SORT)
    page = paginate(request, qs.prefetch_related("addressed_units"))
    return render(
        request,
        "audits/audit_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "sort": current_sort(request, AUDIT_SORTS, DEFAULT_AUDIT_SORT),
            "may_create": policy.units_for_creating(request.user).exists(),
        },
    )


def _assessment_matrix(user, chain: list[Audit]) -> tuple[list[Audit], list[dict]]:
    """Rows: every visible recommendation of the chain; columns: the follow-ups after it."""
    follow_ups = [a for a in chain if a.kind == Audit.Kind.FOLLOW_UP and a.follows_up_id]
    recs = list(
        policy.recommendations(user)
        .filter(audit__in=chain)
        .select_related("audit", "addressee")
        .order_by("audit__report_date", "number")
    )
    found = {
        (a.recommendation_id, a.follow_up_id): a
        for a in RecommendationAssessment.objects.filter(
            recommendation__in=recs, follow_up__in=follow_ups
        )
    }
    rows = []
    for rec in recs:
        cells = []
        for follow_up in follow_ups:
            applies = follow_up.report_date > rec.audit.report_date
            cells.append({"applies": applies, "assessment": found.get((rec.pk, follow_up.pk))})
        if any(cell["applies"] for cell in cells):
            rows.append({"recommendation": rec, "cells": cells})
    return follow_ups, rows


@require_GET
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    audit = policy.get_for_user(user, Audit.objects.select_related("follows_up", "created_by"), pk)
    addressed = list(audit.addressed_units.order_by("path"))
    secret_ok = not audit.is_secret or policy.may_read_secret_details_of_audit(user, audit)
    visible_ids = set(policy.audits(user).values_list("pk", flat=True))
    chain = [a for a in services.audit_chain(audit) if a.pk in visible_ids]
    follow_ups, matrix = _assessment_matrix(user, chain) if len(chain) > 1 else ([], [])
    visible_findings = policy.findings(user)
    recommendations = (
        policy.recommendations(user)
        .filter(audit=audit)
        .select_related("addressee", "observation")
        .annotate(latest=latest_assessment())
        .prefetch_related(Prefetch("findings", visible_findings))
    )
    responses = {r.unit_id: r for r in policy.responses(user).filter(audit=audit)}
    may_change = policy.can(user, Verb.CHANGE, audit)
    response_rows = [
        {
            "unit": unit,
            "response": responses.get(unit.pk),
            "may_create": policy.may_create_in(user, unit),
        }
        for unit in addressed
    ]
    actions = (
        policy.actions(user)
        .filter(
            pk__in=policy.actions(user)
            .filter(Q(recommendations__audit=audit) | Q(findings__audit=audit))
            .values("pk")
        )
        .select_related("owner", "unit")
        .order_by("deadline", "pk")
    )
    context = {
        "audit": audit,
        "addressed": addressed,
        "secret_ok": secret_ok,
        "chain": chain,
        "follow_ups": follow_ups,
        "matrix": matrix,
        "observations": policy.observations(user).filter(audit=audit).select_related("unit"),
        "recommendations": recommendations,
        "response_rows": response_rows,
        "actions": actions,
        "findings_count": visible_findings.filter(audit=audit).count(),
        "may_change": may_change,
        "is_follow_up": audit.kind == Audit.Kind.FOLLOW_UP and audit.follows_up_id,
        "history": history_without(
            audit,
            {"report_file"} if secret_ok else {"report_file", *SECRET_AUDIT_FIELDS},
        ),
    }
    return render(request, "audits/audit_detail.html", context)


def _service_fields(form: AuditForm) -> dict:
    data = dict(form.cleaned_data)
    data["report_file"] = data.pop("report_upload", None) or None
    return data


@require_http_methods(["GET", "POST"])
def audit_create(request: HttpRequest) -> HttpResponse:
    if not policy.units_for_creating(request.user).exists():
        raise PermissionDenied
    form = AuditForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, audit = run_service(
            form, lambda: services.create_audit(user=request.user, **_service_fields(form))
        )
        if ok:
            messages.success(
                request,
                _("Granskningen är registrerad. Lägg nu till iakttagelser och rekommendationer."),
            )
            return redirect(audit)
    return form_page(
        request,
        form=form,
        title=_("Registrera granskning"),
        back_url=reverse("audits:audit_list"),
        submit=_("Registrera"),
        crumbs=_audit_crumbs(),
    )


@require_http_methods(["GET", "POST"])
def audit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    audit = policy.get_for_user(request.user, Audit, pk, Verb.CHANGE)
    form = AuditForm(request.POST or None, request.FILES or None, user=request.user, instance=audit)
    if request.method == "POST" and form.is_valid():
        audit.refresh_from_db()
        fields = _service_fields(form)
        units = fields.pop("addressed_units")
        ok, _result = run_service(
            form,
            lambda: services.update_audit(
                audit=audit, user=request.user, addressed_units=units, **fields
            ),
        )
        if ok:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect(audit)
    return form_page(
        request,
        form=form,
        title=_("Ändra granskning"),
        back_url=audit.get_absolute_url(),
        submit=_("Spara"),
        obj=audit,
        crumbs=_audit_crumbs(audit),
    )


@require_GET
def audit_report(request: HttpRequest, pk: int) -> HttpResponse:
    audit = policy.get_for_user(request.user, Audit, pk)
    if not audit.report_file:
        raise Http404
    if audit.is_secret and not policy.may_read_secret_details_of_audit(request.user, audit):
        raise PermissionDenied
    name = audit.report_file_name or "rapport.pdf"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return serve_attachment(audit.report_file, filename=name, content_type=content_type)


@require_http_methods(["GET", "POST"])
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    audit = policy.get_for_user(request.user, Audit, pk, Verb.CHANGE)
    form = FollowUpForm(request.POST or None, request.FILES or None, audit=audit)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["report_file"] = data.pop("report_upload", None) or None
        ok, follow_up = run_service(
            form, lambda: services.create_follow_up(audit=audit, user=request.user, **data)
        )
        if ok:
            messages.success(
                request,
                _("Uppföljningen är registrerad. Bedöm nu de tidigare rekommendationerna."),
            )
            return redirect("audits:assessments_edit", pk=follow_up.pk)
    return form_page(
        request,
        form=form,
        title=_("Registrera uppföljande granskning"),
        back_url=audit.get_absolute_url(),
        submit=_("Registrera uppföljning"),
        obj=audit,
        intro=_(
            "Uppföljningen får samma granskande organ och granskade nämnder. Därefter bedöms "
            "varje tidigare rekommendation: åtgärdad, delvis åtgärdad, ej åtgärdad eller inaktuell."
        ),
        crumbs=_audit_crumbs(audit),
    )


@require_http_methods(["GET", "POST"])
def assessments_edit(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = policy.get_for_user(request.user, Audit, pk, Verb.CHANGE)
    if follow_up.kind != Audit.Kind.FOLLOW_UP or not follow_up.follows_up_id:
        raise Http404
    candidates = services.recommendations_for_reassessment(follow_up)
    visible = set(
        policy.recommendations(request.user)
        .filter(pk__in=[r.pk for r in candidates])
        .values_list("pk", flat=True)
    )
    recommendations = [r for r in candidates if r.pk in visible]
    existing = {a.recommendation_id: a for a in follow_up.assessments.all()}
    form = AssessmentsForm(request.POST or None, recommendations=recommendations, existing=existing)
    if request.method == "POST" and form.is_valid():
        ok, _result = run_service(
            form,
            lambda: services.save_assessments(
                follow_up=follow_up, user=request.user, entries=form.entries()
            ),
        )
        if ok:
            messages.success(request, _("Bedömningarna är sparade."))
            return redirect(follow_up)
    return render(
        request,
        "audits/assessments_form.html",
        {"audit": follow_up, "form": form, "crumbs": _audit_crumbs(follow_up)},
        status=400 if form.is_bound and form.errors else 200,
    )


# --------------------------------------------------------------------------------------------
# Observations and recommendations
# --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def observation_create(request: HttpRequest, pk: int) -> HttpResponse:
    audit = policy.get_for_user(request.user, Audit, pk, Verb.CHANGE)
    form = ObservationForm(request.POST or None, audit=audit)
    if request.method == "POST" and form.is_valid():
        ok, _result = run_service(
            form,
            lambda: services.add_observation(audit=audit, user=request.user, **form.cleaned_data),
        )
        if ok:
            messages.success(request, _("Iakttagelsen är registrerad."))
            return redirect(f"{audit.get_absolute_url()}#observations-heading")
    return form_page(
        request,
        form=form,
        title=_("Ny iakttagelse"),
        back_url=audit.get_absolute_url(),
        submit=_("Registrera iakttagelse"),
        obj=audit,
        crumbs=_audit_crumbs(audit),
    )


@require_http_methods(["GET", "POST"])
def observation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    observation = policy.get_for_user(request.user, Observation.objects.select_related("audit"), pk)
    audit = observation.audit
    if not policy.can(request.user, Verb.CHANGE, audit):
        raise PermissionDenied
    form = ObservationForm(request.POST or None, audit=audit, instance=observation)
    if request.method == "POST" and form.is_valid():
        observation.refresh_from_db()
        ok, _result = run_service(
            form,
            lambda: services.update_observation(
                observation=observation, user=request.user, **form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect(audit)
    response = form_page(
        request,
        form=form,
        title=_("Ändra iakttagelse %s") % observation.number,
        back_url=audit.get_absolute_url(),
        submit=_("Spara"),
        obj=audit,
        crumbs=_audit_crumbs(audit),
    )
    return response


@require_http_methods(["GET", "POST"])
def recommendation_create(request: HttpRequest, pk: int) -> HttpResponse:
    audit = policy.get_for_user(request.user, Audit, pk, Verb.CHANGE)
    form = RecommendationForm(request.POST or None, audit=audit)
    if request.method == "POST" and form.is_valid():
        ok, _result = run_service(
            form,
            lambda: services.add_recommendation(
                audit=audit, user=request.user, **form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, _("Rekommendationen är registrerad."))
            return redirect(f"{audit.get_absolute_url()}#recommendations-heading")
    return form_page(
        request,
        form=form,
        title=_("Ny rekommendation"),
        back_url=audit.get_absolute_url(),
        submit=_("Registrera rekommendation"),
        obj=audit,
        crumbs=_audit_crumbs(audit),
    )


@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = policy.get_for_user(
        request.user, Recommendation.objects.select_related("audit"), pk
    )
    audit = recommendation.audit
    if not policy.can(request.user, Verb.CHANGE, recommendation):
        raise PermissionDenied
    form = RecommendationForm(request.POST or None, audit=audit, instance=recommendation)
    if request.method == "POST" and form.is_valid():
        recommendation.refresh_from_db()
        ok, _result = run_service(
            form,
            lambda: services.update_recommendation(
                recommendation=recommendation, user=request.user, **form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect(recommendation)
    return form_page(
        request,
        form=form,
        title=_("Ändra rekommendation %s") % recommendation.number,
        back_url=recommendation.get_absolute_url(),
        submit=_("Spara"),
        obj=audit,
        crumbs=_audit_crumbs(audit),
    )


RECOMMENDATION_SORTS = {
    "audit": "audit__report_date",
    "number": "number",
    "addressee": "addressee__name",
}


def _recommendation_queryset(request: HttpRequest):
    base = policy.recommendations(request.user)
    filterset = RecommendationFilter(request.GET or None, queryset=base, request=request)
    if filterset.is_bound and not filterset.is_valid():
        qs = base.none()
    else:
        qs = filterset.qs if filterset.is_bound else base
    state = register_state()
    qs = qs.annotate(
        latest_assessment=latest_assessment(),
        register_closed=ExpressionWrapper(state["closed"], output_field=BooleanField()),
        register_accepted=ExpressionWrapper(state["risk_accepted"], output_field=BooleanField()),
        register_open=ExpressionWrapper(state["open"], output_field=BooleanField()),
    ).select_related("audit", "addressee", "observation")
    qs = apply_sort(request, qs, RECOMMENDATION_SORTS, "-audit")
    return filterset, qs


@require_GET
def recommendation_list(request: HttpRequest) -> HttpResponse:
    filterset, qs = _recommendation_queryset(request)
    visible_findings = policy.findings(request.user).only("pk", "status", "recommendation_id")
    page = paginate(request, qs.prefetch_related(Prefetch("findings", visible_findings)))
    return render(
        request,
        "audits/recommendation_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "sort": current_sort(request, RECOMMENDATION_SORTS, "-audit"),
        },
    )


RECOMMENDATION_EXPORT_HEADER = [
    _("Granskning"),
    _("År"),
    _("Nr"),
    _("Rekommendation"),
    _("Mottagare"),
    _("Område"),
    _("Senaste bedömning"),
    _("I registret"),
    _("Åtgärder"),
]


@require_GET
def recommendation_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The action-plan view of the filtered recommendations: what is done about each."""
    _filterset, qs = _recommendation_queryset(request)
    visible_actions = policy.actions(request.user).select_related("owner").order_by("deadline")
    qs = qs.prefetch_related(Prefetch("actions", visible_actions))[:EXPORT_LIMIT]
    labels = dict(Assessment.choices)

    def register(rec: Recommendation) -> str:
        if rec.register_accepted:
            return _("Riskaccepterad")
        if rec.register_closed:
            return _("Åtgärdad")
        return _("Åtgärdas") if rec.register_open else _("Inte i registret")

    rows = [
        [
            rec.audit.title,
            rec.audit.report_date.year,
            rec.number,
            rec.text,
            rec.addressee.name,
            rec.observation.area if rec.observation_id else "",
            labels.get(rec.latest_assessment, ""),
            register(rec),
            "\n".join(
                f"{a.title} – {a.owner_display}, {a.deadline_display or '–'}, "
                f"{a.get_status_display()}"
                for a in rec.actions.all()
            ),
        ]
        for rec in qs
    ]
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        return xlsx_response(
            f"rekommendationer-{stamp}.xlsx",
            _("Rekommendationer"),
            RECOMMENDATION_EXPORT_HEADER,
            rows,
        )
    if fmt == "csv":
        return csv_response(f"rekommendationer-{stamp}.csv", RECOMMENDATION_EXPORT_HEADER, rows)
    raise Http404


@require_GET
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    recommendation = policy.get_for_user(
        user, Recommendation.objects.select_related("audit", "addressee", "observation"), pk
    )
    observation = (
        policy.observations(user).filter(pk=recommendation.observation_id).first()
        if recommendation.observation_id
        else None
    )
    context = {
        "recommendation": recommendation,
        "audit": recommendation.audit,
        "observation": observation,
        "findings": policy.findings(user)
        .filter(recommendation=recommendation)
        .select_related("unit"),
        "actions": policy.actions(user)
        .filter(recommendations=recommendation)
        .select_related("owner", "unit"),
        "answers": ResponseItem.objects.filter(
            recommendation=recommendation, response__in=policy.responses(user)
        )
        .select_related("response__unit")
        .prefetch_related(Prefetch("actions", policy.actions(user).select_related("owner"))),
        "assessments": recommendation.assessments.select_related("follow_up").order_by(
            "follow_up__report_date"
        ),
        "may_change": policy.can(user, Verb.CHANGE, recommendation),
        "history": history_for(recommendation),
    }
    return render(request, "audits/recommendation_detail.html", context)
