"""The action plan of S002 (Åtgärdspunkt | Brist | Åtgärd | Övrigt) and the boards' answers.

S002 is a table only: kommunstyrelsen's action plan after the auditors' review of information
security in the municipality's systems, followed by the SVAR of Barn- och utbildningsnämnden,
Socialnämnden and Kultur och teknik. The review it answers is given a header here (title, date,
recommendations drawn from the table's Brist column); each Brist becomes an observation and a
finding linked to its system, each Åtgärd an action (Övrigt in its description), and each SVAR
a board response whose items carry the actions the board promised ("färdigställs 2019" is a
deadline at year precision). Where the plan ties to S001's 2017 recommendation (analysis,
handlingsplan, styrdokument), the actions are linked to it as well.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from audits.models import Audit, BoardResponse
from core.demo.audits import audit, item, observation, recommendation, response
from core.demo.base import DemoContext
from core.demo.controls import decision
from core.demo.records import AS, FS, P, action, finding, progress
from findings.models import Finding, Severity

d = datetime.date


@dataclass(frozen=True)
class Row:
    """One row of S002 with a Brist: the area, the finding's short title and the Brist text.
    The actions taken (Åtgärd, Övrigt) are written in :func:`_kommunstyrelsen`."""

    area: str
    title: str
    unit: str
    brist: str = ""
    system: str = ""
    severity: str = Severity.MEDIUM
    status: str = FS.VERIFIED
    closed_on: datetime.date | None = None
    note: str = ""


ROWS = [
    Row("IT-infrastruktur – kraftförsörjningen", "Kraftförsörjning: kommunikation till prioriterade arbetsplatser",
        "CIT",
        "Kommunikation till prioriterade arbetsplatser, t.ex. äldreboenden.",
        closed_on=d(2019, 2, 1)),
    Row("Telefonväxel", "Telefonväxeln saknar backup och reserv vid avbrott",
        "CIT",
        "Säkerställa tillgänglighet. Ingen backup, ingen möjlighet att ta över växelfunktionen "
        "vid avbrott.", severity=Severity.HIGH, closed_on=d(2019, 9, 2)),
    Row("Webbplatsen www.asby.example.se", "Webbplatsen: tillgänglighet och servicenivåer med leverantör",
        "KSF",
        "Tillgänglighet, säkerställ servicenivåer med leverantör. Testsystem. Microdippar.",
        severity=Severity.LOW, closed_on=d(2019, 10, 15)),
    Row("Mailsystemet", "Mailsystemet: okrypterad e-post och flera parallella system",
        "CIT",
        "Liv och lem, t.ex. för sjuksköterskor, kräver krypterad mail. Flera mailsystem, försök "
        "enas om ett. Utbildning i säkerhet. Systemförvaltningsplan för service, utveckling.",
        severity=Severity.HIGH, closed_on=d(2020, 1, 20)),
    Row("Geosecma", "Kartsystemet: interna rutiner, dokumentation och krisrutiner saknas",
        "KSF",
        "Kan användas felaktigt i fel syfte. Identifiera risker och bearbeta och dokumentera "
        "aktivt. Interna rutiner brist, saknad dokumentation, personberoende, risk när användare "
        "kopieras i AD. Manuella rutiner vid kris saknas. Förtydliga gränssyta mot RTJ.",
        system="Geosecma", status=FS.IN_PROGRESS),
    Row("Procapita", "Procapita: ansvar, rutiner vid driftstörning och redundans saknas",
        "SOC",
        "Innehåller känslig persondata. Se över ansvar och roller och rutiner vid driftstörningar. "
        "Identifierade risker bör dokumenteras och hanteras i en beslutande process. Saknas "
        "riktiga manualer. Dålig intro nyanställda. Stort personberoende. Ingen redundans vid "
        "avbrott.", system="Procapita", severity=Severity.HIGH, status=FS.REMEDIED,
        closed_on=d(2019, 12, 20)),
    Row("Teis", "Teis: oklart vad som övervakas och larmas, otydligt ansvar",
        "CIT",
        "Fokus på informationsintegriteten. Saknas vad som ska övervakas och sättas larm på. "
        "Tydlig förvaltningsstruktur saknas. Ansvar inte tydligt.", system="Teis",
        closed_on=d(2019, 5, 6)),
    Row("LEX", "LEX: lagkrav vid störningar och integrationer mot e-tjänster",
        "KSF",
        "Lagkrav. Störningar kan till viss del hanteras tillfälligt manuellt och efter 1 vecka "
        "kan det bli svårt att följa lagen. Integration med e-tjänster kräver dokumenterad "
        "godkänd process för varje integration.", system="LEX", closed_on=d(2020, 2, 3)),
    Row("eCompanion/Besched", "eCompanion/Besched: bortfall vid utbetalningstillfällen",
        "SOC",
        "Master för all persondata, kompletteras med KIR. Systemet har särskilt höga krav vid "
        "utbetalningstillfällena; kommunen bör ha goda rutiner för ett eventuellt bortfall de "
        "dagarna.", system="eCompanion/Besched", status=FS.RISK_ACCEPTED,
        closed_on=d(2019, 3, 4),
        note="Reservrutin med banken finns sedan 2004 och är testad. Kvarstående risk vid "
        "bortfall på utbetalningsdagar accepteras."),
    Row("Aditro (Visma) ekonomisystem", "Ekonomisystemet: kompetensbrist och ingen supportrutin",
        "EKO",
        "Kompetensbrist. Brist i underlag, instruktioner. Ingen rutin för support.",
        system="Visma ekonomisystem (tidigare Aditro)", closed_on=d(2019, 3, 1)),
]  # fmt: skip

RECOMMENDATIONS = [
    ("KS", "Kommunstyrelsen bör säkerställa att riskanalyser, systemdokumentation och "
     "systemförvaltningsplaner med budget finns för kommunens prioriterade verksamhetssystem."),
    ("KS", "Kommunstyrelsen bör säkerställa att reservrutiner (plan B) och larmnivåer "
     "dokumenteras för verksamhetskritiska system och infrastruktur."),
    ("SN", "Socialnämnden bör ta fram riktlinjer för behörigheter och en förvaltningsplan för "
     "nämndens system."),
    ("BUN", "Barn- och utbildningsnämnden bör ta fram riktlinjer för behörigheter och en "
     "förvaltningsplan för nämndens system."),
    ("KOT", "Kultur- och tekniknämnden bör redovisa sina system med riskanalys och utsedda "
     "systemförvaltare."),
]  # fmt: skip

IT_COUNCIL_DECEMBER_2018 = (
    "Information på decembers 2018 IT-råd/Rond:\n"
    "• Alla internkontroller som görs i systemen måste rapporteras till "
    "informationssäkerhetssamordnaren senast 1 mars årligen\n"
    "• Riktlinjer för beställning av behörighet i respektive verksamhetssystem måste göras\n"
    "• Systemförvaltningsplan med budget för verksamhetssystem\n"
    "• Systemdokumentation för verksamhetssystem\n"
    "• Enklare mall för riskanalys kommer användas i stället för GAP/LIS\n"
    "• Övervakning och larm i Teis för respektive verksamhetssystem\n"
    "• Kraftförsörjning på respektive arbetsplats"
)


def load(ctx: DemoContext) -> Audit:
    review = audit(
        ctx, "s002", "Granskning av informationssäkerhet i verksamhetssystemen",
        d(2018, 9, 27), ["KS", "SN", "BUN", "KOT"],
        body=Audit.Body.ELECTED_AUDITORS, kind=Audit.Kind.IN_DEPTH, dnr="REV 2018/6",
        response_deadline=d(2019, 2, 28),
        purpose="Att bedöma om nämnderna har en tillräcklig intern kontroll över "
        "informationssäkerheten i kommunens verksamhetssystem.",
        summary="Granskningen pekar på brister i riskanalys, systemdokumentation, reservrutiner "
        "och ansvar för kommunens verksamhetssystem och IT-infrastruktur.",
    )  # fmt: skip
    recs = [
        recommendation(ctx, review, number, addressee, text)
        for number, (addressee, text) in enumerate(RECOMMENDATIONS, start=1)
    ]
    msbfs = ctx.audits["it-2017"].recommendations.get(number=1)

    found: dict[str, Finding] = {}
    for number, row in enumerate(ROWS, start=1):
        obs = observation(ctx, review, number, row.area, row.brist, row.unit)
        found[row.area] = finding(
            ctx, f"GR 2018:{number}", title=row.title,
            description=row.brist, unit=ctx.units[row.unit], source=Finding.Source.AUDIT,
            audit=review, observation=obs, identified=d(2018, 9, 27), severity=row.severity,
            systems=[ctx.systems[row.system]] if row.system else [],
            status=row.status, closed_on=row.closed_on, note=row.note,
        )  # fmt: skip

    ks_actions = _kommunstyrelsen(ctx, found, recs, msbfs)
    _responses(ctx, review, recs, found, ks_actions)
    return review


def _kommunstyrelsen(ctx: DemoContext, found: dict[str, Finding], recs, msbfs) -> dict[str, list]:
    """Kommunstyrelsen's own rows; returns the actions grouped by the answer they belong to."""
    cit, ksf = ctx.units["CIT"], ctx.units["KSF"]
    it_chief, coordinator = ctx.users["itchef"], ctx.users["samordnare"]
    manager = ctx.users["systemforvaltare"]

    def done(title, unit, deadline, completed, precision=P.DAY, owner=it_chief, **kw):
        return action(ctx, title, unit=unit, owner=owner, deadline=deadline,
                      precision=precision, status=AS.DONE, completed=completed, **kw)  # fmt: skip

    risk = [
        done("Riktlinjer med systemförvaltningsplan: workshop med samtliga systemförvaltare",
             cit, d(2019, 4, 2), d(2019, 4, 2), owner=coordinator,
             description="2 april samtliga systemförvaltare för workshop och genomgång. Samt "
             "workshop bokad med extern leverantör.", recommendations=[recs[0], msbfs]),
        done("LIS-system infört med två analyser (2017 och 2018)", cit, d(2018, 1, 1),
             d(2018, 11, 30), P.YEAR, owner=coordinator, recommendations=[msbfs],
             description="Mall för riskanalys kommer införas i stället. Enklare."),
        done("Enklare mall för riskanalys i stället för GAP/LIS", cit, d(2019, 1, 1),
             d(2019, 6, 14), P.YEAR, owner=coordinator, recommendations=[recs[0], msbfs]),
        done("Uppdragsbeskrivning av Centrala IT: omorganisation och ny chef 1 januari 2019",
             cit, d(2019, 1, 1), d(2019, 1, 1), owner_description="Kommundirektören",
             owner=None),
        done("IT-arkitekt dokumenterar kommunens nätverk", cit, d(2019, 1, 1), d(2019, 12, 13),
             P.YEAR, description="Systemägare måste dokumentera sina system med integrationer.",
             recommendations=[recs[0]]),
        done("Två systemförvaltare till kommunledningskontoret", cit, d(2018, 11, 4),
             d(2018, 11, 2)),
        done("Styrdokument efterlevs samt omprövas: ärende hos kommunstyrelsen", ksf,
             d(2018, 12, 4), d(2018, 12, 4), owner=coordinator, recommendations=[msbfs]),
    ]  # fmt: skip
    reserve = [
        done("Ny UPS i kommunhuset", cit, d(2018, 1, 1), d(2018, 6, 28), P.YEAR,
             findings=[found["IT-infrastruktur – kraftförsörjningen"]], recommendations=[recs[1]],
             description="Prioriterade arbetsplatser: ingen brist har framkommit från "
             "verksamheterna. Plan B måste dokumenteras av systemägare, t.ex. koppla upp via "
             "mobil."),
        done("Tillgänglighet och regelbundna tester av telefonväxeln genom värdkommunen", cit,
             d(2019, 1, 1), d(2019, 8, 30), P.YEAR, findings=[found["Telefonväxel"]],
             recommendations=[recs[1]],
             description="Kravet är att datanätet är tillgängligt, annars blir vi utan telefoni "
             "genom växeln. Plan B kan vara att använda mobiler så länge mobilnätet är "
             "tillgängligt."),
        done("Ansvar för Teis: Centrala IT systemförvaltare och IT-chef systemägare", cit,
             d(2017, 1, 1), d(2017, 6, 1), P.YEAR, findings=[found["Teis"]],
             description="Varje förvaltning måste påtala sina larmnivåer."),
        done("Tydliggöra för systemförvaltarna vad larmmailen från Teis innebär", cit,
             d(2019, 4, 2), d(2019, 4, 2), owner=manager, findings=[found["Teis"]],
             recommendations=[recs[1]],
             description="Systemägare ska sätta nivåerna för sitt system. Det går larm via mail "
             "till Centrala IT och till systemförvaltare. Möte 2 april."),
    ]  # fmt: skip
    mail = [
        done("Ny webb på ny portal driftsätts", ksf, d(2019, 1, 1), d(2019, 10, 1), P.YEAR,
             findings=[found["Webbplatsen www.asby.example.se"]],
             description="Felet med microdippar är åtgärdat."),
        done("Sammanslagning av IT-enheterna: all personal i Outlook", cit, d(2019, 4, 1),
             d(2019, 6, 20), P.QUARTER, findings=[found["Mailsystemet"]],
             description="Första halvåret 2019 ska all personal finnas i Outlook."),
        done("Firstclass avvecklas", cit, d(2019, 10, 1), d(2019, 12, 16), P.QUARTER,
             findings=[found["Mailsystemet"]]),
        done("E-tjänst för beställning av behörigheter", cit, d(2019, 1, 1), d(2019, 3, 27),
             P.QUARTER, description="Riktlinjer för grundbeställning finns på intranätet. Den "
             "styrs helt utifrån om du har en anställning eller inte."),
        done("Nytt ekonomisystem (Visma) ersätter Aditro", ctx.units["EKO"], d(2019, 1, 1),
             d(2019, 1, 31), P.MONTH, owner=None, owner_description="Ekonomichef",
             findings=[found["Aditro (Visma) ekonomisystem"]]),
        done("Godkänd process för varje integration mot e-tjänster i LEX", ksf, d(2019, 1, 1),
             d(2019, 12, 20), P.YEAR, owner=None,
             owner_description="Registrator och systemförvaltare LEX",
             findings=[found["LEX"]],
             description="Görs i varje enskild e-tjänst; pågått under 2018 och fortsätter "
             "under 2019."),
    ]  # fmt: skip
    # Ongoing work without a deadline ("löpande"), and the map system's open row.
    ongoing = action(
        ctx, "Nanoutbildningar i informationssäkerhet: hantera mail och klicka på länkar",
        unit=cit, owner=coordinator, status=AS.IN_PROGRESS,
        description="Löpande till alla medarbetare.",
    )  # fmt: skip
    progress(ctx, ongoing, ctx.days(-14), "Höstens omgång skickad till alla medarbetare.",
             author=coordinator)  # fmt: skip
    geosecma = action(
        ctx, "Dokumentera interna rutiner och manuella rutiner vid kris för kartsystemet och "
        "förtydliga gränsytan mot Räddningstjänsten",
        unit=ksf, owner=manager, deadline=ctx.days(20), status=AS.IN_PROGRESS,
        findings=[found["Geosecma"]], recommendations=[recs[0]],
    )  # fmt: skip
    progress(ctx, geosecma, ctx.days(-10), "Rutinbeskrivning klar; gränsytan mot RTJ stäms av "
             "med förbundet.", author=manager)  # fmt: skip
    return {"risk": risk, "reserve": reserve, "mail": mail, "ongoing": [ongoing, geosecma]}


