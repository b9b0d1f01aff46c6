"""Raising the alarm: a locked-out account and password spraying.

PwC's review of a municipality (seed S004) found password guessing that "raised no alarm".
Here a lockout, and many usernames failing from one address, each become a security event and
an e-mail, sent by a Celery task after the transaction commits.

Who hears about it:

* an event about a municipality (a known username) goes to that municipality's
  information-security coordinators (Role.COORDINATOR);
* an event about no municipality (unknown usernames, the platform-wide view of a spraying
  attack) goes to the platform's ``SECURITY_ALERT_EMAILS``;
* a municipality without a coordinator with an e-mail address falls back to
  ``SECURITY_ALERT_EMAILS``, so an alert never goes nowhere.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.models import Municipality, Role, RoleAssignment, User
from security.events import record
from security.models import SecurityEvent

Kind = SecurityEvent.Kind
LOCKOUT_OBJECT_TYPE = AccessAttempt._meta.label_lower


def _queue_alert(event: SecurityEvent) -> None:
    from security.tasks import send_security_alert

    transaction.on_commit(lambda: send_security_alert.delay(event.pk))


def on_lockout(request: HttpRequest | None, *, username: str, ip: str | None) -> bool:
    """A username/IP pair has just been locked out: log it and alert, once per lockout.

    django-axes signals a lockout again on every attempt made while locked. A lockout is
    identified by the oldest of the pair's attempt rows, which axes deletes when the lockout
    is lifted or expires: the first signal for a row raises the alert, later ones do not.
    Returns whether this call raised the alert.
    """
    attempt = (
        AccessAttempt.objects.filter(username=username or None, ip_address=ip)
        .order_by("pk")
        .first()
    )
    if (
        attempt is not None
        and SecurityEvent.objects.filter(
            kind=Kind.LOCKOUT, object_type=LOCKOUT_OBJECT_TYPE, object_id=str(attempt.pk)
        ).exists()
    ):
        return False
    user = User.objects.filter(username=username).first() if username else None
    failures = getattr(request, "axes_failures_since_start", None) or settings.AXES_FAILURE_LIMIT
    event = record(
        request,
        kind=Kind.LOCKOUT,
        user=user,
        obj=attempt,
        username=username or "",
        detail=_(
            "%(failures)s misslyckade inloggningsförsök från %(ip)s. Spärrad i %(minutes)s "
            "minuter eller tills en administratör häver spärren."
        )
        % {"failures": failures, "ip": ip or "?", "minutes": settings.AXES_COOLOFF_MINUTES},
    )
    if attempt is not None:
        event.object_repr = _("%(username)s från %(ip)s") % {
            "username": username or "?",
            "ip": ip or "?",
        }
        event.save(update_fields=["object_repr"])
    _queue_alert(event)
    return True


def check_password_spraying(request: HttpRequest | None, *, ip: str | None) -> bool:
    """Many usernames failing from one address within the window: alert once per window."""
    if not ip:
        return False
    window = datetime.timedelta(minutes=settings.SECURITY_SPRAY_WINDOW_MINUTES)
    window_start = timezone.now() - window
    failures = SecurityEvent.objects.filter(
        kind=Kind.LOGIN_FAILED, ip=ip, created_at__gte=window_start
    ).exclude(username="")
    pairs = set(failures.values_list("municipality_id", "username").distinct())
    usernames = {username for _municipality, username in pairs}
    if len(usernames) < settings.SECURITY_SPRAY_USERNAMES:
        return False
    if SecurityEvent.objects.filter(
        kind=Kind.PASSWORD_SPRAY, ip=ip, created_at__gte=window_start
    ).exists():
        return False

    by_municipality: dict[int | None, set[str]] = defaultdict(set)
    for municipality_id, username in pairs:
        by_municipality[municipality_id].add(username)
    minutes = settings.SECURITY_SPRAY_WINDOW_MINUTES
    # The platform's view: everything, for SECURITY_ALERT_EMAILS.
    events = [
        record(
            request,
            kind=Kind.PASSWORD_SPRAY,
            detail=_(
                "%(count)s olika användarnamn misslyckades att logga in från %(ip)s under de "
                "senaste %(minutes)s minuterna: %(names)s"
            )
            % {
                "count": len(usernames),
                "ip": ip,
                "minutes": minutes,
                "names": ", ".join(sorted(usernames)),
            },
        )
    ]
    # Each municipality's view: only its own usernames, for its coordinators.
    municipalities = Municipality.objects.in_bulk([m for m in by_municipality if m is not None])
    for municipality_id, names in sorted(by_municipality.items(), key=lambda i: i[0] or 0):
        if municipality_id is None:
            continue
        events.append(
            record(
                request,
                kind=Kind.PASSWORD_SPRAY,
                obj=municipalities[municipality_id],
                detail=_(
                    "Inloggningsförsök mot %(count)s konton i kommunen från %(ip)s under de "
                    "senaste %(minutes)s minuterna (%(total)s användarnamn totalt): %(names)s"
                )
                % {
                    "count": len(names),
                    "ip": ip,
                    "minutes": minutes,
                    "total": len(usernames),
                    "names": ", ".join(sorted(names)),
                },
            )
        )
    for event in events:
        _queue_alert(event)
    return True


def alert_recipients(event: SecurityEvent) -> list[str]:
    """E-mail addresses for an alert about ``event`` (see the module docstring)."""
    platform = list(settings.SECURITY_ALERT_EMAILS)
    if event.municipality_id is None:
        return platform
    today = timezone.localdate()
    coordinators = (
        User.objects.filter(
            is_active=True,
            municipality_id=event.municipality_id,
            role_assignments__in=RoleAssignment.objects.valid_on(today).filter(
                role=Role.COORDINATOR,
                unit__municipality_id=event.municipality_id,
                unit__is_active=True,
            ),
        )
        .exclude(Q(email="") | Q(email__isnull=True))
        .values_list("email", flat=True)
        .distinct()
        .order_by("email")
    )
    return list(coordinators) or platform
