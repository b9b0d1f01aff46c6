"""Schedules: which occurrences a control point has in a year, and keeping them in step.

:func:`planned_periods` is a pure function from a frequency, the planned months and a year to
the periods of that year, each due on the last day of its month (or period). :func:`sync_occurrences`
makes a control point's occurrences match its schedule under one rule: an occurrence that has a
result (genomförd or ej genomförd) is never deleted, moved or relabelled. Only occurrences
without a result are created, relabelled or removed, and what stays outside the new schedule is
reported back so the page can say so.

Frequencies and months (months are 1–12):

* yearly — one occurrence; in the planned month if one is given, else at the end of the year;
* half-yearly — two; by default June and December, or the two given months (one per half);
* quarterly — four; by default March, June, September and December, or one given month per
  quarter;
* monthly — twelve, at the end of each month;
* given months — one per given month (S000: February, May and November);
* once — like yearly: in the given month, else at the end of the year.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from controls.models import MONTH_NAMES, ControlOccurrence, ControlPoint

Frequency = ControlPoint.Frequency

_DEFAULT_MONTHS: dict[str, tuple[int, ...]] = {
    Frequency.YEARLY: (12,),
    Frequency.ONCE: (12,),
    Frequency.HALF_YEARLY: (6, 12),
    Frequency.QUARTERLY: (3, 6, 9, 12),
    Frequency.MONTHLY: tuple(range(1, 13)),
}


@dataclass(frozen=True)
class Period:
    label: str
    due_date: datetime.date


def last_day(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def month_name(month: int) -> str:
    return str(MONTH_NAMES[month - 1])


def schedule_errors(frequency: str, months: list[int] | tuple[int, ...]) -> list[str]:
    """What is wrong with this frequency and these months, in Swedish; empty when they fit."""
    months = sorted(set(months))
    if any(not isinstance(m, int) or not 1 <= m <= 12 for m in months):
        return [_("Månader anges som tal 1–12.")]
    if frequency in (Frequency.YEARLY, Frequency.ONCE) and len(months) > 1:
        return [_("Ange högst en månad för en kontroll som görs en gång.")]
    if frequency == Frequency.GIVEN_MONTHS and not months:
        return [_("Ange minst en månad när frekvensen är angivna månader.")]
    if frequency == Frequency.HALF_YEARLY and months:
        halves = sorted((m - 1) // 6 for m in months)
        if halves != [0, 1]:
            return [_("Ange två månader för halvårsvis kontroll: en i varje halvår.")]
    if frequency == Frequency.QUARTERLY and months:
        quarters = sorted((m - 1) // 3 for m in months)
        if quarters != [0, 1, 2, 3]:
            return [_("Ange fyra månader för kvartalsvis kontroll: en i varje kvartal.")]
    if frequency == Frequency.MONTHLY and months:
        return [_("Ange inga månader för månadsvis kontroll: den görs varje månad.")]
    return []


def planned_periods(frequency: str, months: list[int] | tuple[int, ...], year: int) -> list[Period]:
    """The periods of ``year`` for a schedule, in date order. Raises ValueError if they do not fit."""
    errors = schedule_errors(frequency, months)
    if errors:
        raise ValueError(errors[0])
    chosen = tuple(sorted(set(months))) or _DEFAULT_MONTHS.get(frequency, ())
    periods: list[Period] = []
    for index, month in enumerate(chosen, start=1):
        if frequency == Frequency.HALF_YEARLY:
            label = _("Halvår %(n)s") % {"n": index}
        elif frequency == Frequency.QUARTERLY:
            label = _("Kvartal %(n)s") % {"n": index}
        elif frequency in (Frequency.YEARLY, Frequency.ONCE) and not months:
            label = _("Helår")
        else:
            label = month_name(month).capitalize()
        periods.append(Period(label=f"{label} {year}", due_date=last_day(year, month)))
    return periods


@dataclass
class SyncResult:
    created: int = 0
    removed: int = 0
    relabelled: int = 0
    #: Occurrences with a result whose date no longer is in the schedule: kept as they are.
    kept_outside: list[ControlOccurrence] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.removed or self.relabelled)


def period_key(frequency: str, day: datetime.date) -> tuple[int, ...]:
    """The period of the schedule that ``day`` falls in: its month, quarter, half or year.

    An occurrence belongs to the period its due date lies in, not only to the period's last
    day: a control done and dated 2026-09-21 is September's, and a quarterly one due in
    August is the third quarter's.
    """
    if frequency in (Frequency.MONTHLY, Frequency.GIVEN_MONTHS):
        return (day.year, day.month)
    if frequency == Frequency.QUARTERLY:
        return (day.year, (day.month - 1) // 3)
    if frequency == Frequency.HALF_YEARLY:
        return (day.year, (day.month - 1) // 6)
    return (day.year,)


@transaction.atomic
def sync_occurrences(*, point: ControlPoint) -> SyncResult:
    """Make the point's occurrences match its schedule; never touch one that has a result.

    Each planned period needs one occurrence. One with a result anywhere in the period covers
    it as it is; one without a result is kept and set to the period's due date and label;
    whatever is left over without a result is removed, and results outside every period are
    reported (``kept_outside``), never changed.
    """
    try:
        periods = planned_periods(point.frequency, point.planned_months or [], point.plan.year)
    except ValueError as exc:
        raise ValidationError({"planned_months": str(exc)}) from exc
    frequency = point.frequency
    wanted = {period_key(frequency, p.due_date): p for p in periods}
    result = SyncResult()
    existing = list(
        ControlOccurrence.objects.select_for_update()
        .filter(control_point=point)
        .order_by("due_date", "pk")
    )
    covered: set[tuple[int, ...]] = set()
    for occurrence in existing:
        if occurrence.has_result:
            key = period_key(frequency, occurrence.due_date)
            if key in wanted:
                covered.add(key)
            else:
                result.kept_outside.append(occurrence)
    for occurrence in existing:
        if occurrence.has_result:
            continue
        key = period_key(frequency, occurrence.due_date)
        period = wanted.get(key)
        if period is None or key in covered:
            occurrence.delete()
            result.removed += 1
            continue
        covered.add(key)
        if (occurrence.period_label, occurrence.due_date) != (period.label, period.due_date):
            occurrence.period_label, occurrence.due_date = period.label, period.due_date
            occurrence.save(update_fields=["period_label", "due_date"])
            result.relabelled += 1
    for key, period in wanted.items():
        if key in covered:
            continue
        due_date = period.due_date
        occurrence = ControlOccurrence(
            control_point=point, period_label=period.label, due_date=due_date
        )
        occurrence.full_clean()
        occurrence.save()
        result.created += 1
    return result
