"""Template helpers of the audit pages."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from audits.models import Assessment
from core.templatetags.uppsikt import badge

register = template.Library()

ASSESSMENT_COLOURS = {
    Assessment.REMEDIED: "green",
    Assessment.PARTLY_REMEDIED: "yellow",
    Assessment.NOT_REMEDIED: "red",
    Assessment.OBSOLETE: "grey",
}


@register.simple_tag
def assessment_badge(value: str | None) -> SafeString:
    """``{% assessment_badge "partly" %}`` → a yellow "Delvis åtgärdad" chip."""
    if not value or value not in Assessment.values:
        return SafeString("")
    return badge(value, Assessment(value).label, ASSESSMENT_COLOURS[value])
