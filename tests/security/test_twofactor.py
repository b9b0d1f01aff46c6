"""Issue 8, point 4: two-factor sign-in (TOTP + recovery codes), required for some roles."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from security import twofactor
from security.models import SecurityEvent
from tests import factories as f

pytestmark = pytest.mark.django_db
Kind = SecurityEvent.Kind
HOME = reverse("home")
ACCOUNT = reverse("organisation:my_account")
SETUP = reverse("security:otp_setup")
VERIFY = reverse("security:otp_verify")
CODES = reverse("security:recovery_codes")


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def set_up_app(client: Client, user) -> tuple[TOTPDevice, list[str]]:
    """Walk the set-up page as the user; returns the device and the recovery codes shown."""
    page = client.get(SETUP)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"token": code_for(device), "next": HOME})
    assert response.status_code == 302, response.content.decode()
    codes_page = client.get(response.url).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    device.refresh_from_db()
    return device, codes


@pytest.fixture
def enrolled(two_factor_required, coordinator):
    """The coordinator with a confirmed app and recovery codes (set up through the pages)."""
    client = Client()
    client.force_login(coordinator)
    device, codes = set_up_app(client, coordinator)
    return coordinator, device, codes


def test_required_role_is_sent_to_set_up(two_factor_required, post_login, coordinator, client):
    assert post_login(coordinator.username).status_code == 302
    response = client.get(ACCOUNT)
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next={ACCOUNT.replace('/', '%2F')}"
    # Nothing else opens either, including the Django admin.
    assert client.get(reverse("reports:report_list")).url.startswith(SETUP)
    assert client.get(reverse("security:event_list")).url.startswith(SETUP)


@pytest.mark.parametrize("who", ["admin_user", "coordinator"])
def test_default_required_roles(request, two_factor_required, client_for, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(HOME).url.startswith(SETUP)


@pytest.mark.parametrize("who", ["controller", "action_owner", "board_member", "auditor", "nobody"])
def test_other_roles_are_not_forced(request, two_factor_required, client_for, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(ACCOUNT).status_code == 200


def test_required_roles_are_configurable(settings, client_for, auditor, coordinator):
    settings.OTP_REQUIRED_ROLES = ["auditor"]
    settings.OTP_REQUIRED_FOR_STAFF = False
    assert client_for(auditor).get(ACCOUNT).url.startswith(SETUP)
    client = Client()
    client.force_login(coordinator)
    assert client.get(ACCOUNT).status_code == 200


def test_staff_is_forced(two_factor_required, client, world):
    staff = f.UserFactory(username="drift", municipality=None, is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:index")).url.startswith(SETUP)


def test_htmx_requests_get_a_full_page_redirect(two_factor_required, client_for, coordinator):
    response = client_for(coordinator).get(ACCOUNT, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(SETUP)


def test_set_up_page_shows_qr_code_and_key(two_factor_required, client_for, coordinator):
    response = client_for(coordinator).get(SETUP)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in body
    assert 'alt="QR-kod' in body
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert twofactor.manual_key(device) in body
    assert "no-store" in response["Cache-Control"]
    # Reloading shows the same secret (one pending device, not a new one per view).
    client_for(coordinator).get(SETUP)
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_wrong_code_does_not_confirm(two_factor_required, client_for, coordinator):
    client = client_for(coordinator)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=coordinator)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"token": wrong})
    assert response.status_code == 200
    assert "Koden stämmer inte" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(HOME).url.startswith(SETUP)
    assert SecurityEvent.objects.filter(kind=Kind.OTP_FAILED, user=coordinator).exists()


def test_set_up_confirms_and_shows_ten_recovery_codes_once(
    two_factor_required, client_for, coordinator
):
    client = client_for(coordinator)
    device, codes = set_up_app(client, coordinator)
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=coordinator).count() == 10
    # Shown once: the page now only counts them.
    again = client.get(CODES).content.decode()
    assert not re.findall(r"<li><code>", again)
    assert "10 oanvända reservkoder" in again
    # The session is verified: pages open.
    assert client.get(ACCOUNT).status_code == 200
    assert "Aktiverad" in client.get(ACCOUNT).content.decode()
    assert SecurityEvent.objects.filter(kind=Kind.OTP_DEVICE_ADDED, user=coordinator).count() == 1


def test_sign_in_asks_for_the_code_and_accepts_it(enrolled, post_login, client):
    coordinator, device, _codes = enrolled
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=60)):
        assert post_login(coordinator.username).status_code == 302
        response = client.get(ACCOUNT)
        assert response.url.startswith(VERIFY)
        page = client.get(response.url).content.decode()
        assert 'autocomplete="one-time-code"' in page
        response = client.post(VERIFY, {"token": code_for(device), "next": ACCOUNT})
        assert response.status_code == 302
        assert response.url == ACCOUNT
        assert client.get(ACCOUNT).status_code == 200
    assert SecurityEvent.objects.filter(kind=Kind.OTP_VERIFIED, user=coordinator).exists()


def test_a_used_code_is_not_accepted_twice(enrolled, post_login, client):
    coordinator, device, _codes = enrolled
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=60), tick=False):
        post_login(coordinator.username)
        code = code_for(device)
        assert client.post(VERIFY, {"token": code}).status_code == 302
        other = Client()
        post_login(coordinator.username, c=other)
        response = other.post(VERIFY, {"token": code})
        assert response.status_code == 200
        assert "redan använts" in response.content.decode()


def test_wrong_code_at_sign_in_is_refused_and_logged(enrolled, post_login, client):
    coordinator, device, _codes = enrolled
    post_login(coordinator.username)
    response = client.post(
        VERIFY, {"token": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert response.status_code == 200
    assert "Koden stämmer inte" in response.content.decode()
    assert client.get(ACCOUNT).url.startswith(VERIFY)
    assert SecurityEvent.objects.filter(kind=Kind.OTP_FAILED, user=coordinator).exists()


def test_recovery_code_works_once(enrolled, post_login, client):
    coordinator, _device, codes = enrolled
    post_login(coordinator.username)
    response = client.post(VERIFY, {"token": codes[0].upper(), "next": ACCOUNT}, follow=True)
    assert response.redirect_chain[-1][0] == ACCOUNT
    assert "reservkod" in response.content.decode()
    assert StaticToken.objects.filter(device__user=coordinator).count() == 9
    assert SecurityEvent.objects.filter(kind=Kind.RECOVERY_CODE_USED, user=coordinator).exists()

    other = Client()
    post_login(coordinator.username, c=other)
    response = other.post(VERIFY, {"token": codes[0]})
    assert response.status_code == 200
    assert other.get(ACCOUNT).url.startswith(VERIFY)


def test_new_recovery_codes_replace_the_old(enrolled, client):
    coordinator, _device, codes = enrolled
    client.force_login(coordinator)
    # Verified session: sign in with a recovery code first.
    assert client.post(VERIFY, {"token": codes[1]}).status_code == 302
    response = client.post(CODES, follow=True)
    assert response.redirect_chain == [(CODES, 302)]
    fresh = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(fresh) == 10
    assert not set(fresh) & set(codes)
    assert not StaticToken.objects.filter(token__in=codes).exists()


def test_unverified_user_cannot_replace_their_app(enrolled, post_login, client):
    coordinator, _device, _codes = enrolled
    post_login(coordinator.username)
    response = client.get(SETUP)
    assert response.url.startswith(VERIFY)
    response = client.post(SETUP, {"token": "123456"})
    assert response.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1
    assert client.post(CODES).url.startswith(VERIFY)


def test_user_who_turned_it_on_must_verify_even_if_not_required(post_login, controller, client):
    device = TOTPDevice.objects.create(user=controller, name="app", confirmed=True)
    post_login(controller.username)
    assert client.get(ACCOUNT).url.startswith(VERIFY)
    client.post(VERIFY, {"token": code_for(device)})
    assert client.get(ACCOUNT).status_code == 200


def test_next_must_stay_on_the_site(enrolled, post_login, client):
    coordinator, device, _codes = enrolled
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=90)):
        post_login(coordinator.username)
        response = client.post(VERIFY, {"token": code_for(device), "next": "https://evil.example/"})
        assert response.url == HOME


def test_verify_without_a_device_goes_to_set_up(two_factor_required, client_for, coordinator):
    assert client_for(coordinator).get(VERIFY).url == SETUP


def test_anonymous_cannot_reach_the_two_factor_pages(client):
    for url in (SETUP, VERIFY, CODES):
        assert client.get(url).url.startswith(reverse("login"))


def test_removed_device_sends_a_required_user_back_to_set_up(enrolled, client):
    coordinator, _device, codes = enrolled
    client.force_login(coordinator)
    client.post(VERIFY, {"token": codes[2]})
    assert client.get(ACCOUNT).status_code == 200
    TOTPDevice.objects.filter(user=coordinator).delete()
    from django_otp.plugins.otp_static.models import StaticDevice

    StaticDevice.objects.filter(user=coordinator).delete()  # an administrator reset it
    assert client.get(ACCOUNT).url.startswith(SETUP)


def test_pages_of_a_user_without_a_device_cost_no_device_queries(client_for, controller):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(controller)  # the devices are looked up once, at sign-in
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("reports:report_list")).status_code == 200
    assert not [q["sql"] for q in queries if "otp_totp" in q["sql"] or "otp_static" in q["sql"]]
