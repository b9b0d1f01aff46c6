"""Writes of the security app that span models: ending sessions and lifting lockouts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation import policy
from organisation.models import User
from security.events import record
from security.models import SecurityEvent


@transaction.atomic
def end_all_sessions(*, request: HttpRequest, user: User) -> None:
    """Sign the user out everywhere: every session signed in so far stops being valid.

    The session hash covers ``session_generation`` (organisation.User); raising it ends every
    session at its next request, whatever the session store. The caller signs this one out.
    """
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    record(request, kind=SecurityEvent.Kind.SESSIONS_ENDED, user=user, obj=user)


@dataclass(frozen=True)
class Lockout:
    username: str
    ip: str | None
    failures: int
    last_attempt: datetime.datetime

    @property
    def until(self) -> datetime.datetime:
        return self.last_attempt + settings.AXES_COOLOFF_TIME


def current_lockouts(qs: QuerySet[AccessAttempt] | None = None) -> QuerySet:
    """Username/IP pairs locked out now: at the failure limit within the cool-off."""
    qs = AccessAttempt.objects.all() if qs is None else qs
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return (
        qs.filter(attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last_attempt", "username")
    )


def lockouts_for(user: User) -> list[Lockout]:
    """The current lockouts the user may see and lift (policy.lockout_usernames)."""
    rows = current_lockouts(
        AccessAttempt.objects.filter(username__in=policy.lockout_usernames(user))
    )
    return [
        Lockout(
            username=row["username"],
            ip=row["ip_address"],
            failures=row["failures"],
            last_attempt=row["last_attempt"],
        )
        for row in rows
    ]


@transaction.atomic
def unlock(*, request: HttpRequest | None, username: str, ip: str | None, by: User | None) -> int:
    """Lift the lockout of one username/IP pair; returns how many attempt rows were cleared."""
    count = axes_reset(ip=ip, username=username) if ip else axes_reset(username=username)
    if count:
        target = User.objects.filter(username=username).first()
        record(
            request,
            kind=SecurityEvent.Kind.UNLOCK,
            user=by,
            obj=target,
            detail=_("Spärren för %(username)s från %(ip)s hävdes.")
            % {"username": username, "ip": ip or "?"},
        )
    return count
