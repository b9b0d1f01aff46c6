"""Internal-control plans of kommunstyrelsens förvaltning in 2017 (S004) and 2019 (S000), and the
helpers every plan of the demo is written with (also used by :mod:`core.demo.current_plan`).

2017 is S004: two kommungemensamma points (Krishantering, Inköp, set by KS for every unit in a
plan of its own, inherited by the förvaltning) and two of the förvaltning's own (SITHS-kort at
the end of May and in November, Säker IT-infrastruktur with PwC's review), final-reported at
KS § 28 in February 2018. The crisis plan needed revising: a deviation, a finding and actions,
the exercise carried over into 2018. 2019 is S000: Centrala IT's controls of mobile
subscriptions and broadband (February, May, November), VPN (May), access rights (June) and the
ten prioritised systems (December), with the results S000 reports.
"""

from __future__ import annotations

import datetime
from typing import Any

from controls.models import ControlOccurrence, ControlPlan, ControlPoint
from core.demo.base import DemoContext, at, set_m2m, upsert
from core.demo.records import AS, FS, P, action, finding
from findings.models import Finding, Severity
from organisation.models import Decision, User

F = ControlPoint.Frequency
S = ControlPoint.Scope
OUT = ControlOccurrence.Outcome


def decision(
    ctx: DemoContext, key: str, organ: str, day: datetime.date, paragraph: str, **fields: Any
) -> Decision:
    """A minute item, keyed on (organ, meeting date, §)."""
    fields.setdefault("decision_text", fields.get("proposal", ""))
    fields.setdefault("distribution", "Kommunstyrelsen\nAkten")
    row = upsert(
        ctx,
        Decision,
        municipality=ctx.municipality,
        organ=ctx.units[organ],
        meeting_date=day,
        paragraph=paragraph,
        defaults=fields,
    )
    ctx.decisions[key] = row
    return row


def plan(ctx: DemoContext, unit: str, year: int, **fields: Any) -> ControlPlan:
    fields.setdefault("created_by", ctx.users.get("samordnare"))
    return upsert(
        ctx,
        ControlPlan,
        unit=ctx.units[unit],
        year=year,
        defaults={"municipality": ctx.municipality, **fields},
    )


def point(
    ctx: DemoContext,
    plan_: ControlPlan,
    number: int,
    *,
    systems: tuple[str, ...] = (),
    **fields: Any,
) -> ControlPoint:
    defaults = {
        "process": "",
        "risk_description": "",
        "control_activity": "",
        "method": "",
        "sample": "",
        "frequency": F.YEARLY,
        "planned_months": [],
        "owner": None,
        "owner_description": "",
        "reports_to": "",
        "scope": S.UNIT_SPECIFIC,
        "inherited_from": None,
        "copied_from": None,
        "is_access_review": False,
        **fields,
    }
    row = upsert(ctx, ControlPoint, plan=plan_, number=number, defaults=defaults)
    set_m2m(ctx, row, "systems", [ctx.systems[name] for name in systems])
    return row


def occurrence(
    ctx: DemoContext,
    point_: ControlPoint,
    label: str,
    due: datetime.date,
    *,
    outcome: str = "",
    performed: datetime.date | None = None,
    by: User | None = None,
    checked_what: str = "",
    sample: str = "",
    comment: str = "",
) -> ControlOccurrence:
    """Planned when no outcome is given; otherwise done on ``performed`` (default: due date)."""
    done = bool(outcome)
    performed = (performed or due) if done else None
    return upsert(
        ctx,
        ControlOccurrence,
        control_point=point_,
        period_label=label,
        defaults={
            "due_date": due,
            "status": ControlOccurrence.Status.DONE if done else ControlOccurrence.Status.PLANNED,
            "performed_date": performed,
            "performed_by": (by or point_.owner) if done else None,
            "checked_what": checked_what,
            "sample": sample,
            "outcome": outcome,
            "comment": comment,
            "not_done_reason": "",
            "recorded_at": at(performed, 15) if performed else None,
        },
    )


# --------------------------------------------------------------------------------------------
# 2017: S004
# --------------------------------------------------------------------------------------------

