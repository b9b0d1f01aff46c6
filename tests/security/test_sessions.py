"""Issue 8, point 3: sessions end when idle and with the browser; "sign out everywhere"."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from security.models import SecurityEvent

pytestmark = pytest.mark.django_db
ACCOUNT = reverse("organisation:my_account")
END_ALL = reverse("security:end_all_sessions")


def test_idle_timeout_defaults_to_thirty_minutes():
    assert django_settings.SESSION_IDLE_MINUTES == 30
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    assert django_settings.SESSION_SAVE_EVERY_REQUEST
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_an_idle_session_ends(post_login, controller, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert post_login(controller.username).status_code == 302
        assert client.get(ACCOUNT).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        response = client.get(ACCOUNT)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_activity_keeps_the_session_alive(post_login, controller, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_login(controller.username)
    for minutes in (25, 50, 75):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get(ACCOUNT).status_code == 200


def test_idle_minutes_are_configurable(post_login, controller, client, settings):
    settings.SESSION_COOKIE_AGE = 5 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_login(controller.username)
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        assert client.get(ACCOUNT).status_code == 302


def test_session_cookie_dies_with_the_browser_and_is_httponly(post_login, controller):
    response = post_login(controller.username)
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_sign_out_everywhere_ends_every_session(client_for, controller):
    laptop = Client()
    laptop.force_login(controller)
    phone = Client()
    phone.force_login(controller)
    here = client_for(controller)
    assert laptop.get(ACCOUNT).status_code == 200

    page = here.get(ACCOUNT).content.decode()
    assert "Logga ut från alla sessioner" in page
    assert f'action="{END_ALL}"' in page

    response = here.post(END_ALL, follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "utloggad från alla dina sessioner" in response.content.decode()
    for client in (here, laptop, phone):
        assert client.get(ACCOUNT).url.startswith(reverse("login"))

    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SESSIONS_ENDED)
    assert event.user == controller
    controller.refresh_from_db()
    assert controller.session_generation == 1


def test_signing_in_again_after_sign_out_everywhere_works(
    client_for, controller, post_login, client
):
    client_for(controller).post(END_ALL)
    assert post_login(controller.username).status_code == 302
    assert client.get(ACCOUNT).status_code == 200


def test_sign_out_everywhere_needs_post_and_login(client, client_for, controller):
    assert client.post(END_ALL).url.startswith(reverse("login"))
    assert client_for(controller).get(END_ALL).status_code == 405


def test_sign_out_everywhere_leaves_other_users_alone(client_for, controller, coordinator):
    other = Client()
    other.force_login(coordinator)
    client_for(controller).post(END_ALL)
    assert other.get(ACCOUNT).status_code == 200
