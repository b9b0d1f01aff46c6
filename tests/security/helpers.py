"""Running manage.py and the WSGI module in a child process with production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def database_url(name: str | None = None) -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name or s['NAME']}"


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="false",
        DEMO_MODE="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="uppsikt.example.se",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
