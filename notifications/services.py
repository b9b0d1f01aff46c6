"""Creating in-app notifications. One function; callers pass a link to the item."""

from __future__ import annotations

from notifications.models import Notification
from organisation.models import User


def notify(
    *, recipient: User, kind: str, title: str, url: str = "", body: str = ""
) -> Notification:
    notification = Notification(
        municipality_id=recipient.municipality_id,
        recipient=recipient,
        kind=kind,
        title=title[:255],
        body=body,
        url=url,
    )
    notification.full_clean()
    notification.save()
    return notification