SVAR = {
    "BUN": [
        "Utarbeta riktlinjer för behörigheter i Procapita, färdigställt 2019.",
        "Utarbeta en förvaltningsplan över våra system, inklusive budget. Färdigställs 2019.",
        "Nämnden rapport GDPR samt plan för åtgärder och uppföljning vid sammanträdet "
        "19 december 2018.",
        "Nämnden kommer i internkontrollplan 2019 att lägga till kontrollpunkt uppföljning av "
        "personal genomför utbildning inom GDPR och IT-säkerhet. Rapport skickas till KS vilket "
        "Central IT ligger under.",
    ],
    "SN": [
        "Systemförvaltare utarbetar riktlinjer för behörigheter i Procapita. Färdigställt under "
        "2019.",
        "Utarbeta en förvaltningsplan över våra system, inklusive budget. Färdigställs 2019.",
        "Nämnden rapport angående GDPR samt åtgärder och uppföljning vid sammanträdet den "
        "20 februari 2019.",
        "Nämnden kommer i sin internkontrollplan 2019 att lägga en kontrollpunkt: all personal "
        "utbildas inom GDPR och IT-säkerhet. Rapport skickas till KS under vilken Central IT "
        "ligger.",
    ],
    "KOT": [
        "Detaljerad redovisning av sina system: DeDu, Desigo, Booking, Vanderbilt, RCO, "
        "MicroMarc, EDP Future – riskanalys, systemförvaltare uppdateras. Behörig beställare.",
    ],
}


