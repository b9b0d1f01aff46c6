"""Query counts of the busy pages do not grow with the number of points and occurrences."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from controls.models import ControlOccurrence, ControlPoint
from findings.models import Finding
from tests import factories as f

pytestmark = pytest.mark.django_db


def fill(plan, owner, n_points, today):
    """``n_points`` points with 3 occurrences each: overdue, due soon, done (some deviations)."""
    points = ControlPoint.objects.bulk_create(
        [
            ControlPoint(
                plan=plan, number=i + 1, title=f"Punkt {i}", likelihood=1 + i % 4,
                consequence=1 + (i // 4) % 4, owner=owner, frequency="months", planned_months=[1, 6],
            )
            for i in range(n_points)
        ]
    )  # fmt: skip
    occurrences = []
    for i, point in enumerate(points):
        occurrences += [
            ControlOccurrence(control_point=point, period_label="A", due_date=today - datetime.timedelta(days=5)),
            ControlOccurrence(control_point=point, period_label="B", due_date=today + datetime.timedelta(days=10)),
            ControlOccurrence(
                control_point=point, period_label="C", due_date=today - datetime.timedelta(days=40),
                status="done", performed_date=today - datetime.timedelta(days=41),
                outcome="minor" if i % 3 == 0 else "no_remarks",
            ),
        ]  # fmt: skip
    ControlOccurrence.objects.bulk_create(occurrences)
    deviations = ControlOccurrence.objects.filter(control_point__plan=plan, outcome="minor")
    Finding.objects.bulk_create(
        [
            Finding(
                municipality=plan.municipality,
                unit=plan.unit,
                title="Avvikelse",
                source="control",
                occurrence=o,
            )
            for o in deviations
        ]
    )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url_for",
    [
        lambda plan: reverse("controls:my_controls"),
        lambda plan: reverse("controls:plan_overview", args=[plan.pk]),
        lambda plan: reverse("controls:plan_detail", args=[plan.pk]),
        lambda plan: reverse("controls:plan_list"),
        lambda plan: reverse("controls:point_list"),
        lambda plan: reverse("controls:occurrence_list"),
        lambda plan: reverse("controls:risk_matrix") + f"?plan={plan.pk}&l=1&k=1",
    ],
    ids=[
        "my_controls",
        "overview",
        "plan_detail",
        "plan_list",
        "point_list",
        "occurrence_list",
        "risk_matrix",
    ],
)
def test_query_count_does_not_grow_with_rows(
    world, client_for, controller, today, url_for, django_assert_max_num_queries
):
    small = f.ControlPlanFactory(unit=world.sn, year=today.year)
    fill(small, controller, 3, today)
    client = client_for(controller)
    url = url_for(small)
    few = count_queries(client, url)

    big = f.ControlPlanFactory(unit=world.bun, year=today.year)
    fill(big, controller, 210, today)  # 210 points, 630 occurrences
    many_url = url_for(big)
    assert ControlOccurrence.objects.count() > 600
    with django_assert_max_num_queries(few):
        response = client.get(many_url)
    assert response.status_code == 200


def test_my_controls_with_many_rows_has_every_bucket(world, client_for, controller, today):
    plan = f.ControlPlanFactory(unit=world.sn, year=today.year)
    fill(plan, controller, 210, today)
    response = client_for(controller).get(reverse("controls:my_controls"))
    data = response.context["data"]
    assert (len(data.overdue), len(data.soon), len(data.later)) == (210, 210, 0)
    assert len(data.done) == 210
