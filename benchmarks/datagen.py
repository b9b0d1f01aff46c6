"""Benchmark data: a small municipality (S), a large city (L), a shared service for 50 (X).

``manage.py bench_data --size S|L|X`` fills an empty, migrated PostgreSQL database (never one
with data in it) through ``COPY … FROM STDIN`` (psycopg 3), with explicit primary keys and the
sequences reset afterwards; foreign keys are deferred to the end of each municipality's
transaction, so the tables are written in any order. On SQLite (tests) it falls back to
``bulk_create``.

The distributions are those of a real internal-control register (DOMAIN.md): one plan per unit
and year with 5–15 control points; occurrences by frequency (yearly … monthly); past occurrences
mostly done, a tail overdue; about one in five done controls a deviation, each with one to three
findings; findings of earlier years mostly verified or risk-accepted, those of this year open or
in progress; two actions per finding on average, open ones with a tail past their deadline;
audits with observations and recommendations; a system inventory with roles and KLASSA
classifications; completed access reviews and one large review under way. A fraction of the
findings and actions have a change history (simple-history rows), so a finding's page shows one.

X is 50 municipalities holding ten times L's rows: the first is exactly L (the same seed), the
other 49 share nine L's worth between them, so X's page figures are L's pages with 10× the rows
in every table.
"""

from __future__ import annotations

import datetime
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from audits.models import Audit, BoardResponse, Observation, Recommendation
from controls.models import ControlOccurrence, ControlPlan, ControlPoint, RiskScale
from findings.models import Action, ActionProgress, DeadlinePrecision, Finding, Severity
from notifications.models import Notification
from organisation.models import Decision, Municipality, OrgUnit, Role, RoleAssignment, User
from systems.models import (
    AccessReview,
    AccessReviewItem,
    Classification,
    ClassificationScale,
    System,
    SystemRole,
)

#: Bumped whenever the generated data changes, so the harness regenerates instead of reusing.
GENERATOR_VERSION = 3


@dataclass(frozen=True)
class MunicipalitySpec:
    units: int
    years: int
    points_per_plan: int  # on average; 5–15 around it for L
    users: int
    systems: int
    audits_per_year: int
    other_findings_per_year: int  # security reviews, incidents, access reviews, other
    completed_reviews: int
    items_per_review: int
    big_review_items: int  # the review under way whose result page is benchmarked
    history_fraction: float = 0.1


S_SPEC = MunicipalitySpec(
    units=10,
    years=1,
    points_per_plan=19,
    users=150,
    systems=60,
    audits_per_year=3,
    other_findings_per_year=60,
    completed_reviews=5,
    items_per_review=40,
    big_review_items=5000,
)
L_SPEC = MunicipalitySpec(
    units=300,
    years=10,
    points_per_plan=10,
    users=5000,
    systems=3000,
    audits_per_year=10,
    other_findings_per_year=1400,
    completed_reviews=200,
    items_per_review=50,
    big_review_items=5000,
)


def _share_of_l(fraction: float) -> MunicipalitySpec:
    return replace(
        L_SPEC,
        units=max(12, round(L_SPEC.units * fraction)),
        users=round(L_SPEC.users * fraction),
        systems=round(L_SPEC.systems * fraction),
        audits_per_year=max(1, round(L_SPEC.audits_per_year * fraction)),
        other_findings_per_year=round(L_SPEC.other_findings_per_year * fraction),
        completed_reviews=round(L_SPEC.completed_reviews * fraction),
        big_review_items=round(L_SPEC.big_review_items * fraction),
    )


SIZES: dict[str, list[MunicipalitySpec]] = {
    "S": [S_SPEC],
    "L": [L_SPEC],
    "X": [L_SPEC] + [_share_of_l(9 / 49)] * 49,
}

