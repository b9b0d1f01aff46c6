"""The auditors' chain on IT security 2014 → 2016 → 2017 (S001) and Stadsrevisionen's report on
information security with Servicenämnden's reply (S003).

S001 is the 2017 follow-up: its summary, its one recommendation (MSBFS 2016:1) and its table
Granskning | Resultat (the five observations) are the seed's. The 2014 report's recommendations
are reconstructed from the areas the follow-up assesses; the 2016 and 2017 assessments of them
follow what S001 says was done. S003 is Servicenämnden's answer: three observations aimed at
Dataservice and Löneservice, the measures taken, the decision and its signatories.
"""

from __future__ import annotations

import datetime
from typing import Any

from audits.models import (
    Assessment,
    Audit,
    BoardResponse,
    Observation,
    Recommendation,
    RecommendationAssessment,
    ResponseItem,
    Signatory,
)
from core.demo.base import DemoContext, set_m2m, upsert
from core.demo.controls import decision
from core.demo.records import AS, FS, P, action, finding
from findings.models import Finding, Severity


def audit(
    ctx: DemoContext,
    key: str,
    title: str,
    report_date: datetime.date,
    addressed: list[str],
    **fields: Any,
) -> Audit:
    """An audit keyed on (municipality, title, report date)."""
    defaults = {
        "firm": "",
        "dnr": "",
        "follows_up": None,
        "response_deadline": None,
        "purpose": "",
        "summary": "",
        "assessment": "",
        "is_secret": False,
        "created_by": ctx.users["samordnare"],
        **fields,
    }
    row = upsert(
        ctx,
        Audit,
        municipality=ctx.municipality,
        title=title,
        report_date=report_date,
        defaults=defaults,
    )
    set_m2m(ctx, row, "addressed_units", [ctx.units[code] for code in addressed])
    ctx.audits[key] = row
    return row


def observation(
    ctx: DemoContext, audit_: Audit, number: int, area: str, text: str, unit: str | None = None
) -> Observation:
    return upsert(
        ctx,
        Observation,
        audit=audit_,
        number=number,
        defaults={
            "area": area,
            "text": text,
            "unit": ctx.units[unit] if unit else None,
            "is_secret": False,
        },
    )


def recommendation(
    ctx: DemoContext,
    audit_: Audit,
    number: int,
    addressee: str,
    text: str,
    obs: Observation | None = None,
) -> Recommendation:
    return upsert(
        ctx,
        Recommendation,
        audit=audit_,
        number=number,
        defaults={"text": text, "addressee": ctx.units[addressee], "observation": obs},
    )


def response(ctx: DemoContext, audit_: Audit, unit: str, **fields: Any) -> BoardResponse:
    defaults = {
        "title": "",
        "summary": "",
        "board_decision_text": "",
        "status": BoardResponse.Status.DRAFT,
        "decision": None,
        "dispatched_date": None,
        **fields,
    }
    return upsert(ctx, BoardResponse, audit=audit_, unit=ctx.units[unit], defaults=defaults)


def item(
    ctx: DemoContext,
    response_: BoardResponse,
    number: int,
    text: str,
    *,
    actions=(),
    rec=None,
    obs=None,
) -> ResponseItem:
    row = upsert(
        ctx,
        ResponseItem,
        response=response_,
        number=number,
        defaults={"text": text, "recommendation": rec, "observation": obs},
    )
    set_m2m(ctx, row, "actions", actions)
    return row


# --------------------------------------------------------------------------------------------
# S001: 2014 → 2016 → 2017
# --------------------------------------------------------------------------------------------

OBSERVATIONS_2014 = [
    "IT-säkerhetspolicyn är från 2004. Anvisningar och rutiner för IT-säkerhetsarbetet saknas "
    "eller är inaktuella.",
    "Risk- och konsekvensanalyser görs inte systematiskt vid upphandling av eller förändringar "
    "i IT-system.",
    "Behörigheterna i socialförvaltningens verksamhetssystem gås inte igenom regelbundet.",
    "Det är oklart vem som ansvarar för att systemen uppdateras och ajourhålls.",
    "Nämnderna får sällan information om IT-säkerhetsarbetet.",
]

