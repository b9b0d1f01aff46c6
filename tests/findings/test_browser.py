"""The audit follow-up journey in a real browser (Playwright driving Debian's chromium).

The coordinator registers an audit with two recommendations and records Socialnämnden's
response with an action; the action owner marks the action done with evidence on "Mina
åtgärder" (in place, htmx); the coordinator verifies the finding; the dashboard's counts follow.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from findings.models import Action, Finding
from tests.factories import TEST_PASSWORD

PDF = b"%PDF-1.4\n1 0 obj << /Title (Skarmbild) >> endobj\ntrailer << >>\n%%EOF\n"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("button", name="Logga in")).to_be_visible()


def stat(page: Page, label: str) -> int:
    item = page.locator("section[aria-labelledby=totals-heading] .stats li").filter(
        has=page.locator(".label", has_text=re.compile(f"^{label}$"))
    )
    return int(item.locator(".number").inner_text())


def audit_cell(page: Page, audit_title: str, column: int) -> int:
    row = page.locator("section[aria-labelledby=audit-heading] tbody tr").filter(
        has_text=audit_title
    )
    return int(row.locator("td").nth(column).inner_text())


@pytest.mark.browser
def test_audit_to_verified_remedy(live_server, page: Page, world, coordinator, action_owner):
    page.set_default_timeout(15_000)
    base = live_server.url
    today = timezone.localdate()
    next_year = today.year + 1

    # --- the coordinator registers the audit and its two recommendations -------------------
    log_in(page, base, coordinator.username)
    page.goto(f"{base}/avvikelser/oversikt/")
    open_before = stat(page, "öppna avvikelser")
    closed_before = stat(page, "stängda avvikelser")

    page.goto(f"{base}/granskningar/")
    page.get_by_role("link", name="Registrera granskning").click()
    page.get_by_label("Rubrik").fill("Granskning av informationssäkerhet")
    page.get_by_label("Granskande organ").select_option(label="Stadsrevisionen")
    page.get_by_label("Sakkunnigt biträde/företag").fill("PwC")
    page.get_by_label("Typ").select_option(label="Fördjupad granskning")
    page.get_by_label("Rapportdatum").fill(today.isoformat())
    page.get_by_label("Socialnämnden").check()
    page.get_by_role("button", name="Registrera").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Granskning av informationssäkerhet"
    )

    for text in (
        "Socialnämnden bör teckna tilläggsavtal som reglerar sekretessen vid säkerhetskopiering.",
        "Socialnämnden bör se till att borttagning av användare i Heroma fungerar.",
    ):
        page.get_by_role("link", name="Ny rekommendation").click()
        page.get_by_role("textbox", name="Rekommendation", exact=True).fill(text)
        page.get_by_label("Mottagare").select_option(label="Socialnämnden")
        expect(page.get_by_label(re.compile("Registrera som brist"))).to_be_checked()
        page.get_by_role("button", name="Registrera rekommendation").click()
        expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
            "Rekommendationen är registrerad."
        )
    recommendations = page.locator("section[aria-labelledby=recommendations-heading] tbody tr")
    expect(recommendations).to_have_count(2)

    page.goto(f"{base}/avvikelser/oversikt/")
    assert stat(page, "öppna avvikelser") == open_before + 2
    assert audit_cell(page, "Granskning av informationssäkerhet", 0) == 2  # recommendations
    assert audit_cell(page, "Granskning av informationssäkerhet", 1) == 0  # closed in register

    # --- Socialnämnden's response with an action --------------------------------------------
    page.goto(f"{base}/granskningar/")
    page.get_by_role("link", name="Granskning av informationssäkerhet").click()
    page.get_by_role("link", name="Skapa yttrande").click()
    expect(page.get_by_role("combobox", name="Nämnd", exact=True)).to_have_value(str(world.sn.pk))
    page.get_by_role("button", name="Skapa utkast").click()
    page.get_by_role("link", name="Nytt svar").click()
    page.get_by_label("Svar på rekommendation").select_option(index=1)
    page.get_by_role("textbox", name="Svar", exact=True).fill(
        "Ett tilläggsavtal har skrivits och granskas av juristerna."
    )
    page.get_by_role("textbox", name="Åtgärd", exact=True).fill("Teckna tilläggsavtal om sekretess")
    page.get_by_role("combobox", name="Ansvarig", exact=True).select_option(label=str(action_owner))
    page.get_by_label("Klart senast").fill(f"Q1 {next_year}")
    page.get_by_role("button", name="Spara svar").click()
    expect(page.locator(".messages")).to_contain_text("Svaret är registrerat.")
    expect(page.get_by_role("link", name="Teckna tilläggsavtal om sekretess")).to_be_visible()
    expect(page.get_by_text(f"Q1 {next_year}")).to_be_visible()
    log_out(page)

    # --- the action owner marks it done with evidence, in place -----------------------------
    log_in(page, base, action_owner.username)
    page.goto(f"{base}/avvikelser/mina-atgarder/")
    card = page.locator("article.action-card").filter(has_text="Teckna tilläggsavtal om sekretess")
    card.get_by_label("Status").select_option(label="Genomförd")
    card.get_by_label("Lägesrapport").fill("Avtalet är undertecknat av båda parter.")
    card.get_by_label("Underlag").set_input_files(
        files=[{"name": "avtal.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.evaluate("window.stillTheSamePage = true")
    card.get_by_role("button", name="Spara").click()
    done = page.locator("article.action-card").filter(has_text="Teckna tilläggsavtal om sekretess")
    expect(done.get_by_role("status")).to_have_text("Åtgärden är markerad som genomförd.")
    expect(done.locator(".badge", has_text="Genomförd")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage === true")  # swapped in place, no reload
    log_out(page)

    action = Action.objects.get(title="Teckna tilläggsavtal om sekretess")
    assert action.status == Action.Status.DONE
    finding = action.findings.get()
    assert finding.status == Finding.Status.REMEDIED

    # --- the coordinator verifies the remedy -------------------------------------------------
    log_in(page, base, coordinator.username)
    page.goto(f"{base}{finding.get_absolute_url()}")
    expect(page.get_by_role("link", name="avtal.pdf")).to_be_visible()
    page.get_by_role("link", name="Verifiera").click()
    page.get_by_label("Vad kontrollerades?").fill("Det undertecknade avtalet har granskats.")
    page.get_by_role("button", name="Verifiera").click()
    expect(page.locator(".status-line")).to_contain_text("Verifierad")
    expect(page.locator(".history")).to_contain_text(
        "Verifierad: Det undertecknade avtalet har granskats."
    )

    # --- the dashboard follows ---------------------------------------------------------------
    page.goto(f"{base}/avvikelser/oversikt/")
    assert stat(page, "öppna avvikelser") == open_before + 1
    assert stat(page, "stängda avvikelser") == closed_before + 1
    assert audit_cell(page, "Granskning av informationssäkerhet", 1) == 1  # closed in register
    page.locator("section[aria-labelledby=audit-heading] tbody tr").filter(
        has_text="Granskning av informationssäkerhet"
    ).locator("td").nth(1).get_by_role("link").click()
    expect(page.locator("p[role=status]")).to_have_text("1 rekommendation")
