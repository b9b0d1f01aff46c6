"""Fixtures of the report tests: an S004-like plan with results, deviations and actions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from controls.models import ControlOccurrence, ControlPoint
from findings.models import Action, Finding
from organisation.models import OrgUnit
from tests import factories as f


@dataclass
class AnnualCase:
    unit: OrgUnit
    plan: object
    decision: object
    points: list
    secret_finding: Finding
    open_finding: Finding
    actions: list


SECRET_TITLE = "Standardlösenordet Sommar2017 på brandväggen"
SECRET_ACTION = "Byt lösenordet på brandväggen BV-17"
# Free text of the control whose deviation is secret: as secret as the finding itself.
SECRET_DETAIL = "Lösenordet fungerar också på kortskrivaren KS-SKR-01."


@pytest.fixture
def annual(world, coordinator) -> AnnualCase:
    """Socialnämnden's plan 2017 (after S004): four points, one deviation secret."""
    f.OrgUnitFactory(
        municipality=world.municipality,
        parent=world.root,
        kind=OrgUnit.Kind.EXECUTIVE_BOARD,
        name="Kommunstyrelsen",
        short_code="KS",
    )
    adoption = f.DecisionFactory(
        organ=world.sn,
        meeting_date=datetime.date(2016, 12, 14),
        paragraph="112",
        dnr="SN/2016:389",
        title="Internkontrollplan 2017",
    )
    final = f.DecisionFactory(
        organ=world.sn,
        meeting_date=datetime.date(2018, 2, 13),
        paragraph="28",
        dnr="SN/2016:389",
        title="Slutredovisning av internkontroll 2017",
        decision_basis="Missiv 2018-01-30\nUppföljning av internkontrollplan 2017",
        proposal="Socialnämnden godkänner slutredovisningen av internkontrollen 2017.",
        distribution="Kommunstyrelsen\nAkten",
        case_officer="Carina Brofeldt",
        case_officer_contact="Tfn 0142-851 56",
    )
    plan = f.ControlPlanFactory(
        unit=world.sn,
        year=2017,
        status="adopted",
        adoption_decision=adoption,
        final_report_decision=final,
    )
    specs = [
        ("Krishantering", ControlPoint.Scope.MUNICIPALITY_WIDE, 2, 4, [5]),
        ("Inköp", ControlPoint.Scope.MUNICIPALITY_WIDE, 3, 2, [9]),
        ("Process för utgivning av SITHS-kort", ControlPoint.Scope.UNIT_SPECIFIC, 2, 3, [5, 11]),
        ("Säker IT-infrastruktur och system", ControlPoint.Scope.UNIT_SPECIFIC, 4, 4, [6]),
    ]
    points = []
    for number, (title, scope, lik, con, months) in enumerate(specs, start=1):
        points.append(
            f.ControlPointFactory(
                plan=plan,
                number=number,
                title=title,
                scope=scope,
                likelihood=lik,
                consequence=con,
                planned_months=months,
                frequency=ControlPoint.Frequency.GIVEN_MONTHS,
                method="Stickprov i ärendesystemet",
                sample="10 ärenden",
            )
        )
    done = ControlOccurrence.Status.DONE
    for point in points[:3]:
        for month in point.planned_months:
            f.ControlOccurrenceFactory(
                control_point=point,
                due_date=datetime.date(2017, month, 28),
                period_label=datetime.date(2017, month, 1).strftime("%B").capitalize(),
                status=done,
                performed_date=datetime.date(2017, month, 25),
                outcome=ControlOccurrence.Outcome.NO_REMARKS,
                checked_what="Kontrollen visade att rutinen följs.",
            )
    krisplan = ControlOccurrence.objects.get(control_point=points[0])
    krisplan.outcome = ControlOccurrence.Outcome.MINOR_DEVIATION
    krisplan.save()
    security = f.ControlOccurrenceFactory(
        control_point=points[3],
        due_date=datetime.date(2017, 6, 30),
        period_label="Juni",
        status=done,
        performed_date=datetime.date(2017, 6, 20),
        outcome=ControlOccurrence.Outcome.MAJOR_DEVIATION,
        checked_what="PwC:s tekniska säkerhetsgranskning.",
        comment=SECRET_DETAIL,
    )
    open_finding = f.FindingFactory(
        unit=world.sn,
        title="Krisplanen behöver revideras",
        source=Finding.Source.CONTROL,
        occurrence=krisplan,
        status=Finding.Status.IN_PROGRESS,
        created_by=coordinator,
    )
    secret_finding = f.FindingFactory(
        unit=world.sn,
        title=SECRET_TITLE,
        description="Gissningsbart lösenord på en extern tjänst.",
        source=Finding.Source.CONTROL,
        occurrence=security,
        is_secret=True,
        severity="high",
        created_by=coordinator,
    )
    a1 = f.ActionFactory(
        unit=world.sn,
        title="Revidera krisplanen",
        status=Action.Status.DONE,
        completed_date=datetime.date(2017, 10, 1),
        deadline=datetime.date(2017, 10, 31),
        findings=[open_finding],
    )
    a2 = f.ActionFactory(
        unit=world.sn,
        title="Genomföra en krisövning",
        status=Action.Status.IN_PROGRESS,
        deadline=datetime.date(2018, 6, 30),
        findings=[open_finding],
    )
    a3 = f.ActionFactory(
        unit=world.sn,
        title=SECRET_ACTION,
        status=Action.Status.NOT_STARTED,
        deadline=datetime.date(2017, 12, 31),
        findings=[secret_finding],
    )
    return AnnualCase(world.sn, plan, final, points, secret_finding, open_finding, [a1, a2, a3])


