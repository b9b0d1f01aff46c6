"""Every report page walks the access ladder: anonymous → login, wrong role → 403/404, right
role → 200, another municipality → 404. Plus the order flow and the htmx status partial."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from organisation.models import Role
from reports.models import Report
from tests import factories as f

pytestmark = pytest.mark.django_db


def _done(report: Report) -> Report:
    report.file.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    report.status = Report.Status.DONE
    report.sha256 = "a" * 64
    report.size = 13
    report.page_count = 1
    report.save()
    return report


@pytest.fixture
def sn_board_report(world, coordinator):
    return _done(
        f.ReportFactory(unit=world.sn, title="Uppföljning SN 2017", requested_by=coordinator)
    )


@pytest.fixture
def sn_internal_report(world, coordinator):
    return _done(
        f.ReportFactory(
            unit=world.sn,
            title="Intern uppföljning SN 2017",
            audience=Report.Audience.INTERNAL,
            requested_by=coordinator,
        )
    )


def test_anonymous_is_sent_to_login(client, sn_board_report):
    for url in (
        reverse("reports:report_list"),
        reverse("reports:board_reports"),
        reverse("reports:report_create"),
        reverse("reports:report_preview"),
        sn_board_report.get_absolute_url(),
        reverse("reports:report_download", args=[sn_board_report.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/logga-in/" in response["Location"], url
    response = client.post(reverse("reports:report_regenerate", args=[sn_board_report.pk]))
    assert response.status_code == 302 and "/logga-in/" in response["Location"]


def test_board_member_sees_and_downloads_board_reports(
    client_for, board_member, sn_board_report, sn_internal_report
):
    client = client_for(board_member)
    page = client.get(reverse("reports:board_reports"))
    assert page.status_code == 200
    assert "Uppföljning SN 2017" in page.text and "Intern uppföljning" not in page.text
    assert client.get(sn_board_report.get_absolute_url()).status_code == 200
    download = client.get(reverse("reports:report_download", args=[sn_board_report.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # The internal version: not even visible.
    assert client.get(sn_internal_report.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("reports:report_download", args=[sn_internal_report.pk])).status_code
        == 404
    )


def test_board_member_may_not_order_regenerate_or_mark(client_for, board_member, sn_board_report):
    client = client_for(board_member)
    assert client.get(reverse("reports:report_create")).status_code == 403
    assert client.get(reverse("reports:report_preview")).status_code == 403
    for name in ("report_regenerate", "report_mark_sent", "report_unmark_sent", "report_retry"):
        response = client.post(reverse(f"reports:{name}", args=[sn_board_report.pk]))
        assert response.status_code == 403, name
    assert Report.objects.count() == 1


def test_board_reports_highlights_the_version_sent(
    client_for, board_member, sn_board_report, world
):
    decision = f.DecisionFactory(organ=world.sn, paragraph="28", dnr="SN/2016:389")
    Report.objects.filter(pk=sn_board_report.pk).update(is_sent_to_board=True, decision=decision)
    page = client_for(board_member).get(reverse("reports:board_reports")).text
    assert 'class="highlight"' in page and "Skickad till nämnden" in page
    assert "SN/2016:389" in page


def test_other_unit_and_other_municipality_get_404(client_for, world, outsider, sn_board_report):
    bun_controller = f.UserFactory(username="bun-kontrollant", municipality=world.municipality)
    f.RoleAssignmentFactory(user=bun_controller, unit=world.bun, role=Role.CONTROLLER)
    for user in (bun_controller, outsider):
        client = client_for(user)
        assert client.get(sn_board_report.get_absolute_url()).status_code == 404
        assert (
            client.get(reverse("reports:report_download", args=[sn_board_report.pk])).status_code
            == 404
        )
        assert (
            client.post(reverse("reports:report_regenerate", args=[sn_board_report.pk])).status_code
            == 404
        )
        assert (
            client.post(reverse("reports:report_mark_sent", args=[sn_board_report.pk])).status_code
            == 404
        )
        page = client.get(reverse("reports:board_reports")).text
        assert "Uppföljning SN 2017" not in page


def test_nobody_sees_an_empty_archive_and_cannot_order(client_for, nobody, sn_board_report):
    client = client_for(nobody)
    assert "Uppföljning SN 2017" not in client.get(reverse("reports:report_list")).text
    assert client.get(reverse("reports:report_create")).status_code == 403


def test_list_pages_query_count_does_not_grow(
    client_for, coordinator, world, django_assert_max_num_queries
):
    client = client_for(coordinator)
    for n in range(30):
        _done(f.ReportFactory(unit=world.sn, title=f"Rapport {n}", requested_by=coordinator))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("reports:report_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("reports:board_reports")).status_code == 200
    for n in range(220):
        _done(f.ReportFactory(unit=world.sn, title=f"Fler {n}", requested_by=coordinator))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("reports:report_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("reports:board_reports")).status_code == 200


def test_order_form_and_flow(client_for, coordinator, annual, django_capture_on_commit_callbacks):
    client = client_for(coordinator)
    form = client.get(reverse("reports:report_create"))
    assert form.status_code == 200
    assert "<legend>Rapporttyp" in form.text and "Socialnämnden" in form.text
    data = {"kind": "annual_follow_up", "unit": annual.unit.pk, "year": 2017, "audience": "board"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_create"), data)
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.status == Report.Status.DONE
    detail = client.get(report.get_absolute_url())
    assert "Ladda ned PDF" in detail.text and report.sha256 in detail.text
    assert 'hx-trigger="every 2s"' not in detail.text


def test_order_form_bad_input_changes_nothing(client_for, coordinator, annual, world):
    client = client_for(coordinator)
    cases = [
        (
            {"kind": "annual_follow_up", "unit": annual.unit.pk, "audience": "board"},
            "Ange vilket år",
        ),
        (
            {"kind": "annual_follow_up", "unit": annual.unit.pk, "year": 2030, "audience": "board"},
            "har ingen internkontrollplan för 2030",
        ),
        (
            {"kind": "audit_follow_up", "unit": annual.unit.pk, "audience": "board"},
            "Välj vilken granskning",
        ),
        (
            {"kind": "action_plan", "unit": world.other_root.pk, "audience": "board"},
            "Välj ett giltigt alternativ",
        ),
        (
            {"kind": "nonsense", "unit": annual.unit.pk, "audience": "board"},
            "Välj ett giltigt alternativ",
        ),
    ]
    for data, message in cases:
        response = client.post(reverse("reports:report_create"), data)
        assert response.status_code == 400, data
        assert message in response.text, (data, response.text[:2000])
    assert not Report.objects.exists()


def test_status_partial_polls_until_done(
    client_for, coordinator, annual, django_capture_on_commit_callbacks
):
    from reports import services

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.order_report(
            user=coordinator, kind="annual_follow_up", unit=annual.unit, audience="board", year=2017
        )
    client = client_for(coordinator)
    page = client.get(report.get_absolute_url())
    assert 'aria-live="polite"' in page.text and 'hx-trigger="every 2s"' in page.text
    partial = client.get(report.get_absolute_url(), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text and 'hx-trigger="every 2s"' in partial.text
    callbacks[0]()
    partial = client.get(report.get_absolute_url(), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' not in partial.text and "Ladda ned PDF" in partial.text


def test_a_failure_seen_while_polling_offers_a_retry(client_for, coordinator, board_member, world):
    report = f.ReportFactory(unit=world.sn, status="failed", error="Ingen plan", title="R")
    htmx = {"headers": {"HX-Request": "true"}}
    assert "Försök igen" in client_for(coordinator).get(report.get_absolute_url(), **htmx).text
    seen_by_board = client_for(board_member).get(report.get_absolute_url(), **htmx)
    assert seen_by_board.status_code == 200 and "Försök igen" not in seen_by_board.text


def test_the_history_shows_no_machine_fields(client_for, coordinator, world):
    report = f.ReportFactory(unit=world.sn, title="R", parameters={"kind": "annual_follow_up"})
    report.title = "R2"
    report.parameters = {"kind": "annual_follow_up", "year": 2017}
    report.series_key = "annual_follow_up|board|x"
    report.save()
    html = client_for(coordinator).get(report.get_absolute_url()).text
    history = html.split("Ändringshistorik")[-1]
    assert "R2" in history  # the title's change is shown
    assert "annual_follow_up" not in history and "series-" not in history


def test_preview_renders_the_document_without_archiving(client_for, coordinator, annual):
    client = client_for(coordinator)
    response = client.get(
        reverse("reports:report_preview"),
        {"kind": "annual_follow_up", "unit": annual.unit.pk, "year": 2017, "audience": "internal"},
    )
    assert response.status_code == 200
    assert "Uppföljning av internkontrollplan 2017, Socialnämnden" in response.text
    assert "Förhandsgranskning" in response.text and "reports/report.css" in response.text
    assert "Standardlösenordet Sommar2017" in response.text  # the internal version
    assert not Report.objects.exists()
    bad = client.get(
        reverse("reports:report_preview"), {"kind": "annual_follow_up", "unit": annual.unit.pk}
    )
    assert bad.status_code == 400


def test_mark_sent_via_the_page(client_for, coordinator, sn_board_report, annual):
    client = client_for(coordinator)
    response = client.post(
        reverse("reports:report_mark_sent", args=[sn_board_report.pk]),
        {"decision": annual.decision.pk},
    )
    assert response.status_code == 302
    sn_board_report.refresh_from_db()
    assert sn_board_report.is_sent_to_board and sn_board_report.decision == annual.decision
    page = client.get(sn_board_report.get_absolute_url()).text
    assert "Ta bort markeringen" in page
    client.post(reverse("reports:report_unmark_sent", args=[sn_board_report.pk]))
    sn_board_report.refresh_from_db()
    assert not sn_board_report.is_sent_to_board
