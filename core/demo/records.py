"""Helpers that write findings, actions and their progress log in one consistent shape.

Findings are keyed on (municipality, reference), actions on (municipality, title) and progress
entries on (action, comment). Each helper states every field, so a re-run puts a changed demo row
back to what the seeds say.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from core.demo.base import DemoContext, at, set_m2m, upsert
from findings.models import (
    Action,
    ActionProgress,
    DeadlinePrecision,
    Finding,
    Severity,
    end_of_period,
)
from organisation.models import OrgUnit, User

FS = Finding.Status
AS = Action.Status
P = DeadlinePrecision


def finding(
    ctx: DemoContext,
    reference: str,
    *,
    title: str,
    unit: OrgUnit,
    source: str,
    identified: datetime.date,
    description: str = "",
    severity: str = Severity.MEDIUM,
    status: str = FS.OPEN,
    is_secret: bool = False,
    audit=None,
    observation=None,
    occurrence=None,
    access_review=None,
    systems: Iterable = (),
    closed_on: datetime.date | None = None,
    note: str = "",
) -> Finding:
    """``closed_on`` and ``note`` date and explain a verification or a risk acceptance, both by
    the coordinator (the only role that may close a finding)."""
    coordinator = ctx.users.get("samordnare")
    verified = status == FS.VERIFIED
    accepted = status == FS.RISK_ACCEPTED
    row = upsert(
        ctx,
        Finding,
        municipality=ctx.municipality,
        reference=reference,
        defaults={
            "title": title,
            "description": description,
            "unit": unit,
            "source": source,
            "audit": audit,
            "observation": observation,
            "occurrence": occurrence,
            "access_review": access_review,
            "severity": severity,
            "is_secret": is_secret,
            "identified_date": identified,
            "status": status,
            "status_changed_at": at(closed_on) if closed_on else None,
            "verified_by": coordinator if verified else None,
            "verified_at": at(closed_on) if verified and closed_on else None,
            "verification_note": note if verified else "",
            "risk_acceptance_motivation": note if accepted else "",
            "risk_accepted_by": coordinator if accepted else None,
            "risk_accepted_at": at(closed_on) if accepted and closed_on else None,
            "created_by": coordinator,
        },
    )
    set_m2m(ctx, row, "systems", systems)
    return row


def action(
    ctx: DemoContext,
    title: str,
    *,
    unit: OrgUnit,
    owner: User | None = None,
    owner_description: str = "",
    deadline: datetime.date | None = None,
    precision: str = P.DAY,
    status: str = AS.NOT_STARTED,
    completed: datetime.date | None = None,
    description: str = "",
    findings: Iterable[Finding] = (),
    recommendations: Iterable = (),
    cancel_reason: str = "",
    carried_over_from: Action | None = None,
) -> Action:
    """``deadline`` may be any day of the period: it is stored as the period's last day, the
    way "Q1 2019" or "färdigställs 2019" are read."""
    row = upsert(
        ctx,
        Action,
        municipality=ctx.municipality,
        title=title,
        defaults={
            "unit": unit,
            "description": description,
            "owner": owner,
            "owner_description": owner_description,
            "deadline": end_of_period(deadline, precision) if deadline else None,
            "deadline_precision": precision,
            "status": status,
            "completed_date": completed if status == AS.DONE else None,
            "cancel_reason": cancel_reason,
            "carried_over_from": carried_over_from,
            "created_by": ctx.users.get("samordnare"),
        },
    )
    set_m2m(ctx, row, "findings", findings)
    set_m2m(ctx, row, "recommendations", recommendations)
    return row


def progress(
    ctx: DemoContext,
    row: Action,
    day: datetime.date,
    comment: str,
    *,
    author: User,
    status_after: str = "",
) -> ActionProgress:
    return upsert(
        ctx,
        ActionProgress,
        action=row,
        comment=comment,
        defaults={"date": day, "status_after": status_after, "author": author},
    )
