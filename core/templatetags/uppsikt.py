"""Small template helpers used across the apps."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

#: Colour of a status badge, by status value. Colour always comes with the status text.
STATUS_COLOURS = {
    # occurrences
    "planned": "blue",
    "done": "green",
    "not_done": "red",
    "no_remarks": "green",
    "minor": "yellow",
    "major": "red",
    # plans
    "draft": "grey",
    "adopted": "blue",
    "final_reported": "green",
    # findings
    "open": "red",
    "in_progress": "yellow",
    "remedied": "blue",
    "verified": "green",
    "risk_accepted": "grey",
    # actions
    "not_started": "red",
    "cancelled": "grey",
    # audits
    "remedied_rec": "green",
    "partly": "yellow",
    "not_remedied": "red",
    "obsolete": "grey",
    "decided": "blue",
    "dispatched": "green",
    # access reviews
    "in_review": "yellow",
    "completed": "green",
    # severities
    "low": "green",
    "medium": "yellow",
    "high": "red",
    "critical": "red",
    # reports
    "pending": "grey",
    "running": "yellow",
    "failed": "red",
}


@register.simple_tag
def badge(value: str, label: str, colour: str | None = None) -> SafeString:
    """``{% badge obj.status obj.get_status_display %}`` → a coloured, labelled status chip."""
    colour = colour or STATUS_COLOURS.get(str(value), "grey")
    return format_html('<span class="badge badge-{}">{}</span>', colour, label)


@register.simple_tag
def light(colour: str, label: str) -> SafeString:
    """A traffic light with its meaning in text beside it."""
    return format_html('<span class="light light-{}">{}</span>', colour, label)


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, prefix: str) -> SafeString:
    """``aria-current="page"`` on the menu item whose URL name starts with ``prefix``."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return SafeString("")
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    if (
        name == prefix
        or (prefix.endswith(":") and name.startswith(prefix))
        or (":" in prefix and not prefix.endswith(":") and name.startswith(prefix))
    ):
        return SafeString('aria-current="page"')
    return SafeString("")


@register.simple_tag(takes_context=True)
def query_replace(context: template.Context, **kwargs: object) -> str:
    """The current query string with some parameters replaced (for pagination and sorting)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in kwargs.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None
