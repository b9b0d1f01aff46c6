"""Template helpers of the systems app."""

from __future__ import annotations

from django import template

from systems.models import ClassificationScale

register = template.Library()


@register.filter
def level(scale: ClassificationScale, value: int | None) -> str:
    """``{{ scale|level:3 }}`` → "3 Allvarlig" with the municipality's labels."""
    return scale.label(value) if value is not None else "–"


CATEGORY_COLOURS = {
    "left": "red",
    "unknown": "red",
    "external": "yellow",
    "test": "yellow",
    "inactive": "grey",
    "ok": "green",
}
DECISION_COLOURS = {"remove": "red", "adjust": "yellow", "keep": "blue"}


@register.filter
def category_colour(value: str) -> str:
    return CATEGORY_COLOURS.get(value, "grey")


@register.filter
def decision_colour(value: str) -> str:
    return DECISION_COLOURS.get(value, "grey")
