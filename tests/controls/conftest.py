"""Fixtures of the controls tests: a plan with points and occurrences in SN, KS, the demo."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from controls.models import ControlPlan
from organisation.models import OrgUnit, Role
from tests import factories as f


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def ks(world) -> OrgUnit:
    """Kommunstyrelsen of municipality A, under the council."""
    return f.OrgUnitFactory(
        municipality=world.municipality,
        parent=world.root,
        kind=OrgUnit.Kind.EXECUTIVE_BOARD,
        name="Kommunstyrelsen",
        short_code="KS",
    )


@pytest.fixture
def sn_plan(world, today) -> ControlPlan:
    return f.ControlPlanFactory(unit=world.sn, year=today.year, title="Internkontrollplan SN")


@pytest.fixture
def other_controller(world):
    user = f.UserFactory(username="kontrollant2", municipality=world.municipality)
    f.RoleAssignmentFactory(user=user, unit=world.sn, role=Role.CONTROLLER)
    return user


@pytest.fixture
def bun_controller(world):
    user = f.UserFactory(username="kontrollant-bun", municipality=world.municipality)
    f.RoleAssignmentFactory(user=user, unit=world.bun, role=Role.CONTROLLER)
    return user
