"""Policy rules added for audits: secret audits' details, units one may create in."""

import pytest

from organisation import policy
from organisation.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def audits(world):
    open_audit = f.AuditFactory(municipality=world.municipality, addressed_units=[world.sn])
    secret_audit = f.AuditFactory(
        municipality=world.municipality, addressed_units=[world.sn], is_secret=True
    )
    return {
        "open_obs": f.ObservationFactory(audit=open_audit),
        "secret_obs": f.ObservationFactory(audit=open_audit, is_secret=True),
        "obs_of_secret_audit": f.ObservationFactory(audit=secret_audit),
        "open_rec": f.RecommendationFactory(audit=open_audit, addressee=world.sn),
        "rec_of_secret_audit": f.RecommendationFactory(audit=secret_audit, addressee=world.sn),
        "secret_audit": secret_audit,
    }


def test_board_member_sees_only_public_details(board_member, audits):
    assert set(policy.observations(board_member)) == {audits["open_obs"]}
    assert set(policy.recommendations(board_member)) == {audits["open_rec"]}
    assert audits["secret_audit"] in policy.audits(board_member)  # the summary is public
    assert not policy.may_read_secret_details_of_audit(board_member, audits["secret_audit"])


@pytest.mark.parametrize("who", ["coordinator", "auditor", "admin_user"])
def test_secret_roles_see_all_details(request, who, audits):
    user = request.getfixturevalue(who)
    assert len(policy.observations(user)) == 3
    assert len(policy.recommendations(user)) == 2
    assert policy.may_read_secret_details_of_audit(user, audits["secret_audit"])


def test_other_municipality_sees_nothing(outsider, audits):
    assert not policy.observations(outsider).exists()
    assert not policy.recommendations(outsider).exists()


def test_units_for_creating(world, coordinator, controller, board_member, outsider):
    assert set(policy.units_for_creating(coordinator)) == {world.root, world.sn, world.bun}
    assert not policy.units_for_creating(controller).exists()
    assert not policy.units_for_creating(board_member).exists()
    assert set(policy.units_for_creating(outsider)) == {world.other_root}
    sn_admin = f.UserFactory(municipality=world.municipality)
    f.RoleAssignmentFactory(user=sn_admin, unit=world.sn, role=Role.ADMIN)
    assert set(policy.units_for_creating(sn_admin)) == {world.sn}
