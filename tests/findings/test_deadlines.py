"""The deadline parser: what people write in answers to auditors."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from findings.deadlines import parse_deadline
from findings.models import DeadlinePrecision, format_deadline


@pytest.mark.parametrize(
    ("text", "day", "precision"),
    [
        ("2019-03-31", datetime.date(2019, 3, 31), DeadlinePrecision.DAY),
        ("2019-3-5", datetime.date(2019, 3, 5), DeadlinePrecision.DAY),
        ("Q1 2019", datetime.date(2019, 3, 31), DeadlinePrecision.QUARTER),
        ("q4-2019", datetime.date(2019, 12, 31), DeadlinePrecision.QUARTER),
        ("kv2 2020", datetime.date(2020, 6, 30), DeadlinePrecision.QUARTER),
        ("2019 Q3", datetime.date(2019, 9, 30), DeadlinePrecision.QUARTER),
        ("mars 2019", datetime.date(2019, 3, 31), DeadlinePrecision.MONTH),
        ("  November   2019 ", datetime.date(2019, 11, 30), DeadlinePrecision.MONTH),
        ("feb 2020", datetime.date(2020, 2, 29), DeadlinePrecision.MONTH),
        ("2019-02", datetime.date(2019, 2, 28), DeadlinePrecision.MONTH),
        ("2019", datetime.date(2019, 12, 31), DeadlinePrecision.YEAR),
        ("år 2018", datetime.date(2018, 12, 31), DeadlinePrecision.YEAR),
    ],
)
def test_parses_what_people_write(text, day, precision):
    assert parse_deadline(text) == (day, precision)


@pytest.mark.parametrize("text", ["2019-03-31", "Q1 2019", "mars 2019", "2019"])
def test_round_trips_through_format(text):
    assert format_deadline(*parse_deadline(text)) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Ange ett datum (2019-03-31), en månad (mars 2019), ett kvartal (Q1 2019)"),
        ("snart", "Ange ett datum"),
        ("Q5 2019", "Kvartalet måste vara 1–4."),
        ("2019-02-30", "2019-02-30 är inget giltigt datum."),
        ("2019-13", "Månaden måste vara 1–12."),
        ("smarch 2019", "Okänd månad: smarch."),
        ("3019", "Året måste ligga mellan 1990 och 2100."),
    ],
)
def test_bad_input_gets_a_swedish_message(text, message):
    with pytest.raises(ValidationError) as error:
        parse_deadline(text)
    assert message in " ".join(error.value.messages)
