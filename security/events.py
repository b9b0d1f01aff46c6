"""Writing to the security event log. One function: :func:`record`.

Other apps call it from their export and download views::

    from security.events import record
    from security.models import SecurityEvent

    record(request, kind=SecurityEvent.Kind.EVIDENCE_DOWNLOAD, obj=evidence)

Who (the request's user unless ``user`` is given), when, from where (IP as django-axes sees it,
so the proxy settings apply to both) and on what object are taken care of here.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from security.models import SecurityEvent

USER_AGENT_MAX = 255


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip_from_headers(request: HttpRequest) -> str | None:
    """The client's address (django-axes' AXES_CLIENT_IP_CALLABLE, and the log's).

    Without trusted proxies it is the TCP peer, REMOTE_ADDR: X-Forwarded-For is ignored, as a
    client may send anything in it. Behind ``TRUSTED_PROXY_COUNT`` proxies that each append the
    address they saw, it is the entry that many places from the right of X-Forwarded-For.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= count:
            found = _valid_ip(hops[-count])
            if found:
                return found
    return _valid_ip(request.META.get("REMOTE_ADDR", ""))


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, by the same rules django-axes locks out with."""
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or client_ip_from_headers(request)


def _municipality_id(user: Any, obj: Any) -> int | None:
    """The municipality whose log the event belongs in: the object's, else the user's."""
    from organisation.models import Municipality

    if isinstance(obj, Municipality):
        return obj.pk
    if obj is not None:
        if getattr(obj, "municipality_id", None):
            return obj.municipality_id
        unit = getattr(obj, "unit", None)
        if unit is not None and getattr(unit, "municipality_id", None):
            return unit.municipality_id
    if user is not None and getattr(user, "municipality_id", None):
        return user.municipality_id
    return None


def record(
    request_or_none: HttpRequest | None,
    *,
    kind: str,
    user: Any = None,
    obj: models.Model | None = None,
    detail: str = "",
    username: str = "",
) -> SecurityEvent:
    """Write one event. ``username`` is for sign-in failures where no user row exists."""
    request = request_or_none
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if user is not None and not getattr(user, "pk", None):
        user = None
    event = SecurityEvent(
        kind=SecurityEvent.Kind(kind),
        user=user,
        username=(user.get_username() if user is not None else username)[:150],
        municipality_id=_municipality_id(user, obj),
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[
            :USER_AGENT_MAX
        ],
        detail=detail,
    )
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk)[:64]
        event.object_repr = str(obj)[:200]
    event.save()
    return event
