"""The free text of a control whose deviation is secret (OSL 18:8) is as secret as the finding."""

import datetime

import pytest
from django.urls import reverse

from controls.models import ControlOccurrence
from organisation import policy
from tests import factories as f

pytestmark = pytest.mark.django_db

DETAIL = "Lösenordet Sommar2017 fungerar på kortskrivaren KS-SKR-01"


@pytest.fixture
def occurrence(world, controller):
    occ = f.ControlOccurrenceFactory(
        control_point__plan__unit=world.sn,
        control_point__owner=controller,
        status=ControlOccurrence.Status.DONE,
        performed_date=datetime.date(2026, 5, 20),
        due_date=datetime.date(2026, 5, 31),
        outcome=ControlOccurrence.Outcome.MAJOR_DEVIATION,
        checked_what=f"Provade inloggning: {DETAIL}",
        comment=DETAIL,
    )
    # A later edit of the comment: the history must not carry the text either.
    occ.comment = f"{DETAIL} (även på skrivare 2)"
    occ.save()
    return occ


def secret_finding(world, occurrence):
    return f.FindingFactory(unit=world.sn, occurrence=occurrence, is_secret=True)


@pytest.mark.parametrize("who", ["board_member", "auditor", "coordinator", "controller"])
def test_details_of_a_secret_deviation(request, client_for, world, occurrence, who):
    secret_finding(world, occurrence)
    user = request.getfixturevalue(who)
    html = client_for(user).get(reverse("controls:occurrence_detail", args=[occurrence.pk])).text
    may_read = who != "board_member"  # secret roles and the control owner read them
    assert (DETAIL in html) is may_read
    assert ("Detaljerna om kontrollen omfattas av sekretess" in html) is not may_read
    assert policy.may_read_occurrence_details(user, occurrence) is may_read


def test_details_of_an_open_deviation_are_for_every_reader(
    client_for, world, occurrence, board_member
):
    f.FindingFactory(unit=world.sn, occurrence=occurrence, is_secret=False)
    html = (
        client_for(board_member)
        .get(reverse("controls:occurrence_detail", args=[occurrence.pk]))
        .text
    )
    assert DETAIL in html
