"""Issue 8, point 2 (default passwords): production refuses to start with the demo password."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from security.checks import check_demo_passwords, check_otp_roles
from tests import factories as f
from tests.conftest import need_service
from tests.security.helpers import database_url, is_postgresql, production_env, run

DEMO_PASSWORD = "Uppsikt-demo-42"


@pytest.fixture
def demo_admin(db, world):
    return f.UserFactory(username="admin", municipality=world.municipality, password=DEMO_PASSWORD)


def test_demo_password_outside_demo_mode_is_an_error(settings, demo_admin):
    settings.DEMO_MODE = False
    errors = check_demo_passwords()
    assert [e.id for e in errors] == ["uppsikt.E001"]
    assert "admin" in errors[0].msg
    assert "changepassword" in errors[0].hint


def test_demo_mode_allows_the_demo_password(settings, demo_admin):
    settings.DEMO_MODE = True
    assert check_demo_passwords() == []


def test_changed_or_deactivated_demo_users_pass(settings, demo_admin):
    settings.DEMO_MODE = False
    demo_admin.set_password("ett-eget-lösenord-som-är-långt")
    demo_admin.save()
    assert check_demo_passwords() == []
    demo_admin.set_password(DEMO_PASSWORD)
    demo_admin.is_active = False
    demo_admin.save()
    assert check_demo_passwords() == []


def test_the_check_does_not_rewrite_a_hash(settings, demo_admin):
    settings.DEMO_MODE = False
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    before = type(demo_admin).objects.get(pk=demo_admin.pk).password
    assert check_demo_passwords()
    assert type(demo_admin).objects.get(pk=demo_admin.pk).password == before


def test_unknown_required_role_is_an_error(settings):
    settings.OTP_REQUIRED_ROLES = ["admin", "chef"]
    assert [e.id for e in check_otp_roles()] == ["uppsikt.E002"]


# --- the real commands, in a child process with production settings (PostgreSQL) -------------


@pytest.fixture
def empty_database(db):
    need_service(is_postgresql(), "PostgreSQL")
    name = f"uppsikt_check_{uuid.uuid4().hex[:10]}"
    admin_url = database_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_check_deploy_is_clean_on_an_empty_database(empty_database):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(DATABASE_URL=empty_database),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_production_refuses_to_start_with_the_demo_password(world):
    need_service(is_postgresql(), "PostgreSQL")
    # The child process uses Django's default hashers, which do not include the tests' MD5.
    admin = f.UserFactory(username="samordnare", municipality=world.municipality)
    type(admin).objects.filter(pk=admin.pk).update(password=_pbkdf2(DEMO_PASSWORD))
    env = production_env(DATABASE_URL=database_url())

    check = run(["manage.py", "check"], env)
    assert check.returncode != 0
    assert "uppsikt.E001" in check.stderr
    assert "samordnare" in check.stderr

    # gunicorn imports config.wsgi: the import fails, so no worker boots.
    wsgi = run(["-c", "import config.wsgi"], env)
    assert wsgi.returncode != 0
    assert "uppsikt.E001" in wsgi.stderr

    # With the password changed, the same start succeeds.
    type(admin).objects.filter(pk=admin.pk).update(password=_pbkdf2("ett-eget-långt-lösenord"))
    wsgi = run(["-c", "import config.wsgi; print('served')"], env)
    assert wsgi.returncode == 0, wsgi.stderr
    assert "served" in wsgi.stdout


def _pbkdf2(password: str) -> str:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    return PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt(), iterations=1000)


def test_the_check_knows_the_demo_loaders_accounts():
    from core.demo import DEMO_PASSWORD as loader_password
    from core.demo import DEMO_USERNAMES as loader_usernames
    from security.checks import known_demo_accounts

    usernames, passwords = known_demo_accounts()
    assert loader_password in passwords
    assert set(loader_usernames) <= usernames
