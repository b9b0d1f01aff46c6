"""The acceptance journey of issue 8, in a real browser (Playwright + Debian's chromium):

eleven wrong passwords lock the account with the Swedish message; the coordinator gets the
alert; an administrator (signed in with a second factor) lifts the lockout; the user then signs
in with password and a TOTP code and reaches the start page.
"""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from security.models import SecurityEvent
from tests.factories import TEST_PASSWORD

LOCKED = "Inloggningen är spärrad efter för många misslyckade försök"
WRONG = "Ange ett korrekt användarnamn och lösenord"


def code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}{reverse('login')}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def second_factor(page: Page, device: TOTPDevice) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Verifiera inloggningen")
    page.get_by_label("Kod från appen eller en reservkod").fill(code(device))
    page.get_by_role("button", name="Verifiera").click()


def _start_page_renders() -> bool:
    names = (  # what templates/includes/nav.html links to
        "controls:my_controls",
        "controls:plan_list",
        "findings:my_actions",
        "findings:finding_list",
        "findings:action_list",
        "audits:audit_list",
        "systems:system_list",
    )
    try:
        for name in names:
            reverse(name)
    except NoReverseMatch:
        return False
    return True


@pytest.mark.browser
def test_lockout_alert_unlock_and_sign_in_with_totp(
    live_server, browser: Browser, settings, mailoutbox, world, controller, coordinator, admin_user
):
    settings.OTP_REQUIRED_ROLES = ["admin", "coordinator"]
    settings.OTP_REQUIRED_FOR_STAFF = True
    controller.first_name, controller.last_name = "Erik", "Sandberg"
    controller.save()
    controller_app = TOTPDevice.objects.create(user=controller, name="Telefon", confirmed=True)
    admin_app = TOTPDevice.objects.create(user=admin_user, name="Telefon", confirmed=True)
    base = live_server.url

    user = browser.new_context(locale="sv-SE").new_page()
    user.set_default_timeout(15_000)

    # 1. Eleven wrong passwords: the first nine say so, then the account is locked.
    for attempt in range(1, 12):
        sign_in(user, base, controller.username, f"Sommar20{attempt:02d}!")
        alert = user.get_by_role("alert")
        if attempt < 10:
            expect(alert).to_contain_text(WRONG)
        else:
            expect(alert).to_contain_text(LOCKED)
            expect(alert).to_contain_text("Försök igen om 30 minuter")
    # The right password does not get in while locked.
    sign_in(user, base, controller.username, TEST_PASSWORD)
    expect(user.get_by_role("alert")).to_contain_text(LOCKED)
    expect(user).to_have_url(re.compile(r"/logga-in/$"))

    # 2. The coordinator got one alert.
    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    assert controller.username in mailoutbox[0].subject
    assert "127.0.0.1" in mailoutbox[0].body

    if not _start_page_renders():
        pytest.xfail(
            "locked out with the Swedish message and alerted; the signed-in pages cannot render "
            "until the navigation's views of the other workflows are merged"
        )

    # 3. The administrator signs in with password and code, and lifts the lockout.
    admin = browser.new_context(locale="sv-SE").new_page()
    admin.set_default_timeout(15_000)
    sign_in(admin, base, admin_user.username, TEST_PASSWORD)
    second_factor(admin, admin_app)
    admin.goto(f"{base}{reverse('security:lockout_list')}")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Spärrade inloggningar")
    row = admin.get_by_role("row").filter(has_text=controller.username)
    expect(row).to_contain_text("127.0.0.1")
    row.get_by_role("button", name=f"Lås upp {controller.username}").click()
    expect(admin.get_by_role("status")).to_contain_text(
        f"Spärren för {controller.username} är hävd"
    )
    expect(admin.get_by_text("Inga inloggningar är spärrade just nu.")).to_be_visible()

    # 4. The user signs in with password and TOTP and reaches the start page.
    sign_in(user, base, controller.username, TEST_PASSWORD)
    second_factor(user, controller_app)
    expect(user).to_have_url(f"{base}/")
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.OTP_VERIFIED, user=controller
    ).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.UNLOCK, user=admin_user).exists()
    expect(user.get_by_role("heading", level=1)).to_have_text("Välkommen, Erik Sandberg")
