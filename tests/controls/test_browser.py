"""The two journeys of issue 3 in a real browser (Playwright + Debian's chromium).

1. A controller logs in, logs an avvikelse with an evidence file and an action, and the plan
   overview shows it.
2. A coordinator exports the demo plan to ``.xlsx`` and imports the file back into a new year,
   getting the same control points.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from controls.models import ControlOccurrence, ControlPlan
from findings.models import Action, Finding
from notifications.models import Notification
from tests import factories as f
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
POINT_FIELDS = (
    "number", "title", "process", "risk_description", "likelihood", "consequence",
    "control_activity", "method", "sample", "frequency", "planned_months", "owner_id",
    "owner_description", "reports_to", "scope", "is_access_review",
)  # fmt: skip


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    expect(page).not_to_have_url(re.compile(r"/logga-in/"))


def test_controller_logs_a_deviation_with_evidence_and_an_action(
    live_server, page: Page, world, controller, action_owner, sn_plan
):
    page.set_default_timeout(15_000)
    today = timezone.localdate()
    point = f.ControlPointFactory(
        plan=sn_plan, owner=controller, number=1, title="Behörigheter i kartsystemet"
    )
    occurrence = f.ControlOccurrenceFactory(
        control_point=point, period_label="Omgång 1", due_date=today + datetime.timedelta(days=5)
    )
    sign_in(page, live_server.url, "kontrollant", TEST_PASSWORD)

    page.goto(f"{live_server.url}/internkontroll/mina-kontroller/")
    soon = page.get_by_role("region", name="Ska göras inom 30 dagar")
    soon.get_by_role("link", name=re.compile("Registrera resultat")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Behörigheter i kartsystemet")

    page.get_by_label("Genomförd datum").fill(today.isoformat())
    page.get_by_label("Vad som kontrollerats och hur").fill("Alla konton mot lönesystemet.")
    deviation = page.get_by_role("group", name="Avvikelse och åtgärder")
    expect(deviation).to_be_hidden()
    page.get_by_label("Avvikelse, väsentlig").check()
    expect(deviation).to_be_visible()
    page.get_by_label("Kommentar").fill("3 användare från Räddningstjänsten och 2 testkonton.")
    page.get_by_label("Underlag").set_input_files(
        {"name": "kontoexport.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Avvikelsens rubrik").fill("Okända konton i kartsystemet")
    page.locator("#id_action1_title").fill("Stäng testkontona och RTJ-kontona")
    page.locator("#id_action1_owner").select_option(str(action_owner.pk))
    page.locator("#id_action1_deadline").fill((today + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Spara resultat").click()

    # htmx swapped the result in place and updated the status chip out of band.
    expect(page.get_by_role("status").filter(has_text="Resultatet är registrerat")).to_be_visible()
    expect(page.locator("#occurrence-status")).to_have_text("Avvikelse, väsentlig")
    expect(page.get_by_role("link", name="kontoexport.pdf")).to_be_visible()
    expect(page.get_by_role("link", name="Stäng testkontona och RTJ-kontona")).to_be_visible()

    occurrence.refresh_from_db()
    assert occurrence.status == ControlOccurrence.Status.DONE
    assert occurrence.evidence.get().original_name == "kontoexport.pdf"
    finding = Finding.objects.get(occurrence=occurrence)
    assert Action.objects.get(findings=finding).owner == action_owner
    assert Notification.objects.filter(recipient=action_owner).count() == 1

    page.get_by_role("link", name=sn_plan.title).first.click()
    page.get_by_role("link", name="Översikt och uppföljning").click()
    row = page.get_by_role("row", name=re.compile("Behörigheter i kartsystemet"))
    expect(row.get_by_text("Väs.")).to_be_visible()
    expect(row.get_by_text("Åtgärd krävs")).to_be_visible()
    expect(page.get_by_text("1 av 1 kontrolltillfällen har resultat (100 %)")).to_be_visible()


def test_coordinator_imports_the_demo_plans_export_into_a_new_year(
    live_server, page: Page, settings, tmp_path
):
    from core.demo import DEMO_PASSWORD, load

    page.set_default_timeout(20_000)
    settings.DEMO_MODE = True
    load()
    year = timezone.localdate().year
    demo_plan = ControlPlan.objects.get(unit__short_code="KSF", year=year)
    sign_in(page, live_server.url, "samordnare", DEMO_PASSWORD)

    page.goto(f"{live_server.url}{demo_plan.get_absolute_url()}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exportera (.xlsx)").click()
    exported = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(exported)
    assert exported.suffix == ".xlsx"

    page.goto(f"{live_server.url}/internkontroll/")
    page.get_by_role("link", name="Importera plan från Excel").click()
    page.get_by_label("Enhet").select_option(str(demo_plan.unit_id))
    page.get_by_role("spinbutton", name="År").fill(str(year + 1))
    page.get_by_label("Fil (.xlsx eller .csv)").set_input_files(exported)
    page.get_by_role("button", name="Ladda upp och förhandsgranska").click()
    count = demo_plan.control_points.count()
    expect(page.get_by_text(f"{count} kontrollpunkter importeras.")).to_be_visible()
    page.get_by_role("button", name="Importera alla rader").click()

    expect(page.get_by_text(f"Importen är klar: {count} kontrollpunkter i planen.")).to_be_visible()
    new_plan = ControlPlan.objects.get(unit=demo_plan.unit, year=year + 1)
    expect(page).to_have_url(f"{live_server.url}{new_plan.get_absolute_url()}")

    def points(plan):
        rows = plan.control_points.order_by("number")
        return [
            (
                tuple(getattr(p, name) for name in POINT_FIELDS),
                sorted(s.name for s in p.systems.all()),
            )
            for p in rows
        ]

    assert points(new_plan) == points(demo_plan)
