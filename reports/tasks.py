"""Background work of the reports app: rendering a PDF never happens inside a request."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reports.generate_report", acks_late=True, ignore_result=True)
def generate_report(report_id: int) -> None:
    """Generate and archive a report. Idempotent: a done report is left as it is."""
    from reports import services

    services.generate_report(report_id=report_id)
