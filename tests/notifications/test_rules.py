"""Each rule fires on its day and on no other (time-machine, one run per day)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from findings.models import Action, DeadlinePrecision
from notifications.models import ReminderRecord, ReminderSettings
from organisation.models import Role
from tests import factories as f
from tests.notifications.scenario import DUE, action, fired, occurrence, response, run_on

pytestmark = pytest.mark.django_db

D = datetime.timedelta


def days(first: int, last: int):
    for offset in range(first, last + 1):
        yield DUE + D(days=offset)


EXPECTED_FOR_OWNER = {
    (DUE - D(days=14), "before", -14),
    (DUE - D(days=3), "before", -3),
    (DUE, "due", 0),
    (DUE + D(days=1), "overdue", 1),
    (DUE + D(days=7), "overdue", 7),
    (DUE + D(days=30), "overdue", 30),
}


@pytest.fixture
def head(world):
    user = f.UserFactory(username="chef", municipality=world.municipality)
    world.sn.head = user
    world.sn.save()
    return user


@pytest.mark.parametrize("kind", ["occurrence", "action"])
def test_each_rule_fires_on_its_day_and_not_on_others(
    kind, world, controller, coordinator, head, board_member
):
    item = occurrence(world.sn, owner=controller) if kind == "occurrence" else None
    if kind == "action":
        item = action(world.sn, owner=controller)
    for day in days(-20, 40):
        run_on(day)

    mine = fired(recipient=controller, object_id=item.pk)
    assert mine == EXPECTED_FOR_OWNER
    # The escalation, 30 days overdue, goes to the coordinator covering SN and to SN's head.
    assert fired(recipient=coordinator) == {(DUE + D(days=30), "escalation", 30)}
    assert fired(recipient=head) == {(DUE + D(days=30), "escalation", 30)}
    assert not ReminderRecord.objects.filter(recipient=board_member).exists()
    # One record per reminder: the daily runs never repeated one.
    assert ReminderRecord.objects.count() == len(EXPECTED_FOR_OWNER) + 2


def test_board_response_reminds_the_coordinators_of_the_responding_unit(
    world, coordinator, controller, head
):
    sn_coordinator = f.UserFactory(username="sn-samordnare", municipality=world.municipality)
    f.RoleAssignmentFactory(user=sn_coordinator, unit=world.sn, role=Role.COORDINATOR)
    bun_coordinator = f.UserFactory(username="bun-samordnare", municipality=world.municipality)
    f.RoleAssignmentFactory(user=bun_coordinator, unit=world.bun, role=Role.COORDINATOR)
    item = response(world.sn)
    for day in days(-20, 40):
        run_on(day)

    expected = EXPECTED_FOR_OWNER | {(DUE + D(days=30), "escalation", 30)}
    assert fired(recipient=coordinator, object_id=item.pk) == expected
    assert fired(recipient=sn_coordinator, object_id=item.pk) == expected
    assert fired(recipient=head) == {(DUE + D(days=30), "escalation", 30)}
    assert fired(recipient=bun_coordinator) == set()
    assert fired(recipient=controller) == set()


def test_finished_items_and_draft_plans_get_no_reminders(world, controller):
    from controls.models import ControlPlan

    draft_plan = f.ControlPlanFactory(unit=world.sn, year=DUE.year, status=ControlPlan.Status.DRAFT)
    occurrence(world.sn, owner=controller, plan=draft_plan)
    action(world.sn, owner=controller, status=Action.Status.DONE, completed_date=DUE)
    action(world.sn, owner=controller, status=Action.Status.CANCELLED, cancel_reason="Utgår.")
    response(
        world.sn,
        status="dispatched",
        decision=f.DecisionFactory(organ=world.sn),
        dispatched_date=DUE - D(days=20),
    )
    for day in (DUE - D(days=14), DUE, DUE + D(days=30)):
        run_on(day)
    assert not ReminderRecord.objects.exists()


def test_a_decided_response_not_yet_dispatched_is_still_reminded(world, coordinator):
    """Decided at the meeting but not sent: the auditors have not got it."""
    item = response(world.sn, status="decided", decision=f.DecisionFactory(organ=world.sn))
    run_on(DUE - D(days=3))
    assert fired(recipient=coordinator, object_id=item.pk) == {(DUE - D(days=3), "before", -3)}


def test_occurrence_without_owner_goes_to_the_controllers_of_the_plans_unit(
    world, controller, coordinator
):
    bun_controller = f.UserFactory(username="bun-kontrollant", municipality=world.municipality)
    f.RoleAssignmentFactory(user=bun_controller, unit=world.bun, role=Role.CONTROLLER)
    item = occurrence(world.sn, owner=None)
    run_on(DUE - D(days=3))
    assert fired(recipient=controller, object_id=item.pk) == {(DUE - D(days=3), "before", -3)}
    assert fired(recipient=bun_controller) == set()
    assert fired(recipient=coordinator) == set()


def test_action_with_owner_described_only_goes_to_the_coordinators(world, coordinator, controller):
    item = action(world.sn, owner=None, owner_description="Förvaltningschefen")
    run_on(DUE)
    assert fired(recipient=coordinator, object_id=item.pk) == {(DUE, "due", 0)}
    assert fired(recipient=controller) == set()


def test_inactive_owner_falls_back_and_expired_roles_do_not_count(world, coordinator):
    gone = f.UserFactory(username="slutat", municipality=world.municipality, is_active=False)
    expired = f.UserFactory(username="gammal-samordnare", municipality=world.municipality)
    f.RoleAssignmentFactory(
        user=expired, unit=world.root, role=Role.COORDINATOR, valid_to=DUE - D(days=1)
    )
    item = action(world.sn, owner=gone)
    run_on(DUE)
    assert fired(object_id=item.pk) == {(DUE, "due", 0)}
    assert set(ReminderRecord.objects.values_list("recipient", flat=True)) == {coordinator.pk}


def test_coarse_deadline_falls_due_on_the_last_day_of_its_period(world, controller):
    # "Q1 2026" is due on 31 March.
    item = action(
        world.sn,
        owner=controller,
        due=datetime.date(2026, 1, 1),
        deadline_precision=DeadlinePrecision.QUARTER,
    )
    for day in (datetime.date(2026, 1, 1), datetime.date(2026, 3, 17), datetime.date(2026, 3, 28)):
        run_on(day)
    assert fired(object_id=item.pk) == {
        (datetime.date(2026, 3, 17), "before", -14),
        (datetime.date(2026, 3, 28), "before", -3),
    }


def test_rules_are_configurable_per_municipality(world, controller, coordinator, outsider):
    ReminderSettings.objects.create(
        municipality=world.municipality,
        days_before="5",
        on_due_date=False,
        days_overdue="2",
        escalation_days=10,
    )
    mine = action(world.sn, owner=controller)
    theirs = action(world.other_root, owner=outsider)
    for day in days(-20, 40):
        run_on(day)
    assert fired(object_id=mine.pk, recipient=controller) == {
        (DUE - D(days=5), "before", -5),
        (DUE + D(days=2), "overdue", 2),
    }
    assert fired(recipient=coordinator) == {(DUE + D(days=10), "escalation", 10)}
    # The other municipality keeps the defaults.
    assert fired(object_id=theirs.pk, recipient=outsider) >= EXPECTED_FOR_OWNER


def test_a_disabled_municipality_gets_nothing(world, controller):
    ReminderSettings.objects.create(municipality=world.municipality, enabled=False)
    action(world.sn, owner=controller)
    run_on(DUE)
    assert not ReminderRecord.objects.exists()


def test_reminders_never_cross_municipalities(world, coordinator, outsider):
    theirs = action(world.other_root, owner=None, owner_description="IT-chef")
    run_on(DUE + D(days=30))
    recipients = set(ReminderRecord.objects.values_list("recipient", flat=True))
    assert recipients == {outsider.pk}
    assert fired(object_id=theirs.pk) == {
        (DUE + D(days=30), "overdue", 30),
        (DUE + D(days=30), "escalation", 30),
    }


def test_yearly_reporting_deadline_reminds_the_coordinators(world, coordinator, controller):
    first_of_march = datetime.date(2026, 3, 1)
    for offset in range(-20, 10):
        run_on(first_of_march + D(days=offset))
    municipality_type = ContentType.objects.get_for_model(world.municipality)
    assert fired(recipient=coordinator, content_type=municipality_type) == {
        (datetime.date(2026, 2, 15), "before", -14),
        (datetime.date(2026, 2, 26), "before", -3),
        (first_of_march, "due", 0),
    }
    assert fired(recipient=controller) == set()


def test_reporting_date_is_configurable(world, coordinator):
    ReminderSettings.objects.create(
        municipality=world.municipality, reporting_day=15, reporting_month=4, days_before="3"
    )
    run_on(datetime.date(2026, 3, 1))
    run_on(datetime.date(2026, 4, 12))
    assert fired(recipient=coordinator) == {(datetime.date(2026, 4, 12), "before", -3)}


def test_a_missed_day_is_caught_up_by_the_next_run(world, controller):
    item = action(world.sn, owner=controller)
    run_on(DUE - D(days=5))
    # No run on DUE - 3 (the server was down); the next morning's run sends it.
    run_on(DUE - D(days=2))
    assert fired(object_id=item.pk) == {(DUE - D(days=3), "before", -3)}


def test_after_a_long_gap_only_the_latest_rule_is_sent(world, controller):
    item = action(world.sn, owner=controller)
    run_on(DUE - D(days=20))
    run_on(DUE + D(days=2))  # missed 14 days before, 3 days before, due day and 1 day after
    assert fired(object_id=item.pk) == {(DUE + D(days=1), "overdue", 1)}


def test_first_run_does_not_reach_back(world, controller):
    action(world.sn, owner=controller)
    run_on(DUE + D(days=2))
    assert not ReminderRecord.objects.exists()
