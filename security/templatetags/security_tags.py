"""``{% security_panel %}``: the Säkerhet section of Mitt konto (password, two-factor, sessions)."""

from __future__ import annotations

from django import template
from django.conf import settings

from organisation import policy
from security import twofactor

register = template.Library()


@register.inclusion_tag("security/account_panel.html", takes_context=True)
def security_panel(context: template.Context) -> dict:
    user = context["request"].user
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "has_app": twofactor.confirmed_totp(user) is not None,
        "recovery_left": twofactor.remaining_recovery_codes(user),
        "required": twofactor.is_required(user),
        "idle_minutes": settings.SESSION_IDLE_MINUTES,
        "security_admin": policy.may_administer_security(user),
    }