K = OrgUnit.Kind
COMMITTEES = [
    ("KS", "Kommunstyrelsen", K.EXECUTIVE_BOARD, "KSF", "Kommunstyrelsens förvaltning"),
    ("SN", "Socialnämnden", K.COMMITTEE, "SOC", "Socialförvaltningen"),
    (
        "BUN",
        "Barn- och utbildningsnämnden",
        K.COMMITTEE,
        "BUF",
        "Barn- och utbildningsförvaltningen",
    ),
    ("VON", "Vård- och omsorgsnämnden", K.COMMITTEE, "VOF", "Vård- och omsorgsförvaltningen"),
    ("MBN", "Miljö- och byggnämnden", K.COMMITTEE, "MBF", "Miljö- och byggförvaltningen"),
    ("TN", "Tekniska nämnden", K.COMMITTEE, "TF", "Tekniska förvaltningen"),
    ("KFN", "Kultur- och fritidsnämnden", K.COMMITTEE, "KFF", "Kultur- och fritidsförvaltningen"),
    ("AMN", "Arbetsmarknadsnämnden", K.COMMITTEE, "AMF", "Arbetsmarknadsförvaltningen"),
    ("SEN", "Servicenämnden", K.COMMITTEE, "SEK", "Servicekontoret"),
    ("GYN", "Gymnasienämnden", K.COMMITTEE, "GYF", "Gymnasieförvaltningen"),
    ("SBN", "Stadsbyggnadsnämnden", K.COMMITTEE, "SBF", "Stadsbyggnadskontoret"),
    ("FSN", "Förskolenämnden", K.COMMITTEE, "FSF", "Förskoleförvaltningen"),
]
DIVISION_NAMES = [
    "Ekonomi", "HR", "IT", "Kansli", "Kommunikation", "Upphandling", "Verksamhetsstöd",
    "Myndighetsutövning", "Individ- och familjeomsorg", "Hemtjänst", "Särskilt boende",
    "Grundskola", "Förskola", "Gymnasieskola", "Fastighet", "Gata och park", "VA", "Bibliotek",
    "Fritid", "Lönecenter", "Kundtjänst", "Bygglov", "Miljötillsyn", "Planering",
]  # fmt: skip
POINT_TITLES = [
    ("Behörighetshantering", "Behörigheter i verksamhetssystem",
     "Konton för personer som slutat ligger kvar aktiva", 3, 4),
    ("Inköp", "Avtalstrohet vid inköp", "Inköp görs utanför upphandlade avtal", 3, 3),
    ("Mobiltelefoni", "Mobilabonnemang", "Abonnemang betalas för personer som slutat", 3, 2),
    ("Fjärråtkomst", "VPN-konton", "Obehöriga har fjärråtkomst till nätet", 2, 4),
    ("Krishantering", "Krisledningsplan", "Planen är inaktuell när en kris inträffar", 2, 4),
    ("Attest", "Attesträtt", "Fakturor attesteras av fel person", 2, 3),
    ("Lönehantering", "Löneutbetalningar", "Lön betalas ut efter avslutad anställning", 2, 4),
    ("Informationssäkerhet", "SITHS-kort", "Kort för personer som slutat är aktiva", 3, 3),
    ("Dataskydd", "Registerförteckning", "Behandlingar saknas i förteckningen", 3, 2),
    ("IT-drift", "Säkerhetsuppdateringar", "Servrar saknar säkerhetsuppdateringar", 3, 4),
    ("Säkerhetskopiering", "Återläsningstest", "Säkerhetskopior går inte att läsa tillbaka", 2, 4),
    ("Representation", "Representation och gåvor", "Representation bryter mot riktlinjerna", 2, 2),
    ("Systemförvaltning", "Systemförvaltningsplaner", "Prioriterade system saknar plan", 3, 3),
    ("Avtal", "PUB-avtal", "Personuppgiftsbiträdesavtal saknas", 3, 3),
    ("Kontanthantering", "Kassor och växelkassor", "Kassan stämmer inte med redovisningen", 2, 2),
]  # fmt: skip
SYSTEM_NAMES = [
    "Procapita", "Treserva", "Lifecare", "Tieto Education", "Skola24", "Visma Lön", "Heroma",
    "Raindance", "Agresso", "Ciceron", "Public 360", "Platina", "Castor", "GeoSecma", "ArcGIS",
    "Ecos", "Vklass", "Unikum", "Combine", "TimeCare", "Office 365", "Active Directory",
    "Evolution", "Hypergene", "Stratsys", "Winlas", "Infokat", "Proceedo", "Qliksense", "Nexus",
]  # fmt: skip
FIRST = ["Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Per", "Sara", "Mikael",
         "Lena", "Anders", "Åsa", "Björn", "Ingrid", "Örjan", "Sofia", "Nils", "Elin", "Jonas"]  # fmt: skip
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
        "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Öberg"]  # fmt: skip
FREQUENCIES = [
    # (frequency, months, weight): about 4.7 occurrences per point on average.
    (ControlPoint.Frequency.YEARLY, [11], 13),
    (ControlPoint.Frequency.HALF_YEARLY, [6, 12], 25),
    (ControlPoint.Frequency.QUARTERLY, [3, 6, 9, 12], 25),
    (ControlPoint.Frequency.GIVEN_MONTHS, [2, 5, 11], 15),
    (ControlPoint.Frequency.MONTHLY, list(range(1, 13)), 22),
]
UNUSABLE_PASSWORD = make_password(None)

#: The key users of each municipality, by role (the benchmarks sign in as them).
KEY_USERS = ("admin", "coordinator", "controller", "action_owner", "board_member", "auditor")


def _month_end(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


# ------------------------------------------------------------------------------------------
# Writing rows: COPY on PostgreSQL, bulk_create elsewhere
# ------------------------------------------------------------------------------------------


class Table:
    """The columns of one model's table, with each field's default for the columns not given."""

    def __init__(self, model: type[models.Model], now: datetime.datetime) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.index = {name: i for i, name in enumerate(self.attnames)}
        self.template = [self._default(f, now) for f in self.fields]
        self.json = {i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)}
        self.rows: list[list[Any]] = []
        self.next_id = 1

    @staticmethod
    def _default(field: models.Field, now: datetime.datetime) -> Any:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now
        # Django's own default: the field's default, else "" for a text column, else None.
        return field.get_default()

    def add(self, **values: Any) -> int:
        row = list(self.template)
        if "id" in self.index:
            if "id" not in values:
                values["id"] = self.next_id
            self.next_id = max(self.next_id, values["id"] + 1)
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        self.rows.append(row)
        return values.get("id", 0)