SECRET_OBSERVATION = "Brandväggen släpper igenom RDP från internet"


@dataclass
class AuditCase:
    original: object
    follow_up_2016: object
    follow_up_2017: object
    recommendations: list
    actions: list


@pytest.fixture
def audit_chain(world, annual) -> AuditCase:
    """S001: IT security audited 2014, followed up 2016 and 2017; KS and SN answer."""
    from audits.models import Assessment, RecommendationAssessment, ResponseItem

    ks = OrgUnit.objects.get(municipality=world.municipality, short_code="KS")
    original = f.AuditFactory(
        municipality=world.municipality,
        title="Granskning av IT-säkerhet",
        kind="in_depth",
        report_date=datetime.date(2014, 10, 1),
        dnr="KS/2014:77",
        addressed_units=[ks, world.sn],
    )
    fu16 = f.AuditFactory(
        municipality=world.municipality,
        title="Uppföljande granskning av IT-säkerhet",
        kind="follow_up",
        report_date=datetime.date(2016, 9, 1),
        follows_up=original,
        addressed_units=[ks, world.sn],
    )
    fu17 = f.AuditFactory(
        municipality=world.municipality,
        title="Uppföljande granskning av IT-säkerhet 2017",
        kind="follow_up",
        report_date=datetime.date(2017, 9, 15),
        dnr="KS/2017:311",
        follows_up=fu16,
        summary="Arbeten för att säkra system enligt ISO/IEC 27000 pågår.",
        addressed_units=[ks, world.sn],
    )
    f.ObservationFactory(
        audit=fu17,
        number=1,
        area="Organisering, rutiner, anvisningar",
        text="Ny IT-organisation beslutades i september 2016.",
    )
    f.ObservationFactory(
        audit=fu17, number=2, area="Brandvägg", text=SECRET_OBSERVATION, is_secret=True
    )
    rec1 = f.RecommendationFactory(
        audit=original,
        number=1,
        addressee=ks,
        text="Kommunstyrelsen bör ta fram en analys av nuläget utifrån MSBFS 2016:1.",
    )
    rec2 = f.RecommendationFactory(
        audit=original,
        number=2,
        addressee=world.sn,
        text="Socialnämnden bör säkerställa att behörigheter gås igenom årligen.",
    )
    RecommendationAssessment.objects.create(
        follow_up=fu16, recommendation=rec1, assessment=Assessment.NOT_REMEDIED
    )
    RecommendationAssessment.objects.create(
        follow_up=fu17,
        recommendation=rec1,
        assessment=Assessment.PARTLY_REMEDIED,
        comment="Arbetet pågår enligt ISO-standarden.",
    )
    RecommendationAssessment.objects.create(
        follow_up=fu17, recommendation=rec2, assessment=Assessment.REMEDIED
    )
    response = f.BoardResponseFactory(audit=original, unit=world.sn, status="draft")
    item = ResponseItem.objects.create(
        response=response,
        number=1,
        recommendation=rec2,
        text="Systemförvaltare utarbetar riktlinjer för behörigheter i Procapita.",
    )
    act = f.ActionFactory(
        unit=world.sn,
        title="Riktlinjer för behörigheter i Procapita",
        status=Action.Status.DONE,
        deadline=datetime.date(2019, 12, 31),
        deadline_precision="year",
    )
    item.actions.add(act)
    act2 = f.ActionFactory(
        unit=ks,
        title="Nulägesanalys enligt MSBFS",
        deadline=datetime.date(2019, 3, 31),
        deadline_precision="quarter",
    )
    act2.recommendations.add(rec1)
    return AuditCase(original, fu16, fu17, [rec1, rec2], [act, act2])


@pytest.fixture
def systems_case(world):
    from systems.models import SystemRole

    ks = OrgUnit.objects.filter(municipality=world.municipality, short_code="KS").first()
    owner_unit = ks or world.root
    procapita = f.SystemFactory(
        owning_unit=world.sn,
        name="Procapita",
        vendor="Tieto",
        is_prioritised=True,
        has_personal_data=True,
        dpa_reference="PUB-2018-04",
        dpa_date=datetime.date(2018, 5, 25),
    )
    f.SystemRoleFactory(
        system=procapita, kind=SystemRole.Kind.OWNER, user=None, name="Förvaltningschef SOC"
    )
    f.SystemRoleFactory(system=procapita, kind=SystemRole.Kind.MANAGER)
    f.ClassificationFactory(
        system=procapita,
        confidentiality=3,
        integrity=2,
        availability=2,
        traceability=3,
        classified_on=datetime.date(2025, 3, 1),
    )
    geosecma = f.SystemFactory(
        owning_unit=owner_unit, name="Geosecma", vendor="Sokigo", has_personal_data=True
    )
    return procapita, geosecma