RECOMMENDATIONS_2014 = [
    ("KS", "Kommunstyrelsen bör se över organisation, rutiner och anvisningar för "
     "IT-säkerhetsarbetet utifrån centralt beslutade strategier och policys."),
    ("KS", "Kommunstyrelsen bör säkerställa att risk- och konsekvensanalyser görs vid upphandling "
     "av och förändringar i IT-system."),
    ("SN", "Socialnämnden bör säkerställa att behörigheterna i verksamhetssystemet gås igenom "
     "regelbundet och samkörs med lönesystemet."),
    ("KS", "Kommunstyrelsen bör klargöra forum och ansvar för IT-säkerhetsfrågorna och att "
     "systemägarna ser till att systemen uppdateras och ajourhålls."),
    ("SN", "Socialnämnden bör regelbundet informeras om IT-säkerhetsarbetet och följa upp "
     "kontroller kopplade till IT-säkerhet i internkontrollplanen."),
]  # fmt: skip

ASSESSMENTS_2016 = [
    (Assessment.PARTLY_REMEDIED, "Ny IT-organisation beslutades av kommundirektören i "
     "september 2016. Anvisningar och rutiner återstår."),
    (Assessment.NOT_REMEDIED, "Risk- och konsekvensanalyser görs inte systematiskt."),
    (Assessment.PARTLY_REMEDIED, "Behörigheter gås igenom men samkörs inte med lönesystemet."),
    (Assessment.NOT_REMEDIED, "Ansvaret för att uppdatera systemen är inte klarlagt."),
    (Assessment.PARTLY_REMEDIED, "Nämnden informeras vid enstaka tillfällen."),
]  # fmt: skip

ASSESSMENTS_2017 = [
    (Assessment.PARTLY_REMEDIED, "IT-enheten utformar anvisningar och rutiner; en "
     "IT-handläggare för IT-säkerhet har anställts. Rutiner för regelbundna kontroller tas fram "
     "inom arbetet enligt ISO/IEC 27000."),
    (Assessment.REMEDIED, "Risk- och konsekvensanalyser görs vid upphandling och ingår i den "
     "årliga systemförvaltningsplanen."),
    (Assessment.REMEDIED, "Av internkontrollplanerna framgår att behörigheter gås igenom minst "
     "en gång per år och samkörs med lönesystemet."),
    (Assessment.PARTLY_REMEDIED, "Kundansvariga och systemförvaltare är utsedda. Den årliga "
     "granskningen som utlovades har ännu inte genomförts."),
    (Assessment.PARTLY_REMEDIED, "Övergripande information lämnas i kommunstyrelsen; "
     "kontroller följs upp i den årliga internkontrollplanen i nämnd."),
]  # fmt: skip

