"""``{% unread_notifications as n %}`` — the bell's count: one query per request, at most."""

from __future__ import annotations

from django import template

from organisation import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_unread_notifications", None)
    if cached is None:
        cached = policy.notifications(user).filter(read_at__isnull=True).count()
        request._unread_notifications = cached
    return cached
