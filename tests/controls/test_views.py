"""The pages at work: logging results (htmx and plain), bad input, plans, points, import, export."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from controls import services
from controls.models import (
    ControlOccurrence,
    ControlPlan,
    ControlPoint,
    OccurrenceEvidence,
    PlanRevision,
)
from findings.models import Action, Finding
from notifications.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def occurrence(world, controller, sn_plan):
    point = f.ControlPointFactory(
        plan=sn_plan, owner=controller, title="Behörigheter i kartsystemet"
    )
    return f.ControlOccurrenceFactory(control_point=point, period_label="Juni")


def result_data(today, **extra):
    return {
        "performed_date": today.isoformat(),
        "outcome": "no_remarks",
        "checked_what": "Alla konton",
    } | extra


def test_logging_with_htmx_swaps_the_result_and_the_status_chip(
    client_for, controller, occurrence, today
):
    url = reverse("controls:occurrence_log", args=[occurrence.pk])
    data = result_data(today, evidence=SimpleUploadedFile("lista.pdf", PDF))
    response = client_for(controller).post(url, data, **HTMX)
    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith('<section id="result"')
    assert "Resultatet är registrerat." in text
    assert 'id="occurrence-status" aria-live="polite" hx-swap-oob="true"' in text
    assert "Utan anmärkning" in text and "lista.pdf" in text
    assert "<html" not in text
    occurrence.refresh_from_db()
    assert occurrence.status == ControlOccurrence.Status.DONE
    assert OccurrenceEvidence.objects.get().occurrence == occurrence


def test_logging_without_htmx_redirects_to_the_occurrence(
    client_for, controller, occurrence, today
):
    response = client_for(controller).post(
        reverse("controls:occurrence_log", args=[occurrence.pk]), result_data(today)
    )
    assert response.status_code == 302 and response["Location"] == occurrence.get_absolute_url()
    page = client_for(controller).get(response["Location"])
    assert "Resultatet är registrerat." in page.text and "Registrera resultat" not in page.text


def test_deviation_through_the_form_creates_finding_and_action(
    client_for, controller, action_owner, occurrence, today
):
    deadline = today + datetime.timedelta(days=30)
    data = result_data(
        today,
        outcome="major",
        comment="3 okända konton",
        finding_title="Okända konton i kartsystemet",
        action1_title="Stäng kontona",
        action1_owner=action_owner.pk,
        action1_deadline=deadline.isoformat(),
    )
    response = client_for(controller).post(
        reverse("controls:occurrence_log", args=[occurrence.pk]), data, **HTMX
    )
    assert response.status_code == 200
    finding = Finding.objects.get()
    action = Action.objects.get()
    assert finding.occurrence == occurrence and finding.description == "3 okända konton"
    assert list(action.findings.all()) == [finding] and action.owner == action_owner
    assert Notification.objects.get().recipient == action_owner
    assert "Avvikelsen och 1 åtgärd(er) är skapade" in response.text
    assert (
        finding.get_absolute_url() in response.text and action.get_absolute_url() in response.text
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"outcome": ""}, "Välj utfall: utan anmärkning eller avvikelse."),
        ({"performed_date": "future"}, "Datumet kan inte ligga i framtiden."),
        ({"performed_date": ""}, "Ange när kontrollen genomfördes."),
        ({"outcome": "minor"}, "Ange minst en åtgärd med ansvarig och klart senast-datum"),
        ({"outcome": "minor", "action1_title": "Gör något"}, "Välj vem som ansvarar för åtgärden."),
        ({"evidence": "exe"}, "Filtypen .exe är inte tillåten."),
        ({"evidence": "big"}, "Filen är för stor"),
        ({"evidence": "fake"}, "Filens innehåll stämmer inte med filändelsen .pdf."),
    ],
)
def test_bad_input_gives_a_swedish_message_and_changes_nothing(
    client_for, controller, occurrence, today, extra, message
):
    data = result_data(today, **extra)
    if data["performed_date"] == "future":
        data["performed_date"] = (today + datetime.timedelta(days=1)).isoformat()
    if data.get("evidence") == "exe":
        data["evidence"] = SimpleUploadedFile("verktyg.exe", b"MZ\x90\x00" + b"\x00" * 64)
    elif data.get("evidence") == "big":
        data["evidence"] = SimpleUploadedFile("stor.pdf", PDF + b"0" * (50 * 1024 * 1024))
    elif data.get("evidence") == "fake":
        data["evidence"] = SimpleUploadedFile("faktura.pdf", b"MZ\x90\x00not a pdf")
    response = client_for(controller).post(
        reverse("controls:occurrence_log", args=[occurrence.pk]), data, **HTMX
    )
    assert response.status_code == 200
    assert message in response.text
    occurrence.refresh_from_db()
    assert occurrence.status == ControlOccurrence.Status.PLANNED
    assert not OccurrenceEvidence.objects.exists() and not Finding.objects.exists()


def test_not_done_with_and_without_reason(client_for, controller, occurrence):
    url = reverse("controls:occurrence_not_done", args=[occurrence.pk])
    response = client_for(controller).post(url, {"not_done_reason": ""}, **HTMX)
    assert "Ange varför kontrollen inte genomfördes." in response.text
    occurrence.refresh_from_db()
    assert occurrence.status == ControlOccurrence.Status.PLANNED
    response = client_for(controller).post(url, {"not_done_reason": "Systemet avvecklat"}, **HTMX)
    assert "Kontrollen är markerad som ej genomförd." in response.text
    occurrence.refresh_from_db()
    assert occurrence.status == ControlOccurrence.Status.NOT_DONE


# --- plans and points through the pages --------------------------------------------------------


def test_coordinator_creates_plan_adds_point_adopts_and_revises(
    world, client_for, coordinator, controller
):
    client = client_for(coordinator)
    response = client.post(
        reverse("controls:plan_create"), {"unit": world.sn.pk, "year": 2027, "title": ""}
    )
    plan = ControlPlan.objects.get(unit=world.sn, year=2027)
    assert response["Location"] == plan.get_absolute_url()
    point_data = {
        "title": "Mobilabonnemang",
        "likelihood": 3,
        "consequence": 2,
        "frequency": "months",
        "planned_months": ["2", "5", "11"],
        "owner": controller.pk,
        "scope": "unit",
    }
    response = client.post(reverse("controls:point_create", args=[plan.pk]), point_data)
    point = ControlPoint.objects.get(plan=plan)
    assert response["Location"] == point.get_absolute_url()
    assert point.occurrences.count() == 3 and point.number == 1

    response = client.post(
        reverse("controls:plan_adopt", args=[plan.pk]),
        {
            "organ": world.sn.pk,
            "meeting_date": "2026-11-10",
            "paragraph": "88",
            "dnr": "SN/2026:12",
        },
    )
    plan.refresh_from_db()
    assert plan.status == ControlPlan.Status.ADOPTED and str(plan.adoption_decision).startswith(
        "SN § 88"
    )

    # Editing the adopted plan without a reason is refused and changes nothing.
    edit = reverse("controls:point_edit", args=[point.pk])
    response = client.post(edit, point_data | {"likelihood": 4})
    assert response.status_code == 200
    assert "Ange skälet till ändringen av den fastställda planen." in response.text
    point.refresh_from_db()
    assert point.likelihood == 3 and not PlanRevision.objects.exists()

    response = client.post(
        edit, point_data | {"likelihood": 4, "revision-reason": "Fler abonnemang"}
    )
    assert response.status_code == 302
    revision = PlanRevision.objects.get()
    assert revision.reason == "Fler abonnemang" and revision.changes[0]["field"] == "Sannolikhet"
    assert "Fler abonnemang" in client.get(plan.get_absolute_url()).text


def test_point_form_refuses_a_schedule_that_does_not_fit(client_for, coordinator, sn_plan):
    response = client_for(coordinator).post(
        reverse("controls:point_create", args=[sn_plan.pk]),
        {
            "title": "X",
            "likelihood": 2,
            "consequence": 2,
            "frequency": "quarterly",
            "planned_months": ["1"],
            "scope": "unit",
        },
    )
    assert response.status_code == 200
    assert "Ange fyra månader för kvartalsvis kontroll" in response.text
    assert not ControlPoint.objects.exists()


def test_changing_a_schedule_warns_about_results_kept_outside_it(
    client_for, coordinator, controller, occurrence, today
):
    point = occurrence.control_point
    services.log_result(
        occurrence=occurrence, user=controller, performed_date=today, outcome="no_remarks"
    )
    data = {
        "number": point.number, "title": point.title, "likelihood": 3, "consequence": 4,
        "frequency": "months", "planned_months": ["3"], "scope": "unit",
    }  # fmt: skip
    response = client_for(coordinator).post(
        reverse("controls:point_edit", args=[point.pk]), data, follow=True
    )
    assert "med resultat ligger utanför det nya schemat" in response.text
    occurrence.refresh_from_db()
    assert occurrence.status == ControlOccurrence.Status.DONE


def test_copy_to_next_year_through_the_page(client_for, coordinator, occurrence):
    plan = occurrence.control_point.plan
    response = client_for(coordinator).post(reverse("controls:plan_copy", args=[plan.pk]))
    new_plan = ControlPlan.objects.get(year=plan.year + 1)
    assert response["Location"] == new_plan.get_absolute_url()
    assert new_plan.control_points.get().title == "Behörigheter i kartsystemet"


def test_new_plan_lists_last_years_open_deviations_and_actions(
    world, client_for, coordinator, controller, action_owner, occurrence, today
):
    services.log_result(
        occurrence=occurrence, user=controller, performed_date=today, outcome="minor",
        finding=services.FindingInput(title="Testkonton kvar"),
        actions=[services.ActionInput(title="Ta bort testkonton", owner=action_owner, deadline=today)],
    )  # fmt: skip
    new_plan = services.copy_plan_to_next_year(plan=occurrence.control_point.plan, user=coordinator)
    text = client_for(coordinator).get(new_plan.get_absolute_url()).text
    assert "Öppna avvikelser och åtgärder från" in text
    assert "Testkonton kvar" in text and "Ta bort testkonton" in text


def test_adopt_form_errors_are_swedish(world, client_for, coordinator, sn_plan):
    response = client_for(coordinator).post(
        reverse("controls:plan_adopt", args=[sn_plan.pk]), {"organ": world.sn.pk}
    )
    assert "Detta fält måste fyllas i." in response.text
    response = client_for(coordinator).post(
        reverse("controls:plan_adopt", args=[sn_plan.pk]),
        {"organ": world.sn.pk, "meeting_date": "2026-01-01"},
    )
    assert "Planen har inga kontrollpunkter" in response.text
    sn_plan.refresh_from_db()
    assert sn_plan.status == ControlPlan.Status.DRAFT


# --- import and export through the pages ----------------------------------------------------------


def test_import_upload_preview_confirm(world, client_for, coordinator, controller):
    content = (
        "Nr;Process/rutin;Kontrollpunkt;Risk;Sannolikhet;Konsekvens;Kontrollmoment;Frekvens;Månader;Kontrollansvarig\r\n"
        "1;Telefoni;Mobilabonnemang;Felaktiga abonnemang;3;1;Listor;Angivna månader;feb, maj, nov;kontrollant\r\n"
    ).encode("cp1252")
    client = client_for(coordinator)
    response = client.post(
        reverse("controls:plan_import_new"),
        {"unit": world.bun.pk, "year": 2027, "file": SimpleUploadedFile("plan.csv", content)},
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "1 kontrollpunkt importeras." in preview.text and "Mobilabonnemang" in preview.text
    assert not ControlPlan.objects.exists()
    done = client.post(response["Location"])
    plan = ControlPlan.objects.get(unit=world.bun, year=2027)
    assert done["Location"] == plan.get_absolute_url()
    assert plan.control_points.get().owner == controller
    assert client.get(response["Location"]).status_code == 404  # used up


def test_import_with_errors_shows_them_and_imports_nothing(world, client_for, coordinator):
    content = (
        "Process/rutin;Kontrollpunkt;Risk;Sannolikhet;Konsekvens;Kontrollmoment;Frekvens;Kontrollansvarig\r\n"
        "Telefoni;Mobilabonnemang;R;9;1;M;Årligen;x\r\n"
    ).encode()
    client = client_for(coordinator)
    response = client.post(
        reverse("controls:plan_import_new"),
        {"unit": world.bun.pk, "year": 2027, "file": SimpleUploadedFile("plan.csv", content)},
    )
    preview = client.get(response["Location"])
    assert "Filen har 1 fel. Ingenting har importerats." in preview.text
    assert "Rad 2, kolumn Sannolikhet: ”9” är ingen nivå" in preview.text
    assert "Importera alla rader" not in preview.text
    confirm = client.post(response["Location"])
    assert confirm.status_code == 200 and "Rad 2, kolumn Sannolikhet" in confirm.text
    assert not ControlPlan.objects.exists()


def test_broken_xlsx_upload_is_refused_on_the_form(world, client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("controls:plan_import_new"),
        {
            "unit": world.bun.pk,
            "year": 2027,
            "file": SimpleUploadedFile("plan.xlsx", b"PK\x03\x04trasig"),
        },
    )
    assert response.status_code == 200
    assert "Filens innehåll stämmer inte med filändelsen .xlsx." in response.text


def test_export_and_template_are_xlsx_attachments(client_for, board_member, occurrence):
    plan = occurrence.control_point.plan
    response = client_for(board_member).get(reverse("controls:plan_export", args=[plan.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert any(row[2] == "Behörigheter i kartsystemet" for row in sheet.iter_rows(values_only=True))
    template = client_for(board_member).get(reverse("controls:import_template"))
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_risk_matrix_cell_lists_points_with_htmx(client_for, board_member, occurrence):
    url = reverse("controls:risk_matrix") + "?l=3&k=4"
    response = client_for(board_member).get(url, **HTMX)
    assert response.text.lstrip().startswith('<section id="cell-points"')
    assert "Behörigheter i kartsystemet" in response.text
    page = client_for(board_member).get(reverse("controls:risk_matrix"))
    assert page.context["matrix"].total == 1
    assert (
        client_for(board_member).get(reverse("controls:risk_matrix") + "?l=9&k=1").status_code
        == 404
    )


def test_point_list_filters(client_for, coordinator, sn_plan):
    f.ControlPointFactory(plan=sn_plan, title="Hög risk", likelihood=4, consequence=4)
    f.ControlPointFactory(
        plan=sn_plan, title="Låg risk", likelihood=1, consequence=1, scope="municipality"
    )
    client = client_for(coordinator)
    url = reverse("controls:point_list")
    assert [p.title for p in client.get(url + "?level=red").context["page_obj"]] == ["Hög risk"]
    assert [p.title for p in client.get(url + "?level=green").context["page_obj"]] == ["Låg risk"]
    assert [p.title for p in client.get(url + "?scope=municipality").context["page_obj"]] == [
        "Låg risk"
    ]
    assert [p.title for p in client.get(url + "?q=hög").context["page_obj"]] == ["Hög risk"]
    assert client.get(url + "?year=abc&unit=999999&page=x").status_code == 200


def test_occurrence_list_filters_by_state(client_for, coordinator, occurrence, today):
    overdue = f.ControlOccurrenceFactory(
        control_point=occurrence.control_point, due_date=today - datetime.timedelta(days=3)
    )
    url = reverse("controls:occurrence_list")
    assert list(client_for(coordinator).get(url + "?state=overdue").context["page_obj"]) == [
        overdue
    ]
    assert list(client_for(coordinator).get(url + "?state=due").context["page_obj"]) == [occurrence]


def test_plan_page_shows_management_only_to_managers(
    client_for, coordinator, board_member, controller, sn_plan
):
    url = sn_plan.get_absolute_url()
    assert "Hantera planen" in client_for(coordinator).get(url).text
    for user in (board_member, controller):
        text = client_for(user).get(url).text
        assert "Hantera planen" not in text and "Exportera (.xlsx)" in text


def test_my_controls_explains_an_empty_list(client_for, board_member):
    text = client_for(board_member).get(reverse("controls:my_controls")).text
    assert "Du har inga kontroller att genomföra" in text
