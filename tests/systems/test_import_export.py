"""The register as a spreadsheet: export, and the all-or-nothing import with row errors."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from systems.models import System, SystemRole
from tests import factories as f
from tests.systems.conftest import xlsx_file

pytestmark = pytest.mark.django_db
HEADER = ["Namn", "Ägande nämnd", "Leverantör", "Prioriterat", "Personuppgifter", "PUB-avtal",
          "PUB-avtal datum", "Larmnivå", "Systemförvaltare"]  # fmt: skip


def post(client, rows):
    return client.post(reverse("systems:system_import"), {"file": xlsx_file("register.xlsx", rows)})


def test_export_is_an_escaped_spreadsheet(client_for, world, coordinator, system, manager):
    system.vendor = '=HYPERLINK("http://x")'
    system.save()
    response = client_for(coordinator).get(reverse("systems:system_export"))
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Namn", "Beskrivning", "Ägande nämnd")
    geosecma = next(r for r in rows if r[0] == "Geosecma")
    assert geosecma[2] == "SN"
    assert geosecma[4].startswith("'=")
    assert geosecma[14] == "systemforvaltare"


def test_import_creates_and_updates(client_for, world, coordinator, system, manager):
    rows = [
        HEADER,
        [
            "Geosecma",
            "SN",
            "Sweco",
            "Ja",
            "Ja",
            "PUB 2018:07",
            "2018-05-24",
            "Hög",
            "systemforvaltare",
        ],
        [
            "Procapita",
            "Socialnämnden",
            "Tieto",
            "ja",
            "x",
            "",
            None,
            "",
            "Systemförvaltare SOC; systemforvaltare",
        ],
    ]
    response = post(client_for(coordinator), rows)
    assert response.status_code == 302
    system.refresh_from_db()
    assert (system.vendor, system.is_prioritised, system.alarm_level) == ("Sweco", True, "high")
    assert str(system.dpa_date) == "2018-05-24"
    procapita = System.objects.get(name="Procapita")
    assert procapita.owning_unit == world.sn and procapita.missing_dpa
    assert set(procapita.roles.values_list("user__username", "name")) == {
        (None, "Systemförvaltare SOC"),
        ("systemforvaltare", ""),
    }
    assert SystemRole.objects.filter(system=system, user=manager).count() == 1  # not duplicated


def test_import_is_all_or_nothing_with_row_numbers(client_for, world, coordinator, system):
    rows = [
        HEADER,
        ["Nytt system", "SN", "", "Ja", "Nej", "", "", "", ""],
        ["Felaktigt", "XYZ", "", "kanske", "Nej", "", "31/31/2020", "Extrem", ""],
        ["", "SN"],
        ["Nytt system", "BUN"],
    ]
    response = post(client_for(coordinator), rows)
    assert response.status_code == 400
    text = response.content.decode()
    for message in (
        "Rad 3: enheten ”XYZ” finns inte",
        "Rad 3: ”kanske” i kolumnen ”Prioriterat” ska vara Ja eller Nej.",
        "Rad 3: ”31/31/2020” är inget datum",
        "Rad 3: larmnivån ”Extrem” finns inte",
        "Rad 4: namn saknas.",
        "Rad 5: systemet ”Nytt system” finns redan på rad 2.",
    ):
        assert message in text
    assert not System.objects.filter(name="Nytt system").exists()


def test_import_refuses_units_the_user_does_not_manage(client_for, world, coordinator, controller):
    client = client_for(coordinator)
    f.RoleAssignmentFactory(user=controller, unit=world.bun, role="coordinator")
    from organisation import policy

    policy.forget(controller)
    response = post(client_for(controller), [HEADER, ["Nytt", "SN"]])
    assert response.status_code == 400
    assert "du får inte registrera system för ”Socialnämnden”" in response.content.decode()
    assert not System.objects.filter(name="Nytt").exists()
    assert client.get(reverse("systems:system_list")).status_code == 200


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("r.xlsx", os.urandom(4096)), "stämmer inte med filändelsen"),
        (SimpleUploadedFile("r.csv", b"Namn;Enhet\r\nA;SN\r\n"), "inte tillåten"),
        (xlsx_file("r.xlsx", [["Leverantör"], ["Tieto"]]), "Kolumnen ”Namn” saknas"),
        (xlsx_file("r.xlsx", [HEADER]), "inga rader med system"),
    ],
)
def test_bad_files(client_for, coordinator, upload, message):
    response = client_for(coordinator).post(reverse("systems:system_import"), {"file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not System.objects.exists()
