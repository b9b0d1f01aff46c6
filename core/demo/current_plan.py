"""This year's plan of kommunstyrelsens förvaltning, dated from the day the demo is loaded.

Each occurrence has an offset in days from ``ctx.today`` (negative = already due): for the
controller some are overdue (due 12 and 35 days ago), some due within days (in 6 and 10 days),
some later, and some done, one of them with a deviation that led to a finding and an action.
The access-review point's next occurrence (in 4 days) is the one the map system's review belongs
to. The planned months of each point are the months its occurrences fall in.

Occurrences are keyed on (control point, period label) and the labels ("Omgång 1", …) do not
depend on the date, so a re-run on a later day finds the same rows and moves their due dates
with today (results recorded in the demo are put back to the seeded state). The plan is keyed on
(unit, year): a run in a new calendar year adds that year's plan and leaves last year's as it was.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from controls.models import ControlOccurrence, ControlPlan, ControlPoint
from core.demo.base import DemoContext
from core.demo.controls import decision, occurrence, plan, point
from core.demo.records import AS, FS, action, finding, progress
from findings.models import Finding, Severity

F = ControlPoint.Frequency
S = ControlPoint.Scope
OUT = ControlOccurrence.Outcome


@dataclass(frozen=True)
class Live:
    """An occurrence of the current plan: ``offset`` days from today; done if ``outcome``."""

    label: str
    offset: int
    outcome: str = ""
    comment: str = ""


def _live_months(ctx: DemoContext, lives: list[Live]) -> list[int]:
    return sorted({ctx.days(live.offset).month for live in lives})


def load(ctx: DemoContext) -> ControlOccurrence:
    """Returns the access-review occurrence that the map system's review belongs to."""
    year = ctx.today.year
    adopted = decision(
        ctx, "ks-current-plan", "KS", datetime.date(year - 1, 12, 9), "221",
        dnr=f"KS/{year - 1}:431",
        title=f"Internkontrollplan {year} för kommunstyrelsens förvaltning",
        proposal=f"Kommunstyrelsen fastställer internkontrollplan {year} för kommunstyrelsens "
        "förvaltning.",
        case_officer="Helena Nordin", case_officer_contact="Tfn 0142-850 21",
    )  # fmt: skip
    ksf = plan(
        ctx, "KSF", year,
        title=f"Internkontrollplan {year}, kommunstyrelsens förvaltning",
        status=ControlPlan.Status.ADOPTED, adoption_decision=adopted,
        risk_analysis="Risk- och väsentlighetsanalysen gjordes av förvaltningens ledningsgrupp "
        "under hösten med stöd av informationssäkerhetssamordnaren.",
    )  # fmt: skip
    controller = ctx.users["kontrollant"]
    reports_to = "Kommunstyrelsen"

    # (number, point fields, occurrences). Offsets in days from today: negative is past.
    specs: list[tuple[int, dict[str, Any], list[Live]]] = [
        (1, {
            "title": "Mobilabonnemang och bredband", "process": "Telefoni och abonnemang",
            "risk_description": "Abonnemang betalas för personer som slutat eller bytt tjänst.",
            "likelihood": 3, "consequence": 1, "owner": controller,
            "control_activity": "Cheferna bekräftar abonnemangslistorna från operatören.",
            "sample": "Samtliga abonnemang",
        }, [
            Live("Omgång 1", -75, OUT.NO_REMARKS, "Inga felaktiga abonnemang."),
            Live("Omgång 2", -12),
            Live("Omgång 3", 95),
        ]),
        (2, {
            "title": "Distansarbetsplatser/VPN", "process": "Distansarbete",
            "risk_description": "VPN-behörighet ligger kvar för personer som slutat.",
            "likelihood": 2, "consequence": 3, "owner": controller,
            "control_activity": "VPN-konton jämförs med aktuella anställningar i Heroma.",
            "sample": "Samtliga VPN-konton",
        }, [
            Live("Omgång 1", -30, OUT.MINOR_DEVIATION,
                 "Fyra VPN-konton tillhörde personer som slutat under året."),
            Live("Omgång 2", 6),
        ]),
        (3, {
            "title": "Process för utgivning av SITHS-kort", "process": "Utgivning av SITHS-kort",
            "risk_description": "SITHS-kort lämnas ut till personer som inte uppfyller kraven.",
            "likelihood": 2, "consequence": 4, "owner": controller,
            "control_activity": "Stickprov på utfärdade kort mot rutinen.",
            "sample": "Fem utfärdade kort per omgång",
        }, [Live("Omgång 1", -35), Live("Omgång 2", 45)]),
        (4, {
            "title": "Inköp – avtalstrohet (kommungemensamt)", "process": "Inköp och upphandling",
            "risk_description": "Inköp görs utanför upphandlade ramavtal.",
            "likelihood": 3, "consequence": 2, "owner": controller, "scope": S.MUNICIPALITY_WIDE,
            "control_activity": "Förvaltningens inköp jämförs med ramavtalen.",
            "sample": "Ramavtal för kontorsmaterial och IT-tillbehör",
        }, [
            Live("Omgång 1", -20, OUT.NO_REMARKS, "God avtalstrohet."),
            Live("Omgång 2", 10),
        ]),
        (5, {
            "title": "Behörighetskontroll i de prioriterade systemen",
            "process": "Behörighetshantering",
            "risk_description": "Konton för personer som slutat, okända konton och testkonton "
            "ligger kvar → obehörig åtkomst till personuppgifter.",
            "likelihood": 3, "consequence": 4, "owner": ctx.users["systemforvaltare"],
            "owner_description": "Systemförvaltare per system", "is_access_review": True,
            "control_activity": "Kontoexport matchas mot Heroma; systemförvaltaren bekräftar "
            "test- och externa konton.",
            "sample": "100 % av kontona",
        }, [
            Live("Omgång 1", -150, OUT.NO_REMARKS,
                 "Procapita och Visma stämda mot Heroma; inga avvikelser."),
            Live("Omgång 2", 4),
        ]),
        (6, {
            "title": "Krishantering – övning (kommungemensamt)", "process": "Krisberedskap",
            "risk_description": "Krisgruppen vet inte hur den aktiveras.",
            "likelihood": 2, "consequence": 4, "scope": S.MUNICIPALITY_WIDE,
            "owner_description": "Säkerhetssamordnaren",
            "control_activity": "Övning med krisgruppen enligt krisplanen.",
        }, [Live("Omgång 1", 30)]),
    ]  # fmt: skip

    found: dict[tuple[int, str], ControlOccurrence] = {}
    for number, fields, lives in specs:
        systems = (
            ("Geosecma", "Procapita", "Visma ekonomisystem (tidigare Aditro)")
            if fields.get("is_access_review")
            else ()
        )
        row = point(
            ctx, ksf, number,
            frequency=F.GIVEN_MONTHS, planned_months=_live_months(ctx, lives),
            reports_to=reports_to, systems=systems, **fields,
        )  # fmt: skip
        for live in lives:
            found[number, live.label] = occurrence(
                ctx, row, live.label, ctx.days(live.offset),
                outcome=live.outcome, comment=live.comment,
                checked_what=row.control_activity if live.outcome else "",
            )  # fmt: skip

    # The deviation in the VPN check: a finding with an action due within days.
    vpn = finding(
        ctx, f"IK {year}:1",
        title="VPN-konton kvar för personer som slutat",
        description="Fyra VPN-konton tillhörde personer som slutat under året; cheferna hade "
        "inte anmält avslutad anställning.",
        unit=ctx.units["CIT"], source=Finding.Source.CONTROL,
        occurrence=found[2, "Omgång 1"], identified=ctx.days(-30),
        severity=Severity.MEDIUM, status=FS.IN_PROGRESS,
    )  # fmt: skip
    owner = ctx.users["atgardsagare"]
    close_vpn = action(
        ctx, "Stänga VPN-konton för avslutade anställningar och stämma av VPN mot Heroma varje månad",
        unit=ctx.units["CIT"], owner=owner, deadline=ctx.days(5),
        status=AS.IN_PROGRESS, findings=[vpn],
    )  # fmt: skip
    progress(
        ctx, close_vpn, ctx.days(-28), "De fyra kontona är stängda.", author=owner,
        status_after=AS.IN_PROGRESS,
    )  # fmt: skip
    progress(
        ctx, close_vpn, ctx.days(-7), "Månadsvis avstämning mot Heroma är beställd av "
        "integrationsleverantören; test pågår.", author=owner,
    )  # fmt: skip
    return found[5, "Omgång 2"]
