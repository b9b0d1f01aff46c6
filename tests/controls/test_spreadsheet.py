"""Import and export of plans: reading files, Swedish errors with row and column, round trip."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from controls import services
from controls.export import EXPORT_HEADINGS, export_plan, template_workbook
from controls.models import ControlPlan, ControlPoint, PlanImport
from controls.services import DecisionInput
from controls.spreadsheet import ImportFailed, normalise_heading, read_table
from tests import factories as f

pytestmark = pytest.mark.django_db
F = ControlPoint.Frequency

HEADER = [
    "Nr", "Process/rutin", "Kontrollpunkt", "Risk", "Sannolikhet", "Konsekvens", "Kontrollmoment",
    "Kontrollmetod", "Urval", "Frekvens", "Månader", "Kontrollansvarig", "Rapporteras till",
    "Kommungemensam", "System",
]  # fmt: skip
ROW_1 = [
    "1", "Telefoni", "Mobilabonnemang", "Abonnemang för personer som slutat", "3", "1",
    "Cheferna bekräftar listorna", "Lista från operatören", "Samtliga", "Angivna månader",
    "februari, maj, november", "kontrollant", "Nämnden", "nej", "",
]  # fmt: skip
ROW_2 = [
    "2", "Behörighetshantering", "Behörigheter i prioriterade system", "Obehörig åtkomst",
    "Stor", "Allvarlig", "Jämför med lönesystemet", "Export", "100 %", "Halvårsvis",
    "juni, december", "Systemförvaltare per system", "KS", "ja", "Kartsystemet",
]  # fmt: skip


def csv_bytes(rows, delimiter=";", encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, title_rows=()):
    workbook = Workbook()
    sheet = workbook.active
    for row in title_rows:
        sheet.append(row)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def people(world, controller):
    f.SystemFactory(owning_unit=world.sn, name="Kartsystemet")
    return controller


def stage_and_preview(user, name, content, **target):
    staged = services.stage_import(user=user, uploaded=SimpleUploadedFile(name, content), **target)
    return staged, services.preview(staged)


def test_headings_are_matched_leniently():
    assert normalise_heading("  Sannolikhet (1–4) ") == "sannolikhet"
    assert normalise_heading("Process / rutin") == "process/rutin"
    assert normalise_heading("KONTROLLANSVARIG:") == "kontrollansvarig"


def test_csv_semicolon_utf8_imports_into_a_new_plan(world, coordinator, people):
    staged, preview = stage_and_preview(
        coordinator, "plan.csv", csv_bytes([HEADER, ROW_1, ROW_2]), unit=world.sn, year=2026
    )
    assert preview.problems == []
    assert [r.data["title"] for r in preview.rows] == [
        "Mobilabonnemang",
        "Behörigheter i prioriterade system",
    ]
    plan = services.confirm_import(plan_import=staged, user=coordinator)
    assert plan.unit == world.sn and plan.year == 2026 and plan.status == ControlPlan.Status.DRAFT
    first, second = plan.control_points.order_by("number")
    assert first.owner == people and first.frequency == F.GIVEN_MONTHS
    assert first.planned_months == [2, 5, 11] and first.occurrences.count() == 3
    assert second.likelihood == 3 and second.consequence == 4  # "Stor", "Allvarlig"
    assert second.owner is None and second.owner_description == "Systemförvaltare per system"
    assert second.scope == ControlPoint.Scope.MUNICIPALITY_WIDE
    assert [s.name for s in second.systems.all()] == ["Kartsystemet"]
    assert PlanImport.objects.get().status == PlanImport.Status.IMPORTED


def test_csv_windows_1252_with_commas_and_title_rows(world, coordinator, people):
    rows = [["Internkontrollplan 2026"], [], HEADER, ROW_1]
    content = csv_bytes(rows, delimiter=",", encoding="cp1252")
    _, preview = stage_and_preview(coordinator, "plan.csv", content, unit=world.sn, year=2026)
    assert preview.problems == []
    assert preview.rows[0].data["process"] == "Telefoni" and preview.rows[0].row == 4


def test_csv_with_a_missing_column_is_refused_by_name(world, coordinator, people):
    header = [h for h in HEADER if h != "Konsekvens"]
    row = [c for h, c in zip(HEADER, ROW_1, strict=True) if h != "Konsekvens"]
    staged, preview = stage_and_preview(
        coordinator, "plan.csv", csv_bytes([header, row]), unit=world.sn, year=2026
    )
    assert [str(p) for p in preview.problems] == ["Kolumnen ”Konsekvens” saknas i rubrikraden."]
    with pytest.raises(ImportFailed):
        services.confirm_import(plan_import=staged, user=coordinator)
    assert not ControlPlan.objects.exists()


def test_row_errors_name_row_and_column_and_nothing_is_imported(world, coordinator, people):
    bad_likelihood = list(ROW_2)
    bad_likelihood[4] = "7"
    bad_months = list(ROW_1)
    bad_months[0], bad_months[2], bad_months[10] = "3", "Tredje", "februari, majj"
    staged, preview = stage_and_preview(
        coordinator,
        "plan.csv",
        csv_bytes([HEADER, ROW_1, bad_likelihood, bad_months]),
        unit=world.sn,
        year=2026,
    )
    messages = [str(p) for p in preview.problems]
    assert messages[0].startswith(
        "Rad 3, kolumn Sannolikhet: ”7” är ingen nivå på kommunens riskskala"
    )
    assert messages[1] == "Rad 4, kolumn Månader: ”majj” är ingen månad."
    with pytest.raises(ImportFailed) as exc:
        services.confirm_import(plan_import=staged, user=coordinator)
    assert len(exc.value.problems) == 2
    assert not ControlPlan.objects.exists() and not ControlPoint.objects.exists()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Kontrollpunkt", "", "Rad 2, kolumn Kontrollpunkt: Kontrollpunkten saknar namn."),
        ("Frekvens", "ibland", "Rad 2, kolumn Frekvens: ”ibland” är ingen känd frekvens."),
        ("Månader", "", "Rad 2, kolumn Månader: Ange minst en månad"),
        ("Kommungemensam", "kanske", "Rad 2, kolumn Kommungemensam: Ange ja eller nej"),
        ("System", "Okänt system", "Rad 2, kolumn System: Systemet ”Okänt system” finns inte"),
        ("Nr", "tre", "Rad 2, kolumn Nr: ”tre” är inget nummer"),
        ("Konsekvens", "", "Rad 2, kolumn Konsekvens: Värde saknas."),
    ],
)
def test_each_bad_cell_gets_a_swedish_message(world, coordinator, people, column, value, message):
    row = list(ROW_1)
    row[HEADER.index(column)] = value
    _, preview = stage_and_preview(
        coordinator, "p.csv", csv_bytes([HEADER, row]), unit=world.sn, year=2026
    )
    assert any(str(p).startswith(message) for p in preview.problems), preview.problems


def test_duplicate_numbers_in_the_file(world, coordinator, people):
    row = list(ROW_2)
    row[0] = "1"
    _, preview = stage_and_preview(
        coordinator, "p.csv", csv_bytes([HEADER, ROW_1, row]), unit=world.sn, year=2026
    )
    assert [str(p) for p in preview.problems] == ["Rad 3, kolumn Nr: Nr 1 finns redan på rad 2."]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        # Sniffed by core.files before any parsing: the content is no workbook.
        ("plan.xlsx", b"PK\x03\x04 broken zip", "stämmer inte med filändelsen .xlsx"),
        ("plan.xlsx", b"not a zip at all", "stämmer inte med filändelsen .xlsx"),
        ("plan.csv", b"PK\x03\x04 a zip named .csv", "ingen textfil"),
        ("plan.xls", b"\xd0\xcf\x11\xe0", ".xls stöds inte"),
        ("plan.exe", b"MZ", "Välj en fil av typen .xlsx eller .csv"),
        ("plan.csv", b"a;b;c\r\n1;2;3", "Hittade ingen rubrikrad"),
    ],
)
def test_unreadable_files_are_refused_before_staging(world, coordinator, name, content, message):
    with pytest.raises(ImportFailed) as exc:
        services.stage_import(
            user=coordinator, uploaded=SimpleUploadedFile(name, content), unit=world.sn, year=2026
        )
    assert message in str(exc.value)
    assert not PlanImport.objects.exists()


def test_too_big_file_is_refused(world, coordinator):
    content = csv_bytes([HEADER]) + b"x" * (3 * 1024 * 1024)
    with pytest.raises(ImportFailed, match="för stor"):
        services.stage_import(
            user=coordinator,
            uploaded=SimpleUploadedFile("p.csv", content),
            unit=world.sn,
            year=2026,
        )


def test_xlsx_with_title_rows_and_numbers_as_numbers(world, coordinator, people):
    row = [1, *ROW_1[1:4], 3, 1, *ROW_1[6:]]
    content = xlsx_bytes([HEADER, row], title_rows=[["Internkontrollplan"], ["Socialnämnden"]])
    _, preview = stage_and_preview(coordinator, "plan.xlsx", content, unit=world.sn, year=2026)
    assert preview.problems == []
    assert preview.rows[0].data["number"] == 1 and preview.rows[0].data["likelihood"] == 3


def test_import_into_a_draft_plan_checks_clashes_with_existing_points(
    world, coordinator, people, sn_plan
):
    f.ControlPointFactory(plan=sn_plan, number=1, title="Mobilabonnemang")
    _, preview = stage_and_preview(coordinator, "p.csv", csv_bytes([HEADER, ROW_1]), plan=sn_plan)
    messages = [str(p) for p in preview.problems]
    assert "Rad 2, kolumn Nr: Nr 1 finns redan i planen." in messages
    assert (
        "Rad 2, kolumn Kontrollpunkt: Kontrollpunkten ”Mobilabonnemang” finns redan i planen."
        in messages
    )


def test_import_only_into_a_draft(world, coordinator, sn_plan):
    sn_plan.adoption_decision = f.DecisionFactory(organ=world.sn, municipality=world.municipality)
    sn_plan.status = ControlPlan.Status.ADOPTED
    sn_plan.save()
    with pytest.raises(ImportFailed, match="utkast"):
        services.stage_import(
            user=coordinator,
            uploaded=SimpleUploadedFile("p.csv", csv_bytes([HEADER, ROW_1])),
            plan=sn_plan,
        )


def test_staged_import_belongs_to_its_uploader(world, coordinator, admin_user, people):
    staged, _ = stage_and_preview(
        coordinator, "p.csv", csv_bytes([HEADER, ROW_1]), unit=world.sn, year=2026
    )
    with pytest.raises(ImportFailed, match="annan användare"):
        services.confirm_import(plan_import=staged, user=admin_user)
    services.confirm_import(plan_import=staged, user=coordinator)
    with pytest.raises(ImportFailed, match="redan genomförd"):
        services.confirm_import(plan_import=staged, user=coordinator)


# --- export ----------------------------------------------------------------------------------


def test_export_escapes_formulas_and_round_trips_into_a_new_year(
    world, ks, coordinator, controller, people
):
    plan = services.create_plan(unit=world.sn, year=2026, user=coordinator)
    data = {
        "title": '=HYPERLINK("http://evil")',
        "process": "-Lönehantering",
        "risk_description": "@risk",
        "likelihood": 2,
        "consequence": 3,
        "control_activity": "+kontroll",
        "method": "Stickprov",
        "sample": "10 fakturor",
        "frequency": F.QUARTERLY,
        "planned_months": [],
        "owner": controller,
        "owner_description": "Ekonom",
        "reports_to": "Nämnden",
        "scope": ControlPoint.Scope.UNIT_SPECIFIC,
        "is_access_review": True,
    }
    services.create_control_point(plan=plan, user=coordinator, data=data)
    services.create_control_point(
        plan=plan,
        user=coordinator,
        data={
            "title": "Behörigheter",
            "likelihood": 4,
            "consequence": 4,
            "frequency": F.GIVEN_MONTHS,
            "planned_months": [6, 12],
            "owner_description": "Systemförvaltare",
            "scope": ControlPoint.Scope.MUNICIPALITY_WIDE,
        },
        systems=list(world.sn.owned_systems.all()),
    )
    content = export_plan(plan)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(rows) if r[0] == "Nr")
    assert list(rows[header_index]) == EXPORT_HEADINGS
    first = rows[header_index + 1]
    assert first[2] == '\'=HYPERLINK("http://evil")' and first[1] == "'-Lönehantering"
    assert sheet.cell(row=header_index + 2, column=3).data_type == "s"  # text, not a formula

    staged, preview = stage_and_preview(
        coordinator, "export.xlsx", content, unit=world.sn, year=2027
    )
    assert preview.problems == []
    new_plan = services.confirm_import(plan_import=staged, user=coordinator)
    fields = [
        "number",
        "title",
        "process",
        "risk_description",
        "likelihood",
        "consequence",
        "control_activity",
        "method",
        "sample",
        "frequency",
        "planned_months",
        "owner_id",
        "owner_description",
        "reports_to",
        "scope",
        "is_access_review",
    ]
    old = list(plan.control_points.order_by("number").values(*fields))
    new = list(new_plan.control_points.order_by("number").values(*fields))
    assert new == old
    assert [list(p.systems.all()) for p in new_plan.control_points.order_by("number")] == [
        list(p.systems.all()) for p in plan.control_points.order_by("number")
    ]


def test_import_skips_points_the_new_plan_inherits_from_ks(world, ks, coordinator, people):
    ks_plan = services.create_plan(unit=ks, year=2026, user=coordinator)
    services.create_control_point(
        plan=ks_plan,
        user=coordinator,
        data={
            "title": "Behörigheter i prioriterade system",
            "likelihood": 2,
            "consequence": 2,
            "frequency": F.YEARLY,
            "scope": ControlPoint.Scope.MUNICIPALITY_WIDE,
        },
    )
    services.adopt_plan(
        plan=ks_plan,
        user=coordinator,
        decision=DecisionInput(organ=ks, meeting_date=datetime.date(2025, 12, 1)),
    )
    staged, preview = stage_and_preview(
        coordinator, "p.csv", csv_bytes([HEADER, ROW_1, ROW_2]), unit=world.sn, year=2026
    )
    assert preview.problems == [] and [r.row for r in preview.skipped] == [3]
    plan = services.confirm_import(plan_import=staged, user=coordinator)
    titles = list(
        plan.control_points.order_by("number").values_list("title", "number", "inherited_from")
    )
    assert titles[0] == ("Mobilabonnemang", 1, None)
    assert titles[1][0] == "Behörigheter i prioriterade system" and titles[1][2] is not None


def test_template_reads_back_as_one_example_row(world, coordinator):
    content = template_workbook(services.risk_scale_for(world.municipality))
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Internkontrollplan", "Instruktioner"]
    table = read_table(name="mall.xlsx", content=content)
    assert len(table.rows) == 1
    _, preview = stage_and_preview(coordinator, "mall.xlsx", content, unit=world.sn, year=2026)
    assert preview.problems == []


def test_too_many_rows_are_refused(world, coordinator):
    rows = [HEADER] + [[str(i), *ROW_1[1:]] for i in range(1, 502)]
    with pytest.raises(ImportFailed, match="fler än 500 rader"):
        services.stage_import(
            user=coordinator,
            uploaded=SimpleUploadedFile("p.csv", csv_bytes(rows)),
            unit=world.sn,
            year=2026,
        )


def test_a_plan_created_meanwhile_is_reported_not_a_server_error(
    client_for, world, coordinator, people
):
    """Staged for SN 2026; before confirming, a colleague creates SN's plan for 2026."""
    staged, preview = stage_and_preview(
        coordinator, "plan.csv", csv_bytes([HEADER, ROW_1]), unit=world.sn, year=2026
    )
    assert preview.problems == []
    f.ControlPlanFactory(unit=world.sn, year=2026)
    response = client_for(coordinator).post(reverse("controls:import_preview", args=[staged.pk]))
    assert response.status_code == 200
    assert "Det finns redan en plan" in response.content.decode()
    assert ControlPlan.objects.count() == 1 and not ControlPoint.objects.exists()
    assert PlanImport.objects.get().status == PlanImport.Status.PENDING
