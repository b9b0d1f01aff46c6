"""A person logs in through the login form in a real browser and reaches the start page.

Playwright drives Debian's chromium (see ``browser_type_launch_args`` in tests/conftest.py)
against pytest-django's ``live_server``: a real HTTP server on a real database.
"""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD

# The start page's navigation links to these (templates/includes/nav.html); the views behind
# them come with later issues. Until they are all merged the start page cannot render.
NAV_URL_NAMES = (
    "home",
    "controls:my_controls",
    "controls:plan_list",
    "findings:my_actions",
    "findings:finding_list",
    "findings:action_list",
    "audits:audit_list",
    "systems:system_list",
    "reports:report_list",
    "organisation:unit_list",
)


def _missing_nav_urls() -> list[str]:
    missing = []
    for name in NAV_URL_NAMES:
        try:
            reverse(name)
        except NoReverseMatch:
            missing.append(name)
    return missing


@pytest.mark.browser
def test_a_coordinator_logs_in_and_reaches_the_start_page(live_server, page: Page, coordinator):
    coordinator.first_name, coordinator.last_name = "Åsa", "Östlund"
    coordinator.save()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/")

    # Anonymous: sent to the login form, which remembers where we were going.
    expect(page).to_have_url(re.compile(r"/logga-in/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in i Uppsikt")

    page.get_by_label("Användarnamn").fill("samordnare")
    page.get_by_label("Lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    missing = _missing_nav_urls()
    if missing:
        pytest.xfail(
            "logged in and redirected to the start page, but it cannot render until the "
            f"navigation's views exist: {', '.join(missing)}"
        )
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Åsa Östlund")
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_be_visible()


@pytest.mark.browser
def test_a_wrong_password_keeps_the_person_on_the_login_page(live_server, page: Page, coordinator):
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/logga-in/")

    page.get_by_label("Användarnamn").fill("samordnare")
    page.get_by_label("Lösenord").fill("fel-lösenord")
    page.get_by_role("button", name="Logga in").click()

    expect(page).to_have_url(re.compile(r"/logga-in/$"))
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Lösenord")).to_have_value("")