AREAS_2017 = [
    ("Organisering Rutiner Anvisningar",
     "NY IT organisation beslutades av kommundirektören i september 2016. I IT enhetens "
     "uppgifter ingår att utforma anvisningar och rutiner utifrån centralt beslutade strategier "
     "och policys. Det innefattar att initiera säkerhetshöjande aktiviteter och att arbeta med "
     "hot-, risk- och sårbarhetsanalyser inom IT området.\n\n"
     "En IT handläggare har anställts vid kommunledningsförvaltningen som arbetar med IT "
     "säkerhet. Arbeten med tillgänglighetsanalys och informationsklassning av system pågår "
     "enligt ISO/IEC 27000:1. Rutiner för regelbundna kontroller kommer att tas fram inom detta "
     "arbete.\n\n"
     "Arbetet med tillgänglighetsanalyser och informationsklassning görs tillsammans med "
     "verksamhetsansvarig och systemförvaltare. Förvaltningschef är systemägare "
     "(socialförvaltningen). Ansvaret att uppdatera ansvarsroller är systemägarens och som "
     "utförs manuellt via inventariesystem eller manuell lista en gång per år."),
    ("Risk- och konsekvensanalys",
     "Risk- och konsekvensanalyser ska göras i samband med upphandling av IT system. När det "
     "gäller förändringar/kompletteringar kring befintliga system finns risk- och "
     "konsekvensanalysen med i en årlig systemförvaltningsplan."),
    ("Exempel på kontrollmoment",
     "Av internkontrollplaner framgår att behörigheter går igenom minst en gång per år och "
     "samkörs med lönesystemet.\n\n"
     "Rutin för sekretess i verksamhetssystem (socialförvaltningen) hanteras enligt särskild "
     "rutin.\n\n"
     "Information lämnas vid introduktion av nyanställda när anställningen påbörjas och vid "
     "informationsdagar."),
    ("Forum/ansvar",
     "IT enheten har utsett kundansvariga för varje förvaltning som arbetar med att stödja "
     "förvaltningen i IT frågor. Kundansvariga träffas regelbundet för utbyte av informationer "
     "om vad som sker vid förvaltningarna. För de kommungemensamma systemen finns "
     "systemförvaltarna inom IT enheten.\n\n"
     "Ansvar för att uppdatera och ajourhålla system är systemägarens. För att se att det "
     "fungerar lämnades uppgiften i svar på ursprunglig granskning att en årlig granskning "
     "skulle genomföras. Uppföljning kommer att göras inom ram för pågående utvecklingsarbete "
     "enligt ISO standard."),
    ("Informationer i nämnd",
     "Övergripande informationer om IT säkerhet lämnas i kommunstyrelsen. Informationer och "
     "beslut kring mera detaljerade IT säkerhetsåtgärder tas upp i den nyligen bildade "
     "strategiska IT beredningsgruppen. Gruppen har att samordna och prioritera aktiviteter i "
     "IT-planen och att verka för att IT bidrar till att kommunövergripande mål nås.\n\n"
     "Handläggare för IT säkerhet vid kommunledningsförvaltningen har periodiska avstämningar "
     "med kommunens säkerhetschef.\n\n"
     "Kontroller kopplat till IT säkerhet följs upp i den årliga internkontrollplanen i nämnd."),
]  # fmt: skip

SUMMARY_2017 = (
    "I rapporten sammanfattas resultat av uppföljande granskning av IT säkerhet 2014, 2016. "
    "Arbeten för att säkra system enligt ISO/IEC 27000:1 pågår. IT ansvarig vid "
    "kommunledningsförvaltning arbetar tillsammans med verksamhetsansvariga och systemförvaltare "
    "vid förvaltningarna. Ansvarsroller framgår av systemen eller via manuella förteckningar. "
    "Rutiner för regelbundna kontroller av säkerheter i system, att system uppdateras och "
    "ajourhålls, kommer att tas fram inom utvecklingsarbetet enligt ISO standarden. "
    "Utgångspunkter för informationssäkerhetsarbetet finns i IT säkerhetspolicyn sedan 2004. "
    "Någon övergripande analys och/eller samlad bild av kommunens informationssäkerhetsnivå "
    "finns inte i dagsläget. Uttryckta behov i ursprunglig granskning om ett mer strukturerat "
    "arbete när det gäller informationssäkerheten kvarstår. Kommunen behöver säkerställa att ett "
    "systematiskt säkerhetsarbete bedrivs på alla nivåer."
)

RECOMMENDATION_2017 = (
    "Kommunstyrelsen bör överväga att med utgångspunkter i MSB:s (Myndigheten för samhällsskydd "
    "och beredskap) föreskrifter och allmänna råd, MSBFS 2016:1, ta fram en analys av nuläget "
    "och skapa en handlingsplan utifrån nuläget. Därefter revideras riktlinjer och styrdokument "
    "som gör det möjligt för organisationen att efterleva ställda krav. Återkommande "
    "uppföljningar vars resultat ingår som en del av återrapporteringen i nämnden behövs."
)


