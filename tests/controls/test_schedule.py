"""Schedules: the dates of every frequency, and syncing that never touches a result."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from controls.models import ControlOccurrence, ControlPoint
from controls.schedule import planned_periods, schedule_errors, sync_occurrences
from tests import factories as f

F = ControlPoint.Frequency
D = datetime.date


def dates(frequency, months, year=2026):
    return [p.due_date for p in planned_periods(frequency, months, year)]


def test_yearly_defaults_to_end_of_year_or_the_given_month():
    assert dates(F.YEARLY, []) == [D(2026, 12, 31)]
    assert dates(F.YEARLY, [6]) == [D(2026, 6, 30)]
    assert planned_periods(F.YEARLY, [], 2026)[0].label == "Helår 2026"
    assert planned_periods(F.YEARLY, [6], 2026)[0].label == "Juni 2026"


def test_half_yearly_is_june_and_december_or_one_month_per_half():
    assert dates(F.HALF_YEARLY, []) == [D(2026, 6, 30), D(2026, 12, 31)]
    assert dates(F.HALF_YEARLY, [12, 5]) == [D(2026, 5, 31), D(2026, 12, 31)]
    assert [p.label for p in planned_periods(F.HALF_YEARLY, [], 2026)] == [
        "Halvår 1 2026",
        "Halvår 2 2026",
    ]


def test_quarterly_is_end_of_each_quarter_or_one_month_per_quarter():
    assert dates(F.QUARTERLY, []) == [
        D(2026, 3, 31),
        D(2026, 6, 30),
        D(2026, 9, 30),
        D(2026, 12, 31),
    ]
    assert dates(F.QUARTERLY, [2, 5, 8, 11]) == [
        D(2026, 2, 28),
        D(2026, 5, 31),
        D(2026, 8, 31),
        D(2026, 11, 30),
    ]


def test_monthly_is_every_month_end_including_leap_february():
    result = dates(F.MONTHLY, [], 2028)
    assert len(result) == 12
    assert result[1] == D(2028, 2, 29)
    assert result[-1] == D(2028, 12, 31)


def test_given_months_as_in_s000_february_may_november():
    assert dates(F.GIVEN_MONTHS, [11, 2, 5]) == [D(2026, 2, 28), D(2026, 5, 31), D(2026, 11, 30)]
    assert [p.label for p in planned_periods(F.GIVEN_MONTHS, [2], 2026)] == ["Februari 2026"]


def test_once_is_one_occurrence():
    assert dates(F.ONCE, []) == [D(2026, 12, 31)]
    assert dates(F.ONCE, [9]) == [D(2026, 9, 30)]


@pytest.mark.parametrize(
    ("frequency", "months"),
    [
        (F.GIVEN_MONTHS, []),
        (F.YEARLY, [3, 4]),
        (F.ONCE, [1, 2]),
        (F.HALF_YEARLY, [1, 2]),
        (F.QUARTERLY, [1, 4, 7]),
        (F.QUARTERLY, [1, 2, 7, 10]),
        (F.MONTHLY, [3]),
        (F.GIVEN_MONTHS, [13]),
    ],
)
def test_schedules_that_do_not_fit_are_refused_in_swedish(frequency, months):
    errors = schedule_errors(frequency, months)
    assert errors and all(isinstance(e, str) for e in errors)
    with pytest.raises(ValueError):
        planned_periods(frequency, months, 2026)


def test_model_validation_uses_the_schedule_rules(db):
    point = f.ControlPointFactory.build(frequency=F.QUARTERLY, planned_months=[1])
    with pytest.raises(ValidationError) as exc:
        point.full_clean(exclude=["plan"])
    assert "kvartal" in str(exc.value.message_dict["planned_months"])


# --- syncing occurrences ---------------------------------------------------------------------


@pytest.fixture
def point(db, world):
    plan = f.ControlPlanFactory(unit=world.sn, year=2026)
    point = f.ControlPointFactory(plan=plan, frequency=F.GIVEN_MONTHS, planned_months=[2, 5, 11])
    sync_occurrences(point=point)
    return point


def due_dates(point):
    return sorted(point.occurrences.values_list("due_date", flat=True))


def test_sync_creates_the_years_occurrences_once(point):
    assert due_dates(point) == [D(2026, 2, 28), D(2026, 5, 31), D(2026, 11, 30)]
    again = sync_occurrences(point=point)
    assert not again.changed
    assert point.occurrences.count() == 3


def test_changing_the_schedule_regenerates_only_occurrences_without_results(point, controller):
    february = point.occurrences.get(due_date=D(2026, 2, 28))
    february.status = ControlOccurrence.Status.DONE
    february.performed_date = D(2026, 2, 20)
    february.outcome = ControlOccurrence.Outcome.NO_REMARKS
    february.comment = "Inga fel"
    february.save()
    may = point.occurrences.get(due_date=D(2026, 5, 31))
    may.status = ControlOccurrence.Status.NOT_DONE
    may.not_done_reason = "Personalbrist"
    may.save()
    november_pk = point.occurrences.get(due_date=D(2026, 11, 30)).pk

    point.frequency = F.QUARTERLY
    point.planned_months = []
    point.save()
    result = sync_occurrences(point=point)

    # Both occurrences with a result are still there, unchanged, and cover their quarters
    # (February's the first, May's the second); the planned November one moves to the fourth
    # quarter's date; the third quarter is new.
    february.refresh_from_db()
    may.refresh_from_db()
    assert february.due_date == D(2026, 2, 28) and february.comment == "Inga fel"
    assert february.period_label == "Februari 2026"
    assert may.status == ControlOccurrence.Status.NOT_DONE and may.due_date == D(2026, 5, 31)
    november = ControlOccurrence.objects.get(pk=november_pk)
    assert (november.due_date, november.period_label) == (D(2026, 12, 31), "Kvartal 4 2026")
    assert due_dates(point) == [D(2026, 2, 28), D(2026, 5, 31), D(2026, 9, 30), D(2026, 12, 31)]
    assert result.kept_outside == []
    assert (result.removed, result.created, result.relabelled) == (0, 1, 1)


def test_a_result_outside_every_period_is_kept_and_reported(point):
    february = point.occurrences.get(due_date=D(2026, 2, 28))
    february.status = ControlOccurrence.Status.DONE
    february.performed_date = D(2026, 2, 20)
    february.outcome = ControlOccurrence.Outcome.NO_REMARKS
    february.save()
    point.planned_months = [5, 11]
    point.save()
    result = sync_occurrences(point=point)
    assert [o.pk for o in result.kept_outside] == [february.pk]
    assert due_dates(point) == [D(2026, 2, 28), D(2026, 5, 31), D(2026, 11, 30)]


def test_a_result_dated_within_its_month_covers_it(point):
    """Done on the 21st, not on the period's last day: editing the schedule adds no twin."""
    for occurrence in point.occurrences.all():
        occurrence.due_date = occurrence.due_date.replace(day=21)
        occurrence.status = ControlOccurrence.Status.DONE
        occurrence.performed_date = occurrence.due_date
        occurrence.outcome = ControlOccurrence.Outcome.NO_REMARKS
        occurrence.save()
    point.planned_months = [5, 11]  # February is dropped
    point.save()
    result = sync_occurrences(point=point)
    assert due_dates(point) == [D(2026, 2, 21), D(2026, 5, 21), D(2026, 11, 21)]
    assert result.created == 0 and [o.due_date for o in result.kept_outside] == [D(2026, 2, 21)]


