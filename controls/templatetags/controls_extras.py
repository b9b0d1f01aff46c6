"""Template helpers of the controls app: the risk chip and the occurrence status chip."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from controls.models import MONTH_NAMES, ControlOccurrence, RiskLevel, RiskScale

register = template.Library()


@register.simple_tag
def risk(likelihood: int, consequence: int, scale: RiskScale) -> SafeString:
    """``{% risk point.likelihood point.consequence scale %}`` → score with its level in words."""
    score = likelihood * consequence
    level = scale.level(score)
    return format_html(
        '<span class="risk risk-{}">{} <span class="risk-label">{}</span></span>',
        level.value,
        score,
        RiskLevel(level).label,
    )


#: Short chip texts for the plan overview grid, explained in its legend.
SHORT_TEXTS = {
    "no_remarks": _("OK"),
    "minor": _("Avv."),
    "major": _("Väs."),
    "not_done": _("Ej"),
    "overdue": _("Sen"),
    "due": _("Snart"),
    "planned": _("Plan"),
}


@register.simple_tag
def occ_chip(occurrence: ControlOccurrence, short: bool = False) -> SafeString:
    """The occurrence's status: the outcome when done, else overdue / due / planned / not done."""
    colour, text = occurrence.chip
    if short:
        key = occurrence.outcome or occurrence.state().value
        return format_html(
            '<span class="badge badge-{}" title="{}">{}<span class="visually-hidden"> ({})</span>'
            "</span>",
            colour,
            text,
            SHORT_TEXTS.get(key, text),
            text,
        )
    return format_html('<span class="badge badge-{}">{}</span>', colour, text)


@register.simple_tag
def chip_legend() -> list[tuple[str, str, str]]:
    """(colour, short text, meaning) for the legend of the overview grid."""
    from controls.models import OUTCOME_COLOURS, STATE_COLOURS, OccurrenceState

    rows = [
        (OUTCOME_COLOURS[value], SHORT_TEXTS[value], label)
        for value, label in ControlOccurrence.Outcome.choices
    ]
    rows += [
        (STATE_COLOURS[state], SHORT_TEXTS[state.value], state.label)
        for state in (
            OccurrenceState.NOT_DONE,
            OccurrenceState.OVERDUE,
            OccurrenceState.DUE,
            OccurrenceState.PLANNED,
        )
    ]
    return [(colour, str(short), str(label)) for colour, short, label in rows]


@register.filter
def month_name(number: int) -> str:
    try:
        return str(MONTH_NAMES[int(number) - 1])
    except (TypeError, ValueError, IndexError):
        return ""


@register.filter
def months_display(months: list[int]) -> str:
    return ", ".join(month_name(m) for m in sorted(months or []))


@register.filter
def level_label(labels: list[str], level: int) -> str:
    """``scale.likelihood_labels|level_label:3`` → the name of level 3."""
    try:
        return str(labels[int(level) - 1])
    except (TypeError, ValueError, IndexError):
        return ""
