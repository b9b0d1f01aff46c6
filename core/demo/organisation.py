"""Åsby kommun's organisation, its people and their roles; the municipality's scales.

The tree follows the units named in the seeds: KS and its förvaltning with Centrala IT and the
ekonomiavdelning (S000, S004), Socialnämnden, Barn- och utbildningsnämnden and Kultur och teknik
(S001, S002), Servicenämnden with Dataservice and Löneservice (S003), Räddningstjänsten as a
kommunalförbund (S000) and the auditors. The people are fictional.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, is_password_usable, make_password

from controls.models import DEFAULT_CONSEQUENCE_LABELS, DEFAULT_LIKELIHOOD_LABELS, RiskScale
from core.demo import DEMO_PASSWORD
from core.demo.base import DemoContext, upsert
from organisation.models import Municipality, OrgUnit, Role, RoleAssignment, User
from systems.models import DEFAULT_CLASSIFICATION_LABELS, ClassificationScale

K = OrgUnit.Kind

# (short code, name, kind, parent, the nämnd a förvaltning serves)
ASBY_UNITS: list[tuple[str, str, str, str | None, str | None]] = [
    ("KF", "Kommunfullmäktige", K.COUNCIL, None, None),
    ("KS", "Kommunstyrelsen", K.EXECUTIVE_BOARD, "KF", None),
    ("KSF", "Kommunstyrelsens förvaltning", K.DEPARTMENT, "KS", "KS"),
    ("CIT", "Centrala IT", K.DIVISION, "KSF", None),
    ("EKO", "Ekonomiavdelningen", K.DIVISION, "KSF", None),
    ("SN", "Socialnämnden", K.COMMITTEE, "KF", None),
    ("SOC", "Socialförvaltningen", K.DEPARTMENT, "SN", "SN"),
    ("BUN", "Barn- och utbildningsnämnden", K.COMMITTEE, "KF", None),
    ("BUF", "Barn- och utbildningsförvaltningen", K.DEPARTMENT, "BUN", "BUN"),
    ("KOT", "Kultur- och tekniknämnden", K.COMMITTEE, "KF", None),
    ("KTF", "Kultur- och teknikförvaltningen", K.DEPARTMENT, "KOT", "KOT"),
    ("SEN", "Servicenämnden", K.COMMITTEE, "KF", None),
    ("SEK", "Servicekontoret", K.DEPARTMENT, "SEN", "SEN"),
    ("DS", "Dataservice", K.DIVISION, "SEK", None),
    ("LS", "Löneservice", K.DIVISION, "SEK", None),
    ("RTJ", "Räddningstjänsten Åsbydalen (kommunalförbund)", K.COMPANY, "KF", None),
    ("REV", "Revisionen", K.AUDIT, "KF", None),
]


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    title: str
    phone: str = ""
    can_log_in: bool = True
    is_superuser: bool = False


#: The demo users (who sign in with DEMO_PASSWORD) and staff named as unit heads and owners.
ASBY_PEOPLE = [
    Person("admin", "Per", "Ekström", "Systemadministratör", "0142-850 10", is_superuser=True),
    Person("samordnare", "Helena", "Nordin", "Informationssäkerhetssamordnare", "0142-850 21"),
    Person("kontrollant", "Erik", "Sandberg", "Kvalitetscontroller, kommunstyrelsens förvaltning"),
    Person("atgardsagare", "Sara", "Holm", "Driftchef, Centrala IT", "0142-851 33"),
    Person("ledamot", "Lars-Göran", "Wikström", "Ledamot i kommunstyrelsen (S)"),
    Person("revisor", "Birgitta", "Ahlström", "Förtroendevald revisor"),
    Person("systemforvaltare", "Mikael", "Öberg", "Systemförvaltare GIS och integration"),
    Person("kommundirektor", "Maria", "Lindqvist", "Kommundirektör", can_log_in=False),
    Person("itchef", "Anna", "Sjöberg", "IT-chef", "0142-851 30", can_log_in=False),
    Person("socialchef", "Johan", "Berg", "Socialchef", can_log_in=False),
    Person("utbildningschef", "Eva", "Karlsson", "Förvaltningschef BUF", can_log_in=False),
]

ASBY_HEADS = {
    "KSF": "kommundirektor",
    "CIT": "itchef",
    "SOC": "socialchef",
    "BUF": "utbildningschef",
}

# (user, unit, role). A role covers the unit's whole subtree.
ASBY_ROLES = [
    ("admin", "KF", Role.ADMIN),
    ("samordnare", "KF", Role.COORDINATOR),
    ("kontrollant", "KSF", Role.CONTROLLER),
    ("atgardsagare", "CIT", Role.ACTION_OWNER),
    ("ledamot", "KS", Role.BOARD_MEMBER),
    ("revisor", "KF", Role.AUDITOR),
]

_ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "Å": "A", "Ä": "A", "Ö": "O"})


def email_for(person: Person, domain: str) -> str:
    local = f"{person.first_name}.{person.last_name}".lower().translate(_ASCII).replace(" ", "")
    return f"{local}@{domain}"


class Passwords:
    """Hashes DEMO_PASSWORD once per run and checks each distinct stored hash once.

    PBKDF2 is slow on purpose; all demo users share one hash, so a re-run verifies a single hash
    instead of one per user, and resets a demo user whose password was changed.
    """

    def __init__(self) -> None:
        self._hash: str | None = None
        self._good: set[str] = set()

    def demo(self, stored: str | None) -> str:
        if stored and stored in self._good:
            return stored
        if stored and check_password(DEMO_PASSWORD, stored):
            self._good.add(stored)
            return stored
        if self._hash is None:
            self._hash = make_password(DEMO_PASSWORD)
            self._good.add(self._hash)
        return self._hash

    @staticmethod
    def unusable(stored: str | None) -> str:
        return stored if stored and not is_password_usable(stored) else make_password(None)


def load_people(
    ctx: DemoContext, people: list[Person], passwords: Passwords, domain: str
) -> dict[str, User]:
    users = {}
    for person in people:
        stored = User.objects.filter(username=person.username).values_list("password", flat=True)
        stored_hash = stored.first()
        users[person.username] = upsert(
            ctx,
            User,
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": email_for(person, domain),
                "title": person.title,
                "phone": person.phone,
                "municipality": ctx.municipality,
                "is_active": True,
                "is_staff": person.is_superuser,
                "is_superuser": person.is_superuser,
                "password": (
                    passwords.demo(stored_hash)
                    if person.can_log_in
                    else passwords.unusable(stored_hash)
                ),
            },
        )
    _forget_second_factors(users.values())
    return users


def _forget_second_factors(users) -> None:
    """The demo accounts are shared by every visitor: a second factor one visitor sets up must
    not lock the others out, so each run removes the demo users' devices."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for device_model in (TOTPDevice, StaticDevice):
        device_model.objects.filter(user__in=[u.pk for u in users]).delete()


