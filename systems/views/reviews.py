"""Access reviews (behörighetsgranskning): the guided flow from upload to completed review.

Steps: start (review_create) → upload both files (review_upload) → map the columns in a
preview (review_mapping) → decide on the flagged accounts (review_detail, item_decide,
review_bulk_decide) → complete (review_complete) → report (review_report, review_report_csv).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exports import csv_response
from core.history import history_for
from core.pagination import paginate
from organisation import policy
from systems import services, tabular
from systems.forms import (
    BulkDecisionForm,
    ItemDecisionForm,
    ItemFilterForm,
    MappingForm,
    ReviewCreateForm,
    ReviewUploadForm,
)
from systems.mapping import ACCOUNT_FIELDS, ROSTER_FIELDS
from systems.models import AccessReview, AccessReviewItem, ReviewUpload, System
from systems.uploads import InMemoryOnlyUploadHandler

ITEMS_PER_PAGE = 50
PREVIEW_ROWS = 5


def _review(request: HttpRequest, pk: int, verb: str = policy.Verb.VIEW) -> AccessReview:
    return policy.get_for_user(
        request.user,
        AccessReview.objects.select_related(
            "system__owning_unit", "occurrence__control_point__plan__unit", "reviewer"
        ),
        pk,
        verb,
    )


def _steps(review: AccessReview) -> list[dict]:
    """The flow's steps for the step indicator: done, current or to come."""
    uploaded = review.status != AccessReview.Status.DRAFT or review.uploads.exists()
    matched = review.status != AccessReview.Status.DRAFT
    completed = review.is_completed
    flags = [uploaded, uploaded and matched, matched, completed]
    labels = [
        _("Ladda upp filer"),
        _("Mappa kolumner"),
        _("Besluta om flaggade konton"),
        _("Slutför"),
    ]
    current = flags.index(False) if False in flags else len(flags)
    return [
        {"label": label, "done": done, "current": index == current}
        for index, (label, done) in enumerate(zip(labels, flags, strict=True))
    ]


@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    reviews = policy.access_reviews(request.user).select_related("system", "reviewer")
    status = request.GET.get("status", "")
    if status in AccessReview.Status.values:
        reviews = reviews.filter(status=status)
    system_id = request.GET.get("system", "")
    if system_id.isdigit():
        reviews = reviews.filter(system_id=int(system_id))
    page = paginate(request, reviews.order_by("-review_date", "-pk"))
    systems = (
        policy.systems(request.user)
        .filter(pk__in=policy.access_reviews(request.user).values("system_id"))
        .order_by("name")
    )
    return render(
        request,
        "systems/review_list.html",
        {
            "page_obj": page,
            "statuses": AccessReview.Status.choices,
            "status": status,
            "systems": systems,
            "system_id": int(system_id) if system_id.isdigit() else None,
        },
    )


