import pytest
from django.urls import reverse

from organisation.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_unit_list_shows_own_municipality_only(client_for, world, controller):
    response = client_for(controller).get(reverse("organisation:unit_list"))
    assert response.status_code == 200
    assert "Socialnämnden" in response.text
    assert "Kommunfullmäktige Beta" not in response.text


def test_unit_detail_of_other_municipality_is_404(client_for, world, controller, outsider):
    assert client_for(outsider).get(world.sn.get_absolute_url()).status_code == 404
    assert client_for(controller).get(world.sn.get_absolute_url()).status_code == 200


def test_role_holders_visible_to_managers_only(client_for, world, coordinator, board_member):
    f.RoleAssignmentFactory(
        unit=world.sn,
        role=Role.CONTROLLER,
        user__username="synlig",
        user__municipality=world.municipality,
        user__first_name="Synlig",
        user__last_name="Person",
    )
    assert "Synlig Person" in client_for(coordinator).get(world.sn.get_absolute_url()).text
    assert "Synlig Person" not in client_for(board_member).get(world.sn.get_absolute_url()).text


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("organisation:unit_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_decisions_confined_to_municipality(client_for, world, auditor, outsider):
    decision = f.DecisionFactory(organ=world.root, title="Slutredovisning av internkontroll 2017")
    assert (
        client_for(auditor).get(reverse("organisation:decision_list")).text.count("Slutredovisning")
        == 1
    )
    assert client_for(auditor).get(decision.get_absolute_url()).status_code == 200
    assert client_for(outsider).get(decision.get_absolute_url()).status_code == 404


def test_my_account_lists_roles(client_for, world, controller):
    response = client_for(controller).get(reverse("organisation:my_account"))
    assert response.status_code == 200
    assert "Kontrollant" in response.text
    assert "Socialnämnden" in response.text


def test_unit_history_is_shown(client_for, world, coordinator):
    world.sn.name = "Social- och omsorgsnämnden"
    world.sn.save()
    response = client_for(coordinator).get(world.sn.get_absolute_url())
    assert "Ändringshistorik" in response.text
    assert "Socialnämnden" in response.text  # the old name, struck through
