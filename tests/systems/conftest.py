"""Shared pieces of the systems tests: a system in SN with its manager, files to upload."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from systems.models import SystemRole
from systems.personnummer import check_digit
from tests import factories as f

TODAY = datetime.date(2026, 6, 10)


def pnr(birth: str, serial: str) -> str:
    """A valid 12-digit personnummer for ``birth`` (YYYYMMDD) and a 3-digit serial."""
    return f"{birth}{serial}{check_digit(birth[2:] + serial)}"


def csv_file(
    name: str, rows: list[list[str]], *, encoding="utf-8-sig", sep=";"
) -> SimpleUploadedFile:
    text = "\r\n".join(sep.join(row) for row in rows) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(name: str, rows: list[list[object]]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# People of the roster, and the account export of the map system (as in S000).
ANNA = pnr("19800101", "123")
BO = pnr("19620705", "719")
GUNILLA = pnr("19580214", "848")
ROSTER_ROWS = [
    ["Personnummer", "Anställningsnummer", "Namn", "Slutdatum", "Enhet"],
    [ANNA, "1001", "Anna Andersson", "", "Plan och bygg"],
    [f"{BO[2:8]}-{BO[8:]}", "1002", "Bo Svensson", "", "Kultur och teknik"],
    [GUNILLA[:8] + "-" + GUNILLA[8:], "1003", "Gunilla Holmberg", "2026-03-31", "Plan och bygg"],
    [pnr("19910128", "364"), "1004", "Linda Persson", "", "Kultur och teknik"],
]
ACCOUNT_ROWS = [
    ["Användarnamn", "Namn", "Personnummer", "Senaste inloggning", "Roll", "Enhet"],
    ["aandersson", "Anna Andersson", ANNA[2:], "2026-06-01", "Redigerare", "Plan och bygg"],
    ["bsvensson", "Bo Svensson", BO, "2026-06-02", "Läsare", "Kultur och teknik"],
    ["gholmberg", "Gunilla Holmberg", GUNILLA, "2026-02-01", "Redigerare", "Plan och bygg"],
    ["lpersson", "Linda Persson", "", "2026-06-03", "Läsare", "Kultur och teknik"],
    [
        "rtj.jlindberg",
        "Jonas Lindberg",
        pnr("19800101", "913"),
        "2026-06-01",
        "Läsare",
        "Räddningstjänsten",
    ],
    [
        "rtj.mnyberg",
        "Malin Nyberg",
        pnr("19871224", "626"),
        "2026-06-01",
        "Läsare",
        "Räddningstjänsten",
    ],
    [
        "rtj.pforsberg",
        "Peter Forsberg",
        pnr("19750630", "177"),
        "2026-06-01",
        "Redigerare",
        "Räddningstjänsten",
    ],
    ["gistest1", "Testanvändare 1", "", "2026-06-01", "Redigerare", ""],
    ["gistest2", "Testanvändare 2", "", "2026-06-01", "Administratör", ""],
    ["okand", "Okänd Person", pnr("19990101", "001"), "2026-06-01", "Läsare", "Plan och bygg"],
]


@pytest.fixture
def system(world):
    return f.SystemFactory(owning_unit=world.sn, name="Geosecma")


@pytest.fixture
def manager(world, system):
    user = f.UserFactory(username="systemforvaltare", municipality=world.municipality)
    SystemRole.objects.create(system=system, user=user, kind=SystemRole.Kind.MANAGER)
    return user


@pytest.fixture
def other_manager(world):
    """Manages another system of the same municipality."""
    other = f.SystemFactory(owning_unit=world.bun, name="Procapita")
    user = f.UserFactory(username="annanforvaltare", municipality=world.municipality)
    SystemRole.objects.create(system=other, user=user, kind=SystemRole.Kind.MANAGER)
    return user


@pytest.fixture
def review(system, manager):
    return f.AccessReviewFactory(system=system, review_date=TODAY, reviewer=manager)


def roster_upload():
    return csv_file("personal.csv", ROSTER_ROWS, encoding="cp1252")


def accounts_upload():
    return csv_file("konton.csv", ACCOUNT_ROWS, sep=",")
