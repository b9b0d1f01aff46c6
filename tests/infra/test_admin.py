"""Every page of the Django admin opens: each registered model's list, add and change page.

Generated from the admin registry, so a model registered later is covered without a new test.
The objects come from the demo municipality and the access matrix's world, which between them
hold rows of nearly every model.
"""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from tests import factories as f
from tests.security import matrix_world

pytestmark = pytest.mark.django_db


def test_every_admin_page_opens(client, settings):
    settings.DEMO_MODE = True
    call_command("load_demo", verbosity=0)
    world = matrix_world.build()
    superuser = f.UserFactory(username="drift", is_staff=True, is_superuser=True)
    _rows_the_worlds_lack(world, superuser)
    client.force_login(superuser)
    problems, without_rows = [], []
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        base = f"admin:{meta.app_label}_{meta.model_name}"
        response = client.get(reverse(f"{base}_changelist"))
        if response.status_code != 200:
            problems.append(f"{meta.label} list: {response.status_code}")
        response = client.get(reverse(f"{base}_add"))
        expected = 200 if model_admin.has_add_permission(response.wsgi_request) else 403
        if response.status_code != expected:
            problems.append(f"{meta.label} add: {response.status_code}, expected {expected}")
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            without_rows.append(meta.label)
            continue
        response = client.get(reverse(f"{base}_change", args=[obj.pk]))
        if response.status_code != 200:
            problems.append(f"{meta.label} change: {response.status_code}")
        response = client.get(reverse(f"{base}_history", args=[obj.pk]))
        if response.status_code != 200:
            problems.append(f"{meta.label} history: {response.status_code}")
    assert not problems, "\n".join(problems)
    # Only a few settings rows and transient staging rows may be missing.
    assert not without_rows, ", ".join(without_rows)


def _rows_the_worlds_lack(world, user) -> None:
    """Settings, logs and devices that neither the demo nor the matrix world creates."""
    import datetime

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from controls.models import PlanRevision
    from notifications.models import ReminderSettings
    from systems.models import ReviewSettings

    municipality = world.objects["municipality"]
    Group.objects.create(name="Driftpersonal")
    PlanRevision.objects.create(
        plan=world.objects["plan"], number=1, reason="Nytt urval", created_by=user
    )
    ReviewSettings.objects.create(municipality=municipality)
    ReminderSettings.objects.create(municipality=municipality)
    call_command("send_reminders", date=str(timezone.localdate() + datetime.timedelta(days=9)))
    attempt = {"username": "gissning", "ip_address": "192.0.2.1", "user_agent": "test"}
    AccessAttempt.objects.create(**attempt, failures_since_start=1, get_data="", post_data="")
    AccessFailureLog.objects.create(**attempt, locked_out=False)
    AccessLog.objects.create(**attempt)
    # Devices of another user: the superuser with a device would first be asked for a code.
    owner = world.users["coordinator"]
    TOTPDevice.objects.create(user=owner, name="Telefon")
    StaticDevice.objects.create(user=owner, name="Reservkoder")
