"""A board member logs in, opens Mina rapporter and downloads the annual follow-up; a
controller of another unit gets 404 on its URLs. Real browser, real server, real PDF."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from organisation.models import Role
from reports import services
from reports.models import Report
from tests import factories as f
from tests.factories import TEST_PASSWORD


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).not_to_have_url(f"{base_url}/logga-in/")


@pytest.mark.browser
def test_board_member_downloads_the_annual_follow_up(
    live_server, browser: Browser, page: Page, annual, coordinator, board_member, world, tmp_path
):
    page.set_default_timeout(20_000)
    report = services.order_report(
        user=coordinator, kind="annual_follow_up", unit=annual.unit, audience="board", year=2017
    )
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    services.mark_sent_to_board(user=coordinator, report=report, decision=annual.decision)

    _log_in(page, live_server.url, board_member.username)
    page.goto(f"{live_server.url}{reverse('reports:report_list')}")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Mina rapporter"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina rapporter")
    row = page.get_by_role("row").filter(has_text=report.title)
    expect(row).to_contain_text("Skickad till nämnden")
    with page.expect_download() as info:
        row.get_by_role("link", name="Ladda ned").click()
    download = info.value
    assert download.suggested_filename == f"{report.title} v1.pdf"
    path = tmp_path / "download.pdf"
    download.save_as(path)
    content = path.read_bytes()
    assert content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Uppföljning av internkontrollplan 2017" in text

    # A controller of another unit: the report's pages do not exist for them.
    bun_controller = f.UserFactory(username="bun-kontrollant", municipality=world.municipality)
    f.RoleAssignmentFactory(user=bun_controller, unit=world.bun, role=Role.CONTROLLER)
    other = browser.new_context()
    try:
        other_page = other.new_page()
        other_page.set_default_timeout(20_000)
        _log_in(other_page, live_server.url, bun_controller.username)
        for url in (
            report.get_absolute_url(),
            reverse("reports:report_download", args=[report.pk]),
        ):
            response = other_page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 404, url
        other_page.goto(f"{live_server.url}{reverse('reports:board_reports')}")
        expect(other_page.get_by_role("heading", level=1)).to_have_text("Mina rapporter")
        expect(other_page.get_by_text(report.title)).to_have_count(0)
    finally:
        other.close()
