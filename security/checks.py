"""System checks: production must not run with the demo users' well-known password.

PwC found "system där standardlösenordet inte blivit utbytt" (seed S004). The demo loader
(``manage.py load_demo``) creates users with one published password; outside demo mode,
``uppsikt.E001`` is an error while any active demo user still has it. Django runs the check on
``runserver``, ``migrate`` and ``manage.py check``; ``config/wsgi.py`` runs it before gunicorn
serves a request (:func:`refuse_unsafe_start`), so production truly refuses to start.

The fix the error names: ``manage.py changepassword <user>`` or deactivating the user (both
work while the check fails, as they run no system checks).
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from organisation.models import Role

#: The demo users of ``core.demo`` (branch f-demo) and their published password.
DEMO_USERNAMES = (
    "admin",
    "samordnare",
    "kontrollant",
    "atgardsagare",
    "ledamot",
    "revisor",
    "systemforvaltare",
    "kontrollant2",
)
DEMO_PASSWORDS = ("Uppsikt-demo-42",)


def known_demo_accounts() -> tuple[set[str], set[str]]:
    """Usernames and passwords the demo loader publishes (its own constants when present)."""
    usernames, passwords = set(DEMO_USERNAMES), set(DEMO_PASSWORDS)
    try:
        from core import demo
    except ImportError:
        return usernames, passwords
    if isinstance(getattr(demo, "DEMO_PASSWORD", None), str):
        passwords.add(demo.DEMO_PASSWORD)
    usernames.update(getattr(demo, "DEMO_USERNAMES", ()) or ())
    return usernames, passwords


def users_with_demo_password() -> list[str]:
    """Active demo users whose password is still a published one (empty if no table yet)."""
    from organisation.models import User

    usernames, passwords = known_demo_accounts()
    try:
        rows = list(
            User.objects.filter(username__in=usernames, is_active=True).values_list(
                "username", "password"
            )
        )
    except DatabaseError:
        # No database yet, or not migrated (CI's `check --deploy` on an empty database):
        # there is no user, so no demo password either.
        return []
    # hashers.check_password without a setter: a check must never rewrite a hash.
    return sorted(
        username
        for username, encoded in rows
        if any(check_password(password, encoded) for password in passwords)
    )


@register(Tags.security)
def check_demo_passwords(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.DEMO_MODE:
        return []
    found = users_with_demo_password()
    if not found:
        return []
    return [
        Error(
            f"Demo users still have the published demo password outside demo mode: "
            f"{', '.join(found)}.",
            hint=(
                "Change their passwords (manage.py changepassword USERNAME) or deactivate them, "
                "or set DEMO_MODE=true if this really is a demo installation."
            ),
            id="uppsikt.E001",
        )
    ]


@register()
def check_otp_roles(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    unknown = sorted(set(settings.OTP_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"OTP_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}.",
            hint=f"Use any of: {', '.join(Role.values)}.",
            id="uppsikt.E002",
        )
    ]


def refuse_unsafe_start() -> None:
    """Run the system checks at server start-up and refuse to serve if any is an error.

    Called from ``config/wsgi.py`` so that gunicorn, which runs no checks of its own, fails to
    boot its workers exactly when ``manage.py check`` would fail.
    """
    from django.core.management import call_command

    call_command("check", fail_level="ERROR", stdout=io.StringIO())