def load_it_security_chain(ctx: DemoContext) -> Audit:
    body = Audit.Body.ELECTED_AUDITORS
    first = audit(
        ctx, "it-2014", "Granskning av IT-säkerhet", datetime.date(2014, 11, 20), ["KS", "SN"],
        body=body, kind=Audit.Kind.IN_DEPTH, dnr="REV 2014/7",
        response_deadline=datetime.date(2015, 2, 28),
        purpose="Granskningen syftade till att undersöka om den interna kontrollen avseende IT "
        "säkerhetsarbetet fungerar tillfredsställande.",
        summary="Utgångspunkter för informationssäkerhetsarbetet finns i IT-säkerhetspolicyn "
        "från 2004. Det behövs ett mer strukturerat arbete när det gäller "
        "informationssäkerheten.",
        assessment="Den interna kontrollen avseende IT-säkerhetsarbetet är inte tillräcklig.",
    )  # fmt: skip
    recs = []
    for number, ((area, _text), text_2014, (addressee, rec_text)) in enumerate(
        zip(AREAS_2017, OBSERVATIONS_2014, RECOMMENDATIONS_2014, strict=True), start=1
    ):
        obs = observation(ctx, first, number, area, text_2014)
        recs.append(recommendation(ctx, first, number, addressee, rec_text, obs))

    second = audit(
        ctx, "it-2016", "Uppföljande granskning av IT-säkerhet", datetime.date(2016, 11, 10),
        ["KS", "SN"], body=body, kind=Audit.Kind.FOLLOW_UP, dnr="REV 2016/9", follows_up=first,
        purpose="Att följa upp och bedöma om nämndernas internkontrollarbete är tillräckligt, "
        "med utgångspunkt i rekommendationerna från 2014.",
        summary="Arbetet har påbörjats; ny IT-organisation beslutades i september 2016. Flera "
        "rekommendationer kvarstår.",
    )  # fmt: skip
    third = audit(
        ctx, "it-2017", "Uppföljande granskning av IT-säkerhet", datetime.date(2017, 9, 15),
        ["KS", "SN"], body=body, kind=Audit.Kind.FOLLOW_UP, dnr="REV 2017/11", follows_up=second,
        purpose="Uppföljningens syfte är att följa upp och bedöma om nämndernas "
        "internkontrollarbete är tillräckligt. Utgångspunkter är de rekommendationer som "
        "lämnats i ursprunglig fördjupningsgranskning.",
        summary=SUMMARY_2017,
        assessment="Uppföljningen har begränsats till ett fåtal frågeställningar och ger inte "
        "underlag för en bedömning om nämndernas internkontrollarbete är tillräckligt.",
    )  # fmt: skip
    for follow_up, assessments in ((second, ASSESSMENTS_2016), (third, ASSESSMENTS_2017)):
        for rec, (verdict, comment) in zip(recs, assessments, strict=True):
            upsert(
                ctx,
                RecommendationAssessment,
                follow_up=follow_up,
                recommendation=rec,
                defaults={"assessment": verdict, "comment": comment},
            )
    for number, (area, text) in enumerate(AREAS_2017, start=1):
        observation(ctx, third, number, area, text)
    recommendation(ctx, third, 1, "KS", RECOMMENDATION_2017)
    return third


# --------------------------------------------------------------------------------------------
# S003: Stadsrevisionen and Servicenämnden
# --------------------------------------------------------------------------------------------

S003_OBSERVATIONS = [
    ("Avtal om sekretess vid säkerhetskopiering", "DS",
     "Tillfredsställande avtal med tekniska och rättsliga begränsningar som hindrar "
     "systemleverantören eller dennes personal från att ta del av sekretessbelagda uppgifter som "
     "kommunen gör tillgänglig via säkerhetskopiering saknas."),
    ("Rapportering av mätning i Viva och Heroma", "DS",
     "Rapportering av mätning i Viva och Heroma är inte levererad till kontaktperson."),
    ("Borttagning och förändring av användare i Heroma", "LS",
     "Rutiner för borttagning av användare och förändring av användare i Heroma fungerar inte."),
]  # fmt: skip

