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
from hypothesis import settings as hypothesis_settings

from organisation.models import OrgUnit, Role
from tests import factories as f

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Playwright's sync API keeps an event loop alive in the test process once a browser test has
# started; Django would then refuse ORM calls from that thread (SynchronousOnlyOperation), in the
# browser tests and in every test after them. The suite has no async views, so this is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
    # Two-factor sign-in is tested in tests/security (fixture `two_factor_required`); elsewhere
    # the cast signs in with a password only, so a coordinator's page answers 200, not a
    # redirect to the two-factor set-up.
    settings.OTP_REQUIRED_ROLES = []
    settings.OTP_REQUIRED_FOR_STAFF = False


@pytest.fixture(autouse=True)
def _celery_tasks_run_eagerly():
    """Tasks run in-process in ordinary tests, even when REDIS_URL is set.

    With REDIS_URL set, the settings turn ``CELERY_TASK_ALWAYS_EAGER`` off (production
    behaviour), and a task queued by a view under test would wait in Redis for a worker that
    does not exist. So every test runs tasks eagerly (errors propagate into the test), and only
    the tests marked ``celery_worker`` switch this off again through the ``celery_worker``
    fixture (tests/infra/test_celery_worker.py), which starts a real worker on a real broker.
    Celery reads its configuration once, so this sets the app's conf, not Django's settings.
    """
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


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


# --- browser tests (pytest-playwright) ---------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's chromium (Playwright's own browser download does not work here).

    Every browser test goes through this fixture, so a missing chromium skips them on a laptop
    and fails them in CI.
    """
    need_service(chromium_available(), f"chromium ({CHROMIUM})")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def live_server(request, tmp_path_factory):
    """pytest-django's live server, able to start although ``MEDIA_URL`` is ``None``.

    Django's live server wraps the site in a handler that serves ``MEDIA_URL`` from
    ``MEDIA_ROOT``, and that handler breaks on the ``None`` our settings use so that no upload
    can ever get a URL (they are served only through permission-checked views). While the
    server is built it gets a media URL nothing links to and an empty directory behind it;
    the rest of the session keeps ``MEDIA_URL = None``.
    """
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with override_settings(
        MEDIA_URL="/_uploads-are-never-served-by-url/",
        MEDIA_ROOT=str(tmp_path_factory.mktemp("no-media")),
    ):
        server = LiveServer(addr)
    yield server
    server.stop()


# --- Hypothesis (the fuzz tests in tests/security/test_fuzz_*.py) ----------------------------
# In CI the examples are derandomized: the same inputs every run, so a red CI run reproduces
# exactly and an unrelated change never fails on an example found by chance. Locally they are
# random (more ground covered over time) and a failing example is kept in .hypothesis/ and
# replayed first on the next run. Chosen over a shared example database, which CI's fresh
# clone would not keep anyway.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile("ci" if IN_CI else "dev")