def _responses(ctx: DemoContext, review: Audit, recs, found, ks_actions) -> None:
    S = BoardResponse.Status
    ks_meeting = decision(
        ctx, "ks-2018-response", "KS", d(2018, 12, 4), "212", dnr="KS/2018:466",
        title="Svar på revisionens granskning av informationssäkerhet i verksamhetssystemen",
        proposal="Kommunstyrelsen antar åtgärdsplanen som svar på revisionens granskning.",
        distribution="Revisionen\nAkten",
    )  # fmt: skip
    ks = response(
        ctx, review, "KS", title="Åtgärdsplan informationssäkerhet",
        summary=IT_COUNCIL_DECEMBER_2018, board_decision_text=ks_meeting.proposal,
        status=S.DISPATCHED, decision=ks_meeting, dispatched_date=d(2018, 12, 6),
    )  # fmt: skip
    item(ctx, ks, 1, "Riskanalys, LIS, uppdragsbeskrivning, strategi och styrdokument enligt "
         "åtgärdsplanen.", actions=ks_actions["risk"], rec=recs[0])  # fmt: skip
    item(ctx, ks, 2, "Kraftförsörjning, telefonväxel och larm i Teis enligt åtgärdsplanen.",
         actions=ks_actions["reserve"], rec=recs[1])  # fmt: skip
    item(ctx, ks, 3, "Webb, mailsystem, beställning av behörigheter och ekonomisystem enligt "
         "åtgärdsplanen.", actions=ks_actions["mail"])  # fmt: skip
    item(ctx, ks, 4, "Utbildning löpande och kartsystemets rutiner.",
         actions=ks_actions["ongoing"], obs=found["Geosecma"].observation)  # fmt: skip

    boards = [
        ("BUN", "BUF", recs[3], d(2018, 12, 19), "87", "BUN 2018/203", S.DISPATCHED,
         d(2018, 12, 21), "utbildningschef", "barn- och utbildningsförvaltningen"),
        ("SN", "SOC", recs[2], d(2019, 2, 20), "23", "SN 2018/311", S.DECIDED, None,
         "socialchef", "socialförvaltningen"),
        ("KOT", "KTF", recs[4], d(2019, 1, 24), "9", "KOT 2018/145", S.DISPATCHED,
         d(2019, 1, 28), "", "kultur- och teknikförvaltningen"),
    ]  # fmt: skip
    for code, dept, rec, day, paragraph, dnr, status, sent, chief, dept_name in boards:
        meeting = decision(
            ctx, f"{code.lower()}-response", code, day, paragraph, dnr=dnr,
            title="Svar på revisionens granskning av informationssäkerhet",
            proposal=f"{ctx.units[code].name} antar svaret som sitt eget och översänder det till "
            "revisionen och kommunstyrelsen.",
            distribution="Revisionen\nKommunstyrelsen\nAkten",
        )  # fmt: skip
        answer = response(
            ctx, review, code, title=f"SVAR från {ctx.units[code].name}",
            board_decision_text=meeting.proposal, status=status, decision=meeting,
            dispatched_date=sent,
        )  # fmt: skip
        owner = (
            {"owner": ctx.users[chief]}
            if chief
            else {"owner_description": "Förvaltningschef Kultur och teknik"}
        )
        for number, text in enumerate(SVAR[code], start=1):
            promised = _promised_action(ctx, code, dept, dept_name, number, text, found, rec, owner)
            item(ctx, answer, number, text, actions=promised, rec=rec)