S003_ANSWERS = [
    "Detta avser reservlösningen som är placerad hos leverantören och som Dataservice tecknat "
    "avtal om. Vi har skrivit ett tilläggsavtal som reglerar sekretessen och som nu är på "
    "översyn hos juristerna hos kommunen och leverantören. Vår förhoppning är att vi får detta "
    "godkänt och undertecknat av parterna i november.",
    "Enligt överenskommelse om tjänsteleverans för Viva och Heroma ska Servicekontoret löpande "
    "följa antal incidenter, uppfyllandegraden i % inom uppsatt tid, analys av avvikelser och "
    "tillgänglighet i % under öppettider, och kvartalsvis rapportera till kontaktperson via "
    "e-post. Sedan två år tillbaka kan kunden själv via portal följa aktiva och avslutade "
    "ärenden. Vi konstaterar att målet är bra ställt men att vår förmåga att leva upp till det "
    "inte lyckas helt. Mätning av tillgänglighet blir tillgänglig för leverans under våren "
    "2018. Vi har under november installerat övervakningsprogram i vår servermiljö som nu "
    "testas.",
    "Detta avser den manuella inmatningen av användare med behörighet i applikationen Heroma. "
    "Rutinen beskriver att respektive chef ska fylla i en blankett med de PA-team, ”Ansvar”, "
    "moduler etc. som underställd chef/medarbetare ska ha tillgång till. Vid förändring av "
    "behörighet skickas en ny blankett in till Löneservice. Desamma gäller när en person "
    "slutar. Här är den stora bristen. Då detta är en manuell hantering finns det i nuläget bara "
    "ett sätt att hantera detta och det är genom information och påminnelser till "
    "förvaltningarna. För att lättast få detta att fungera bör denna rutin in i checklistan "
    "”Avslut av anställning” ute hos förvaltningarna.",
]

S003_DECISION = (
    "Servicenämnden tillstyrker förslag till svar till Stadsrevisionen angående Rapport om "
    "informationssäkerhet."
)


