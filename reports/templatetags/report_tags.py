"""Template helpers of the board documents."""

from __future__ import annotations

import datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from findings.models import Action
from reports.data import Light, is_overdue

register = template.Library()


@register.simple_tag(takes_context=True)
def secrecy_note(context: template.Context, count: int, one: str, many: str) -> SafeString:
    """In the board version, say how many items were left out and under which law."""
    doc = context.get("doc") or {}
    if not doc.get("board") or not count:
        return SafeString("")
    what = one if count == 1 else many
    text = ngettext(
        "%(n)s %(what)s omfattas av sekretess enligt %(law)s och redovisas inte i denna version.",
        "%(n)s %(what)s omfattas av sekretess enligt %(law)s och redovisas inte i denna version.",
        count,
    ) % {"n": count, "what": what, "law": doc.get("secrecy_law", "")}
    return format_html('<p class="secrecy-note">{}</p>', text)


@register.simple_tag
def lamp(light: Light | None) -> SafeString:
    """A traffic light with its meaning in words (``Light`` from reports.data)."""
    if light is None:
        return SafeString("–")
    return format_html('<span class="light light-{}">{}</span>', light.colour, light.label)


@register.filter
def action_status(action: Action, today: datetime.date) -> str:
    """The action's status in words, "försenad" added when it is open past its deadline."""
    label = str(action.get_status_display())
    if is_overdue(action, today):
        return _("%(status)s – försenad") % {"status": label}
    return label


@register.filter
def action_status_class(action: Action, today: datetime.date) -> str:
    if is_overdue(action, today):
        return "st-red"
    if action.status == Action.Status.DONE:
        return "st-green"
    if action.status in Action.OPEN_STATUSES:
        return "st-yellow"
    return ""
