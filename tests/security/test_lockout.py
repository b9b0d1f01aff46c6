"""Issue 8, point 1: repeated failed sign-ins lock the username/IP pair; the alarm goes off."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organisation.models import Role
from security.models import SecurityEvent
from security.tasks import send_security_alert
from tests import factories as f
from tests.factories import TEST_PASSWORD
from tests.security.conftest import ATTACKER_IP

pytestmark = pytest.mark.django_db
Kind = SecurityEvent.Kind
LOCKED_TEXT = "Inloggningen är spärrad efter för många misslyckade försök"
WRONG_TEXT = "Ange ett korrekt användarnamn och lösenord"


def fail(post_login, username, times, ip=ATTACKER_IP):
    return [post_login(username, "fel-lösenord-123", ip=ip) for _ in range(times)]


def test_limit_and_cooloff_come_from_the_settings(settings):
    assert settings.AXES_FAILURE_LIMIT == 10
    assert datetime.timedelta(minutes=30) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AUTHENTICATION_BACKENDS.index(
        "guardian.backends.ObjectPermissionBackend"
    ) > settings.AUTHENTICATION_BACKENDS.index("django.contrib.auth.backends.ModelBackend")


def test_ten_failures_lock_the_account_with_a_swedish_message(post_login, controller, coordinator):
    responses = fail(post_login, controller.username, 11)
    for response in responses[:9]:
        assert response.status_code == 200
        assert WRONG_TEXT in response.content.decode()
        assert LOCKED_TEXT not in response.content.decode()
    for response in responses[9:]:
        assert response.status_code == 429
        body = response.content.decode()
        assert LOCKED_TEXT in body
        assert "Försök igen om 30 minuter" in body
        assert 'role="alert"' in body
        assert f'value="{controller.username}"' in body  # the form is there, name filled in

    # Even the right password does not get in while locked.
    response = post_login(controller.username, TEST_PASSWORD, ip=ATTACKER_IP)
    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session


def test_lockout_is_per_username_and_ip(post_login, controller, coordinator):
    fail(post_login, controller.username, 10)
    # The real user at another address still signs in.
    response = post_login(controller.username, TEST_PASSWORD, ip="192.0.2.44")
    assert response.status_code == 302
    assert response.client.session["_auth_user_id"] == str(controller.pk)


def test_lockout_alerts_the_coordinator_once_and_logs_it(post_login, controller, coordinator):
    fail(post_login, controller.username, 14)

    lockouts = SecurityEvent.objects.filter(kind=Kind.LOCKOUT)
    assert lockouts.count() == 1
    lockout = lockouts.get()
    assert lockout.username == controller.username
    assert lockout.user == controller
    assert lockout.municipality == controller.municipality
    assert lockout.ip == ATTACKER_IP
    assert lockout.alert_sent_at is not None
    assert SecurityEvent.objects.filter(kind=Kind.LOGIN_FAILED).count() == 14

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [coordinator.email]
    assert controller.username in message.subject
    assert "spärrats" in message.subject
    assert ATTACKER_IP in message.body
    assert reverse("security:lockout_list") in message.body
    html = message.alternatives[0][0]
    assert ATTACKER_IP in html


def test_alert_task_is_idempotent(post_login, controller, coordinator):
    fail(post_login, controller.username, 10)
    event = SecurityEvent.objects.get(kind=Kind.LOCKOUT)
    assert len(mail.outbox) == 1
    assert send_security_alert(event.pk) is False
    assert len(mail.outbox) == 1


def test_coordinators_of_other_municipalities_are_not_told(
    post_login, controller, coordinator, outsider
):
    fail(post_login, controller.username, 10)
    assert [m.to for m in mail.outbox] == [[coordinator.email]]


def test_unknown_username_alerts_the_platform_operators(post_login, settings, coordinator):
    settings.SECURITY_ALERT_EMAILS = ["drift@example.se"]
    fail(post_login, "finns-inte", 10)
    event = SecurityEvent.objects.get(kind=Kind.LOCKOUT)
    assert event.municipality is None
    assert event.user is None
    assert event.username == "finns-inte"
    assert [m.to for m in mail.outbox] == [["drift@example.se"]]


def test_municipality_without_coordinator_falls_back_to_platform(post_login, settings, controller):
    settings.SECURITY_ALERT_EMAILS = ["drift@example.se"]
    fail(post_login, controller.username, 10)
    assert [m.to for m in mail.outbox] == [["drift@example.se"]]


def test_expired_coordinator_role_gets_no_alert(post_login, settings, world, controller):
    settings.SECURITY_ALERT_EMAILS = ["drift@example.se"]
    former = f.UserFactory(username="f-d-samordnare", municipality=world.municipality)
    f.RoleAssignmentFactory(
        user=former,
        unit=world.root,
        role=Role.COORDINATOR,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2021, 1, 1),
    )
    fail(post_login, controller.username, 10)
    assert [m.to for m in mail.outbox] == [["drift@example.se"]]


def test_success_resets_the_failure_count(post_login, controller):
    fail(post_login, controller.username, 9)
    assert post_login(controller.username, TEST_PASSWORD, ip=ATTACKER_IP).status_code == 302
    assert not AccessAttempt.objects.filter(username=controller.username).exists()


def test_lockout_ends_after_the_cooloff(post_login, controller, coordinator, client):
    fail(post_login, controller.username, 10)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        response = post_login(controller.username, TEST_PASSWORD, ip=ATTACKER_IP)
        assert response.status_code == 302


def test_a_second_lockout_after_unlock_alerts_again(
    post_login, controller, coordinator, admin_user, client_for
):
    fail(post_login, controller.username, 10)
    client = client_for(admin_user)
    client.post(
        reverse("security:lockout_unlock"),
        {"username": controller.username, "ip": ATTACKER_IP},
    )
    client.logout()
    fail(post_login, controller.username, 10)
    assert SecurityEvent.objects.filter(kind=Kind.LOCKOUT).count() == 2
    assert len(mail.outbox) == 2


# --- password spraying ------------------------------------------------------------------------


def test_many_usernames_from_one_ip_raise_a_spraying_alert(
    post_login, settings, world, coordinator, outsider
):
    settings.SECURITY_ALERT_EMAILS = ["drift@example.se"]
    settings.SECURITY_SPRAY_USERNAMES = 5
    victims = [
        f.UserFactory(username=f"anstalld{i}", municipality=world.municipality) for i in range(3)
    ]
    for username in [v.username for v in victims] + ["okand1", outsider.username]:
        post_login(username, "Sommar2017!", ip=ATTACKER_IP)

    sprays = SecurityEvent.objects.filter(kind=Kind.PASSWORD_SPRAY)
    # The platform's event with every name; one per municipality with only its own names.
    assert sprays.count() == 3
    platform = sprays.get(municipality=None)
    assert "okand1" in platform.detail and outsider.username in platform.detail
    alfa = sprays.get(municipality=world.municipality)
    assert "anstalld0" in alfa.detail and outsider.username not in alfa.detail
    beta = sprays.get(municipality=world.other_municipality)
    assert "anstalld0" not in beta.detail

    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert (coordinator.email,) in recipients
    assert ("drift@example.se",) in recipients
    alfa_mail = next(m for m in mail.outbox if m.to == [coordinator.email])
    assert outsider.username not in alfa_mail.body
    assert "lösenordsgissning" in alfa_mail.subject

    # A few more failures in the same window raise no second alert.
    post_login("okand2", "Vinter2024!", ip=ATTACKER_IP)
    assert SecurityEvent.objects.filter(kind=Kind.PASSWORD_SPRAY).count() == 3


def test_few_usernames_raise_no_spraying_alert(post_login, settings, controller):
    settings.SECURITY_SPRAY_USERNAMES = 5
    for _ in range(6):
        post_login(controller.username, "fel-lösenord-123", ip=ATTACKER_IP)
    for name in ("a1", "a2", "a3"):
        post_login(name, "fel", ip="198.51.100.1")
    assert not SecurityEvent.objects.filter(kind=Kind.PASSWORD_SPRAY).exists()