def load_units(
    ctx: DemoContext,
    specs: list[tuple[str, str, str, str | None, str | None]],
    heads: dict[str, str] | None = None,
) -> dict[str, OrgUnit]:
    heads = heads or {}
    units: dict[str, OrgUnit] = {}
    for code, name, kind, parent, serves in specs:
        units[code] = upsert(
            ctx,
            OrgUnit,
            municipality=ctx.municipality,
            short_code=code,
            defaults={
                "name": name,
                "kind": kind,
                "parent": units[parent] if parent else None,
                "serves": units[serves] if serves else None,
                "head": ctx.users[heads[code]] if code in heads else None,
                "is_active": True,
            },
        )
    return units


def load_roles(ctx: DemoContext, roles: list[tuple[str, str, str]]) -> None:
    for username, code, role in roles:
        upsert(
            ctx,
            RoleAssignment,
            user=ctx.users[username],
            unit=ctx.units[code],
            role=role,
            defaults={"valid_from": None, "valid_to": None},
        )


def load_scales(ctx: DemoContext) -> None:
    """The default 4×4 risk scale and KLASSA's levels 0–4, renewed after three years."""
    upsert(
        ctx,
        RiskScale,
        municipality=ctx.municipality,
        defaults={
            "size": 4,
            "likelihood_labels": list(DEFAULT_LIKELIHOOD_LABELS),
            "consequence_labels": list(DEFAULT_CONSEQUENCE_LABELS),
            "yellow_from": 5,
            "red_from": 10,
        },
    )
    upsert(
        ctx,
        ClassificationScale,
        municipality=ctx.municipality,
        defaults={"labels": list(DEFAULT_CLASSIFICATION_LABELS), "max_age_years": 3},
    )


def load(ctx: DemoContext, passwords: Passwords) -> None:
    ctx.municipality = upsert(
        ctx,
        Municipality,
        slug="asby",
        defaults={
            "name": "Åsby kommun",
            "org_number": "212000-9999",
            "email_domain": "asby.example.se",
        },
    )
    load_scales(ctx)
    ctx.users = load_people(ctx, ASBY_PEOPLE, passwords, "asby.example.se")
    ctx.units = load_units(ctx, ASBY_UNITS, ASBY_HEADS)
    load_roles(ctx, ASBY_ROLES)
