"""The access review through the web: upload, mapping, decisions, completion, report; and bad
input that stores nothing."""

from __future__ import annotations

import datetime
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from controls.models import ControlOccurrence
from findings.models import Finding
from systems.models import AccessReview, AccessReviewItem, ReviewUpload
from tests import factories as f
from tests.systems.conftest import (
    ACCOUNT_ROWS,
    ANNA,
    GUNILLA,
    ROSTER_ROWS,
    TODAY,
    accounts_upload,
    csv_file,
    roster_upload,
    xlsx_file,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen"),
]
C = AccessReviewItem.Category
D = AccessReviewItem.Decision


@pytest.fixture
def frozen():
    with time_machine.travel(
        datetime.datetime(2026, 6, 10, 10, tzinfo=ZoneInfo("Europe/Stockholm"))
    ):
        yield


def upload(client, review, accounts, roster):
    return client.post(
        reverse("systems:review_upload", args=[review.pk]),
        {"accounts_file": accounts, "roster_file": roster},
    )


def mapping_data(accounts_header=ACCOUNT_ROWS[0], roster=None):
    roster = roster or {
        "personnummer": "Personnummer",
        "employee_number": "Anställningsnummer",
        "name": "Namn",
        "employment_end": "Slutdatum",
        "unit": "Enhet",
    }
    accounts = dict(
        zip(
            ["account_id", "name", "personnummer", "last_login", "role", "unit"],
            accounts_header,
            strict=True,
        )
    )
    data = {f"accounts__{k}": v for k, v in accounts.items()}
    data["accounts__employee_number"] = ""
    data |= {f"roster__{k}": v for k, v in roster.items()}
    return data