@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, pk: int) -> HttpResponse:
    system = policy.get_for_user(request.user, System, pk, policy.Verb.REVIEW)
    occurrences = services.occurrence_choices(system)
    initial = {"review_date": timezone.localdate()}
    requested = request.GET.get("occurrence", "")
    if requested.isdigit():
        initial["occurrence"] = occurrences.filter(pk=int(requested)).first()
    else:
        initial["occurrence"] = occurrences.first()
    form = ReviewCreateForm(request.POST or None, occurrences=occurrences, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.create_review(system=system, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Granskningen är påbörjad. Ladda upp filerna."))
            return redirect("systems:review_upload", pk=review.pk)
    return render(
        request,
        "systems/review_form.html",
        {"form": form, "system": system},
        status=400 if form.errors else 200,
    )


@csrf_exempt  # only to swap the upload handlers first; the view itself is CSRF-protected
@require_http_methods(["GET", "POST"])
def review_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The two files, kept in memory only: a roster is never written to a temporary file."""
    request.upload_handlers = [InMemoryOnlyUploadHandler(request)]
    return _review_upload(request, pk)


@csrf_protect
def _review_upload(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk, policy.Verb.REVIEW)
    if not review.accepts_uploads:
        messages.error(
            request,
            _("Filerna kan inte bytas när beslut har fattats eller granskningen är slutförd."),
        )
        return redirect(review)
    form = ReviewUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_review_files(
                review=review,
                user=request.user,
                accounts_file=form.cleaned_data["accounts_file"],
                roster_file=form.cleaned_data["roster_file"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Filerna är inlästa. Kontrollera kolumnerna."))
            return redirect("systems:review_mapping", pk=review.pk)
    return render(
        request,
        "systems/review_upload.html",
        {"review": review, "form": form, "steps": _steps(review)},
        status=400 if form.errors else 200,
    )


def _preview(upload: ReviewUpload) -> list[list[str]]:
    """The first rows, personnummer masked."""
    table = tabular.unpack(upload.data, upload.header)
    return [[tabular.display(cell) for cell in row] for row in table.rows[:PREVIEW_ROWS]]


@require_http_methods(["GET", "POST"])
def review_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk, policy.Verb.REVIEW)
    uploads = {u.kind: u for u in review.uploads.all()}
    accounts = uploads.get(ReviewUpload.Kind.ACCOUNTS)
    roster = uploads.get(ReviewUpload.Kind.ROSTER)
    if not review.accepts_uploads or accounts is None or roster is None:
        if not review.is_completed:
            messages.info(request, _("Ladda upp kontoexporten och personalförteckningen först."))
            return redirect("systems:review_upload", pk=review.pk)
        return redirect(review)
    current = review.column_mapping or {}
    initial = {
        **{
            f"accounts__{k}": v
            for k, v in (current.get("accounts") or accounts.guessed_mapping).items()
        },
        **{f"roster__{k}": v for k, v in (current.get("roster") or roster.guessed_mapping).items()},
    }
    form = MappingForm(
        request.POST or None,
        initial=initial,
        account_fields=ACCOUNT_FIELDS,
        account_header=accounts.header,
        roster_fields=ROSTER_FIELDS,
        roster_header=roster.header,
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.match_review(
                review=review,
                user=request.user,
                account_mapping=form.mapping("accounts"),
                roster_mapping=form.mapping("roster"),
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                ngettext(
                    "%(accounts)s konton matchades mot %(roster)s personer. %(flagged)s konto "
                    "är flaggat.",
                    "%(accounts)s konton matchades mot %(roster)s personer. %(flagged)s konton "
                    "är flaggade.",
                    summary.flagged,
                )
                % {
                    "accounts": summary.accounts,
                    "roster": summary.roster,
                    "flagged": summary.flagged,
                },
            )
            for warning in summary.warnings:
                messages.warning(request, warning)
            return redirect(review)
    context = {
        "review": review,
        "form": form,
        "errors": errors,
        "accounts": accounts,
        "roster": roster,
        "accounts_preview": _preview(accounts),
        "roster_preview": _preview(roster),
        "steps": _steps(review),
    }
    return render(
        request,
        "systems/review_mapping.html",
        context,
        status=400 if errors or form.errors else 200,
    )


def _filtered_items(request: HttpRequest, review: AccessReview) -> tuple:
    form = ItemFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    items = review.items.select_related("decided_by")
    show = data.get("show") or (
        "flagged" if review.status == AccessReview.Status.IN_REVIEW else "all"
    )
    if show == "flagged":
        items = items.flagged()
    elif show == "undecided":
        items = items.undecided()
    if data.get("category"):
        items = items.filter(category=data["category"])
    if data.get("decision"):
        items = items.filter(decision=data["decision"])
    if data.get("q"):
        items = items.filter(Q(account_id__icontains=data["q"]) | Q(name__icontains=data["q"]))
    return items.order_by("category", "account_id", "pk"), form, show


@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    items, filter_form, show = _filtered_items(request, review)
    page = paginate(request, items, per_page=ITEMS_PER_PAGE)
    may_review = policy.can(request.user, policy.Verb.REVIEW, review)
    counts = services.review_counts(review)
    context = {
        "review": review,
        "page_obj": page,
        "filter_form": filter_form,
        "show": show,
        "counts": counts,
        "may_review": may_review,
        "deciding": may_review and review.status == AccessReview.Status.IN_REVIEW,
        "decision_choices": AccessReviewItem.Decision.choices,
        "steps": _steps(review),
        "findings": policy.findings(request.user).filter(access_review=review),
        "occurrence_visible": review.occurrence_id is not None
        and policy.occurrences(request.user).filter(pk=review.occurrence_id).exists(),
        "history": history_for(review),
    }
    return render(request, "systems/review_detail.html", context)


@require_POST
def item_decide(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    review = _review(request, pk, policy.Verb.REVIEW)
    item = get_object_or_404(review.items.select_related("decided_by"), pk=item_pk)
    form = ItemDecisionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.decide_item(
                item=item,
                user=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
            item.refresh_from_db()
    else:
        error = _("Okänt beslut.")
    if request.htmx:
        context = {
            "review": review,
            "item": item,
            "deciding": True,
            "decision_choices": AccessReviewItem.Decision.choices,
            "row_error": error,
            "submitted": request.POST,
        }
        # 200 even with an error: htmx swaps only successful responses, and the row carries
        # the message (role="alert") next to the field.
        return render(request, "systems/review_detail.html#item-row", context)
    if error:
        messages.error(
            request,
            _("Konto %(account)s: %(error)s") % {"account": item.account_id, "error": error},
        )
    else:
        messages.success(
            request, _("Beslutet för %(account)s är sparat.") % {"account": item.account_id}
        )
    return redirect(_back_to_review(request, review))


def _back_to_review(request: HttpRequest, review: AccessReview) -> str:
    back = request.POST.get("next", "")
    base = review.get_absolute_url()
    return back if back.startswith(base + "?") else base


@require_POST
def review_bulk_decide(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk, policy.Verb.REVIEW)
    form = BulkDecisionForm(request.POST)
    if form.is_valid():
        try:
            count = services.decide_items(
                review=review,
                user=request.user,
                item_ids=form.cleaned_data["items"],
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                ngettext(
                    "Beslutet är sparat för %(n)s konto.",
                    "Beslutet är sparat för %(n)s konton.",
                    count,
                )
                % {"n": count},
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(_back_to_review(request, review))


@require_POST
def review_complete(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk, policy.Verb.REVIEW)
    try:
        completion = services.complete_review(review=review, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(review)
    if completion.finding is not None:
        messages.success(
            request,
            ngettext(
                "Granskningen är slutförd. En avvikelse med %(n)s åtgärd är registrerad.",
                "Granskningen är slutförd. En avvikelse med %(n)s åtgärder är registrerad.",
                len(completion.actions),
            )
            % {"n": len(completion.actions)},
        )
    else:
        messages.success(request, _("Granskningen är slutförd utan anmärkning."))
    return redirect("systems:review_report", pk=review.pk)


@require_GET
def review_report(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    counts = services.review_counts(review)
    removed = review.items.filter(decision=AccessReviewItem.Decision.REMOVE).order_by("account_id")
    adjusted = review.items.filter(decision=AccessReviewItem.Decision.ADJUST).order_by("account_id")
    kept = (
        review.items.flagged()
        .filter(decision=AccessReviewItem.Decision.KEEP)
        .order_by("account_id")
    )
    findings = (
        policy.findings(request.user).filter(access_review=review).prefetch_related("actions")
    )
    return render(
        request,
        "systems/review_report.html",
        {
            "review": review,
            "counts": counts,
            "removed": removed,
            "adjusted": adjusted,
            "kept": kept,
            "findings": findings,
            "occurrence_visible": review.occurrence_id is not None
            and policy.occurrences(request.user).filter(pk=review.occurrence_id).exists(),
        },
    )


REPORT_HEADER = [
    "Rad",
    "Konto",
    "Namn",
    "Personnummer",
    "Anställningsnummer",
    "Senaste inloggning",
    "Roll",
    "Enhet",
    "Matchning",
    "Anställning upphörde",
    "Kategori",
    "Flaggad",
    "Anmärkning",
    "Beslut",
    "Motivering",
    "Beslutad av",
    "Beslutad",
]


@require_GET
def review_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    items = review.items.select_related("decided_by").order_by("category", "account_id", "pk")
    rows = (
        [
            item.row_number,
            item.account_id,
            item.name,
            item.person_masked,
            item.employee_number,
            item.last_login,
            item.role,
            item.unit_text,
            item.get_match_display(),
            item.employment_end,
            item.get_category_display(),
            item.is_flagged,
            item.remark,
            item.get_decision_display() if item.decision else "",
            item.decision_reason,
            str(item.decided_by) if item.decided_by_id else "",
            item.decided_at,
        ]
        for item in items.iterator(chunk_size=2000)
    )
    filename = f"behorighetsgranskning-{review.system.name}-{review.review_date}.csv"
    return csv_response(filename, REPORT_HEADER, rows)
