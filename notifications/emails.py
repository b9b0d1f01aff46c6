"""E-mail messages: one function per message, each with ``_subject.txt``, ``_body.txt`` and
``_body.html`` templates in ``notifications/templates/notifications/emails/`` (the layout of
Healthchecks' ``hc/lib/emails.py``). Links are absolute, built from ``settings.SITE_URL``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications import rules
from notifications.models import ItemKind, OutgoingEmail, ReminderRecord, ReminderRule


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


def _send(name: str, *, to: str, ctx: dict, headers: dict[str, str] | None = None) -> str:
    """Render the three templates of message ``name`` and send it; returns the subject."""
    ctx = {"SITE_URL": settings.SITE_URL, "SITE_NAME": "Uppsikt", **ctx}
    prefix = f"notifications/emails/{name}"
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", ctx).split())
    text = render_to_string(f"{prefix}_body.txt", ctx)
    html = render_to_string(f"{prefix}_body.html", ctx)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return subject


@dataclass
class DigestItem:
    kind: str
    title: str
    unit: str
    due_date: str
    when: str
    url: str
    link_text: str


@dataclass
class DigestSection:
    key: str
    heading: str
    intro: str
    items: list[DigestItem]


_SECTION_ORDER = (
    ReminderRule.ESCALATION,
    ReminderRule.OVERDUE,
    ReminderRule.DUE,
    ReminderRule.BEFORE,
)


def _link_text(record: ReminderRecord) -> str:
    return {
        ItemKind.OCCURRENCE: _("Öppna kontrolltillfället i Uppsikt"),
        ItemKind.ACTION: _("Öppna åtgärden i Uppsikt"),
        ItemKind.RESPONSE: _("Öppna yttrandet i Uppsikt"),
        ItemKind.REPORTING: _("Öppna rapporterna i Uppsikt"),
    }[record.item_kind]


def digest_sections(records: Sequence[ReminderRecord]) -> list[DigestSection]:
    headings = {
        ReminderRule.ESCALATION: (
            _("Eskaleringar"),
            _(
                "Dessa ärenden är försenade sedan länge. Du får eskaleringen som "
                "informationssäkerhetssamordnare eller som chef för enheten."
            ),
        ),
        ReminderRule.OVERDUE: (_("Försenade"), _("Sista dag har passerat.")),
        ReminderRule.DUE: (_("Sista dag i dag"), ""),
        ReminderRule.BEFORE: (_("Kommande"), ""),
    }
    kind_labels = dict(ItemKind.choices)
    grouped: dict[str, list[DigestItem]] = {rule: [] for rule in _SECTION_ORDER}
    # An item escalated to someone who also gets its ordinary reminder is listed once.
    escalated = {
        (r.content_type_id, r.object_id) for r in records if r.rule == ReminderRule.ESCALATION
    }
    for record in records:
        if (
            record.rule != ReminderRule.ESCALATION
            and (record.content_type_id, record.object_id) in escalated
        ):
            continue
        grouped[record.rule].append(
            DigestItem(
                kind=str(kind_labels[record.item_kind]),
                title=record.title,
                unit=record.unit_name,
                due_date=record.due_date.isoformat(),
                when=rules.describe(record.rule, record.days),
                url=record.absolute_url,
                link_text=_link_text(record),
            )
        )
    return [
        DigestSection(key=str(rule), heading=str(h), intro=str(i), items=grouped[rule])
        for rule in _SECTION_ORDER
        if grouped[rule]
        for h, i in [headings[rule]]
    ]


def reminder_digest(*, email: OutgoingEmail, records: Sequence[ReminderRecord]) -> str:
    """The reminder e-mail: every reminder of one recipient in one message."""
    sections = digest_sections(records)
    escalations = sum(len(s.items) for s in sections if s.key == ReminderRule.ESCALATION)
    count = sum(len(s.items) for s in sections)
    ctx = {
        "recipient": email.recipient,
        "municipality": email.municipality,
        "sections": sections,
        "count": count,
        "escalations": escalations,
        "others": count - escalations,
        "weekly": email.recipient.digest_frequency == email.recipient.DigestFrequency.WEEKLY,
        "notifications_url": _absolute(reverse("notifications:list")),
        "preferences_url": _absolute(reverse("notifications:list") + "#installningar"),
    }
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or None
    headers = {
        # The same Message-ID on every attempt, so a mail system can drop a duplicate.
        "Message-ID": f"<uppsikt-reminder-{email.pk}@{domain or 'uppsikt.invalid'}>",
        "X-Uppsikt-Email-Id": str(email.pk),
    }
    return _send("reminder_digest", to=email.to_address, ctx=ctx, headers=headers)
