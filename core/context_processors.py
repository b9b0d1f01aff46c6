from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.navigation import menu


def uppsikt(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        # Lazy: a partial (htmx) response has no menu and costs nothing for it.
        "main_menu": SimpleLazyObject(lambda: menu(user) if user is not None else []),
    }
