"""The policy rules for reports: who reads which version, who may order."""

from __future__ import annotations

import pytest

from organisation import policy
from organisation.models import Role
from reports.models import Report
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_report_units_are_the_managed_subtree(
    world, coordinator, controller, board_member, outsider
):
    assert set(policy.report_units(coordinator)) == {world.root, world.sn, world.bun}
    assert not policy.report_units(controller).exists()
    assert not policy.report_units(board_member).exists()
    assert world.root not in policy.report_units(outsider)
    sn_admin = f.UserFactory(username="sn-admin", municipality=world.municipality)
    f.RoleAssignmentFactory(user=sn_admin, unit=world.sn, role=Role.ADMIN)
    assert set(policy.report_units(sn_admin)) == {world.sn}


def test_may_order_report(world, coordinator, controller, auditor, outsider):
    assert policy.may_order_report(coordinator, world.sn, Report.Audience.BOARD)
    assert policy.may_order_report(coordinator, world.sn, Report.Audience.INTERNAL)
    assert not policy.may_order_report(controller, world.sn, Report.Audience.BOARD)
    assert not policy.may_order_report(auditor, world.sn, Report.Audience.INTERNAL)
    assert not policy.may_order_report(outsider, world.sn, Report.Audience.BOARD)


def test_readers_of_reports(world, coordinator, board_member, auditor, controller):
    board = f.ReportFactory(unit=world.sn)
    internal = f.ReportFactory(unit=world.sn, audience=Report.Audience.INTERNAL)
    bun = f.ReportFactory(unit=world.bun)
    assert set(policy.reports(board_member)) == {board}
    assert set(policy.reports(controller)) == {board}
    assert set(policy.reports(auditor)) == {board, internal, bun}
    assert set(policy.reports(coordinator)) == {board, internal, bun}
