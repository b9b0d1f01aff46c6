from organisation import policy
from tests import factories as f


def test_policy_confines_findings_to_municipality_and_secrecy(
    world, board_member, coordinator, outsider
):
    visible = f.FindingFactory(unit=world.sn)
    secret = f.FindingFactory(unit=world.sn, is_secret=True)
    f.FindingFactory(unit=world.other_root)
    assert list(policy.findings(board_member)) == [visible]
    assert set(policy.findings(coordinator)) == {visible, secret}
    assert list(policy.findings(outsider).filter(municipality=world.municipality)) == []