def test_a_system_manager_runs_the_whole_review(client_for, world, system, manager):
    point = f.ControlPointFactory(plan__unit=world.sn, is_access_review=True, owner=manager)
    point.systems.add(system)
    occurrence = f.ControlOccurrenceFactory(control_point=point, due_date=TODAY)
    client = client_for(manager)

    response = client.post(
        reverse("systems:review_create", args=[system.pk]),
        {
            "review_date": "2026-06-10",
            "occurrence": occurrence.pk,
            "accounts_source": "Kontoexport Geosecma",
            "roster_source": "Heroma",
            "inactive_days": 90,
        },
    )
    review = AccessReview.objects.get(system=system)
    assert response.status_code == 302
    assert response["Location"] == reverse("systems:review_upload", args=[review.pk])

    response = upload(client, review, accounts_upload(), roster_upload())
    assert response.status_code == 302, response.content.decode()[:2000]
    # Nothing of the roster is stored in clear: only hashes, masked forms and the other cells.
    for stored in ReviewUpload.objects.filter(review=review):
        assert ANNA.encode() not in bytes(stored.data)
        assert ANNA[2:].encode() not in bytes(stored.data)

    page = client.get(reverse("systems:review_mapping", args=[review.pk])).content.decode()
    assert "19800101-****" in page
    assert ANNA[2:8] + "-" not in page.replace("19800101-****", "")
    assert 'value="Användarnamn" selected' in page  # guessed from the header

    response = client.post(reverse("systems:review_mapping", args=[review.pk]), mapping_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    review.refresh_from_db()
    assert review.status == AccessReview.Status.IN_REVIEW
    by_account = {i.account_id: i for i in review.items.all()}
    assert {a: i.category for a, i in by_account.items()} == {
        "aandersson": C.OK,
        "bsvensson": C.OK,
        "gholmberg": C.LEFT,
        "lpersson": C.OK,
        "rtj.jlindberg": C.EXTERNAL,
        "rtj.mnyberg": C.EXTERNAL,
        "rtj.pforsberg": C.EXTERNAL,
        "gistest1": C.TEST,
        "gistest2": C.TEST,
        "okand": C.UNKNOWN,
    }
    assert by_account["lpersson"].match == AccessReviewItem.Match.NAME_UNCERTAIN
    assert by_account["gholmberg"].person_masked == GUNILLA[:8] + "-****"
    assert by_account["gholmberg"].employment_end == datetime.date(2026, 3, 31)
    assert review.flagged_total == 8  # 3 external, 2 test, 1 left, 1 unknown, 1 uncertain

    # One decision through htmx; keeping an account needs a reason.
    item = by_account["rtj.jlindberg"]
    url = reverse("systems:item_decide", args=[review.pk, item.pk])
    response = client.post(url, {"decision": D.KEEP, "reason": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps the row with its error message
    assert "Ange en motivering" in response.content.decode()
    assert not AccessReviewItem.objects.get(pk=item.pk).decision
    response = client.post(
        url,
        {"decision": D.KEEP, "reason": "Insatskartan, enligt avtal med förbundet."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="item-{item.pk}"' in response.content.decode()
    item.refresh_from_db()
    assert (item.decision, item.decided_by) == (D.KEEP, manager)

    # Completing is refused while flagged accounts are undecided.
    response = client.post(reverse("systems:review_complete", args=[review.pk]), follow=True)
    assert "flaggade konton saknar beslut" in response.content.decode()
    assert AccessReview.objects.get(pk=review.pk).status == AccessReview.Status.IN_REVIEW

    remove = [
        by_account[a].pk
        for a in ("rtj.mnyberg", "rtj.pforsberg", "gistest1", "gistest2", "okand", "gholmberg")
    ]
    response = client.post(
        reverse("systems:review_bulk_decide", args=[review.pk]),
        {"items": remove, "decision": D.REMOVE, "reason": ""},
    )
    assert response.status_code == 302
    client.post(
        reverse("systems:item_decide", args=[review.pk, by_account["lpersson"].pk]),
        {"decision": D.KEEP, "reason": "Kontrollerad: samma person som i Heroma."},
    )

    response = client.post(reverse("systems:review_complete", args=[review.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("systems:review_report", args=[review.pk])
    review.refresh_from_db()
    assert review.status == AccessReview.Status.COMPLETED
    assert not review.uploads.exists()  # the reduced files are gone; items and report remain

    occurrence.refresh_from_db()
    assert occurrence.status == ControlOccurrence.Status.DONE
    assert occurrence.outcome == ControlOccurrence.Outcome.MINOR_DEVIATION
    assert occurrence.performed_by == manager
    assert "10 konton" in occurrence.sample

    finding = Finding.objects.get(access_review=review)
    assert finding.source == Finding.Source.ACCESS_REVIEW
    assert finding.unit == world.sn
    assert list(finding.systems.all()) == [system]
    assert finding.occurrence == occurrence
    assert finding.severity == "high"  # a leaver and an unknown account are among the removals
    [action] = finding.actions.all()
    assert action.owner == manager
    assert "Ta bort 6 konton" in action.title
    assert "rtj.pforsberg" in action.description

    report = client.get(reverse("systems:review_report", args=[review.pk])).content.decode()
    assert finding.title in report
    assert "rtj.pforsberg" in report

    csv = client.get(reverse("systems:review_report_csv", args=[review.pk]))
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Disposition"].startswith("attachment;")
    assert "19800101-****" in text
    assert ANNA not in text and ANNA[2:] not in text
    assert "Behåll med motivering" in text

    # The system manager sees the new finding on the system's page.
    page = client.get(system.get_absolute_url()).content.decode()
    assert finding.title in page


def test_no_accounts_to_remove_records_no_remarks(client_for, world, system, manager, review):
    point = f.ControlPointFactory(plan__unit=world.sn, is_access_review=True)
    occurrence = f.ControlOccurrenceFactory(control_point=point)
    review.occurrence = occurrence
    review.save()
    client = client_for(manager)
    rows = [ROSTER_ROWS[0], ROSTER_ROWS[1]]
    upload(
        client,
        review,
        csv_file("k.csv", [ACCOUNT_ROWS[0], ACCOUNT_ROWS[1]]),
        csv_file("p.csv", rows),
    )
    client.post(reverse("systems:review_mapping", args=[review.pk]), mapping_data())
    assert review.items.get().category == C.OK
    client.post(reverse("systems:review_complete", args=[review.pk]))
    occurrence.refresh_from_db()
    assert (occurrence.status, occurrence.outcome) == ("done", "no_remarks")
    assert not Finding.objects.filter(access_review=review).exists()


def test_report_escapes_spreadsheet_formulas(client_for, system, manager, review):
    f.AccessReviewItemFactory(review=review, account_id="=cmd|' /C calc'!A0", name="+SUM(A1)")
    text = (
        client_for(manager)
        .get(reverse("systems:review_report_csv", args=[review.pk]))
        .content.decode("utf-8-sig")
    )
    assert "'=cmd" in text and "'+SUM(A1)" in text


def assert_nothing_stored(review):
    assert not ReviewUpload.objects.filter(review=review).exists()
    assert not AccessReviewItem.objects.filter(review=review).exists()
    review.refresh_from_db()
    assert review.status == AccessReview.Status.DRAFT


@pytest.mark.parametrize(
    ("accounts", "message"),
    [
        (SimpleUploadedFile("k.csv", b""), "är tom"),
        (SimpleUploadedFile("k.csv", os.urandom(10 * 1024 * 1024)), "stämmer inte med filändelsen"),
        (SimpleUploadedFile("k.xlsx", os.urandom(64 * 1024)), "stämmer inte med filändelsen"),
        (
            SimpleUploadedFile("k.csv", "Konto;Namn\r\n\u00e5;\u00f6\r\n".encode("utf-16")),
            "stämmer inte med filändelsen",
        ),
        (SimpleUploadedFile("k.csv", b"Konto;Namn\r\n"), "inga rader med data"),
        (SimpleUploadedFile("k.exe", b"MZ\x90\x00"), "inte tillåten"),
        (
            csv_file(
                "k.csv", [["Användarnamn", "Namn"], ["anna", "A"], ["bo", "B"], ["ANNA", "A2"]]
            ),
            "förekommer flera gånger: rad 2, 4",
        ),
    ],
    ids=["empty", "10MB-garbage", "garbage-xlsx", "utf16", "header-only", "exe", "duplicate-ids"],
)
def test_bad_uploads_give_a_swedish_message_and_store_nothing(
    client_for, manager, review, accounts, message
):
    response = upload(client_for(manager), review, accounts, roster_upload())
    assert response.status_code == 400
    assert message in response.content.decode()
    assert_nothing_stored(review)


def test_too_large_upload_is_refused(client_for, manager, review, settings):
    settings.ACCESS_REVIEW_MAX_UPLOAD_BYTES = 1024
    response = upload(
        client_for(manager), review, accounts_upload(), csv_file("p.csv", ROSTER_ROWS * 20)
    )
    assert response.status_code == 400
    assert "för stor" in response.content.decode()
    assert_nothing_stored(review)


def test_missing_identifier_column_in_the_roster_stores_no_items(client_for, manager, review):
    client = client_for(manager)
    roster = csv_file("p.csv", [["Namn", "Enhet"], ["Anna Andersson", "Plan och bygg"]])
    assert upload(client, review, accounts_upload(), roster).status_code == 302
    response = client.post(
        reverse("systems:review_mapping", args=[review.pk]),
        mapping_data(
            roster={
                "personnummer": "",
                "employee_number": "",
                "name": "Namn",
                "employment_end": "",
                "unit": "Enhet",
            }
        ),
    )
    assert response.status_code == 400
    assert "saknar en kolumn för personnummer eller anställningsnummer" in response.content.decode()
    assert not review.items.exists()


def test_a_column_that_does_not_exist_and_bad_dates_are_reported_by_row(
    client_for, manager, review
):
    client = client_for(manager)
    accounts = csv_file(
        "k.csv",
        [
            ["Användarnamn", "Namn", "Personnummer", "Senaste inloggning", "Roll", "Enhet"],
            ["anna", "Anna", ANNA, "igår", "", ""],
        ],
    )
    upload(client, review, accounts, roster_upload())
    data = mapping_data()
    response = client.post(reverse("systems:review_mapping", args=[review.pk]), data)
    assert response.status_code == 400
    assert "Rad 2: ”igår” är inget datum" in response.content.decode()
    data["accounts__role"] = "Finns inte"
    response = client.post(reverse("systems:review_mapping", args=[review.pk]), data)
    assert response.status_code == 400
    assert not review.items.exists()


def test_xlsx_uploads_work_like_csv(client_for, manager, review):
    client = client_for(manager)
    accounts = xlsx_file("k.xlsx", ACCOUNT_ROWS)
    roster = xlsx_file(
        "p.xlsx",
        [[int(c) if c.isdigit() and len(c) == 12 else c for c in row] for row in ROSTER_ROWS],
    )
    assert upload(client, review, accounts, roster).status_code == 302
    assert (
        client.post(reverse("systems:review_mapping", args=[review.pk]), mapping_data()).status_code
        == 302
    )
    assert review.items.get(account_id="aandersson").match == AccessReviewItem.Match.PERSONAL_NUMBER


def test_files_cannot_be_replaced_after_decisions(client_for, manager, review):
    client = client_for(manager)
    upload(client, review, accounts_upload(), roster_upload())
    client.post(reverse("systems:review_mapping", args=[review.pk]), mapping_data())
    item = review.items.get(account_id="gistest1")
    client.post(reverse("systems:item_decide", args=[review.pk, item.pk]), {"decision": D.REMOVE})
    response = upload(client, review, accounts_upload(), roster_upload())
    assert response.status_code == 302
    assert review.items.count() == 10


def test_uploads_never_touch_a_temporary_file(client_for, manager, review, monkeypatch):
    import django.core.files.uploadedfile as uploadedfile

    def refuse(*args, **kwargs):
        raise AssertionError("a roster must not be written to a temporary file")

    monkeypatch.setattr(uploadedfile.tempfile, "NamedTemporaryFile", refuse)
    big_roster = ROSTER_ROWS + [
        [f"{900000 + n}", "", f"Person {n}", "", "Enhet"] for n in range(120_000)
    ]
    roster = csv_file("p.csv", big_roster)
    assert roster.size > 2 * 1024 * 1024  # above FILE_UPLOAD_MAX_MEMORY_SIZE
    assert upload(client_for(manager), review, accounts_upload(), roster).status_code == 302
    assert ReviewUpload.objects.get(review=review, kind="roster").row_count == len(big_roster) - 1


def test_upload_needs_the_csrf_token(manager, review):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = upload(client, review, accounts_upload(), roster_upload())
    assert response.status_code == 403
    assert_nothing_stored(review)


def test_rules_are_configured_per_municipality(client_for, world, manager, review):
    from systems.models import ReviewSettings

    ReviewSettings.objects.create(
        municipality=world.municipality,
        test_account_patterns="gis*",
        external_units="Kultur",
        inactive_days=30,
    )
    review.inactive_days = 2  # the review's own figure wins over the municipality's default
    review.save()
    client = client_for(manager)
    upload(client, review, accounts_upload(), roster_upload())
    client.post(reverse("systems:review_mapping", args=[review.pk]), mapping_data())
    found = dict(review.items.values_list("account_id", "category"))
    assert found["gistest1"] == C.TEST  # "gis*"
    assert found["rtj.jlindberg"] == C.UNKNOWN  # Räddningstjänsten is no longer listed
    assert found["aandersson"] == C.INACTIVE  # logged in 9 days before the review


def test_files_can_be_replaced_until_a_decision_is_taken(client_for, manager, review):
    client = client_for(manager)
    upload(client, review, accounts_upload(), roster_upload())
    client.post(reverse("systems:review_mapping", args=[review.pk]), mapping_data())
    assert review.items.count() == 10
    smaller = csv_file("k.csv", ACCOUNT_ROWS[:3])
    assert upload(client, review, smaller, roster_upload()).status_code == 302
    review.refresh_from_db()
    assert review.status == AccessReview.Status.DRAFT and not review.items.exists()
    client.post(reverse("systems:review_mapping", args=[review.pk]), mapping_data())
    assert review.items.count() == 2


def test_a_review_reports_only_to_an_access_review_occurrence_of_its_system(
    client_for, world, system, manager
):
    unrelated = f.ControlOccurrenceFactory(control_point__plan__unit=world.sn)
    response = client_for(manager).post(
        reverse("systems:review_create", args=[system.pk]),
        {"review_date": "2026-06-10", "occurrence": unrelated.pk, "inactive_days": 90},
    )
    assert response.status_code == 400
    assert not AccessReview.objects.filter(system=system).exists()


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_a_roster_without_a_header_row_is_refused_without_showing_the_number(
    client_for, manager, review, form
):
    """The first row would be kept as column names: a personnummer there is refused, not kept."""
    rows = ROSTER_ROWS[1:]  # the header row is missing: the first person would be the header
    roster = csv_file("p.csv", rows) if form == "csv" else xlsx_file("p.xlsx", rows)
    response = upload(client_for(manager), review, accounts_upload(), roster)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Första raden ska innehålla kolumnrubriker" in html
    assert ROSTER_ROWS[1][0] not in html and ROSTER_ROWS[1][0].replace("-", "") not in html
    assert_nothing_stored(review)
