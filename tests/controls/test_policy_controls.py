"""The policy rules added for internal control: my occurrences, plan units, readers, evidence."""

import pytest
from django.core.files.base import ContentFile

from controls.models import ControlOccurrence, OccurrenceEvidence
from organisation import policy
from organisation.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def occurrences(world, controller, other_controller, sn_plan):
    bun_plan = f.ControlPlanFactory(unit=world.bun, year=sn_plan.year)
    return {
        "own": f.ControlOccurrenceFactory(
            control_point__plan=sn_plan, control_point__owner=controller
        ),
        "unowned": f.ControlOccurrenceFactory(
            control_point__plan=sn_plan, control_point__owner=None
        ),
        "others": f.ControlOccurrenceFactory(
            control_point__plan=sn_plan, control_point__owner=other_controller
        ),
        "bun_unowned": f.ControlOccurrenceFactory(control_point__plan=bun_plan),
        "bun_own": f.ControlOccurrenceFactory(
            control_point__plan=bun_plan, control_point__owner=controller
        ),
    }


def mine(user):
    return set(policy.my_occurrences(user))


def test_my_occurrences_are_owned_or_unowned_in_a_controlled_unit(
    occurrences, controller, other_controller
):
    assert mine(controller) == {occurrences["own"], occurrences["unowned"], occurrences["bun_own"]}
    assert mine(other_controller) == {occurrences["others"], occurrences["unowned"]}


def test_managers_and_readers_have_no_occurrences_of_their_own(
    occurrences, coordinator, board_member, auditor, outsider, nobody
):
    for user in (coordinator, board_member, auditor, outsider, nobody):
        assert mine(user) == set()


def test_my_occurrences_agree_with_log_result(occurrences, controller, other_controller):
    for user in (controller, other_controller):
        for occurrence in ControlOccurrence.objects.all():
            if occurrence in mine(user):
                assert policy.can(user, policy.Verb.LOG_RESULT, occurrence)


def test_plan_units_are_the_managed_subtree(world, coordinator, controller, outsider):
    assert set(policy.plan_units(coordinator)) == {world.root, world.sn, world.bun}
    assert set(policy.plan_units(controller)) == set()
    assert set(policy.plan_units(outsider)) == {world.other_root}
    sn_admin = f.UserFactory(username="admin-sn", municipality=world.municipality)
    f.RoleAssignmentFactory(user=sn_admin, unit=world.sn, role=Role.ADMIN)
    assert set(policy.plan_units(sn_admin)) == {world.sn}


def test_who_reads_controls(
    world, coordinator, controller, board_member, auditor, action_owner, nobody
):
    for user in (coordinator, controller, board_member, auditor):
        assert policy.may_read_controls(user)
    assert not policy.may_read_controls(action_owner)
    assert not policy.may_read_controls(nobody)
    f.ControlPointFactory(plan__unit=world.sn, owner=nobody)
    policy.forget(nobody)
    assert policy.may_read_controls(nobody)


def test_evidence_follows_the_occurrence_and_secrecy(
    world, occurrences, controller, board_member, auditor, bun_controller, outsider
):
    occurrence = occurrences["own"]
    evidence = OccurrenceEvidence(
        occurrence=occurrence, uploaded_by=controller, original_name="a.pdf",
        content_type="application/pdf", size=3, sha256="0" * 64,
    )  # fmt: skip
    evidence.file.save("a.pdf", ContentFile(b"%PD"), save=False)
    evidence.save()
    readable = lambda user: set(policy.occurrence_evidence(user))  # noqa: E731
    assert readable(board_member) == {evidence} == readable(auditor) == readable(controller)
    assert readable(bun_controller) == set() == readable(outsider)
    f.FindingFactory(unit=world.sn, occurrence=occurrence, is_secret=True, source="control")
    assert readable(board_member) == set()
    assert readable(auditor) == {evidence} == readable(controller)


def test_a_staged_plan_import_is_seen_only_by_its_uploader(
    world, coordinator, admin_user, outsider, sn_plan
):
    from controls.models import PlanImport

    staged = PlanImport.objects.create(
        municipality=world.municipality, created_by=coordinator, plan=sn_plan, filename="p.xlsx"
    )
    assert list(policy.plan_imports(coordinator)) == [staged]
    assert not policy.plan_imports(admin_user).exists()
    assert not policy.plan_imports(outsider).exists()
    assert policy.scope(coordinator, PlanImport.objects.all()).get() == staged
