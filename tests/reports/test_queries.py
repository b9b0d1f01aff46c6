"""Queries per report do not grow with its rows: each collector is measured at two sizes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.models import Assessment, RecommendationAssessment, ResponseItem
from benchmarks.reports import build_action_plan, build_plan
from organisation.models import OrgUnit
from reports import documents, rendering
from reports.documents import Spec
from tests import factories as f

pytestmark = pytest.mark.django_db


def _queries(spec: Spec, user) -> int:
    with CaptureQueriesContext(connection) as captured:
        document = documents.build(spec, as_of=timezone.now(), requested_by=user, version=1)
        rendering.render_html(document)
    return len(captured)


def _unit(world, name: str) -> OrgUnit:
    return f.OrgUnitFactory(municipality=world.municipality, parent=world.root, name=name)


def test_annual_and_overall_queries_are_constant(world, coordinator):
    small, large = _unit(world, "Liten nämnd"), _unit(world, "Stor nämnd")
    build_plan(world.municipality, small, coordinator, points=3)  # one deviation
    build_plan(world.municipality, large, coordinator, points=60)
    counts = [
        _queries(Spec(kind="annual_follow_up", unit=u, audience=a, year=2017), coordinator)
        for u in (small, large)
        for a in ("board", "internal")
    ]
    assert len(set(counts)) == 1, counts
    assert counts[0] <= 10
    overall_small = _queries(
        Spec(kind="overall_assessment", unit=small, audience="board", year=2017), coordinator
    )
    overall_all = _queries(
        Spec(kind="overall_assessment", unit=world.root, audience="board", year=2017), coordinator
    )
    assert overall_small == overall_all


def test_action_plan_queries_are_constant(world, coordinator):
    small, large = _unit(world, "Liten nämnd"), _unit(world, "Stor nämnd")
    build_action_plan(world.municipality, small, coordinator, actions=8)
    build_action_plan(world.municipality, large, coordinator, actions=240)
    counts = [
        _queries(Spec(kind="action_plan", unit=u, audience="board"), coordinator)
        for u in (small, large)
    ]
    assert counts[0] == counts[1] <= 8, counts


def _audit(world, recommendations: int):
    ks = _unit(world, f"Nämnd {recommendations}")
    original = f.AuditFactory(municipality=world.municipality, addressed_units=[ks])
    follow_up = f.AuditFactory(
        municipality=world.municipality,
        kind="follow_up",
        follows_up=original,
        report_date=datetime.date(2018, 9, 1),
        addressed_units=[ks],
    )
    response = f.BoardResponseFactory(audit=original, unit=ks)
    for n in range(1, recommendations + 1):
        rec = f.RecommendationFactory(audit=original, number=n, addressee=ks)
        f.ObservationFactory(audit=follow_up, number=n)
        RecommendationAssessment.objects.create(
            follow_up=follow_up, recommendation=rec, assessment=Assessment.PARTLY_REMEDIED
        )
        item = ResponseItem.objects.create(
            response=response, number=n, recommendation=rec, text="Svar"
        )
        action = f.ActionFactory(unit=ks)
        f.ActionProgressFactory(action=action)
        item.actions.add(action)
        action.recommendations.add(rec)
    return ks, follow_up


def test_audit_follow_up_queries_are_constant(world, coordinator):
    small_unit, small = _audit(world, 1)
    large_unit, large = _audit(world, 15)
    counts = [
        _queries(Spec(kind="audit_follow_up", unit=u, audience="board", audit=a), coordinator)
        for u, a in ((small_unit, small), (large_unit, large))
    ]
    assert counts[0] == counts[1], counts


def test_system_inventory_queries_are_constant(world, coordinator):
    small, large = _unit(world, "Liten nämnd"), _unit(world, "Stor nämnd")
    for unit, n in ((small, 1), (large, 25)):
        for i in range(n):
            system = f.SystemFactory(owning_unit=unit, name=f"{unit.name} system {i}")
            f.SystemRoleFactory(system=system)
            f.ClassificationFactory(system=system)
            f.ClassificationFactory(system=system, classified_on=datetime.date(2020, 1, 1))
    counts = [
        _queries(Spec(kind="system_inventory", unit=u, audience="board"), coordinator)
        for u in (small, large)
    ]
    assert counts[0] == counts[1], counts
