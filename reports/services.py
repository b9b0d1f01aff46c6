"""Ordering, generating and archiving reports; marking the version sent to the board.

Life of a report: ``order_report`` creates it *pending* (the next version of its series) and
queues ``reports.tasks.generate_report`` once the transaction commits; the task calls
``generate_report`` here, which moves it *running* → *done* (file, SHA-256, size, pages, data
as of) or *failed* (with the error). A done report is an immutable archived record — a database
trigger refuses changes to its content — and only the marking as sent to the board changes
later. A new version is a new row.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import Audit
from organisation import policy
from organisation.models import Decision, OrgUnit, User
from reports import documents, rendering
from reports.documents import Spec
from reports.models import Report

logger = logging.getLogger(__name__)

#: How often ``order_report`` retries when a concurrent order took the same version number.
VERSION_ATTEMPTS = 5


def _enqueue(report_id: int) -> None:
    from reports.tasks import generate_report as task

    transaction.on_commit(lambda: task.delay(report_id))


def order_report(
    *,
    user: User,
    kind: str,
    unit: OrgUnit,
    audience: str,
    year: int | None = None,
    audit: Audit | None = None,
    decision: Decision | None = None,
) -> Report:
    """Create the next version of a report, pending, and queue its generation."""
    if kind not in Report.Kind.values or audience not in Report.Audience.values:
        raise ValidationError(_("Okänd rapporttyp eller version."))
    if not policy.may_order_report(user, unit, audience):
        raise PermissionDenied
    spec = Spec(kind=kind, unit=unit, audience=audience, year=year, audit=audit, decision=decision)
    documents.validate(spec)
    return _create_version(user=user, spec=spec)


def _highest_version(series_key: str) -> int | None:
    return Report.objects.filter(series_key=series_key).aggregate(v=Max("version"))["v"]


def _create_version(*, user: User, spec: Spec) -> Report:
    """Insert the next version of the series. Two concurrent orders may both read the same
    highest version; the unique constraint lets only one insert win, and the other retries
    inside a savepoint with a fresh number."""
    key = spec.series_key
    for attempt in range(VERSION_ATTEMPTS):
        try:
            with transaction.atomic():
                current = _highest_version(key)
                report = Report(
                    municipality_id=spec.unit.municipality_id,
                    kind=spec.kind,
                    audience=spec.audience,
                    unit=spec.unit,
                    year=spec.year,
                    audit=spec.audit,
                    parameters=spec.parameters(),
                    series_key=key,
                    version=(current or 0) + 1,
                    title=documents.title_for(spec),
                    requested_by=user,
                )
                # Uniqueness of (series, version) is left to the database: see below.
                report.full_clean(validate_unique=False, validate_constraints=False)
                report.save()
        except IntegrityError:
            if attempt == VERSION_ATTEMPTS - 1:
                raise
            continue
        _enqueue(report.pk)
        return report
    raise AssertionError("unreachable")  # pragma: no cover


def regenerate_report(*, user: User, report: Report) -> Report:
    """A new version with the same parameters, from today's data."""
    if not policy.can(user, policy.Verb.CHANGE, report) or not policy.may_order_report(
        user, report.unit, report.audience
    ):
        raise PermissionDenied
    spec = documents.spec_for(report)
    documents.validate(spec)
    return _create_version(user=user, spec=spec)


@transaction.atomic
def retry_report(*, user: User, report: Report) -> Report:
    """failed → pending: try the same version again (nothing was archived)."""
    if not policy.can(user, policy.Verb.CHANGE, report):
        raise PermissionDenied
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != Report.Status.FAILED:
        raise ValidationError(_("Endast en rapport som misslyckats kan försökas igen."))
    report.status = Report.Status.PENDING
    report.error = ""
    report.full_clean()
    report.save(update_fields=["status", "error"])
    _enqueue(report.pk)
    return report


# --------------------------------------------------------------------------------------------
# Generation (the Celery task's body)
# --------------------------------------------------------------------------------------------


def _start(report_id: int) -> Report | None:
    """pending/failed/running → running. A done report is left alone (the task is idempotent;
    a running one is taken over, as after a worker that died mid-way)."""
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status == Report.Status.DONE:
            return None
        report.status = Report.Status.RUNNING
        report.error = ""
        report.save(update_fields=["status", "error"])
        return report


