"""Åsby's system inventory and the access review of the map system.

The systems and their weaknesses are S002's (Geosecma, Procapita, Teis, LEX, eCompanion/Besched,
Aditro → Visma) plus S003's Heroma and Viva. The access review repeats what S000 found in the
map system: three users from Räddningstjänsten and two test users unknown to the system manager.
Vendors, dates and classification levels are illustrative.

Classifications are keyed on (system, date) and management plans on (system, year). The recent
ones are dated "last year" and "this year", so they stay current however late the demo is run;
a run in a new calendar year adds a new classification and plan (the old rows stay, as history).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from core.demo.base import DemoContext, at, upsert
from systems.models import (
    AccessReview,
    AccessReviewItem,
    Classification,
    Integration,
    ManagementPlan,
    System,
    SystemRole,
)
from systems.personnummer import hash_personnummer, mask_personnummer

R = SystemRole.Kind


@dataclass(frozen=True)
class SystemSpec:
    name: str
    description: str
    owning_unit: str
    vendor: str
    dpa_reference: str = ""
    dpa_date: datetime.date | None = None
    has_personal_data: bool = True
    is_prioritised: bool = True
    reserve_routine: str = ""
    alarm_level: str = System.AlarmLevel.NONE
    alarm_description: str = ""
    # (kind, demo user name or "", function name when no user holds it)
    roles: list[tuple[str, str, str]] = field(default_factory=list)


GEOSECMA = "Geosecma"

SYSTEMS = [
    SystemSpec(
        GEOSECMA,
        "Kommunens kartsystem (GIS): fastighets-, adress- och planinformation. Används även av "
        "Räddningstjänsten för insatskartor.",
        "KS",
        "Sweco",
        "PUB 2018:07",
        datetime.date(2018, 5, 24),
        reserve_routine="Manuella rutiner vid kris saknas. Gränsytan mot Räddningstjänsten ska "
        "förtydligas.",
        roles=[(R.OWNER, "kommundirektor", ""), (R.MANAGER, "systemforvaltare", "")],
    ),
    SystemSpec(
        "Procapita",
        "Verksamhetssystem för socialförvaltningen: individ- och familjeomsorg, äldreomsorg och "
        "LSS. Innehåller känsliga personuppgifter.",
        "SN",
        "Tieto",
        "PUB 2018:12",
        datetime.date(2018, 5, 25),
        reserve_routine="Ingen redundans vid avbrott. Rutiner vid driftstörningar ses över; "
        "utskrivna akutlistor per enhet tills vidare.",
        alarm_level=System.AlarmLevel.HIGH,
        alarm_description="Larm via Teis till Centrala IT och systemförvaltaren vid avbrott i "
        "integrationen mot Heroma.",
        roles=[
            (R.OWNER, "socialchef", ""),
            (R.MANAGER, "", "Systemförvaltare Procapita, socialförvaltningen"),
            (R.ORDERER, "", "Beställningsansvarig per enhet, socialförvaltningen"),
        ],
    ),
    SystemSpec(
        "Teis",
        "Integrationsplattform som förmedlar och övervakar data mellan verksamhetssystemen.",
        "KS",
        "Tieto",
        "PUB 2018:12",
        datetime.date(2018, 5, 25),
        alarm_level=System.AlarmLevel.NORMAL,
        alarm_description="Det går larm via mail till Centrala IT och till systemförvaltare. "
        "Systemägare sätter nivåerna för sitt system; varje förvaltning måste påtala sina "
        "larmnivåer. Vad larmen innebär tydliggörs för systemförvaltarna under 2019.",
        roles=[(R.OWNER, "itchef", ""), (R.MANAGER, "systemforvaltare", "")],
    ),
    SystemSpec(
        "LEX",
        "Ärende- och dokumenthantering (diarium) med integrationer mot e-tjänster.",
        "KS",
        "Formpipe",
        # No PUB-avtal registered: the inventory flags it.
        reserve_routine="Störningar kan till viss del hanteras tillfälligt manuellt. Efter en "
        "vecka kan det bli svårt att följa lagkraven.",
        roles=[
            (R.OWNER, "kommundirektor", ""),
            (R.MANAGER, "", "Registrator och systemförvaltare LEX, kansliet"),
        ],
    ),
    SystemSpec(
        "eCompanion/Besched",
        "Ekonomiskt bistånd: handläggning och utbetalning. Master för all persondata, "
        "kompletteras med KIR. Särskilt höga krav vid utbetalningstillfällena.",
        "SN",
        "Ecompanion",
        "PUB 2019:03",
        datetime.date(2019, 2, 11),
        reserve_routine="Reservrutin med banken för utbetalningsdagarna sedan 2004. Den är "
        "testad vid ett fåtal tillfällen.",
        alarm_level=System.AlarmLevel.HIGH,
        roles=[
            (R.OWNER, "socialchef", ""),
            (R.MANAGER, "", "Systemförvaltare ekonomiskt bistånd"),
        ],
    ),
    SystemSpec(
        "Visma ekonomisystem (tidigare Aditro)",
        "Kommunens ekonomisystem: redovisning, leverantörsreskontra och budget. Ersatte Aditro "
        "vid årsskiftet 2018–19.",
        "KS",
        "Visma",
        "PUB 2019:01",
        datetime.date(2019, 1, 10),
        roles=[
            (R.OWNER, "kommundirektor", ""),
            (R.MANAGER, "", "Systemförvaltare ekonomisystem, ekonomiavdelningen"),
        ],
    ),
    SystemSpec(
        "Heroma",
        "Personal- och lönesystem. Personalförteckningen som behörighetskontrollerna stäms av "
        "mot; behörigheter i applikationen läggs in manuellt av Löneservice efter blankett.",
        "SEN",
        "CGI",
        "PUB 2017:21",
        datetime.date(2017, 6, 1),
        roles=[
            (R.OWNER, "", "Förvaltningschef Servicekontoret"),
            (R.MANAGER, "", "Systemförvaltare Heroma, Löneservice"),
        ],
    ),
    SystemSpec(
        "Viva",
        "Verksamhetssystem som Dataservice driftar åt förvaltningarna enligt överenskommelse om "
        "tjänsteleverans (SLA). Reservlösningen är placerad hos leverantören.",
        "SEN",
        "",
        "PUB 2017:22",
        datetime.date(2017, 6, 1),
        roles=[
            (R.OWNER, "", "Förvaltningschef Servicekontoret"),
            (R.MANAGER, "", "Kundansvarig, Dataservice"),
        ],
    ),
]

INTEGRATIONS = [
    ("Heroma", "Procapita", "Anställningar och organisation via Teis (grund för behörigheter)"),
    ("Heroma", "Visma ekonomisystem (tidigare Aditro)", "Lönefil och konteringar"),
    ("eCompanion/Besched", "Visma ekonomisystem (tidigare Aditro)", "Utbetalningar"),
    ("LEX", "Teis", "Ärenden från e-tjänster"),
]


def _classifications(
    ctx: DemoContext,
) -> list[tuple[str, tuple[int, int, int, int], datetime.date, str, str]]:
    """(system, K R T S, date, by, measures). Dated "last year" ones stay current (< 3 years);
    the 2018–2019 ones are older than three years and get flagged for reclassification."""
    last_year = ctx.today.year - 1
    return [
        (GEOSECMA, (2, 3, 2, 2), datetime.date(2018, 11, 12), "systemforvaltare",
         "Dokumentera interna rutiner och manuella rutiner vid kris; minska personberoendet."),
        ("Procapita", (4, 3, 3, 3), datetime.date(2018, 10, 5), "samordnare",
         "Riktlinjer för behörigheter; rutiner vid driftstörningar."),
        ("Procapita", (4, 3, 3, 3), datetime.date(last_year, 11, 15), "samordnare",
         "Loggkontroll två gånger per år; behörighetskontroll mot Heroma i juni och december."),
        ("Teis", (2, 3, 3, 3), datetime.date(last_year, 9, 20), "systemforvaltare",
         "Larmnivåer per ansluten integration fastställs av respektive systemägare."),
        ("LEX", (3, 3, 2, 3), datetime.date(2019, 3, 14), "samordnare",
         "Godkänd process för varje integration mot e-tjänster."),
        ("eCompanion/Besched", (3, 4, 3, 3), datetime.date(last_year, 3, 10), "samordnare",
         "Testa reservrutinen med banken inför varje kvartal."),
        ("Visma ekonomisystem (tidigare Aditro)", (2, 4, 2, 3), datetime.date(2019, 1, 28),
         "samordnare", "Instruktioner och supportrutin tas fram."),
        ("Heroma", (3, 4, 3, 3), datetime.date(last_year, 6, 1), "samordnare",
         "Rutin för borttagning av behörigheter in i checklistan ”Avslut av anställning”."),
    ]  # fmt: skip


def load(ctx: DemoContext) -> None:
    for spec in SYSTEMS:
        system = upsert(
            ctx,
            System,
            municipality=ctx.municipality,
            name=spec.name,
            defaults={
                "description": spec.description,
                "owning_unit": ctx.units[spec.owning_unit],
                "information_owner": ctx.units[spec.owning_unit],
                "vendor": spec.vendor,
                "is_prioritised": spec.is_prioritised,
                "has_personal_data": spec.has_personal_data,
                "dpa_reference": spec.dpa_reference,
                "dpa_date": spec.dpa_date,
                "reserve_routine": spec.reserve_routine,
                "alarm_level": spec.alarm_level,
                "alarm_description": spec.alarm_description,
                "is_active": True,
            },
        )
        ctx.systems[spec.name] = system
        for kind, username, function in spec.roles:
            if username:
                upsert(ctx, SystemRole, system=system, kind=kind, user=ctx.users[username])
            else:
                upsert(ctx, SystemRole, system=system, kind=kind, user=None, name=function)

    for source, target, description in INTEGRATIONS:
        upsert(
            ctx,
            Integration,
            source=ctx.systems[source],
            target=ctx.systems[target],
            defaults={"description": description},
        )

    for name, (k, r, t, s), day, username, measures in _classifications(ctx):
        user = ctx.users[username]
        upsert(
            ctx,
            Classification,
            system=ctx.systems[name],
            classified_on=day,
            defaults={
                "confidentiality": k,
                "integrity": r,
                "availability": t,
                "traceability": s,
                "classified_by": user,
                "classified_by_name": user.get_full_name(),
                "required_measures": measures,
            },
        )

    this_year = ctx.today.year
    plans = [
        ("Procapita", 2019, 450_000, datetime.date(2019, 4, 2),
         "Riskanalys vid systemförvaltarworkshop 2 april 2019."),
        ("Procapita", this_year, 480_000, datetime.date(this_year - 1, 11, 15),
         "Uppgradering och ny behörighetsmodell; behörighetskontroll mot Heroma två gånger per år."),
        ("Teis", this_year, 220_000, datetime.date(this_year - 1, 9, 20),
         "Larmnivåer per integration; genomgång av larmmail med systemförvaltarna."),
        (GEOSECMA, 2019, 150_000, datetime.date(2019, 4, 2),
         "Dokumentation av interna rutiner och gränsyta mot Räddningstjänsten."),
    ]  # fmt: skip
    for name, year, budget, risk_analysis, notes in plans:
        upsert(
            ctx,
            ManagementPlan,
            system=ctx.systems[name],
            year=year,
            defaults={"budget": budget, "last_risk_analysis": risk_analysis, "notes": notes},
        )


# --------------------------------------------------------------------------------------------
# The access review of the map system
# --------------------------------------------------------------------------------------------


def fictional_personnummer(birth: str, serial: str) -> str:
    """A 12-digit personnummer with a correct check digit, for made-up people."""
    digits = birth[2:] + serial
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return f"{birth}{serial}{(10 - total % 10) % 10}"


# (account, name, birth date, serial, role in system, unit, category, match)
_C = AccessReviewItem.Category
_M = AccessReviewItem.Match
REVIEW_ACCOUNTS = [
    ("mober", "Mikael Öberg", "19780412", "231", "Administratör", "Centrala IT", _C.OK, _M.PERSONAL_NUMBER),
    ("kjohansson", "Kerstin Johansson", "19690303", "482", "Redigerare", "Plan och bygg", _C.OK, _M.PERSONAL_NUMBER),
    ("anilsson", "Amir Nilsson", "19850917", "055", "Redigerare", "Plan och bygg", _C.OK, _M.PERSONAL_NUMBER),
    ("lpersson", "Linda Persson", "19910128", "364", "Läsare", "Kultur och teknik", _C.OK, _M.PERSONAL_NUMBER),
    ("bsvensson", "Bo Svensson", "19620705", "719", "Läsare", "Kultur och teknik", _C.OK, _M.PERSONAL_NUMBER),
    ("rtj.jlindberg", "Jonas Lindberg", "19800101", "913", "Läsare, insatskarta", "Räddningstjänsten", _C.EXTERNAL, _M.NONE),
    ("rtj.mnyberg", "Malin Nyberg", "19871224", "626", "Läsare, insatskarta", "Räddningstjänsten", _C.EXTERNAL, _M.NONE),
    ("rtj.pforsberg", "Peter Forsberg", "19750630", "177", "Redigerare", "Räddningstjänsten", _C.EXTERNAL, _M.NONE),
    ("gistest1", "Testanvändare 1", "", "", "Redigerare", "", _C.TEST, _M.NONE),
    ("gistest2", "Testanvändare 2", "", "", "Administratör", "", _C.TEST, _M.NONE),
    ("gholmberg", "Gunilla Holmberg", "19580214", "848", "Redigerare", "Plan och bygg", _C.LEFT, _M.PERSONAL_NUMBER),
]  # fmt: skip

_D = AccessReviewItem.Decision
# Decisions taken so far; the rest wait for the system manager (the review is in progress).
REVIEW_DECISIONS = {
    "rtj.jlindberg": (_D.KEEP, "Räddningstjänsten behöver insatskartan. Behörigheten "
                      "regleras i avtalet med förbundet; beställs via förbundets beställare.", False),
    "rtj.pforsberg": (_D.REMOVE, "Okänd för systemförvaltaren och ingen beställning finns.", True),
    "gistest1": (_D.REMOVE, "Testkonto från uppgraderingen, behövs inte längre.", True),
    "gholmberg": (_D.REMOVE, "Anställningen har upphört.", False),
}  # fmt: skip


def load_access_review(ctx: DemoContext, occurrence) -> AccessReview:
    """The review is left *in review* so the flow can be shown: four accounts decided (two of
    them carried out), four flagged accounts still undecided. Dated from ``today``."""
    manager = ctx.users["systemforvaltare"]
    flagged = sum(1 for row in REVIEW_ACCOUNTS if row[6] != _C.OK)
    review = upsert(
        ctx,
        AccessReview,
        system=ctx.systems[GEOSECMA],
        occurrence=occurrence,
        defaults={
            "municipality": ctx.municipality,
            "status": AccessReview.Status.IN_REVIEW,
            "review_date": ctx.days(-3),
            "accounts_source": "Kontoexport från Geosecma (AD-grupp GIS-användare)",
            "accounts_exported_on": ctx.days(-4),
            "roster_source": "Heroma, aktuella anställningar",
            "roster_exported_on": ctx.days(-4),
            "inactive_days": 90,
            "column_mapping": {
                "account_id": "Användarnamn",
                "name": "Namn",
                "personnummer": "Personnummer",
                "last_login": "Senast inloggad",
                "role": "Roll",
            },
            "accounts_total": len(REVIEW_ACCOUNTS),
            "flagged_total": flagged,
            "reviewer": manager,
            "completed_at": None,
            "summary": "I kartsystemet finns tre användare från Räddningstjänsten och två "
            "testanvändare som är okända för systemförvaltaren, samt ett konto för en person "
            "som har slutat.",
        },
    )
    for account, name, birth, serial, role, unit, category, match in REVIEW_ACCOUNTS:
        pnr = fictional_personnummer(birth, serial) if birth else ""
        decision, reason, done = REVIEW_DECISIONS.get(account, ("", "", False))
        upsert(
            ctx,
            AccessReviewItem,
            review=review,
            account_id=account,
            defaults={
                "name": name,
                "person_hash": hash_personnummer(pnr) if pnr else "",
                "person_masked": mask_personnummer(pnr) if pnr else "",
                "last_login": ctx.days(-50) if category == _C.LEFT else ctx.days(-6),
                "role": role,
                "unit_text": unit,
                "match": match,
                "employment_end": ctx.days(-45) if category == _C.LEFT else None,
                "category": category,
                "decision": decision,
                "decision_reason": reason,
                "decided_by": manager if decision else None,
                "decided_at": at(ctx.days(-2), 14) if decision else None,
                "is_done": done,
            },
        )
    return review
