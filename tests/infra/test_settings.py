"""The settings refuse to start on a dangerous or malformed environment, loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parents[2]
LOAD_SETTINGS = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
    "django.setup(); from django.conf import settings; print('DEBUG', settings.DEBUG)"
)
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-value-for-the-tests-only-0123456789abcdefghij",
    "ALLOWED_HOSTS": "uppsikt.example.se",
}


def load_settings(**overrides: str | None) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with the given environment."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "DJANGO_SETTINGS_MODULE"}
    }
    for key, value in overrides.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return subprocess.run(
        [sys.executable, "-c", LOAD_SETTINGS],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_load_with_a_secret_key():
    result = load_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    result = load_settings(**{**PRODUCTION, "SECRET_KEY": None})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_secret_key_may_come_from_a_file(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text(PRODUCTION["SECRET_KEY"] + "\n", encoding="utf-8")
    result = load_settings(**{**PRODUCTION, "SECRET_KEY": None, "SECRET_KEY_FILE": str(secret)})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "perhaps", "DEBUG must be true or false, not 'perhaps'"),
        ("EMAIL_USE_TLS", "ja", "EMAIL_USE_TLS must be true or false, not 'ja'"),
        ("SESSION_IDLE_MINUTES", "thirty", "SESSION_IDLE_MINUTES must be an integer, not 'thirty'"),
        ("UPLOAD_MAX_BYTES", "20MB", "UPLOAD_MAX_BYTES must be an integer, not '20MB'"),
    ],
)
def test_a_malformed_value_stops_the_start(name, value, message):
    result = load_settings(**{**PRODUCTION, name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("Yes", True), (" on ", True), ("0", False), ("FALSE", False)],
)
def test_envbool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("UPPSIKT_TEST_FLAG", raw)
    assert envbool("UPPSIKT_TEST_FLAG", not expected) is expected


def test_env_helpers_fall_back_to_defaults_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("UPPSIKT_TEST_VALUE", raising=False)
    assert envbool("UPPSIKT_TEST_VALUE", True) is True
    assert envint("UPPSIKT_TEST_VALUE", 7) == 7
    assert envlist("UPPSIKT_TEST_VALUE", "a, b,,c") == ["a", "b", "c"]
    monkeypatch.setenv("UPPSIKT_TEST_VALUE", "")
    assert envint("UPPSIKT_TEST_VALUE", 7) == 7


def test_env_helpers_fail_loudly(monkeypatch):
    monkeypatch.setenv("UPPSIKT_TEST_VALUE", "2.5")
    with pytest.raises(ImproperlyConfigured, match="must be an integer"):
        envint("UPPSIKT_TEST_VALUE", 1)
    with pytest.raises(ImproperlyConfigured, match="must be true or false"):
        envbool("UPPSIKT_TEST_VALUE", False)


def test_env_reads_a_docker_secret_file(monkeypatch, tmp_path):
    secret = tmp_path / "password"
    secret.write_text("hemligt\n", encoding="utf-8")
    monkeypatch.setenv("UPPSIKT_TEST_VALUE", "from-the-environment")
    monkeypatch.setenv("UPPSIKT_TEST_VALUE_FILE", str(secret))
    assert env("UPPSIKT_TEST_VALUE") == "hemligt"


@pytest.mark.django_db
def test_an_english_browser_still_gets_swedish(client):
    response = client.post(
        "/logga-in/", {"username": "ingen", "password": "fel"}, HTTP_ACCEPT_LANGUAGE="en-US,en"
    )
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Please enter" not in html
    assert "Ange ett korrekt användarnamn och lösenord" in html
