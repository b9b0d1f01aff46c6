"""The fixed cast of the test suite, and the switches for tests that need real services.

Municipality A ("Alfa kommun") has a root unit (KF) with two nämnder: SN and BUN. The cast:
``coordinator`` (root), ``admin_user`` (root), ``controller`` (SN), ``action_owner`` (SN),
``board_member`` (SN), ``auditor`` (root), ``outsider`` (a user of municipality B, "Beta
kommun", who holds every role there). ``nobody`` belongs to A but holds no role.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest

from organisation.models import OrgUnit, Role
from tests import factories as f

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need_service(available: bool, what: str) -> None:
    """Skip a test whose service is missing, except in CI, where a missing service fails."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI (CI=true) but is not available")
    pytest.skip(f"{what} is not available")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class World:
    municipality: object
    root: OrgUnit
    sn: OrgUnit
    bun: OrgUnit
    other_municipality: object
    other_root: OrgUnit


@pytest.fixture
def world(db) -> World:
    a = f.MunicipalityFactory(name="Alfa kommun", slug="alfa")
    root = f.OrgUnitFactory(
        municipality=a, kind=OrgUnit.Kind.COUNCIL, name="Kommunfullmäktige", short_code="KF"
    )
    sn = f.OrgUnitFactory(municipality=a, parent=root, name="Socialnämnden", short_code="SN")
    bun = f.OrgUnitFactory(
        municipality=a, parent=root, name="Barn- och utbildningsnämnden", short_code="BUN"
    )
    b = f.MunicipalityFactory(name="Beta kommun", slug="beta")
    other_root = f.OrgUnitFactory(
        municipality=b, kind=OrgUnit.Kind.COUNCIL, name="Kommunfullmäktige Beta", short_code="KF"
    )
    return World(a, root, sn, bun, b, other_root)


def _user_with_role(username: str, municipality, unit, *roles: str):
    user = f.UserFactory(username=username, municipality=municipality)
    for role in roles:
        f.RoleAssignmentFactory(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def coordinator(world):
    return _user_with_role("samordnare", world.municipality, world.root, Role.COORDINATOR)


@pytest.fixture
def admin_user(world):
    return _user_with_role("administrator", world.municipality, world.root, Role.ADMIN)


@pytest.fixture
def controller(world):
    return _user_with_role("kontrollant", world.municipality, world.sn, Role.CONTROLLER)


@pytest.fixture
def action_owner(world):
    return _user_with_role("atgardsagare", world.municipality, world.sn, Role.ACTION_OWNER)


@pytest.fixture
def board_member(world):
    return _user_with_role("ledamot", world.municipality, world.sn, Role.BOARD_MEMBER)


@pytest.fixture
def auditor(world):
    return _user_with_role("revisor", world.municipality, world.root, Role.AUDITOR)


@pytest.fixture
def nobody(world):
    return f.UserFactory(username="ingen", municipality=world.municipality)


@pytest.fixture
def outsider(world):
    return _user_with_role("utomstående", world.other_municipality, world.other_root, *Role.values)


@pytest.fixture
def client_for(client):
    """``client_for(user)`` → the test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


# --- services -------------------------------------------------------------------------------


def redis_available() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:
        return False


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None