def test_editing_anything_but_the_schedule_leaves_the_occurrences(coordinator, point):
    from controls import services

    occurrence = point.occurrences.order_by("due_date").first()
    occurrence.due_date = D(2026, 3, 10)  # the demo's and real life's odd dates
    occurrence.save()
    before = sorted(point.occurrences.values_list("pk", "due_date", "period_label"))
    services.update_control_point(point=point, user=coordinator, data={"sample": "Alla"})
    assert sorted(point.occurrences.values_list("pk", "due_date", "period_label")) == before


def test_an_occurrence_with_a_result_on_a_wanted_date_covers_that_period(point):
    may = point.occurrences.get(due_date=D(2026, 5, 31))
    may.status = ControlOccurrence.Status.NOT_DONE
    may.not_done_reason = "Sjukdom"
    may.save()
    point.planned_months = [5, 11]
    point.save()
    result = sync_occurrences(point=point)
    assert due_dates(point) == [D(2026, 5, 31), D(2026, 11, 30)]
    assert result.kept_outside == []
    assert point.occurrences.filter(due_date=D(2026, 5, 31)).count() == 1


def test_sync_relabels_planned_occurrences_in_place(point):
    november = point.occurrences.get(due_date=D(2026, 11, 30))
    november.period_label = "Gammal etikett"
    november.save()
    sync_occurrences(point=point)
    november.refresh_from_db()
    assert november.period_label == "November 2026"