def _collect_html(report: Report) -> tuple[str, object]:
    """Read all data in one consistent snapshot and render the document's HTML."""
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:  # (inside an outer transaction, e.g. a test, its snapshot rules)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        as_of = timezone.now()
        spec = documents.spec_for(report)
        document = documents.build(
            spec, as_of=as_of, requested_by=report.requested_by, version=report.version
        )
        return rendering.render_html(document), as_of


def generate_report(*, report_id: int) -> Report | None:
    """Collect, render and archive the report. Returns it, or None when there was nothing to
    do (already done, or gone)."""
    report = _start(report_id)
    if report is None:
        return None
    try:
        html, as_of = _collect_html(report)
        pdf = rendering.html_to_pdf(html)
    except Exception as exc:
        logger.exception("Report %s failed", report_id)
        _fail(report_id, exc)
        return Report.objects.get(pk=report_id)
    return _complete(report_id, pdf=pdf, as_of=as_of)


def _fail(report_id: int, exc: Exception) -> None:
    message = exc.messages[0] if isinstance(exc, ValidationError) else _("Tekniskt fel")
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status == Report.Status.DONE:
            return
        report.status = Report.Status.FAILED
        report.error = f"{message} ({type(exc).__name__})"
        report.save(update_fields=["status", "error"])


@transaction.atomic
def _complete(report_id: int, *, pdf: rendering.RenderedPdf, as_of) -> Report:
    """running → done: store the file privately with its hash; from now on it is frozen."""
    report = Report.objects.select_for_update().get(pk=report_id)
    if report.status == Report.Status.DONE:  # a concurrent run finished first
        return report
    report.file.save(
        f"{report.series_key}-v{report.version}.pdf", ContentFile(pdf.content), save=False
    )
    report.sha256 = hashlib.sha256(pdf.content).hexdigest()
    report.size = len(pdf.content)
    report.page_count = pdf.page_count
    report.pdf_variant = pdf.variant
    report.data_as_of = as_of
    report.generated_at = timezone.now()
    report.status = Report.Status.DONE
    report.full_clean()
    report.save()
    return report


# --------------------------------------------------------------------------------------------
# Sent to the board
# --------------------------------------------------------------------------------------------


@transaction.atomic
def mark_sent_to_board(*, user: User, report: Report, decision: Decision | None) -> Report:
    """Mark this version as the one sent to the board (one per series), with the decision."""
    if not policy.can(user, policy.Verb.CHANGE, report):
        raise PermissionDenied
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != Report.Status.DONE:
        raise ValidationError(_("Endast en färdig rapport kan markeras som skickad."))
    if report.audience != Report.Audience.BOARD:
        raise ValidationError(
            _(
                "Endast nämndversionen kan skickas till nämnden; den interna versionen innehåller "
                "sekretessbelagda uppgifter."
            )
        )
    if decision is not None and decision.municipality_id != report.municipality_id:
        raise ValidationError(_("Beslutet hör till en annan kommun."))
    previous = (
        Report.objects.select_for_update()
        .filter(series_key=report.series_key, is_sent_to_board=True)
        .exclude(pk=report.pk)
    )
    for other in previous:
        other.is_sent_to_board = False
        other.decision = None
        other.save(update_fields=["is_sent_to_board", "decision"])
    report.is_sent_to_board = True
    report.decision = decision
    report.sent_to_board_at = timezone.now()
    report.sent_to_board_by = user
    report.full_clean()
    report.save(
        update_fields=["is_sent_to_board", "decision", "sent_to_board_at", "sent_to_board_by"]
    )
    return report


@transaction.atomic
def unmark_sent_to_board(*, user: User, report: Report) -> Report:
    if not policy.can(user, policy.Verb.CHANGE, report):
        raise PermissionDenied
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not report.is_sent_to_board:
        raise ValidationError(_("Rapporten är inte markerad som skickad till nämnden."))
    report.is_sent_to_board = False
    report.decision = None
    report.sent_to_board_at = None
    report.sent_to_board_by = None
    report.save(
        update_fields=["is_sent_to_board", "decision", "sent_to_board_at", "sent_to_board_by"]
    )
    return report
