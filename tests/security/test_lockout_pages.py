"""Administrators see and lift their municipality's lockouts (in the app and in Django admin)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from security.models import SecurityEvent
from tests import factories as f
from tests.factories import TEST_PASSWORD
from tests.security.conftest import ATTACKER_IP

pytestmark = pytest.mark.django_db
Kind = SecurityEvent.Kind
LIST = reverse("security:lockout_list")
UNLOCK = reverse("security:lockout_unlock")


@pytest.fixture
def locked(post_login, controller):
    for _ in range(10):
        post_login(controller.username, "fel-lösenord-123", ip=ATTACKER_IP)
    assert post_login(controller.username, TEST_PASSWORD, ip=ATTACKER_IP).status_code == 429
    return controller


@pytest.fixture
def locked_outsider(post_login, outsider):
    for _ in range(10):
        post_login(outsider.username, "fel-lösenord-123", ip=ATTACKER_IP)
    return outsider


def test_anonymous_is_sent_to_login(client):
    assert client.get(LIST).url.startswith(reverse("login"))
    assert client.post(UNLOCK, {"username": "x"}).url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["coordinator", "controller", "auditor", "board_member", "nobody"])
def test_other_roles_are_refused(request, client_for, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 403
    assert client.post(UNLOCK, {"username": "kontrollant", "ip": ATTACKER_IP}).status_code == 403


def test_admin_sees_own_municipality_lockouts_only(client_for, admin_user, locked, locked_outsider):
    response = client_for(admin_user).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert locked.username in body
    assert ATTACKER_IP in body
    assert locked_outsider.username not in body
    assert "Lås upp" in body


def test_admin_unlocks_and_the_user_signs_in(
    client_for, admin_user, locked, post_login, django_assert_max_num_queries
):
    client = client_for(admin_user)
    response = client.post(UNLOCK, {"username": locked.username, "ip": ATTACKER_IP})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=locked.username).exists()
    event = SecurityEvent.objects.get(kind=Kind.UNLOCK)
    assert event.user == admin_user
    assert event.object_id == str(locked.pk)
    assert event.municipality == locked.municipality
    assert locked.username in event.detail
    client.logout()
    assert post_login(locked.username, TEST_PASSWORD, ip=ATTACKER_IP).status_code == 302


def test_other_municipalitys_lockout_cannot_be_lifted(client_for, admin_user, locked_outsider):
    response = client_for(admin_user).post(
        UNLOCK, {"username": locked_outsider.username, "ip": ATTACKER_IP}
    )
    assert response.status_code == 404
    assert AccessAttempt.objects.filter(username=locked_outsider.username).exists()
    assert not SecurityEvent.objects.filter(kind=Kind.UNLOCK).exists()


def test_unlock_of_a_lapsed_lockout_says_so(client_for, admin_user, controller):
    response = client_for(admin_user).post(
        UNLOCK, {"username": controller.username, "ip": ATTACKER_IP}, follow=True
    )
    assert "har redan upphört" in response.content.decode()
    assert not SecurityEvent.objects.filter(kind=Kind.UNLOCK).exists()


def test_unlock_needs_post(client_for, admin_user):
    assert client_for(admin_user).get(UNLOCK).status_code == 405


def test_django_admin_unlock_is_logged(client, locked, world):
    staff = f.UserFactory(username="drift", municipality=None, is_staff=True, is_superuser=True)
    client.force_login(staff)
    attempt = AccessAttempt.objects.get(username=locked.username)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    event = SecurityEvent.objects.get(kind=Kind.UNLOCK)
    assert event.user == staff
    assert event.municipality == world.municipality
    assert "administrationen" in event.detail
