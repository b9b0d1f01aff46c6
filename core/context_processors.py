from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from organisation import policy


def uppsikt(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "user_roles": policy.roles_of(user) if user is not None else frozenset(),
    }
