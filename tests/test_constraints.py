"""Integrity rules live in the database: each named constraint refuses what it should."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from audits.models import BoardResponse
from controls.models import ControlOccurrence, ControlPlan
from findings.models import Action, Finding
from systems.models import AccessReviewItem, Classification, Integration
from tests import factories as f

pytestmark = pytest.mark.django_db


def refused(callable_, name):
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        callable_()
    return exc


def test_one_plan_per_unit_and_year(world):
    f.ControlPlanFactory(unit=world.sn, year=2019)
    refused(
        lambda: f.ControlPlanFactory(unit=world.sn, year=2019), "controls_plan_unique_unit_year"
    )


def test_adopted_plan_needs_decision(world):
    refused(
        lambda: f.ControlPlanFactory(unit=world.sn, status=ControlPlan.Status.ADOPTED), "adopted"
    )


def test_risk_values_in_range(world):
    refused(lambda: f.ControlPointFactory(plan__unit=world.sn, likelihood=0), "risk_in_range")
    refused(lambda: f.ControlPointFactory(plan__unit=world.sn, consequence=9), "risk_in_range")


def test_done_occurrence_needs_result(world):
    refused(
        lambda: f.ControlOccurrenceFactory(
            control_point__plan__unit=world.sn, status=ControlOccurrence.Status.DONE
        ),
        "done_has_result",
    )
    refused(
        lambda: f.ControlOccurrenceFactory(
            control_point__plan__unit=world.sn, status=ControlOccurrence.Status.NOT_DONE
        ),
        "not_done_has_reason",
    )
    refused(
        lambda: f.ControlOccurrenceFactory(
            control_point__plan__unit=world.sn, outcome=ControlOccurrence.Outcome.MINOR_DEVIATION
        ),
        "outcome_only_when_done",
    )
    ok = f.ControlOccurrenceFactory(
        control_point__plan__unit=world.sn,
        status=ControlOccurrence.Status.DONE,
        performed_date=datetime.date(2026, 2, 1),
        outcome=ControlOccurrence.Outcome.NO_REMARKS,
    )
    assert ok.pk


def test_risk_acceptance_needs_motivation_and_approver(world, coordinator):
    refused(
        lambda: f.FindingFactory(unit=world.sn, status=Finding.Status.RISK_ACCEPTED), "motivation"
    )
    refused(
        lambda: f.FindingFactory(
            unit=world.sn,
            status=Finding.Status.RISK_ACCEPTED,
            risk_acceptance_motivation="Låg risk",
        ),
        "approver",
    )
    refused(lambda: f.FindingFactory(unit=world.sn, status=Finding.Status.VERIFIED), "verifier")


def test_cancelled_action_needs_reason_and_every_action_an_owner(world):
    refused(lambda: f.ActionFactory(unit=world.sn, status=Action.Status.CANCELLED), "cancel_reason")
    refused(lambda: f.ActionFactory(unit=world.sn, owner=None), "has_owner")
    assert f.ActionFactory(unit=world.sn, owner=None, owner_description="Centrala IT").pk


def test_audit_deadline_not_before_report(world):
    refused(
        lambda: f.AuditFactory(
            municipality=world.municipality,
            report_date=datetime.date(2017, 9, 15),
            response_deadline=datetime.date(2017, 9, 1),
        ),
        "deadline_after_report",
    )


def test_decided_response_needs_decision(world):
    audit = f.AuditFactory(municipality=world.municipality)
    refused(
        lambda: f.BoardResponseFactory(
            audit=audit, unit=world.sn, status=BoardResponse.Status.DECIDED
        ),
        "decided_has_decision",
    )


def test_classification_levels_and_integrations(world):
    system = f.SystemFactory(owning_unit=world.sn)
    refused(
        lambda: Classification.objects.create(
            system=system,
            confidentiality=5,
            integrity=0,
            availability=0,
            traceability=0,
            classified_on=datetime.date(2025, 1, 1),
        ),
        "levels_0_to_4",
    )
    refused(lambda: Integration.objects.create(source=system, target=system), "not_self")


def test_access_review_keep_needs_reason_and_unique_accounts(world):
    review = f.AccessReviewFactory(system__owning_unit=world.sn)
    f.AccessReviewItemFactory(review=review, account_id="rtj01")
    refused(lambda: f.AccessReviewItemFactory(review=review, account_id="rtj01"), "unique_account")
    refused(
        lambda: f.AccessReviewItemFactory(review=review, decision=AccessReviewItem.Decision.KEEP),
        "keep_has_reason",
    )


def test_unit_short_code_unique_within_municipality(world):
    refused(
        lambda: f.OrgUnitFactory(municipality=world.municipality, short_code="SN"),
        "unique_short_code",
    )
    assert f.OrgUnitFactory(municipality=world.other_municipality, short_code="SN").pk


def test_only_one_report_per_series_sent_to_board(world, coordinator):
    # Only a done board version can be marked as sent (reports_report_sent_is_done_board_version).
    done = {"status": "done", "sha256": "0" * 64, "file": "reports/report/r.pdf"}
    f.ReportFactory(
        unit=world.sn,
        series_key="s1",
        version=1,
        is_sent_to_board=True,
        requested_by=coordinator,
        **done,
    )
    refused(
        lambda: f.ReportFactory(
            unit=world.sn,
            series_key="s1",
            version=2,
            is_sent_to_board=True,
            requested_by=coordinator,
            **done,
        ),
        "one_sent_per_series",
    )
