"""The policy module's rules for the security log and lockouts (organisation/policy.py)."""

from __future__ import annotations

import datetime

import pytest

from organisation import policy
from organisation.models import Role
from security.events import record
from security.models import SecurityEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(world, admin_user, controller, outsider):
    SecurityEvent.objects.all().delete()
    return {
        "a": record(None, kind=SecurityEvent.Kind.LOGIN, user=controller),
        "b": record(None, kind=SecurityEvent.Kind.LOGIN, user=outsider),
        "platform": record(None, kind=SecurityEvent.Kind.LOGIN_FAILED, username="okand"),
    }


def test_administrators_read_their_municipalitys_log(log, admin_user, outsider):
    assert list(policy.security_events(admin_user)) == [log["a"]]
    assert list(policy.scope(admin_user, SecurityEvent.objects.all())) == [log["a"]]
    assert list(policy.security_events(outsider)) == [log["b"]]
    assert policy.may_administer_security(admin_user)


@pytest.mark.parametrize(
    "who", ["coordinator", "controller", "action_owner", "board_member", "auditor", "nobody"]
)
def test_no_one_else_reads_the_log(request, log, who):
    user = request.getfixturevalue(who)
    assert not policy.security_events(user).exists()
    assert not policy.may_administer_security(user)
    assert not policy.lockout_usernames(user).exists()


def test_an_expired_admin_role_reads_nothing(log, world):
    former = f.UserFactory(username="f-d-admin", municipality=world.municipality)
    f.RoleAssignmentFactory(
        user=former,
        unit=world.root,
        role=Role.ADMIN,
        valid_to=datetime.date(2020, 12, 31),
        valid_from=datetime.date(2019, 1, 1),
    )
    assert not policy.security_events(former).exists()


def test_lockout_usernames_are_the_municipalitys(world, admin_user, controller, outsider):
    names = set(policy.lockout_usernames(admin_user).values_list("username", flat=True))
    assert controller.username in names
    assert outsider.username not in names


def test_platform_events_are_for_the_django_admin_only(log, admin_user, outsider):
    assert log["platform"] not in policy.security_events(admin_user)
    assert log["platform"] not in policy.security_events(outsider)
