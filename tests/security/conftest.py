"""Helpers of the security tests: signing in through the real login form, and two-factor on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD

ATTACKER_IP = "203.0.113.66"


@pytest.fixture
def two_factor_required(settings):
    """Two-factor as production has it (the suite's conftest turns it off elsewhere)."""
    settings.OTP_REQUIRED_ROLES = ["admin", "coordinator"]
    settings.OTP_REQUIRED_FOR_STAFF = True


@pytest.fixture
def post_login(client, django_capture_on_commit_callbacks):
    """``post_login(username, password, ip=…)`` → the login form's response.

    The test's transaction never commits, so the on-commit callbacks (the alert e-mails) run
    as they would after a real commit.
    """

    def post(username, password=TEST_PASSWORD, *, ip="192.0.2.10", follow=False, c=None):
        with django_capture_on_commit_callbacks(execute=True):
            return (c or client).post(
                reverse("login"),
                {"username": username, "password": password},
                REMOTE_ADDR=ip,
                HTTP_USER_AGENT="pytest-browser/1.0",
                follow=follow,
            )

    return post