def _promised_action(ctx, code, dept, dept_name, number, text, found, rec, owner) -> list:
    """The action behind one SVAR sentence (none for a report already given at a meeting)."""
    unit = ctx.units[dept]
    if code == "KOT":
        return [action(
            ctx, "Riskanalys och uppdaterade systemförvaltare för DeDu, Desigo, Booking, "
            "Vanderbilt, RCO, MicroMarc och EDP Future; behörig beställare utsedd",
            unit=unit, deadline=d(2019, 1, 1), precision=P.YEAR, status=AS.DONE,
            completed=d(2019, 11, 29), recommendations=[rec], **owner,
        )]  # fmt: skip
    if number == 1:
        return [action(
            ctx, f"Riktlinjer för behörigheter i Procapita, {dept_name}",
            unit=unit, deadline=d(2019, 1, 1), precision=P.YEAR, status=AS.DONE,
            completed=d(2019, 9, 30), findings=[found["Procapita"]], recommendations=[rec],
            **owner,
        )]  # fmt: skip
    if number == 2:
        return [action(
            ctx, f"Förvaltningsplan med budget över systemen, {dept_name}",
            unit=unit, deadline=d(2019, 1, 1), precision=P.YEAR, status=AS.DONE,
            completed=d(2019, 12, 12), recommendations=[rec], **owner,
        )]  # fmt: skip
    if number == 4:
        return [action(
            ctx, f"Kontrollpunkt i internkontrollplan 2019: personalens utbildning i GDPR och "
            f"IT-säkerhet, {dept_name}",
            unit=unit, deadline=d(2019, 1, 1), precision=P.MONTH, status=AS.DONE,
            completed=d(2018, 12, 19) if code == "BUN" else d(2019, 1, 30),
            recommendations=[rec], **owner,
        )]  # fmt: skip
    return []