KS28_BASIS = (
    "Missiv 2018-01-30\n"
    "Uppföljning av internkontrollplan 2017 för kommunstyrelsens förvaltning\n"
    "Summering/svar avseende IT-säkerhet"
)
KS28_PROPOSAL = (
    "Kommunstyrelsen godkänner slutredovisningen av internkontrollen 2017, "
    "kommunstyrelseförvaltningen."
)
KSF_2017_ASSESSMENT = (
    "Resultatet av granskningen visar att så gott som alla processer fungerar "
    "tillfredsställande. Krisplanen är uppdaterad och samtliga medarbetare har fått information "
    "om dess innehåll. Avtalstroheten mot ramavtalen är god. Regelverket för SITHS-kort följs. "
    "Den externa säkerhetsgranskningen av IT-infrastrukturen visade vissa brister; en "
    "åtgärdsplan har tagits fram, några åtgärder är vidtagna och andra pågår."
)


def load_2017(ctx: DemoContext) -> None:
    ks_plan_decision = decision(
        ctx, "ks-2016-common", "KS", datetime.date(2016, 12, 13), "230",
        dnr="KS/2016:388",
        title="Kommungemensamma internkontrollmoment 2017",
        proposal="Kommunstyrelsen fastställer Krishantering och Inköp som kommungemensamma "
        "internkontrollmoment för samtliga förvaltningar 2017.",
    )  # fmt: skip
    ksf_plan_decision = decision(
        ctx, "ks-2016-ksf", "KS", datetime.date(2016, 12, 13), "231",
        dnr="KS/2016:389",
        title="Internkontrollplan 2017 för kommunstyrelsens förvaltning",
        proposal="Kommunstyrelsen fastställer internkontrollplan 2017 för kommunstyrelsens "
        "förvaltning.",
    )  # fmt: skip
    ks28 = decision(
        ctx, "ks-28", "KS", datetime.date(2018, 2, 27), "28",
        dnr="KS/2016:389",
        title="Slutredovisningen av internkontroll 2017, KSF",
        decision_basis=KS28_BASIS,
        proposal=KS28_PROPOSAL,
        decision_text="Kommunstyrelsen beslutar enligt arbetsutskottets förslag: " + KS28_PROPOSAL,
        case_officer="Carina Brofeldt",
        case_officer_contact="Tfn 0142-851 56",
    )  # fmt: skip
    common_report = decision(
        ctx, "ks-29", "KS", datetime.date(2018, 2, 27), "29",
        dnr="KS/2016:388",
        title="Samlad redovisning av de kommungemensamma internkontrollmomenten 2017",
        proposal="Kommunstyrelsen godkänner redovisningen av de kommungemensamma "
        "internkontrollmomenten 2017.",
    )  # fmt: skip

    common = plan(
        ctx, "KS", 2017,
        title="Kommungemensamma internkontrollmoment 2017",
        status=ControlPlan.Status.FINAL_REPORTED,
        adoption_decision=ks_plan_decision,
        final_report_decision=common_report,
        risk_analysis="Kommunstyrelsen sätter kontrollmoment som gäller samtliga förvaltningar.",
    )  # fmt: skip
    crisis_common = point(
        ctx, common, 1,
        title="Krishantering",
        process="Krisberedskap",
        risk_description="Förvaltningarnas krisplaner är inaktuella: roller, bemanning och "
        "uppgifter är oklara när en kris inträffar.",
        likelihood=2, consequence=4,
        control_activity="Kontrollera att förvaltningens krisplan är uppdaterad.",
        reports_to="Kommunstyrelsen",
        scope=S.MUNICIPALITY_WIDE,
        owner_description="Förvaltningschef i respektive förvaltning",
    )  # fmt: skip
    purchase_common = point(
        ctx, common, 2,
        title="Inköp",
        process="Inköp och upphandling",
        risk_description="Inköp görs utanför upphandlade ramavtal.",
        likelihood=3, consequence=2,
        control_activity="Undersöka om förvaltningen följer avtalstrohet mot ramavtal vid inköp.",
        reports_to="Kommunstyrelsen",
        scope=S.MUNICIPALITY_WIDE,
        owner_description="Ekonomiavdelningen",
    )  # fmt: skip

    ksf = plan(
        ctx, "KSF", 2017,
        title="Internkontrollplan 2017, kommunstyrelsens förvaltning",
        status=ControlPlan.Status.FINAL_REPORTED,
        adoption_decision=ksf_plan_decision,
        final_report_decision=ks28,
        overall_assessment=KSF_2017_ASSESSMENT,
    )  # fmt: skip
    controller = ctx.users["kontrollant"]
    crisis = point(
        ctx, ksf, 1,
        title="Krishantering (kommungemensamt)",
        process="Krisberedskap",
        risk_description=crisis_common.risk_description,
        likelihood=2, consequence=4,
        control_activity="Kontrollera att förvaltningens krisplan är uppdaterad.",
        method="Genomgång av krisplanen med stöd av säkerhetssamordnaren.",
        sample="Förvaltningens krisplan",
        owner=controller, reports_to="Kommunstyrelsen",
        scope=S.MUNICIPALITY_WIDE, inherited_from=crisis_common,
    )  # fmt: skip
    purchase = point(
        ctx, ksf, 2,
        title="Inköp (kommungemensamt)",
        process="Inköp och upphandling",
        risk_description=purchase_common.risk_description,
        likelihood=3, consequence=2,
        control_activity=purchase_common.control_activity,
        method="Ekonomiavdelningen jämför förvaltningens inköp med ramavtalen.",
        sample="Ramavtal för kontorsmaterial och kopieringspapper (samma avtal som vid "
        "föregående kontroll)",
        owner_description="Ekonomiavdelningen", reports_to="Kommunstyrelsen",
        scope=S.MUNICIPALITY_WIDE, inherited_from=purchase_common,
    )  # fmt: skip
    siths = point(
        ctx, ksf, 3,
        title="Process för utgivning av SITHS-kort",
        process="Utgivning av SITHS-kort",
        risk_description="SITHS-kort lämnas ut till personer som inte uppfyller kraven.",
        likelihood=2, consequence=4,
        control_activity="Undersöka att de personer som fått SITHS-kort har uppnått kraven.",
        method="Stickprov mot rutinerna ”Utfärdande av SITHS-kort” och ”Utgivning av SITHS-kort”.",
        frequency=F.GIVEN_MONTHS, planned_months=[5, 11],
        owner=controller, reports_to="Kommunstyrelsen",
    )  # fmt: skip
    it = point(
        ctx, ksf, 4,
        title="Säker IT-infrastruktur och system",
        process="IT-drift",
        risk_description="Brister i nätverk, uppdateringar, lösenord och övervakning gör att "
        "obehöriga kan ta del av eller ändra information eller störa tillgängligheten.",
        likelihood=3, consequence=4,
        control_activity="Extern teknisk säkerhetsgranskning av IT-infrastruktur och system.",
        method="PwC:s säkerhetsgranskning i juni 2017 med ett vanligt användarkonto och nätaccess.",
        owner=controller, reports_to="Kommunstyrelsen",
        systems=("Teis",),
    )  # fmt: skip

    crisis_occ = occurrence(
        ctx, crisis, "2017", datetime.date(2017, 4, 28),
        outcome=OUT.MINOR_DEVIATION, performed=datetime.date(2017, 4, 25),
        checked_what="Kontroll av att förvaltningens krisplan är uppdaterad.",
        sample="Förvaltningens krisplan",
        comment="Den första kontrollen visade på att det fanns ett behov av att revidera "
        "förvaltningens krisplan. Med stöd av säkerhetssamordnaren arbetade kommunstyrelsens "
        "ledningsgrupp igenom dokumentet.",
    )  # fmt: skip
    occurrence(
        ctx, purchase, "2017", datetime.date(2017, 10, 31),
        outcome=OUT.NO_REMARKS, by=ctx.users["kontrollant"],
        checked_what="Ekonomiavdelningens kontroll av avtalstrohet mot ramavtal.",
        sample=purchase.sample,
        comment="Avtalstroheten mot avtalen är god och följsamheten mot avtalet för "
        "kontorsmaterial har förbättrats jämfört med tidigare kontroll.",
    )  # fmt: skip
    occurrence(
        ctx, siths, "maj 2017", datetime.date(2017, 5, 31),
        outcome=OUT.NO_REMARKS, performed=datetime.date(2017, 5, 29),
        checked_what="Rutinen ”Utfärdande av SITHS-kort”.",
        comment="Kontrollen visade att utfärdandet genomfördes enligt rutin.",
    )  # fmt: skip
    occurrence(
        ctx, siths, "november 2017", datetime.date(2017, 11, 30),
        outcome=OUT.NO_REMARKS, performed=datetime.date(2017, 11, 22),
        checked_what="Rutinen ”Utgivning av SITHS-kort”.",
        comment="Även denna kontroll visade att rutinen följdes av handläggaren. Gällande "
        "regelverk följs, inga brister identifierades.",
    )  # fmt: skip
    ctx.occurrences["ksf-2017-it"] = occurrence(
        ctx, it, "2017", datetime.date(2017, 9, 30),
        outcome=OUT.MAJOR_DEVIATION, performed=datetime.date(2017, 9, 5),
        checked_what="PwC har genomfört en teknisk säkerhetsgranskning.",
        comment="Bristerna är av varierande dignitet och risk. Uppdatering av servrar där 6 av "
        "110 var eftersatta, lösenordshantering där samma lösenord förekom och oavslutade "
        "fjärrsessioner är åtgärdade. Andra kräver större arbetsinsats; åtgärder pågår.",
    )  # fmt: skip

    crisis_finding = finding(
        ctx, "IK 2017:1",
        title="Förvaltningens krisplan behövde revideras",
        description="Krisgruppens roller, uppgifter, bemanning och aktivering var otydliga.",
        unit=ctx.units["KSF"], source=Finding.Source.CONTROL, occurrence=crisis_occ,
        identified=datetime.date(2017, 4, 25), severity=Severity.MEDIUM,
        status=FS.VERIFIED, closed_on=datetime.date(2018, 12, 14),
        note="Krisplanen reviderad och genomgången med alla medarbetare; övning genomförd 2018.",
    )  # fmt: skip
    ksf_unit = ctx.units["KSF"]
    action(
        ctx, "Revidera förvaltningens krisplan: krisgruppens roller, uppgifter, bemanning och aktivering",
        unit=ksf_unit, owner_description="Kommunstyrelsens ledningsgrupp",
        deadline=datetime.date(2017, 9, 30), status=AS.DONE, completed=datetime.date(2017, 9, 12),
        findings=[crisis_finding],
    )  # fmt: skip
    action(
        ctx, "Genomgång av krisplanen med alla medarbetare",
        unit=ksf_unit, owner_description="Kommunstyrelsens ledningsgrupp",
        deadline=datetime.date(2017, 11, 1), precision=P.MONTH,
        status=AS.DONE, completed=datetime.date(2017, 11, 20), findings=[crisis_finding],
    )  # fmt: skip
    exercise_2017 = action(
        ctx, "Krisövning för förvaltningens krisgrupp",
        unit=ksf_unit, owner_description="Säkerhetssamordnaren",
        deadline=datetime.date(2017, 12, 31), precision=P.YEAR,
        status=AS.CANCELLED, cancel_reason="Förs över till 2018: ”Under år 2018 kommer en "
        "övning att genomföras.”", findings=[crisis_finding],
    )  # fmt: skip
    action(
        ctx, "Under år 2018 kommer en övning att genomföras",
        unit=ksf_unit, owner_description="Säkerhetssamordnaren",
        deadline=datetime.date(2018, 12, 31), precision=P.YEAR,
        status=AS.DONE, completed=datetime.date(2018, 11, 14),
        findings=[crisis_finding], carried_over_from=exercise_2017,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# 2019: S000
# --------------------------------------------------------------------------------------------

PRIORITISED_SYSTEMS = (
    "Geosecma",
    "Procapita",
    "Teis",
    "LEX",
    "eCompanion/Besched",
    "Visma ekonomisystem (tidigare Aditro)",
    "Heroma",
)


def load_2019(ctx: DemoContext) -> None:
    adopted = decision(
        ctx, "ks-2018-plan", "KS", datetime.date(2018, 12, 11), "246",
        dnr="KS/2018:512",
        title="Internkontrollplan 2019 för kommunstyrelsens förvaltning",
        proposal="Kommunstyrelsen fastställer internkontrollplan 2019 för kommunstyrelsens "
        "förvaltning.",
    )  # fmt: skip
    reported = decision(
        ctx, "ks-2020-report", "KS", datetime.date(2020, 3, 10), "41",
        dnr="KS/2018:512",
        title="Uppföljning av internkontrollplan 2019, kommunstyrelsens förvaltning",
        decision_basis="Sammanställning av internkontroller 2019 inom IT:s ansvarsområde",
        proposal="Kommunstyrelsen godkänner uppföljningen av internkontrollplan 2019 för "
        "kommunstyrelsens förvaltning.",
        case_officer="Helena Nordin, informationssäkerhetssamordnare",
    )  # fmt: skip
    ksf = plan(
        ctx, "KSF", 2019,
        title="Internkontrollplan 2019, kommunstyrelsens förvaltning (Centrala IT)",
        status=ControlPlan.Status.FINAL_REPORTED,
        adoption_decision=adopted, final_report_decision=reported,
        overall_assessment="Kontrollerna har genomförts enligt plan. Felaktiga abonnemang och "
        "behörigheter har rättats. Bristen är att systemförvaltarna inte får veta när "
        "medarbetare slutar; ansvariga chefer måste bli bättre på att informera.",
    )  # fmt: skip
    coordinator = ctx.users["samordnare"]
    common = {
        "owner": coordinator,
        "owner_description": "Informationssäkerhetssamordnaren, Centrala IT",
        "reports_to": "Informationssäkerhetssamordnaren senast 1 mars → kommunstyrelsen",
    }
    mobile = point(
        ctx, ksf, 1,
        title="Mobilabonnemang",
        process="Telefoni och abonnemang",
        risk_description="Abonnemang betalas för personer som slutat eller bytt tjänst.",
        likelihood=3, consequence=1,
        control_activity="Abonnemangslistorna skickas till cheferna, som bekräftar eller "
        "begär uppsägning och ändring.",
        method="Fullständig lista från operatören per ansvarsområde.",
        sample="Samtliga mobilabonnemang",
        frequency=F.GIVEN_MONTHS, planned_months=[2, 5, 11], **common,
    )  # fmt: skip
    broadband = point(
        ctx, ksf, 2,
        title="Bredband",
        process="Telefoni och abonnemang",
        risk_description="Bredbandsabonnemang ligger kvar utan att användas.",
        likelihood=2, consequence=1,
        control_activity="Bredbandsabonnemangen kontrolleras vid samma tillfällen som "
        "mobilabonnemangen.",
        sample="Samtliga bredbandsabonnemang",
        frequency=F.GIVEN_MONTHS, planned_months=[2, 5, 11], **common,
    )  # fmt: skip
    vpn = point(
        ctx, ksf, 3,
        title="Distansarbetsplatser/VPN",
        process="Distansarbete",
        risk_description="VPN-behörighet ligger kvar för personer som inte längre ska ha den.",
        likelihood=2, consequence=3,
        control_activity="Kontroll av distansarbetsplatser/VPN som ger medarbetaren möjlighet "
        "att arbeta hemifrån på samma sätt som på jobbet.",
        frequency=F.GIVEN_MONTHS, planned_months=[5], **common,
    )  # fmt: skip
    rights = point(
        ctx, ksf, 4,
        title="Behörigheter i systemen",
        process="Behörighetshantering",
        risk_description="Felaktiga behörigheter i kommunens system.",
        likelihood=3, consequence=3,
        control_activity="Kontroll av behörigheter i systemen; underlag skickas till berörda "
        "för justering.",
        frequency=F.GIVEN_MONTHS, planned_months=[6], systems=("Geosecma",), **common,
    )  # fmt: skip
    prioritised = point(
        ctx, ksf, 5,
        title="Behörighetshantering i de 10 prioriterade systemen",
        process="Behörighetshantering",
        risk_description="Konton för personer som slutat, okända konton och testkonton ligger "
        "kvar → obehörig åtkomst till personuppgifter.",
        likelihood=3, consequence=4,
        control_activity="Jämför aktiva konton med anställningar i lönesystemet; "
        "systemförvaltaren bekräftar test- och externa konton.",
        method="Fullständig kontoexport matchas mot lönesystemet på personnummer.",
        sample="100 % av kontona",
        frequency=F.GIVEN_MONTHS, planned_months=[12], is_access_review=True,
        systems=PRIORITISED_SYSTEMS,
        **{**common, "owner_description": "Systemförvaltare per system"},
    )  # fmt: skip

    feb = occurrence(
        ctx, mobile, "februari 2019", datetime.date(2019, 2, 28),
        outcome=OUT.MINOR_DEVIATION, performed=datetime.date(2019, 2, 26),
        checked_what="Abonnemangslistor skickade till samtliga chefer för bekräftelse.",
        comment="Felaktiga abonnemang har sagts upp eller ändrats enligt önskemål från cheferna.",
    )  # fmt: skip
    occurrence(
        ctx, mobile, "maj 2019", datetime.date(2019, 5, 31),
        outcome=OUT.NO_REMARKS, performed=datetime.date(2019, 5, 27),
        comment="Enstaka ändringar enligt önskemål från cheferna.",
    )  # fmt: skip
    occurrence(
        ctx, mobile, "november 2019", datetime.date(2019, 11, 30),
        outcome=OUT.NO_REMARKS, performed=datetime.date(2019, 11, 25),
        comment="Enstaka ändringar enligt önskemål från cheferna.",
    )  # fmt: skip
    for label, due, done in [
        ("februari 2019", datetime.date(2019, 2, 28), datetime.date(2019, 2, 26)),
        ("maj 2019", datetime.date(2019, 5, 31), datetime.date(2019, 5, 27)),
        ("november 2019", datetime.date(2019, 11, 30), datetime.date(2019, 11, 25)),
    ]:
        occurrence(
            ctx, broadband, label, due, outcome=OUT.NO_REMARKS, performed=done,
            comment="Bredband har kontrollerats vid samma tillfälle som mobilabonnemangen.",
        )  # fmt: skip
    occurrence(
        ctx, vpn, "maj 2019", datetime.date(2019, 5, 31),
        outcome=OUT.NO_REMARKS, performed=datetime.date(2019, 5, 20),
        comment="Inga felaktigheter påträffades.",
    )  # fmt: skip
    june = occurrence(
        ctx, rights, "juni 2019", datetime.date(2019, 6, 28),
        outcome=OUT.MINOR_DEVIATION, performed=datetime.date(2019, 6, 18),
        comment="Endast en felaktig behörighet, från Räddningstjänsten, upptäcktes i "
        "kartsystemet. Underlag skickades till RTJ som fick justera och återkomma med "
        "felaktigheter.",
    )  # fmt: skip
    december = occurrence(
        ctx, prioritised, "december 2019", datetime.date(2019, 12, 20),
        outcome=OUT.MINOR_DEVIATION, performed=datetime.date(2019, 12, 16),
        checked_what="Kontroll av de 10 prioriterade systemen och vilka som har behörighet.",
        sample="Samtliga konton i de prioriterade systemen",
        comment="Kartsystemet: 3 användare från Räddningstjänsten och 2 testanvändare som var "
        "okända för systemförvaltaren; felet har åtgärdats. Socialförvaltningens "
        "verksamhetssystem: flera konton stängda för medarbetare som slutat. "
        "Ärendehanteringssystemet: en medarbetare som slutat har kvar kontot tills hens "
        "pågående ärenden är avslutade (motiverat undantag). PA-systemet: en felaktig person, "
        "avslutad. Ekonomisystemet: alla behörigheter jämförda med aktuella anställningar; "
        "felande har stängts.",
    )  # fmt: skip

    cit, soc = ctx.units["CIT"], ctx.units["SOC"]
    subs = finding(
        ctx, "IK 2019:1",
        title="Felaktiga mobilabonnemang",
        description="Abonnemang för medarbetare som slutat eller bytt tjänst.",
        unit=cit, source=Finding.Source.CONTROL, occurrence=feb,
        identified=datetime.date(2019, 2, 26), severity=Severity.LOW,
        status=FS.VERIFIED, closed_on=datetime.date(2019, 3, 15),
        note="Uppsagda eller ändrade enligt chefernas önskemål.",
    )  # fmt: skip
    action(
        ctx, "Säga upp eller ändra felaktiga mobilabonnemang enligt chefernas önskemål",
        unit=cit, owner=coordinator, deadline=datetime.date(2019, 3, 1), precision=P.MONTH,
        status=AS.DONE, completed=datetime.date(2019, 3, 8), findings=[subs],
    )  # fmt: skip
    rtj = finding(
        ctx, "IK 2019:2",
        title="Felaktig behörighet för Räddningstjänsten i kartsystemet",
        unit=ctx.units["KSF"], source=Finding.Source.CONTROL, occurrence=june,
        identified=datetime.date(2019, 6, 18), severity=Severity.LOW,
        systems=[ctx.systems["Geosecma"]],
        status=FS.VERIFIED, closed_on=datetime.date(2019, 8, 30),
        note="RTJ har justerat och återkommit.",
    )  # fmt: skip
    action(
        ctx, "Underlag till Räddningstjänsten för justering av behörigheter i kartsystemet",
        unit=ctx.units["RTJ"], owner_description="Räddningstjänsten, beställningsansvarig",
        deadline=datetime.date(2019, 8, 1), precision=P.MONTH,
        status=AS.DONE, completed=datetime.date(2019, 8, 20), findings=[rtj],
    )  # fmt: skip
    unknown = finding(
        ctx, "IK 2019:3",
        title="Okända användare i kartsystemet: 3 från Räddningstjänsten och 2 testanvändare",
        unit=ctx.units["KSF"], source=Finding.Source.CONTROL, occurrence=december,
        identified=datetime.date(2019, 12, 16), severity=Severity.MEDIUM,
        systems=[ctx.systems["Geosecma"]],
        status=FS.VERIFIED, closed_on=datetime.date(2020, 1, 20), note="Felet har åtgärdats.",
    )  # fmt: skip
    action(
        ctx, "Ta bort okända användare och testanvändare i kartsystemet",
        unit=ctx.units["KSF"], owner=ctx.users["systemforvaltare"],
        deadline=datetime.date(2019, 12, 31), status=AS.DONE,
        completed=datetime.date(2019, 12, 18), findings=[unknown],
    )  # fmt: skip
    leavers = finding(
        ctx, "IK 2019:4",
        title="Chefer meddelar inte systemförvaltarna när medarbetare slutar",
        description="I socialförvaltningens verksamhetssystem har ett flertal användarkonton "
        "stängts först vid kontrollen. Ansvariga chefer måste bli bättre på att informera om "
        "när medarbetare avslutar sin anställning.",
        unit=soc, source=Finding.Source.CONTROL, occurrence=december,
        identified=datetime.date(2019, 12, 16), severity=Severity.HIGH,
        systems=[ctx.systems["Procapita"], ctx.systems["Heroma"]],
        status=FS.REMEDIED, closed_on=datetime.date(2020, 9, 1),
    )  # fmt: skip
    action(
        ctx, "Behörigheter i nya verksamhetssystemet hanteras av respektive ansvarig chef",
        description="I och med övergången till ett nyare system hanteras behörigheten av "
        "respektive ansvarig chef, vilket gör avslutade medarbetare synligare.",
        unit=soc, owner=ctx.users["socialchef"],
        deadline=datetime.date(2020, 6, 1), precision=P.QUARTER,
        status=AS.DONE, completed=datetime.date(2020, 6, 15), findings=[leavers],
    )  # fmt: skip
