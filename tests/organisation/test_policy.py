"""The policy module, role by role: what each one sees and may do."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from guardian.shortcuts import assign_perm

from controls.models import ControlOccurrence, ControlPlan, ControlPoint
from findings.models import Action, Finding
from organisation import policy
from organisation.models import Role
from organisation.policy import Verb
from reports.models import Report
from systems.models import AccessReview, SystemRole
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world, action_owner):
    """One of everything in SN and BUN of municipality A, and in municipality B."""
    plan_sn = f.ControlPlanFactory(unit=world.sn, year=2026)
    plan_bun = f.ControlPlanFactory(unit=world.bun, year=2026)
    point_sn = f.ControlPointFactory(plan=plan_sn)
    point_bun = f.ControlPointFactory(plan=plan_bun)
    occ_sn = f.ControlOccurrenceFactory(control_point=point_sn)
    occ_bun = f.ControlOccurrenceFactory(control_point=point_bun)
    finding_sn = f.FindingFactory(unit=world.sn)
    secret_sn = f.FindingFactory(
        unit=world.sn, is_secret=True, title="Standardlösenord i brandvägg"
    )
    finding_bun = f.FindingFactory(unit=world.bun)
    action_sn = f.ActionFactory(unit=world.sn, owner=action_owner, findings=[finding_sn])
    secret_action = f.ActionFactory(unit=world.sn, findings=[secret_sn])
    audit = f.AuditFactory(municipality=world.municipality, addressed_units=[world.sn])
    audit_bun = f.AuditFactory(municipality=world.municipality, addressed_units=[world.bun])
    system_sn = f.SystemFactory(owning_unit=world.sn)
    review_sn = f.AccessReviewFactory(system=system_sn)
    report_board = f.ReportFactory(unit=world.sn)
    report_internal = f.ReportFactory(unit=world.sn, audience=Report.Audience.INTERNAL)
    # Municipality B
    plan_b = f.ControlPlanFactory(unit=world.other_root)
    finding_b = f.FindingFactory(unit=world.other_root)
    action_b = f.ActionFactory(unit=world.other_root)
    audit_b = f.AuditFactory(
        municipality=world.other_municipality, addressed_units=[world.other_root]
    )
    system_b = f.SystemFactory(owning_unit=world.other_root)
    return locals()


def visible(user, model):
    return set(policy.scope(user, model.objects.all()))


def test_coordinator_sees_everything_of_own_municipality(coordinator, data):
    assert visible(coordinator, Finding) == {
        data["finding_sn"],
        data["secret_sn"],
        data["finding_bun"],
    }
    assert visible(coordinator, ControlPlan) == {data["plan_sn"], data["plan_bun"]}
    assert visible(coordinator, AccessReview) == {data["review_sn"]}
    assert visible(coordinator, Report) == {data["report_board"], data["report_internal"]}
    assert policy.can(coordinator, Verb.CHANGE, data["plan_sn"])
    assert policy.can(coordinator, Verb.VERIFY, data["finding_sn"])


def test_admin_manages_but_does_not_verify(admin_user, data):
    assert policy.can(admin_user, Verb.CHANGE, data["finding_sn"])
    assert not policy.can(admin_user, Verb.VERIFY, data["finding_sn"])
    assert data["secret_sn"] in visible(admin_user, Finding)


def test_controller_reads_own_unit_and_logs_only_unowned_or_own(controller, world, data):
    assert visible(controller, ControlPlan) == {data["plan_sn"]}
    assert visible(controller, ControlOccurrence) == {data["occ_sn"]}
    assert visible(controller, Finding) == {data["finding_sn"]}  # not the secret one
    assert policy.can(controller, Verb.LOG_RESULT, data["occ_sn"])  # no owner: unit controllers
    owned_by_other = f.ControlPointFactory(
        plan=data["plan_sn"], owner=f.UserFactory(municipality=world.municipality)
    )
    occ = f.ControlOccurrenceFactory(control_point=owned_by_other)
    assert not policy.can(controller, Verb.LOG_RESULT, occ)
    assert not policy.can(controller, Verb.CHANGE, data["plan_sn"])
    assert not policy.can(controller, Verb.LOG_RESULT, data["occ_bun"])


def test_control_owner_without_unit_role_sees_own_points(world, data):
    owner = f.UserFactory(municipality=world.municipality)
    data["point_bun"].owner = owner
    data["point_bun"].save()
    assert visible(owner, ControlPoint) == {data["point_bun"]}
    assert visible(owner, ControlOccurrence) == {data["occ_bun"]}
    assert visible(owner, ControlPlan) == {data["plan_bun"]}
    assert policy.can(owner, Verb.LOG_RESULT, data["occ_bun"])


def test_action_owner_sees_and_updates_only_own_actions(action_owner, data):
    assert visible(action_owner, Action) == {data["action_sn"]}
    assert visible(action_owner, Finding) == {data["finding_sn"]}
    assert policy.can(action_owner, Verb.UPDATE, data["action_sn"])
    assert not policy.can(action_owner, Verb.CHANGE, data["action_sn"])
    assert not policy.can(action_owner, Verb.UPDATE, data["secret_action"])


def test_owner_of_action_on_secret_finding_sees_that_finding(world, data):
    owner = data["secret_action"].owner
    assert data["secret_sn"] in visible(owner, Finding)


def test_board_member_never_sees_secret_records(board_member, data):
    assert visible(board_member, Finding) == {data["finding_sn"]}
    assert data["secret_action"] not in visible(board_member, Action)
    assert visible(board_member, Report) == {data["report_board"]}
    assert visible(board_member, AccessReview) == set()
    for verb in Verb:
        if verb != Verb.VIEW:
            assert not policy.can(board_member, verb, data["finding_sn"])
            assert not policy.can(board_member, verb, data["plan_sn"])


def test_auditor_reads_everything_and_changes_nothing(auditor, data):
    assert data["secret_sn"] in visible(auditor, Finding)
    assert visible(auditor, ControlPlan) == {data["plan_sn"], data["plan_bun"]}
    for verb in Verb:
        if verb != Verb.VIEW:
            for key in ("plan_sn", "finding_sn", "action_sn", "audit", "system_sn", "review_sn"):
                assert not policy.can(auditor, verb, data[key]), (verb, key)


def test_user_without_roles_sees_nothing(nobody, data):
    for model in (ControlPlan, ControlOccurrence, Finding, Action, AccessReview, Report):
        assert visible(nobody, model) == set()


def test_other_municipality_gets_404_on_every_object(outsider, data):
    for key, obj in data.items():
        if key.endswith("_b") or not hasattr(obj, "pk") or key in {"world", "action_owner"}:
            continue
        with pytest.raises(Http404):
            policy.get_for_user(outsider, type(obj), obj.pk)
    assert data["finding_b"] in visible(outsider, Finding)


def test_get_for_user_gives_403_when_visible_but_not_allowed(board_member, data):
    with pytest.raises(PermissionDenied):
        policy.get_for_user(board_member, Finding, data["finding_sn"].pk, Verb.CHANGE)
    with pytest.raises(Http404):
        policy.get_for_user(board_member, Finding, data["secret_sn"].pk, Verb.CHANGE)
    with pytest.raises(Http404):
        policy.get_for_user(board_member, Finding, "not-a-number")


def test_system_manager_sees_and_reviews_own_system_only(world, data):
    manager = f.UserFactory(municipality=world.municipality)
    SystemRole.objects.create(system=data["system_sn"], user=manager, kind=SystemRole.Kind.MANAGER)
    other = f.SystemFactory(owning_unit=world.bun)
    assert policy.systems(manager).get() == data["system_sn"]
    assert other not in set(policy.systems(manager))
    assert policy.can(manager, Verb.REVIEW, data["review_sn"])
    assert visible(manager, AccessReview) == {data["review_sn"]}


def test_guardian_grant_shares_one_audit(world, data):
    outside_auditor = f.UserFactory(municipality=world.municipality)
    assert visible(outside_auditor, type(data["audit"])) == set()
    assign_perm("audits.view_audit", outside_auditor, data["audit_bun"])
    policy.forget(outside_auditor)
    assert visible(outside_auditor, type(data["audit"])) == {data["audit_bun"]}


def test_guardian_grant_never_crosses_municipalities(world, data):
    user = f.UserFactory(municipality=world.municipality)
    assign_perm("systems.view_system", user, data["system_b"])
    assert visible(user, type(data["system_b"])) == set()


def test_expired_role_grants_nothing(world, data):
    former = f.UserFactory(municipality=world.municipality)
    f.RoleAssignmentFactory(
        user=former,
        unit=world.root,
        role=Role.COORDINATOR,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2021, 12, 31),
    )
    assert visible(former, Finding) == set()


def test_inactive_user_sees_nothing(coordinator, data):
    coordinator.is_active = False
    coordinator.save()
    policy.forget(coordinator)
    assert visible(coordinator, Finding) == set()


def test_role_on_parent_covers_subtree(world, data):
    sub = f.OrgUnitFactory(
        municipality=world.municipality,
        parent=world.sn,
        kind="forvaltning",
        name="Socialförvaltningen",
    )
    finding = f.FindingFactory(unit=sub)
    reader = f.UserFactory(municipality=world.municipality)
    f.RoleAssignmentFactory(user=reader, unit=world.sn, role=Role.BOARD_MEMBER)
    assert finding in visible(reader, Finding)
    assert data["finding_bun"] not in visible(reader, Finding)


def test_scope_refuses_models_without_a_rule(coordinator):
    from organisation.models import Municipality

    with pytest.raises(LookupError):
        policy.scope(coordinator, Municipality.objects.all())