def load_city_audit_reply(ctx: DemoContext) -> Audit:
    report = audit(
        ctx, "s003", "Rapport om informationssäkerhet", datetime.date(2017, 10, 16), ["SEN"],
        body=Audit.Body.CITY_AUDIT, kind=Audit.Kind.IN_DEPTH, dnr="SR 2017/14",
        response_deadline=datetime.date(2017, 11, 30),
        purpose="Analys av informationssäkerheten för två system, Viva och Heroma, genomförd "
        "under september.",
        summary="Rapporten visar att det finns en hel del brister i "
        "informationssäkerhetsarbetet. Två iakttagelser riktar sig direkt mot Dataservice och "
        "en mot Löneservice; övriga iakttagelser besvaras av berörda förvaltningar.",
    )  # fmt: skip
    viva, heroma = ctx.systems["Viva"], ctx.systems["Heroma"]
    observations = [
        observation(ctx, report, number, area, text, unit)
        for number, (area, unit, text) in enumerate(S003_OBSERVATIONS, start=1)
    ]
    found = [
        finding(
            ctx,
            f"SR 2017:{number}",
            title=obs.area,
            description=obs.text,
            unit=obs.unit,
            source=Finding.Source.AUDIT,
            audit=report,
            observation=obs,
            identified=datetime.date(2017, 10, 16),
            severity=severity,
            systems=systems,
            status=FS.VERIFIED,
            closed_on=closed,
            note="Stadsrevisionens uppföljning bekräftar åtgärden.",
        )
        for number, obs, severity, systems, closed in [
            (1, observations[0], Severity.HIGH, [viva, heroma], datetime.date(2018, 2, 1)),
            (2, observations[1], Severity.LOW, [viva, heroma], datetime.date(2018, 9, 3)),
            (3, observations[2], Severity.HIGH, [heroma], datetime.date(2018, 9, 3)),
        ]
    ]
    ds, ls = ctx.units["DS"], ctx.units["LS"]
    d = datetime.date
    a_contract = action(
        ctx, "Tilläggsavtal som reglerar sekretessen för reservlösningen hos leverantören",
        unit=ds, owner_description="Enhetschef Dataservice", deadline=d(2017, 11, 1),
        precision=P.MONTH, status=AS.DONE, completed=d(2017, 11, 28), findings=[found[0]],
    )  # fmt: skip
    a_measure = action(
        ctx, "Mätning av tillgänglighet i Viva och Heroma levereras kvartalsvis till kontaktperson",
        unit=ds, owner_description="Enhetschef Dataservice", deadline=d(2018, 4, 1),
        precision=P.QUARTER, status=AS.DONE, completed=d(2018, 5, 31), findings=[found[1]],
    )  # fmt: skip
    a_monitor = action(
        ctx, "Övervakningsprogram i servermiljön installeras och testas",
        unit=ds, owner_description="Enhetschef Dataservice", deadline=d(2017, 11, 1),
        precision=P.MONTH, status=AS.DONE, completed=d(2017, 11, 30), findings=[found[1]],
    )  # fmt: skip
    a_checklist = action(
        ctx, "Behörighetsblanketten för Heroma in i checklistan ”Avslut av anställning”",
        unit=ls, owner_description="Enhetschef Löneservice", deadline=d(2018, 1, 1),
        precision=P.YEAR, status=AS.DONE, completed=d(2018, 4, 20), findings=[found[2]],
    )  # fmt: skip
    a_remind = action(
        ctx, "Information och påminnelser till förvaltningarna om ändrade och avslutade "
        "behörigheter i Heroma",
        unit=ls, owner_description="Enhetschef Löneservice", deadline=d(2017, 12, 1),
        precision=P.MONTH, status=AS.DONE, completed=d(2017, 12, 15), findings=[found[2]],
    )  # fmt: skip

    meeting = decision(
        ctx, "sen-2017", "SEN", d(2017, 11, 21), "98",
        dnr="SEN 2017/112",
        title="Svar på Stadsrevisionens rapport angående informationssäkerhet",
        proposal=S003_DECISION,
        distribution="Stadsrevisionen\nKommunstyrelsen\nAkten",
        case_officer="Lars Holmkvist, tf förvaltningschef",
    )  # fmt: skip
    reply = response(
        ctx, report, "SEN",
        title="Svar på Stadsrevisionens rapport angående Informationssäkerhet",
        summary="Genomförda åtgärder avseende revisionsrapport om informationssäkerhet. "
        "Analysen av informationssäkerhet för två system, Viva och Heroma, gjordes under "
        "september och mynnade ut i en rapport som i oktober levererades till "
        "kommunstyrelsen. Två iakttagelser riktar sig direkt mot Dataservice och en mot "
        "Löneservice; här beskrivs vilka åtgärder som vidtagits. Övriga iakttagelser förväntar "
        "sig Servicekontoret att berörd förvaltning svarar på.",
        board_decision_text=S003_DECISION,
        status=BoardResponse.Status.DECIDED, decision=meeting,
    )  # fmt: skip
    for number, (obs, text, actions) in enumerate(
        zip(
            observations,
            S003_ANSWERS,
            [[a_contract], [a_measure, a_monitor], [a_checklist, a_remind]],
            strict=True,
        ),
        start=1,
    ):
        item(ctx, reply, number, text, actions=actions, obs=obs)
    for order, (name, title) in enumerate(
        [("Kent Hedberg", "Ordförande"), ("Lars Holmkvist", "Tf Förvaltningschef")], start=1
    ):
        upsert(ctx, Signatory, response=reply, order=order, defaults={"name": name, "title": title})
    return report
