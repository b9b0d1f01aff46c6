import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from findings.models import Action
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_controller_start_page_lists_own_controls(client_for, world, controller):
    today = timezone.localdate()
    point = f.ControlPointFactory(plan__unit=world.sn, owner=controller, title="Mobilabonnemang")
    f.ControlOccurrenceFactory(control_point=point, due_date=today - datetime.timedelta(days=3))
    someone_else = f.UserFactory(municipality=world.municipality)
    other = f.ControlPointFactory(
        plan=point.plan, title="Någon annans kontroll", owner=someone_else
    )
    f.ControlOccurrenceFactory(control_point=other)
    response = client_for(controller).get(reverse("home"))
    assert response.status_code == 200
    assert "Mobilabonnemang" in response.text
    assert "Någon annans kontroll" not in response.text
    assert "Försenad" in response.text


def test_action_owner_start_page_lists_own_actions(client_for, world, action_owner):
    f.ActionFactory(unit=world.sn, owner=action_owner, title="Byt standardlösenord")
    f.ActionFactory(unit=world.sn, title="Annans åtgärd")
    f.ActionFactory(
        unit=world.sn, owner=action_owner, title="Klar åtgärd", status=Action.Status.DONE
    )
    text = client_for(action_owner).get(reverse("home")).text
    assert "Byt standardlösenord" in text
    assert "Annans åtgärd" not in text
    assert "Klar åtgärd" not in text


def test_coordinator_sees_overview_counts(client_for, world, coordinator):
    f.FindingFactory(unit=world.sn)
    f.FindingFactory(unit=world.bun, severity="high")
    f.FindingFactory(unit=world.other_root)
    response = client_for(coordinator).get(reverse("home"))
    assert response.context["start"].overview["findings"]["open"] == 2
    assert response.context["start"].overview["findings"]["high"] == 1


def test_start_page_query_count_is_constant(
    client_for, world, controller, django_assert_max_num_queries
):
    plan = f.ControlPlanFactory(unit=world.sn)
    for _ in range(40):
        point = f.ControlPointFactory(plan=plan, owner=controller)
        f.ControlOccurrenceFactory(control_point=point)
    client = client_for(controller)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("home")).status_code == 200


def test_user_without_roles_gets_a_helpful_page(client_for, world, nobody):
    response = client_for(nobody).get(reverse("home"))
    assert response.status_code == 200
    assert "inget att göra" in response.text


def test_coordinator_sees_what_waits_for_verification(client_for, world, coordinator, admin_user):
    from findings.models import Finding

    f.FindingFactory(unit=world.sn, title="Åtgärdad brist", status=Finding.Status.REMEDIED)
    f.FindingFactory(unit=world.sn, title="Öppen brist", status=Finding.Status.OPEN)
    text = client_for(coordinator).get(reverse("home")).text
    assert "Att verifiera" in text and "Åtgärdad brist" in text
    assert "Öppen brist" not in text.split("Att verifiera")[1].split("</section>")[0]
    with time_machine.travel(datetime.datetime(2026, 12, 5, 9, tzinfo=datetime.UTC)):
        later = client_for(coordinator).get(reverse("home")).text
    assert "rapporteras till dig senast 2027-03-01" in later
    # Only the coordinator verifies: the administrator has no such panel.
    assert "Att verifiera" not in client_for(admin_user).get(reverse("home")).text
