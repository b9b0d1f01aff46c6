"""Archived board documents of the demo, so that a board member's start page has reports to read.

The 2017 annual follow-up of Kommunstyrelsens förvaltning, marked as the version sent to KS at
§ 28 (Dnr KS/2016:389, as in S004), and the board version of the 2017 IT-security follow-up
audit for KS. They are rendered through the reports app's own service, synchronously, once: a
series that already has a version is left as it is (reports are immutable archive records).
"""

from __future__ import annotations

from core.demo.base import DemoContext
from reports import services
from reports.models import Report


def _archived(ctx: DemoContext, **order) -> Report:
    user = ctx.users["samordnare"]
    spec_unit = order["unit"]
    existing = (
        Report.objects.filter(
            municipality=ctx.municipality,
            kind=order["kind"],
            audience=Report.Audience.BOARD,
            unit=spec_unit,
            year=order.get("year"),
            audit=order.get("audit"),
        )
        .order_by("-version")
        .first()
    )
    if existing is not None:
        return existing
    report = services.order_report(user=user, audience=Report.Audience.BOARD, **order)
    # With a broker the worker may be quicker; generation is idempotent either way.
    services.generate_report(report_id=report.pk)
    ctx.stats.created += 1
    report.refresh_from_db()
    return report


def load(ctx: DemoContext) -> None:
    annual = _archived(
        ctx,
        kind=Report.Kind.ANNUAL_FOLLOW_UP,
        unit=ctx.units["KSF"],
        year=2017,
        decision=ctx.decisions["ks-28"],
    )
    if annual.status == Report.Status.DONE and not annual.is_sent_to_board:
        services.mark_sent_to_board(
            user=ctx.users["samordnare"], report=annual, decision=ctx.decisions["ks-28"]
        )
    _archived(
        ctx,
        kind=Report.Kind.AUDIT_FOLLOW_UP,
        unit=ctx.units["KS"],
        audit=ctx.audits["it-2017"],
    )
