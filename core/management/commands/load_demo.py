"""``manage.py load_demo``: load the demo municipalities and print who can sign in.

Idempotent (run it as often as you like; a second run changes nothing) and refused unless
``DEMO_MODE`` is on, because the demo users share a published password.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.demo import DEMO_PASSWORD, DEMO_USERNAMES, load
from organisation.models import RoleAssignment, User
from systems.models import SystemRole


class Command(BaseCommand):
    help = (
        "Laddar demokommunen Åsby kommun (och Norrby kommun) från källdokumenten och skriver ut "
        "demoanvändarna med lösenord. Kan köras flera gånger utan att något dubbleras."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "Demoläget är avstängt (DEMO_MODE=false). load_demo skapar användare med ett "
                "känt lösenord och körs bara i demoläge: sätt DEMO_MODE=true, aldrig i produktion."
            )
        result = load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demodata laddad, daterad från {result.today.isoformat()}: "
                f"{result.created} nya och {result.updated} uppdaterade rader."
            )
        )
        self._print_users()

    def _print_users(self) -> None:
        users = {
            u.username: u
            for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("municipality")
        }
        roles: dict[int, list[str]] = {}
        for assignment in RoleAssignment.objects.filter(user__in=users.values()).select_related(
            "unit"
        ):
            roles.setdefault(assignment.user_id, []).append(
                f"{assignment.get_role_display()} ({assignment.unit.short_code or assignment.unit})"
            )
        for system_role in SystemRole.objects.filter(user__in=users.values()).select_related(
            "system"
        ):
            roles.setdefault(system_role.user_id, []).append(
                f"{system_role.get_kind_display()} ({system_role.system})"
            )

        self.stdout.write("")
        self.stdout.write(f"Demoanvändare (logga in på {settings.SITE_URL}/logga-in/):")
        width = max(len(name) for name in DEMO_USERNAMES)
        for username in DEMO_USERNAMES:
            user = users[username]
            what = ", ".join(roles.get(user.pk, [])) or "–"
            superuser = " [superuser]" if user.is_superuser else ""
            self.stdout.write(
                f"  {username:<{width}}  lösenord: {DEMO_PASSWORD}  "
                f"{user.get_full_name()}, {user.municipality}: {what}{superuser}"
            )
