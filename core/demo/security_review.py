"""PwC's technical security review of 2017 (S004), its findings and the actions taken.

S004 publishes only a summary; the review's details are secret under OSL 18 kap. 8 §. Here the
audit is flagged secret, the four published areas are open observations, and each finding (the
technical detail) is flagged secret, so board members never see them. Actions that S004 reports
as done are done; the larger ones are still under way, with deadlines set from today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from audits.models import Audit, Observation
from core.demo.base import DemoContext, set_m2m, upsert
from core.demo.records import AS, FS, P, action, finding, progress
from findings.models import Finding, Severity

PURPOSE = (
    "PwC har på uppdrag av kommunen genomfört en teknisk säkerhetsgranskning under juni månad "
    "2017. För att granskningen skulle vara så reell som möjligt var ingen personal informerad "
    "om när och hur. Granskarna hade som utgångspunkt tillgång till ett vanligt användarkonto "
    "samt nätaccess. Målet var att få tillgång till och kunna ändra information, alternativt "
    "att störa systemens tillgänglighet."
)
SUMMARY = (
    "PwC fick anslutning till samma nätverk som IT-avdelningens anställda, ett nätverk med "
    "högre accessrättigheter till de övriga näten. Brister som upptäcktes är av varierande "
    "dignitet och risk. En del av dem innebär en hög risk men kan ändå åtgärdas med enkla "
    "medel. Vissa åtgärder är redan vidtagna såsom uppdatering av servrar där 6 av 110 st var "
    "eftersatta, lösenordshantering där samma lösenord förekom och oavslutade fjärrsessioner. "
    "Andra kräver större arbetsinsats och tar längre tid att implementera. Åtgärder för att ta "
    "till oss av utfallet är nu under skapande med tidsatta aktiviteter."
)

AREAS = [
    ("Nätverk", "I nätverket är det framförallt områdena nätverksaccess och nätsegmentering där "
     "man bedömer att det finns svagheter och brister."),
    ("Antivirus, uppdateringar och föråldrad version av operativsystem",
     "Uppdateringar på vissa servrar var inte fullständiga. Brister i antivirusprogramvaran på "
     "både klient och server. Datorer med föråldrat operativsystem påträffades."),
    ("Lösenord, användarkonton och fjärrsessioner",
     "Policyn och rutinen för lösenord bör ses över vad gäller både system och användarkonton."),
    ("Övervakning och loggning",
     "Vissa typer av attacker kunde genomföras utan att övervakningssystemen larmade."),
]  # fmt: skip


@dataclass(frozen=True)
class Fix:
    title: str
    owner: str  # a demo user name
    deadline: datetime.date | None
    precision: str = P.DAY
    status: str = AS.DONE
    completed: datetime.date | None = None
    notes: tuple[tuple[datetime.date, str], ...] = ()


@dataclass(frozen=True)
class Weakness:
    reference: str
    area: int
    title: str
    description: str
    severity: str
    status: str
    closed_on: datetime.date | None = None
    fixes: list[Fix] = field(default_factory=list)


def _weaknesses(ctx: DemoContext) -> list[Weakness]:
    d = datetime.date
    # Work still under way: deadlines follow today, at quarter or year precision.
    next_quarter = ctx.days(75)
    return [
        Weakness("PwC 2017:1", 1, "Nätaccess utan autentisering",
                 "Nätaccess erhålls utan autentisering då en klient ansluts till det trådburna "
                 "nätverket.", Severity.HIGH, FS.IN_PROGRESS,
                 fixes=[Fix("Införa autentisering av klienter i det trådburna nätet (IEEE 802.1X)",
                            "atgardsagare", next_quarter, P.QUARTER, AS.IN_PROGRESS,
                            notes=((d(2018, 3, 15), "Upphandling av nätverksutrustning klar."),
                                   (ctx.days(-40), "Pilot i kommunhuset genomförd; utrullning "
                                    "på skolorna återstår.")))]),
        Weakness("PwC 2017:2", 1, "Svag nätsegmentering mellan servernät och klientnät",
                 "Servrar exponeras i för stor utsträckning mot klienter. IT-avdelningens nät har "
                 "högre accessrättigheter till övriga nät.", Severity.HIGH, FS.IN_PROGRESS,
                 fixes=[Fix("Segmentera servernät och klientnät och begränsa servrarnas "
                            "exponering mot klienter", "itchef", ctx.today, P.YEAR,
                            AS.IN_PROGRESS,
                            notes=((d(2019, 6, 3), "Servernäten separerade; klientnäten återstår."),))]),
        Weakness("PwC 2017:3", 2, "Eftersatta uppdateringar på 6 av 110 servrar",
                 "Uppdateringar på vissa servrar var inte fullständiga (6 av 110 servrar).",
                 Severity.HIGH, FS.VERIFIED, d(2017, 10, 10),
                 fixes=[Fix("Uppdatera de sex eftersatta servrarna och införa månatlig "
                            "patchrapport", "atgardsagare", d(2017, 9, 30),
                            completed=d(2017, 8, 25))]),
        Weakness("PwC 2017:4", 2, "Brister i antivirusprogramvaran på klient och server",
                 "Viss skadlig kod detekteras inte. PwC påvisade att det går att exekvera "
                 "skadlig kod och på så sätt ta över system.", Severity.HIGH, FS.VERIFIED,
                 d(2018, 5, 2),
                 fixes=[Fix("Byta antivirusprogramvara på klienter och servrar", "atgardsagare",
                            d(2018, 3, 1), P.QUARTER, completed=d(2018, 3, 20))]),
        Weakness("PwC 2017:5", 2, "Datorer med operativsystem utan säkerhetsstöd",
                 "Datorer med föråldrat operativsystem som inte längre får säkerhetspatchar "
                 "påträffades.", Severity.MEDIUM, FS.VERIFIED, d(2019, 5, 6),
                 fixes=[Fix("Ersätta eller isolera datorer med operativsystem utan "
                            "säkerhetsstöd", "itchef", d(2019, 1, 1), P.QUARTER,
                            completed=d(2019, 3, 29))]),
        Weakness("PwC 2017:6", 3, "Lösenord som är lätta att gissa",
                 "PwC påvisade fall där lösenord var enkla att gissa (t.ex. Sommar2017).",
                 Severity.HIGH, FS.VERIFIED, d(2019, 1, 15),
                 fixes=[Fix("Revidera lösenordspolicyn och rutinen för system- och "
                            "användarkonton", "itchef", d(2018, 1, 1), P.YEAR,
                            completed=d(2018, 6, 14)),
                        Fix("Införa spärrlista mot lättgissade lösenord (årstid + år)",
                            "atgardsagare", d(2018, 10, 1), P.QUARTER,
                            completed=d(2018, 11, 30))]),
        Weakness("PwC 2017:7", 3, "Samma lösenord på flera servrar och standardlösenord kvar",
                 "Samma lösenord förekom för en del servrar och system; i vissa system hade "
                 "standardlösenordet inte bytts ut.", Severity.CRITICAL, FS.VERIFIED,
                 d(2017, 9, 20),
                 fixes=[Fix("Byta delade lösenord och förinställda standardlösenord",
                            "atgardsagare", d(2017, 8, 31), completed=d(2017, 8, 18))]),
        Weakness("PwC 2017:8", 3, "Öppna fjärrstyrningssessioner på servrar",
                 "Öppna fjärrstyrningssessioner kan tas över och ge tillgång till servern och "
                 "dess data.", Severity.HIGH, FS.REMEDIED, d(2017, 8, 18),
                 fixes=[Fix("Avsluta öppna fjärrsessioner och införa automatisk utloggning",
                            "atgardsagare", d(2017, 8, 31), completed=d(2017, 8, 18))]),
        Weakness("PwC 2017:9", 3, "Ingen kontospärr vid upprepade felaktiga inloggningar",
                 "I några av kommunens externt publicerade resurser saknades spärr av kontot vid "
                 "upprepade felaktiga inloggningsförsök.", Severity.MEDIUM, FS.VERIFIED,
                 d(2019, 4, 10),
                 fixes=[Fix("Införa kontospärr vid upprepade felaktiga inloggningar i externa "
                            "tjänster", "atgardsagare", d(2019, 1, 1), P.QUARTER,
                            completed=d(2019, 2, 28))]),
        Weakness("PwC 2017:10", 4, "Attacker utlöser inga larm i övervakningen",
                 "PwC kunde genomföra vissa attacker, t.ex. gissning av lösenord, utan att "
                 "övervakningssystemen larmade. Låsning av konton som används av system och "
                 "tjänster kan leda till avbrott i driften.", Severity.HIGH, FS.IN_PROGRESS,
                 fixes=[Fix("Införa central logganalys med larm vid attacker mot konton",
                            "itchef", ctx.days(150), P.QUARTER, AS.IN_PROGRESS,
                            notes=((ctx.days(-21), "Loggkällor kopplade; larmregler testas."),))]),
    ]  # fmt: skip


def load(ctx: DemoContext) -> Audit:
    review = upsert(
        ctx,
        Audit,
        municipality=ctx.municipality,
        title="Teknisk säkerhetsgranskning av IT-infrastruktur och system",
        report_date=datetime.date(2017, 9, 5),
        defaults={
            "body": Audit.Body.ADMINISTRATION,
            "firm": "PwC",
            "kind": Audit.Kind.SECURITY_REVIEW,
            "dnr": "KS/2016:389",
            "purpose": PURPOSE,
            "summary": SUMMARY,
            "assessment": "En del brister innebär hög risk men kan åtgärdas med enkla medel; "
            "andra kräver större arbetsinsats. Åtgärder pågår för de kvarstående delarna.",
            "is_secret": True,
            "follows_up": None,
            "response_deadline": None,
            "created_by": ctx.users["samordnare"],
        },
    )
    set_m2m(ctx, review, "addressed_units", [ctx.units["KS"]])
    ctx.audits["pwc"] = review
    observations = {}
    for number, (area, text) in enumerate(AREAS, start=1):
        observations[number] = upsert(
            ctx,
            Observation,
            audit=review,
            number=number,
            defaults={"area": area, "text": text, "unit": ctx.units["CIT"], "is_secret": False},
        )

    it_occurrence = ctx.occurrences["ksf-2017-it"]
    cit = ctx.units["CIT"]
    for weakness in _weaknesses(ctx):
        row = finding(
            ctx,
            weakness.reference,
            title=weakness.title,
            description=weakness.description,
            unit=cit,
            source=Finding.Source.SECURITY_REVIEW,
            audit=review,
            observation=observations[weakness.area],
            occurrence=it_occurrence,
            identified=datetime.date(2017, 6, 30),
            severity=weakness.severity,
            is_secret=True,
            status=weakness.status,
            closed_on=weakness.closed_on,
            note="Kontrollerat vid uppföljande skanning." if weakness.status == FS.VERIFIED else "",
        )
        for fix in weakness.fixes:
            fixed = action(
                ctx,
                fix.title,
                unit=cit,
                owner=ctx.users[fix.owner],
                deadline=fix.deadline,
                precision=fix.precision,
                status=fix.status,
                completed=fix.completed,
                findings=[row],
            )
            for day, comment in fix.notes:
                progress(ctx, fixed, day, comment, author=fixed.owner, status_after=fix.status)
    return review
