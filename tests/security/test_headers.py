"""Issue 8, point 6: security headers, cookies and settings; no inline script or style."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.security.helpers import ROOT, production_env, run

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _directives(header: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in header.split(";")
        if part.strip()
    }


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client, client_for, controller):
    for response in (
        client.get(reverse("login")),
        client_for(controller).get(reverse("organisation:my_account")),
    ):
        assert response.status_code == 200
        assert _directives(response["Content-Security-Policy"]) == _directives(CSP)
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_hsts_on_https_with_production_values(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_cookies_are_httponly(client, post_login, controller):
    page = client.get(reverse("login"))
    assert page.cookies["csrftoken"]["httponly"]
    response = post_login(controller.username)
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["httponly"]


def test_production_settings():
    """The values DEBUG=false gives, read in a child process with a production environment."""
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "X_FRAME_OPTIONS",
        "SECURE_REFERRER_POLICY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "DEMO_MODE",
        "OTP_REQUIRED_ROLES",
        "OTP_REQUIRED_FOR_STAFF",
    ]
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = run(["-c", code], production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "DEMO_MODE": False,
        "OTP_REQUIRED_ROLES": ["admin", "coordinator"],
        "OTP_REQUIRED_FOR_STAFF": True,
    }


# --- no inline script or style anywhere (the CSP would block it) ----------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _templates() -> list[Path]:
    files = list((ROOT / "templates").rglob("*.html"))
    for app_dir in ROOT.iterdir():
        if (app_dir / "templates").is_dir() and app_dir.name not in {"templates", ".venv"}:
            files += list((app_dir / "templates").rglob("*.html"))
    # E-mail bodies are not served under the CSP; mail clients need inline styles.
    return [f for f in files if not {"email", "emails"} & set(f.parts)]


def test_templates_have_no_inline_script_or_style():
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert len(_templates()) > 10
    assert found == []