class Writer:
    """Buffers rows per model and writes them with COPY (PostgreSQL) or bulk_create."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self.tables: dict[type[models.Model], Table] = {}
        self.counts: dict[str, int] = defaultdict(int)

    def table(self, model: type[models.Model]) -> Table:
        table = self.tables.get(model)
        if table is None:
            table = self.tables[model] = Table(model, self.now)
            if "id" in table.index:
                found = model._default_manager.aggregate(m=models.Max("id"))["m"]
                table.next_id = (found or 0) + 1
        return table

    def add(self, model: type[models.Model], **values: Any) -> int:
        return self.table(model).add(**values)

    def history(self, model: type[models.Model], values: dict[str, Any], **extra: Any) -> None:
        """A simple-history row of ``model`` (the historical model gets the same columns)."""
        historical = model.history.model
        table = self.table(historical)
        row = {k: v for k, v in values.items() if k in table.index}
        row.update(extra)
        if "history_id" not in row:
            row["history_id"] = table.next_id
            table.next_id += 1
        table.add(**row)

    def flush(self) -> None:
        for model, table in self.tables.items():
            if not table.rows:
                continue
            self.counts[model._meta.db_table] += len(table.rows)
            if connection.vendor == "postgresql":
                self._copy(table)
            else:
                self._bulk(table)
            table.rows = []

    @staticmethod
    def _copy(table: Table) -> None:
        columns = ", ".join(connection.ops.quote_name(f.column) for f in table.fields)
        quoted = connection.ops.quote_name(table.model._meta.db_table)
        json_columns = table.json
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
            with raw.copy(f"COPY {quoted} ({columns}) FROM STDIN") as copy:
                if json_columns:
                    for row in table.rows:
                        for i in json_columns:
                            row[i] = json.dumps(row[i])
                        copy.write_row(row)
                else:
                    for row in table.rows:
                        copy.write_row(row)

    @staticmethod
    def _bulk(table: Table) -> None:
        objects = []
        for row in table.rows:
            obj = table.model(**dict(zip(table.attnames, row, strict=True)))
            objects.append(obj)
        # bulk_create skips save(), so auto_now values are the ones given.
        table.model._default_manager.bulk_create(objects, batch_size=2000)

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.tables))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# ------------------------------------------------------------------------------------------
# One municipality
# ------------------------------------------------------------------------------------------


@dataclass
class Unit:
    id: int
    path: str
    kind: str
    depth: int
    committee: int  # index into COMMITTEES (the branch), -1 for KF and the auditors
    parent: int | None


class MunicipalityBuilder:
    def __init__(self, writer: Writer, spec: MunicipalitySpec, number: int, seed: int) -> None:
        self.w = writer
        self.spec = spec
        self.number = number
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.slug = f"bench-{number:02d}"
        self.key: dict[str, Any] = {}

    # --- organisation ---------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        w = self.w
        self.muni = w.add(
            Municipality,
            name=f"Bänkeby kommun {self.number}" if self.number else "Bänkeby kommun",
            slug=self.slug,
            org_number=f"212000-{1000 + self.number:04d}",
            email_domain=f"{self.slug}.example.se",
        )
        w.add(RiskScale, municipality_id=self.muni)
        w.add(ClassificationScale, municipality_id=self.muni)
        self._units()
        self._users()
        self._roles()
        self._systems()
        self._audits()
        self._plans()
        self._other_findings()
        self._reviews()
        self._notifications()
        self.key["municipality"] = self.muni
        return self.key

    def _unit(
        self,
        name: str,
        kind: str,
        parent: Unit | None,
        committee: int,
        code: str = "",
        serves: Unit | None = None,
    ) -> Unit:
        table = self.w.table(OrgUnit)
        pk = table.next_id
        path = f"{parent.path if parent else '/'}{pk}/"
        self.w.add(
            OrgUnit,
            id=pk,
            municipality_id=self.muni,
            parent_id=parent.id if parent else None,
            kind=kind,
            name=name,
            short_code=code,
            path=path,
            serves_id=serves.id if serves else None,
        )
        unit = Unit(pk, path, kind, path.count("/") - 2, committee, parent.id if parent else None)
        self.units.append(unit)
        return unit

    def _units(self) -> None:
        spec = self.spec
        self.units: list[Unit] = []
        root = self._unit("Kommunfullmäktige", K.COUNCIL, None, -1, "KF")
        self.root = root
        self.revision = self._unit("Revisionen", K.AUDIT, root, -1, "REV")
        committees = COMMITTEES[: max(2, min(len(COMMITTEES), spec.units // 20 + 2))]
        self.committees: list[Unit] = []
        self.departments: list[Unit] = []
        for i, (code, name, kind, dcode, dname) in enumerate(committees):
            committee = self._unit(name, kind, root, i, code)
            department = self._unit(dname, K.DEPARTMENT, committee, i, dcode, serves=committee)
            self.committees.append(committee)
            self.departments.append(department)
        remaining = spec.units - len(self.units)
        divisions: list[Unit] = []
        n = 0
        while remaining > 0:
            department = self.departments[n % len(self.departments)]
            name = f"{DIVISION_NAMES[n % len(DIVISION_NAMES)]} {department.id}-{n}"
            divisions.append(self._unit(name, K.DIVISION, department, department.committee))
            remaining -= 1
            n += 1
            # Every fourth division has a team or two under it (depth 5 of the tree).
            if remaining > 0 and n % 4 == 0:
                parent = divisions[-1]
                self._unit(f"Enhet {parent.id}-1", K.DIVISION, parent, parent.committee)
                remaining -= 1
        self.plan_units = [u for u in self.units if u.kind not in (K.COUNCIL, K.AUDIT)]
        self.by_branch: dict[int, list[Unit]] = defaultdict(list)
        for unit in self.plan_units:
            self.by_branch[unit.committee].append(unit)

    def _users(self) -> None:
        rng, spec = self.rng, self.spec
        self.user_ids: list[int] = []
        self.user_names: dict[int, str] = {}
        for i in range(spec.users):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            role = KEY_USERS[i] if i < len(KEY_USERS) else None
            username = f"{self.slug}-{role}" if role else f"{self.slug}-u{i}"
            pk = self.w.add(
                User,
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@{self.slug}.example.se",
                municipality_id=self.muni,
                password=UNUSABLE_PASSWORD,
                title="Handläggare",
                date_joined=self.w.now,
            )
            self.user_ids.append(pk)
            self.user_names[pk] = f"{first} {last}"
            if role:
                self.key[role] = pk

    def _roles(self) -> None:
        """Admins, coordinators and auditors for the whole municipality; controllers and board
        members on their branch; action owners on a division."""
        rng = self.rng
        users = self.user_ids
        n_users = len(users)
        add = self.w.add
        self.controllers: dict[int, list[int]] = defaultdict(list)  # branch → users
        self.branch_people: dict[int, list[int]] = defaultdict(list)
        cursor = len(KEY_USERS)

        def take() -> int:
            nonlocal cursor
            pk = users[cursor % n_users]
            cursor += 1
            return pk

        add(RoleAssignment, user_id=self.key["admin"], unit_id=self.root.id, role=Role.ADMIN)
        add(
            RoleAssignment,
            user_id=self.key["coordinator"],
            unit_id=self.root.id,
            role=Role.COORDINATOR,
        )
        add(RoleAssignment, user_id=self.key["auditor"], unit_id=self.root.id, role=Role.AUDITOR)
        for _ in range(2):
            add(RoleAssignment, user_id=take(), unit_id=self.root.id, role=Role.COORDINATOR)
        for _ in range(4):
            add(RoleAssignment, user_id=take(), unit_id=self.root.id, role=Role.AUDITOR)
        # The key controller and board member sit in the Socialnämnd's branch (index 1).
        branch = self.key_branch = 1 if len(self.committees) > 1 else 0
        dept = self.departments[branch]
        add(RoleAssignment, user_id=self.key["controller"], unit_id=dept.id, role=Role.CONTROLLER)
        self.controllers[branch].append(self.key["controller"])
        add(
            RoleAssignment,
            user_id=self.key["board_member"],
            unit_id=self.committees[branch].id,
            role=Role.BOARD_MEMBER,
        )
        controllers_per_branch = max(2, len(self.plan_units) // len(self.committees) // 3)
        for i, committee in enumerate(self.committees):
            for _ in range(controllers_per_branch):
                pk = take()
                add(
                    RoleAssignment, user_id=pk, unit_id=self.departments[i].id, role=Role.CONTROLLER
                )
                self.controllers[i].append(pk)
            for _ in range(9 if i != branch else 8):
                add(RoleAssignment, user_id=take(), unit_id=committee.id, role=Role.BOARD_MEMBER)
        # Everyone else works in a branch; about a third are action owners of a division.
        for pk in users[cursor:]:
            b = rng.randrange(len(self.committees))
            self.branch_people[b].append(pk)
        self.branch_people[branch].append(self.key["action_owner"])
        unit_ids = {u.id for u in self.plan_units}
        for b, people in self.branch_people.items():
            units = [u for u in self.by_branch[b] if u.id in unit_ids] or [self.departments[b]]
            for pk in people[: max(1, len(people) // 3)] + (
                [self.key["action_owner"]] if b == branch else []
            ):
                add(
                    RoleAssignment, user_id=pk, unit_id=rng.choice(units).id, role=Role.ACTION_OWNER
                )
        for b in range(len(self.committees)):
            if not self.branch_people[b]:
                self.branch_people[b] = list(self.controllers[b])

    # --- systems --------------------------------------------------------------------------

    def _systems(self) -> None:
        rng, spec, add = self.rng, self.spec, self.w.add
        self.system_ids: list[int] = []
        self.systems_by_branch: dict[int, list[int]] = defaultdict(list)
        self.system_managers: dict[int, int] = {}
        start = self.today - datetime.timedelta(days=365 * 6)
        for i in range(spec.systems):
            b = rng.randrange(len(self.committees))
            owner = self.committees[b]
            personal = rng.random() < 0.6
            pk = add(
                System,
                municipality_id=self.muni,
                name=f"{SYSTEM_NAMES[i % len(SYSTEM_NAMES)]} {i // len(SYSTEM_NAMES) + 1}",
                description="Verksamhetssystem",
                owning_unit_id=owner.id,
                information_owner_id=owner.id,
                vendor=rng.choice(["Tieto", "CGI", "Visma", "Evry", "Sokigo", "Microsoft"]),
                is_prioritised=rng.random() < 0.1,
                has_personal_data=personal,
                dpa_reference=f"PUB-{i}" if personal and rng.random() < 0.8 else "",
                is_active=rng.random() < 0.95,
                created_at=_aware(start),
                updated_at=_aware(start),
            )
            self.system_ids.append(pk)
            self.systems_by_branch[b].append(pk)
            manager = rng.choice(self.branch_people[b])
            if b == self.key_branch and not self.systems_by_branch[b][:-1]:
                # The key action owner manages a system (the start page, the big review).
                manager = self.key["action_owner"]
                self.key_system = pk
            self.system_managers[pk] = manager
            add(SystemRole, system_id=pk, kind=SystemRole.Kind.MANAGER, user_id=manager)
            add(SystemRole, system_id=pk, kind=SystemRole.Kind.OWNER, name="Förvaltningschef")
            for c in range(rng.choice([0, 1, 1, 2, 3])):
                day = start + datetime.timedelta(days=rng.randrange(0, 365 * 6))
                add(
                    Classification,
                    system_id=pk,
                    confidentiality=rng.randint(0, 4),
                    integrity=rng.randint(0, 4),
                    availability=rng.randint(0, 4),
                    traceability=rng.randint(0, 4),
                    classified_on=day - datetime.timedelta(days=c * 400),
                    classified_by_name="Informationssäkerhetssamordnaren",
                )
        if not hasattr(self, "key_system"):  # no system fell in the key branch by chance
            self.key_system = self.system_ids[0]

    # --- audits ---------------------------------------------------------------------------

    def _audits(self) -> None:
        rng, spec, add = self.rng, self.spec, self.w.add
        through = Audit.addressed_units.through
        self.recommendations: list[tuple[int, int, int, int]] = []  # (rec, audit, unit, year)
        previous: int | None = None
        for y in range(spec.years):
            year = self.today.year - spec.years + 1 + y
            for n in range(spec.audits_per_year):
                report = datetime.date(year, rng.randint(2, 10), rng.randint(1, 28))
                kind = rng.choice(list(Audit.Kind.values))
                units = rng.sample(
                    self.committees, k=min(len(self.committees), rng.choice([1, 1, 2, 3]))
                )
                audit = add(
                    Audit,
                    municipality_id=self.muni,
                    title=f"Granskning av {rng.choice(POINT_TITLES)[1].lower()} {year}:{n + 1}",
                    body=rng.choice(list(Audit.Body.values)),
                    firm=rng.choice(["PwC", "KPMG", "EY", ""]),
                    kind=kind,
                    report_date=report,
                    dnr=f"KS/{year}:{100 + n}",
                    follows_up_id=previous if kind == Audit.Kind.FOLLOW_UP else None,
                    response_deadline=report + datetime.timedelta(days=60),
                    purpose="Syftet är att bedöma om den interna kontrollen är tillräcklig.",
                    summary="Revisorerna bedömer att kontrollen delvis är tillräcklig.",
                    is_secret=rng.random() < 0.05,
                    created_at=_aware(report),
                )
                previous = audit
                for unit in units:
                    add(through, audit_id=audit, orgunit_id=unit.id)
                    add(
                        BoardResponse,
                        audit_id=audit,
                        unit_id=unit.id,
                        title="Yttrande",
                        status=BoardResponse.Status.DRAFT,
                    )
                for o in range(1, 7):
                    unit = rng.choice(units)
                    observation = add(
                        Observation,
                        audit_id=audit,
                        number=o,
                        area=rng.choice(POINT_TITLES)[0],
                        text="Rutinen är inte dokumenterad och följs inte fullt ut.",
                        unit_id=unit.id,
                        is_secret=rng.random() < 0.1,
                    )
                    rec = add(
                        Recommendation,
                        audit_id=audit,
                        number=o,
                        text="Nämnden bör säkerställa att rutinen dokumenteras och följs.",
                        addressee_id=unit.id,
                        observation_id=observation,
                    )
                    self.recommendations.append((rec, audit, unit.id, year))

    # --- plans, points, occurrences, findings, actions -----------------------------------

    def _decision(self, organ: int, day: datetime.date, title: str) -> int:
        return self.w.add(
            Decision,
            municipality_id=self.muni,
            organ_id=organ,
            meeting_date=day,
            paragraph=str(self.rng.randint(1, 200)),
            dnr=f"{day.year}:{self.rng.randint(1, 999)}",
            title=title,
        )

    def _plans(self) -> None:
        rng, spec, add, today = self.rng, self.spec, self.w.add, self.today
        first_year = today.year - spec.years + 1
        freq_choices = list(FREQUENCIES)
        freq_weights = [f[2] for f in FREQUENCIES]
        self.finding_rows: list[dict[str, Any]] = []
        self.key_plan = None
        for year in range(first_year, today.year + 1):
            current = year == today.year
            for unit in self.plan_units:
                organ = self._organ(unit)
                status = ControlPlan.Status.FINAL_REPORTED
                adoption = self._decision(organ, datetime.date(year - 1, 12, 10), "Plan")
                final = None
                if current:
                    status = (
                        ControlPlan.Status.DRAFT
                        if rng.random() < 0.05
                        else ControlPlan.Status.ADOPTED
                    )
                    if status == ControlPlan.Status.DRAFT:
                        adoption = None
                else:
                    final = self._decision(organ, datetime.date(year + 1, 2, 13), "Uppföljning")
                plan = add(
                    ControlPlan,
                    municipality_id=self.muni,
                    unit_id=unit.id,
                    year=year,
                    title=f"Internkontrollplan {year}",
                    status=status,
                    adoption_decision_id=adoption,
                    final_report_decision_id=final,
                    overall_assessment="Den interna kontrollen bedöms som tillräcklig."
                    if final
                    else "",
                    created_at=_aware(datetime.date(year - 1, 11, 1)),
                    updated_at=_aware(datetime.date(year - 1, 12, 10)),
                )
                if current and unit.id == self.departments[min(1, len(self.departments) - 1)].id:
                    self.key_plan = plan
                n_points = spec.points_per_plan
                if spec.points_per_plan == 10:
                    n_points = rng.randint(5, 15)
                for number in range(1, n_points + 1):
                    self._point(plan, unit, year, number, status, freq_choices, freq_weights)

    def _organ(self, unit: Unit) -> int:
        return self.committees[unit.committee].id if unit.committee >= 0 else self.root.id

    def _point(self, plan, unit, year, number, plan_status, freq_choices, freq_weights) -> None:
        rng, add, today = self.rng, self.w.add, self.today
        process, title, risk, likelihood, consequence = POINT_TITLES[
            (number - 1) % len(POINT_TITLES)
        ]
        frequency, months, _weight = rng.choices(freq_choices, weights=freq_weights)[0]
        controllers = self.controllers[unit.committee]
        owner = rng.choice(controllers) if controllers and rng.random() < 0.8 else None
        point = add(
            ControlPoint,
            plan_id=plan,
            number=number,
            title=title,
            process=process,
            risk_description=risk,
            likelihood=max(1, min(4, likelihood + rng.choice([-1, 0, 0, 1]))),
            consequence=consequence,
            control_activity="Stickprov jämförs med underlaget.",
            method="Stickprov",
            sample="10 %",
            frequency=frequency,
            planned_months=list(months),
            owner_id=owner,
            owner_description="" if owner else "Enhetschef",
            reports_to="Nämnden",
            scope=ControlPoint.Scope.UNIT_SPECIFIC,
            is_access_review=process == "Behörighetshantering",
        )
        final = plan_status == ControlPlan.Status.FINAL_REPORTED
        for month in months:
            due = _month_end(year, month)
            past = due < today
            status, outcome, performed, reason = ControlOccurrence.Status.PLANNED, "", None, ""
            if past:
                r = rng.random()
                done_share, not_done_share = (0.96, 0.04) if final else (0.85, 0.03)
                if r < done_share:
                    status = ControlOccurrence.Status.DONE
                    performed = due - datetime.timedelta(days=rng.randint(0, 20))
                    o = rng.random()
                    outcome = (
                        ControlOccurrence.Outcome.NO_REMARKS
                        if o < 0.8
                        else ControlOccurrence.Outcome.MINOR_DEVIATION
                        if o < 0.95
                        else ControlOccurrence.Outcome.MAJOR_DEVIATION
                    )
                elif r < done_share + not_done_share:
                    status = ControlOccurrence.Status.NOT_DONE
                    reason = "Personalbrist under perioden."
            occurrence = add(
                ControlOccurrence,
                control_point_id=point,
                period_label=f"{month:02d}/{year}",
                due_date=due,
                status=status,
                performed_date=performed,
                performed_by_id=owner if performed else None,
                checked_what="Stickprov om 10 % av posterna." if performed else "",
                outcome=outcome,
                not_done_reason=reason,
                recorded_at=_aware(performed) if performed else None,
            )
            if outcome in (
                ControlOccurrence.Outcome.MINOR_DEVIATION,
                ControlOccurrence.Outcome.MAJOR_DEVIATION,
            ):
                for _ in range(rng.choices([1, 2, 3], weights=[60, 30, 10])[0]):
                    self._finding(
                        unit=unit,
                        source=Finding.Source.CONTROL,
                        identified=performed,
                        title=f"Avvikelse: {title.lower()}",
                        occurrence=occurrence,
                        severity=Severity.HIGH
                        if outcome == ControlOccurrence.Outcome.MAJOR_DEVIATION
                        else None,
                    )

    def _other_findings(self) -> None:
        rng, spec, today = self.rng, self.spec, self.today
        sources = [
            (Finding.Source.SECURITY_REVIEW, 30),
            (Finding.Source.INCIDENT, 30),
            (Finding.Source.ACCESS_REVIEW, 20),
            (Finding.Source.OTHER, 20),
        ]
        for rec, audit, unit_id, year in self.recommendations:
            unit = next(u for u in self.committees if u.id == unit_id)
            for _ in range(rng.choice([1, 1, 2])):
                self._finding(
                    unit=unit,
                    source=Finding.Source.AUDIT,
                    identified=datetime.date(year, rng.randint(2, 11), rng.randint(1, 28)),
                    title="Brist enligt revisionen",
                    audit=audit,
                    recommendation=rec,
                )
        for y in range(spec.years):
            year = today.year - spec.years + 1 + y
            last_day = today if year == today.year else datetime.date(year, 12, 31)
            days = (last_day - datetime.date(year, 1, 1)).days
            for _ in range(spec.other_findings_per_year):
                source = rng.choices([s for s, _w in sources], weights=[w for _s, w in sources])[0]
                unit = rng.choice(self.plan_units)
                self._finding(
                    unit=unit,
                    source=source,
                    identified=datetime.date(year, 1, 1)
                    + datetime.timedelta(days=rng.randint(0, days)),
                    title=f"{Finding.Source(source).label}: {rng.choice(POINT_TITLES)[2].lower()}",
                    secret=source == Finding.Source.SECURITY_REVIEW and rng.random() < 0.6,
                )

    def _finding(
        self,
        *,
        unit: Unit,
        source: str,
        identified: datetime.date,
        title: str,
        occurrence: int | None = None,
        audit: int | None = None,
        recommendation: int | None = None,
        severity: str | None = None,
        secret: bool = False,
    ) -> None:
        rng, add, today = self.rng, self.w.add, self.today
        age = (today - identified).days
        r = rng.random()
        S = Finding.Status
        if age > 365:
            status = (
                S.VERIFIED
                if r < 0.85
                else S.RISK_ACCEPTED
                if r < 0.93
                else S.REMEDIED
                if r < 0.97
                else S.IN_PROGRESS
            )
        else:
            status = (
                S.OPEN
                if r < 0.25
                else S.IN_PROGRESS
                if r < 0.6
                else S.REMEDIED
                if r < 0.75
                else S.VERIFIED
                if r < 0.95
                else S.RISK_ACCEPTED
            )
        severity = severity or rng.choices(list(Severity.values), weights=[30, 45, 20, 5])[0]
        closed_at = _aware(min(today, identified + datetime.timedelta(days=rng.randint(30, 300))))
        coordinator = self.key["coordinator"]
        people = self.branch_people[unit.committee if unit.committee >= 0 else 0]
        values = {
            "id": self.w.table(Finding).next_id,
            "municipality_id": self.muni,
            "unit_id": unit.id,
            "reference": f"F-{identified.year}-{self.w.table(Finding).next_id}",
            "title": title,
            "description": "Vid kontrollen framkom brister som behöver åtgärdas.",
            "source": source,
            "occurrence_id": occurrence,
            "audit_id": audit,
            "recommendation_id": recommendation,
            "severity": severity,
            "is_secret": secret or rng.random() < 0.05,
            "identified_date": identified,
            "status": status,
            "status_changed_at": closed_at if status != S.OPEN else None,
            "verified_by_id": coordinator if status == S.VERIFIED else None,
            "verified_at": closed_at if status == S.VERIFIED else None,
            "verification_note": "Verifierad mot underlag." if status == S.VERIFIED else "",
            "risk_acceptance_motivation": "Kostnaden står inte i proportion till risken."
            if status == S.RISK_ACCEPTED
            else "",
            "risk_accepted_by_id": coordinator if status == S.RISK_ACCEPTED else None,
            "risk_accepted_at": closed_at if status == S.RISK_ACCEPTED else None,
            "created_by_id": coordinator,
            "created_at": _aware(identified),
            "updated_at": closed_at if status != S.OPEN else _aware(identified),
        }
        finding = add(Finding, **values)
        if rng.random() < 0.3:
            systems = self.systems_by_branch.get(unit.committee) or self.system_ids
            add(Finding.systems.through, finding_id=finding, system_id=rng.choice(systems))
        if rng.random() < self.spec.history_fraction:
            self._history(Finding, values, status, closed_at)
        # Actions: closed findings have done (or cancelled) actions; open ones open actions.
        closed = status in (S.VERIFIED, S.RISK_ACCEPTED, S.REMEDIED)
        for _ in range(rng.choices([1, 2, 3], weights=[35, 35, 30])[0]):
            deadline = identified + datetime.timedelta(days=rng.choice([30, 60, 90, 120, 180]))
            if closed:
                a_status = Action.Status.DONE if rng.random() < 0.93 else Action.Status.CANCELLED
            elif status == S.OPEN:
                a_status = Action.Status.NOT_STARTED
            else:
                a_status = rng.choice(
                    [Action.Status.NOT_STARTED, Action.Status.IN_PROGRESS, Action.Status.DONE]
                )
            owner = rng.choice(people) if rng.random() < 0.9 else None
            if unit.committee == self.key_branch and rng.random() < 0.02:
                owner = self.key["action_owner"]
            done_day = min(today, deadline - datetime.timedelta(days=rng.randint(-20, 25)))
            precision = rng.choices(list(DeadlinePrecision.values), weights=[90, 6, 3, 1])[0]
            a_values = {
                "id": self.w.table(Action).next_id,
                "municipality_id": self.muni,
                "unit_id": unit.id,
                "title": f"Åtgärda: {title.lower()}"[:255],
                "description": "Rutinen ses över och kompletteras.",
                "owner_id": owner,
                "owner_description": "" if owner else "Förvaltningschefen",
                "deadline": deadline,
                "deadline_precision": precision,
                "status": a_status,
                "completed_date": done_day if a_status == Action.Status.DONE else None,
                "cancel_reason": "Ersatt av annan åtgärd."
                if a_status == Action.Status.CANCELLED
                else "",
                "created_by_id": coordinator,
                "created_at": _aware(identified),
                "updated_at": _aware(done_day)
                if a_status != Action.Status.NOT_STARTED
                else _aware(identified),
            }
            action = add(Action, **a_values)
            add(Action.findings.through, action_id=action, finding_id=finding)
            if recommendation:
                add(
                    Action.recommendations.through,
                    action_id=action,
                    recommendation_id=recommendation,
                )
            if a_status != Action.Status.NOT_STARTED and rng.random() < 0.3:
                add(
                    ActionProgress,
                    action_id=action,
                    date=min(today, identified + datetime.timedelta(days=14)),
                    comment="Arbetet har påbörjats.",
                    status_after=Action.Status.IN_PROGRESS,
                    author_id=owner or coordinator,
                    created_at=_aware(identified),
                )
            if rng.random() < self.spec.history_fraction:
                self._history(Action, a_values, a_status, a_values["updated_at"])

    def _history(
        self, model, values: dict[str, Any], status: str, changed: datetime.datetime
    ) -> None:
        created = values["created_at"]
        user = values.get("created_by_id")
        first_status = model.Status.OPEN if model is Finding else Action.Status.NOT_STARTED
        self.w.history(
            model, {**values, "status": first_status}, history_date=created, history_type="+",
            history_user_id=user, updated_at=created,
        )  # fmt: skip
        middle = created + (changed - created) / 2 if changed > created else created
        self.w.history(
            model, {**values, "status": first_status, "description": values["description"] + " Kompletterad."},
            history_date=middle, history_type="~", history_user_id=user, updated_at=middle,
            history_change_reason="Beskrivningen kompletterad",
        )  # fmt: skip
        if status != first_status:
            self.w.history(
                model, values, history_date=changed, history_type="~", history_user_id=user,
                history_change_reason="Status ändrad",
            )  # fmt: skip

    # --- access reviews -------------------------------------------------------------------

    def _reviews(self) -> None:
        rng, spec, add, today = self.rng, self.spec, self.w.add, self.today
        C = AccessReviewItem.Category
        categories = [
            (C.OK, 80),
            (C.LEFT, 6),
            (C.UNKNOWN, 4),
            (C.TEST, 3),
            (C.EXTERNAL, 3),
            (C.INACTIVE, 4),
        ]
        cats, weights = [c for c, _w in categories], [w for _c, w in categories]

        def items(review: int, count: int, decided: float, reviewer: int) -> int:
            flagged = 0
            for i in range(count):
                category = rng.choices(cats, weights=weights)[0]
                match = (
                    AccessReviewItem.Match.PERSONAL_NUMBER
                    if category in (C.OK, C.LEFT, C.INACTIVE)
                    else AccessReviewItem.Match.NONE
                )
                is_flagged = category != C.OK
                flagged += is_flagged
                decision = ""
                if is_flagged and rng.random() < decided:
                    decision = rng.choice(
                        [AccessReviewItem.Decision.REMOVE, AccessReviewItem.Decision.ADJUST]
                    )
                add(
                    AccessReviewItem,
                    review_id=review,
                    account_id=f"konto{i:06d}",
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    person_hash=f"{rng.getrandbits(128):032x}"
                    if match != AccessReviewItem.Match.NONE
                    else "",
                    person_masked="19xxxxxx-xxxx" if match != AccessReviewItem.Match.NONE else "",
                    last_login=today - datetime.timedelta(days=rng.randint(0, 400)),
                    role="Läsare",
                    unit_text="Socialförvaltningen",
                    match=match,
                    category=category,
                    decision=decision,
                    decided_by_id=reviewer if decision else None,
                    decided_at=_aware(today) if decision else None,
                    is_done=bool(decision) and decided == 1.0,
                    row_number=i + 2,
                )
            return flagged

        table = self.w.table(AccessReview)
        for _n in range(spec.completed_reviews):
            system = rng.choice(self.system_ids)
            day = today - datetime.timedelta(days=rng.randint(30, 365 * spec.years))
            reviewer = self.system_managers[system]
            review = add(
                AccessReview,
                municipality_id=self.muni,
                system_id=system,
                status=AccessReview.Status.COMPLETED,
                review_date=day,
                accounts_source="Kontoexport",
                roster_source="Personalsystemet",
                accounts_total=spec.items_per_review,
                reviewer_id=reviewer,
                completed_at=_aware(day),
                summary="Granskningen är slutförd.",
            )
            flagged = items(review, spec.items_per_review, 1.0, reviewer)
            table.rows[-1][table.index["flagged_total"]] = flagged
        reviewer = self.key["action_owner"]
        big = add(
            AccessReview,
            municipality_id=self.muni,
            system_id=self.key_system,
            status=AccessReview.Status.IN_REVIEW,
            review_date=today - datetime.timedelta(days=3),
            accounts_source="Kontoexport",
            roster_source="Personalsystemet",
            accounts_total=spec.big_review_items,
            reviewer_id=reviewer,
        )
        row = table.rows[-1]
        row[table.index["flagged_total"]] = items(big, spec.big_review_items, 0.4, reviewer)
        self.key["review"] = big
        self.key["plan"] = self.key_plan

    def _notifications(self) -> None:
        rng, add = self.rng, self.w.add
        for role in KEY_USERS:
            for i in range(30):
                add(
                    Notification,
                    municipality_id=self.muni,
                    recipient_id=self.key[role],
                    kind=rng.choice(list(Notification.Kind.values)),
                    title=f"Påminnelse {i}",
                    url="/",
                    created_at=self.w.now - datetime.timedelta(days=i),
                    read_at=None if i < 5 else self.w.now,
                )


# ------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------


def _pick_finding(municipality: int, unit_ids: Iterable[int] | None = None) -> int | None:
    """An open finding of the municipality with a change history (for the detail page)."""
    historical = Finding.history.model
    ids = historical.objects.filter(municipality_id=municipality, history_type="~").values("id")
    qs = Finding.objects.filter(municipality_id=municipality, pk__in=ids).exclude(
        status__in=Finding.CLOSED_STATUSES
    )
    return qs.order_by("-identified_date", "pk").values_list("pk", flat=True).first()


def generate(size: str, *, seed: int = 9, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Fill the (empty, migrated) database with one size; returns the key objects' ids."""
    if Municipality.objects.exists():
        raise RuntimeError("the database already has municipalities: generate into an empty one")
    specs = SIZES[size]
    started = time.perf_counter()
    writer = Writer()
    keys: list[dict[str, Any]] = []
    for number, spec in enumerate(specs):
        with transaction.atomic():
            builder = MunicipalityBuilder(writer, spec, number, seed=seed + number)
            keys.append(builder.build())
            writer.flush()
        if len(specs) > 1 and (number + 1) % 10 == 0:
            say(
                f"  {number + 1}/{len(specs)} municipalities, {time.perf_counter() - started:.0f} s"
            )
    writer.reset_sequences()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    key = keys[0]
    key["finding"] = _pick_finding(key["municipality"])
    seconds = time.perf_counter() - started
    return {
        "size": size,
        "seconds": round(seconds, 1),
        "rows": dict(sorted(writer.counts.items())),
        "key": key,
    }
