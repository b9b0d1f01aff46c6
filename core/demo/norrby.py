"""Norrby kommun: a second, small municipality that proves the isolation.

A root, KS and one nämnd; this year's plan with two control points (one overdue and one due-soon
occurrence, one done with a deviation); one finding with its action. Its only user,
``kontrollant2``, controls there and owns the control points; nothing of Åsby is visible to them.
"""

from __future__ import annotations

import datetime

from controls.models import ControlOccurrence, ControlPlan, ControlPoint
from core.demo.base import DemoContext, upsert
from core.demo.controls import decision, occurrence, plan, point
from core.demo.organisation import (
    Passwords,
    Person,
    load_people,
    load_roles,
    load_scales,
    load_units,
)
from core.demo.records import AS, FS, action, finding
from findings.models import Finding, Severity
from organisation.models import Municipality, OrgUnit, Role

K = OrgUnit.Kind
UNITS = [
    ("KF", "Kommunfullmäktige", K.COUNCIL, None, None),
    ("KS", "Kommunstyrelsen", K.EXECUTIVE_BOARD, "KF", None),
    ("ON", "Omsorgsnämnden", K.COMMITTEE, "KF", None),
]
PEOPLE = [Person("kontrollant2", "Karin", "Lundgren", "Controller, kommunstyrelsen")]
ROLES = [("kontrollant2", "KS", Role.CONTROLLER)]


def load(ctx: DemoContext, passwords: Passwords) -> None:
    ctx.municipality = upsert(
        ctx,
        Municipality,
        slug="norrby",
        defaults={"name": "Norrby kommun", "org_number": "", "email_domain": "norrby.example.se"},
    )
    load_scales(ctx)
    ctx.users = load_people(ctx, PEOPLE, passwords, "norrby.example.se")
    ctx.units = load_units(ctx, UNITS)
    load_roles(ctx, ROLES)

    year = ctx.today.year
    adopted = decision(
        ctx, "norrby-plan", "KS", datetime.date(year - 1, 12, 14), "140",
        dnr=f"KS {year - 1}/212",
        title=f"Internkontrollplan {year} för kommunstyrelsen",
        proposal=f"Kommunstyrelsen fastställer internkontrollplan {year}.",
    )  # fmt: skip
    ks_plan = plan(
        ctx, "KS", year, title=f"Internkontrollplan {year}, kommunstyrelsen",
        status=ControlPlan.Status.ADOPTED, adoption_decision=adopted,
    )  # fmt: skip
    controller = ctx.users["kontrollant2"]
    access = point(
        ctx, ks_plan, 1,
        title="Behörigheter i omsorgens verksamhetssystem", process="Behörighetshantering",
        risk_description="Konton för personer som slutat ligger kvar.",
        likelihood=3, consequence=4, owner=controller,
        control_activity="Kontona jämförs med aktuella anställningar.",
        frequency=ControlPoint.Frequency.HALF_YEARLY,
    )  # fmt: skip
    payments = point(
        ctx, ks_plan, 2,
        title="Attestordning vid utbetalningar", process="Ekonomi",
        risk_description="Utbetalningar attesteras av någon utan attesträtt.",
        likelihood=2, consequence=3, owner=controller,
        control_activity="Stickprov på utbetalningar mot attestförteckningen.",
        sample="20 utbetalningar",
    )  # fmt: skip
    occurrence(ctx, access, "Omgång 1", ctx.days(-8))
    occurrence(ctx, access, "Omgång 2", ctx.days(9))
    done = occurrence(
        ctx, payments, "Omgång 1", ctx.days(-40),
        outcome=ControlOccurrence.Outcome.MINOR_DEVIATION,
        checked_what="Stickprov på 20 utbetalningar.",
        comment="Två utbetalningar attesterade av vikarie utan attesträtt.",
    )  # fmt: skip
    deviation = finding(
        ctx, f"IK {year}:1",
        title="Attest utan attesträtt",
        unit=ctx.units["KS"], source=Finding.Source.CONTROL, occurrence=done,
        identified=ctx.days(-40), severity=Severity.MEDIUM, status=FS.IN_PROGRESS,
    )  # fmt: skip
    action(
        ctx, "Uppdatera attestförteckningen och informera vikarier om attesträtt",
        unit=ctx.units["KS"], owner=controller, deadline=ctx.days(20),
        status=AS.IN_PROGRESS, findings=[deviation],
    )  # fmt: skip
