"""Query counts of the dashboard and the lists stay the same from 10 to 1,000+ findings."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import Recommendation, RecommendationAssessment
from findings.models import Action, Finding
from tests import factories as f

pytestmark = pytest.mark.django_db

PAGES = [
    ("findings:dashboard", {}),
    ("findings:finding_list", {}),
    ("findings:finding_list", {"open": "1", "sort": "-severity"}),
    ("findings:finding_list", {"overdue": "1", "unit": "SN"}),
    ("findings:action_list", {}),
    ("findings:action_list", {"overdue": "1", "sort": "owner"}),
    ("findings:my_actions", {}),
    ("audits:audit_list", {}),
    ("audits:recommendation_list", {"register": "open"}),
]


def populate(world, owner, n: int) -> None:
    """``n`` findings over units, audits and systems; each with one or two actions."""
    today = timezone.localdate()
    units = [world.sn, world.bun, world.root]
    systems = [f.SystemFactory(owning_unit=unit) for unit in units]
    audits = [
        f.AuditFactory(municipality=world.municipality, addressed_units=units) for _ in range(3)
    ]
    follow_up = f.AuditFactory(
        municipality=world.municipality,
        addressed_units=units,
        kind="follow_up",
        follows_up=audits[0],
        report_date=datetime.date(2018, 9, 1),
    )
    recs = Recommendation.objects.bulk_create(
        [
            Recommendation(audit=audit, number=1, text=f"Rek {i}", addressee=world.sn)
            for i, audit in enumerate(audits)
        ]
    )
    RecommendationAssessment.objects.bulk_create(
        [RecommendationAssessment(follow_up=follow_up, recommendation=recs[0], assessment="partly")]
    )
    statuses = itertools.cycle(Finding.Status.values)
    severities = itertools.cycle(["low", "medium", "high", "critical"])
    findings = Finding.objects.bulk_create(
        [
            Finding(
                municipality=world.municipality,
                unit=units[i % 3],
                title=f"Brist {i}",
                source=Finding.Source.AUDIT,
                severity=next(severities),
                status=(status := next(statuses)),
                verified_by=owner if status == "verified" else None,
                risk_accepted_by=owner if status == "risk_accepted" else None,
                risk_acceptance_motivation="ok" if status == "risk_accepted" else "",
                is_secret=i % 7 == 0,
                audit=audits[i % 3],
                recommendation=recs[i % 3],
            )
            for i in range(n)
        ]
    )
    Finding.systems.through.objects.bulk_create(
        [
            Finding.systems.through(finding_id=finding.pk, system_id=systems[i % 3].pk)
            for i, finding in enumerate(findings)
        ]
    )
    action_statuses = itertools.cycle(["not_started", "in_progress", "done"])
    actions = Action.objects.bulk_create(
        [
            Action(
                municipality=world.municipality,
                unit=units[i % 3],
                title=f"Åtgärd {i}",
                owner=owner,
                status=next(action_statuses),
                deadline=today + datetime.timedelta(days=(i % 60) - 30),
            )
            for i in range(n + n // 2)
        ]
    )
    Action.findings.through.objects.bulk_create(
        [
            Action.findings.through(action_id=action.pk, finding_id=findings[i % n].pk)
            for i, action in enumerate(actions)
        ]
    )
    Action.recommendations.through.objects.bulk_create(
        [
            Action.recommendations.through(action_id=action.pk, recommendation_id=recs[i % 3].pk)
            for i, action in enumerate(actions[:50])
        ]
    )


def count_queries(client, name, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name), params)
    assert response.status_code == 200, (name, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_query_count_is_constant(client_for, world, coordinator, name, params):
    params = {k: (world.sn.pk if v == "SN" else v) for k, v in params.items()}
    client = client_for(coordinator)
    populate(world, coordinator, 10)
    count_queries(client, name, params)  # warm the caches (content types, session)
    small = count_queries(client, name, params)
    populate(world, coordinator, 1000)
    assert Finding.objects.count() > 1000
    large = count_queries(client, name, params)
    assert large == small, f"{name}: {small} queries with 10 findings, {large} with 1,010"
    assert large <= 25


def test_dashboard_counts_match_the_lists_they_link(client_for, world, coordinator):
    """Every number on the dashboard opens a list with exactly that many rows."""
    import re

    populate(world, coordinator, 60)
    client = client_for(coordinator)
    page = client.get(reverse("findings:dashboard")).text
    links = re.findall(r'<a href="(/[^"]+\?[^"]+)"[^>]*>\s*(?:<span class="number">)?(\d+)', page)
    assert len(links) > 40
    for href, number in links[::2]:  # every section, half of the cells
        href = href.replace("&amp;", "&")
        listing = client.get(href).text
        match = re.search(r'role="status">(\d+) ', listing)
        assert match, href
        assert match.group(1) == number, f"{href}: dashboard {number}, list {match.group(1)}"


def test_export_query_count_is_constant(client_for, world, coordinator):
    client = client_for(coordinator)
    populate(world, coordinator, 10)
    client.get(reverse("findings:finding_export", args=["xlsx"]))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("findings:finding_export", args=["xlsx"]))
    small = len(ctx.captured_queries)
    populate(world, coordinator, 1000)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("findings:finding_export", args=["xlsx"]))
    assert response.status_code == 200
    assert len(ctx.captured_queries) == small
