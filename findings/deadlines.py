"""Deadlines as people write them: "2019-03-31", "mars 2019", "Q1 2019", "2019".

Answers to auditors rarely name a day ("Färdigställs 2019", "Q1 2019"), so a deadline is stored
as the last day of the period it names plus its precision (:class:`DeadlinePrecision`); it is
shown again the way it was written (:func:`findings.models.format_deadline`). Overdue is always
derived from the stored day: an action due "Q1 2019" is overdue from 1 April 2019.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from findings.models import DeadlinePrecision, end_of_period

MIN_YEAR = 1990
MAX_YEAR = 2100

#: Swedish month names and their usual abbreviations, in lower case.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("januari", "jan"),
        ("februari", "feb"),
        ("mars", "mar"),
        ("april", "apr"),
        ("maj",),
        ("juni", "jun"),
        ("juli", "jul"),
        ("augusti", "aug"),
        ("september", "sep", "sept"),
        ("oktober", "okt"),
        ("november", "nov"),
        ("december", "dec"),
    ],
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

FORMAT_HELP = _(
    "Ange ett datum (2019-03-31), en månad (mars 2019), ett kvartal (Q1 2019) eller ett år (2019)."
)

_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(?:q|kv|kvartal)\s*([0-9])[\s/.-]*(\d{4})$")
_QUARTER_YEAR_FIRST = re.compile(r"^(\d{4})[\s/.-]*(?:q|kv|kvartal)\s*([0-9])$")
_MONTH = re.compile(r"^([a-zåäö]+)\.?[\s/-]*(\d{4})$")
_YEAR = re.compile(r"^(?:år\s*)?(\d{4})$")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").strip().lower()
    return re.sub(r"\s+", " ", text)


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("Året måste ligga mellan %(min)s och %(max)s."),
            code="year_out_of_range",
            params={"min": MIN_YEAR, "max": MAX_YEAR},
        )


def _month_date(year: int, month: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise ValidationError(_("Månaden måste vara 1–12."), code="bad_month")
    _check_year(year)
    return end_of_period(datetime.date(year, month, 1), DeadlinePrecision.MONTH)


def parse_deadline(text: str) -> tuple[datetime.date, str]:
    """``"Q1 2019"`` → ``(date(2019, 3, 31), "quarter")``; a Swedish ValidationError otherwise."""
    value = _normalise(text)
    if not value:
        raise ValidationError(FORMAT_HELP, code="empty")

    if match := _DAY.match(value):
        year, month, day = (int(part) for part in match.groups())
        _check_year(year)
        try:
            return datetime.date(year, month, day), DeadlinePrecision.DAY
        except ValueError as exc:
            raise ValidationError(
                _("%(value)s är inget giltigt datum."), code="bad_date", params={"value": text}
            ) from exc
    if match := _YEAR_MONTH.match(value):
        year, month = (int(part) for part in match.groups())
        return _month_date(year, month), DeadlinePrecision.MONTH
    quarter_match = _QUARTER.match(value)
    year_first = _QUARTER_YEAR_FIRST.match(value)
    if quarter_match or year_first:
        if quarter_match:
            quarter, year = int(quarter_match.group(1)), int(quarter_match.group(2))
        else:
            year, quarter = int(year_first.group(1)), int(year_first.group(2))
        if not 1 <= quarter <= 4:
            raise ValidationError(_("Kvartalet måste vara 1–4."), code="bad_quarter")
        _check_year(year)
        first_day = datetime.date(year, quarter * 3, 1)
        return end_of_period(first_day, DeadlinePrecision.QUARTER), DeadlinePrecision.QUARTER
    if match := _YEAR.match(value):
        year = int(match.group(1))
        _check_year(year)
        return datetime.date(year, 12, 31), DeadlinePrecision.YEAR
    if match := _MONTH.match(value):
        name, year = match.group(1), int(match.group(2))
        if name not in MONTHS:
            raise ValidationError(
                _("Okänd månad: %(name)s. %(help)s"),
                code="bad_month_name",
                params={"name": match.group(1), "help": FORMAT_HELP},
            )
        return _month_date(year, MONTHS[name]), DeadlinePrecision.MONTH
    raise ValidationError(FORMAT_HELP, code="unknown_format")
