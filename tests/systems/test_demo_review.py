"""The demo's access review of the map system (S000: three users from Räddningstjänsten and two
test users unknown to the system manager) is what the real matching gives for those accounts."""

from __future__ import annotations

import datetime

import pytest

from core.demo.systems import REVIEW_ACCOUNTS, fictional_personnummer
from systems import services
from systems.models import AccessReviewItem
from tests import factories as f
from tests.systems.conftest import csv_file

pytestmark = pytest.mark.django_db
C = AccessReviewItem.Category


def test_the_demo_flags_are_what_the_matching_finds(world, system, manager):
    today = datetime.date.today()
    review = f.AccessReviewFactory(system=system, review_date=today)
    accounts = [["Användarnamn", "Namn", "Personnummer", "Senaste inloggning", "Roll", "Enhet"]]
    roster = [["Personnummer", "Namn", "Slutdatum"]]
    for account, name, birth, serial, role, unit, category, _match in REVIEW_ACCOUNTS:
        pnr = fictional_personnummer(birth, serial) if birth else ""
        login = today - datetime.timedelta(days=50 if category == C.LEFT else 6)
        accounts.append([account, name, pnr, login.isoformat(), role, unit])
        if category in (C.OK, C.LEFT):  # the municipality's own staff are in the payroll roster
            end = (today - datetime.timedelta(days=45)).isoformat() if category == C.LEFT else ""
            roster.append([pnr, name, end])
    services.upload_and_match(
        review=review,
        user=manager,
        accounts_file=csv_file("geosecma.csv", accounts),
        roster_file=csv_file("heroma.csv", roster, encoding="cp1252"),
    )
    found = dict(review.items.values_list("account_id", "category"))
    assert found == {row[0]: row[6] for row in REVIEW_ACCOUNTS}
    assert sorted(a for a, c in found.items() if c == C.EXTERNAL) == [
        "rtj.jlindberg",
        "rtj.mnyberg",
        "rtj.pforsberg",
    ]
    assert sorted(a for a, c in found.items() if c == C.TEST) == ["gistest1", "gistest2"]
