"""The README and the compose files keep up with the settings."""

from __future__ import annotations

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
SETTINGS = (BASE_DIR / "config" / "settings.py").read_text(encoding="utf-8")
README = (BASE_DIR / "README.md").read_text(encoding="utf-8")
COMPOSE = (BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8")
ENV_EXAMPLE = (BASE_DIR / ".env.example").read_text(encoding="utf-8")


def settings_variables() -> set[str]:
    return set(re.findall(r'\benv(?:bool|int|list)?\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS))


def test_the_readme_documents_every_environment_variable_of_the_settings():
    variables = settings_variables()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "UPLOAD_ROOT"} <= variables
    undocumented = sorted(v for v in variables if f"| `{v}` |" not in README)
    assert undocumented == [], f"add these to the README's Configuration table: {undocumented}"


def test_every_compose_variable_is_in_the_env_example():
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE))
    example = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, re.MULTILINE))
    assert used, "docker-compose.yml reads nothing from .env?"
    assert sorted(used - example) == []


def test_the_compose_file_passes_only_variables_the_settings_read():
    app_environment = COMPOSE.split("environment: &app-environment", 1)[1].split("volumes:", 1)[0]
    passed = set(re.findall(r"^\s{4}([A-Z][A-Z0-9_]*):", app_environment, re.MULTILINE))
    assert passed - settings_variables() == set()
