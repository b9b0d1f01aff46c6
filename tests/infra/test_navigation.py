"""Every menu entry a user is shown opens for that user: nobody is offered a link to a 403."""

import pytest
from django.urls import reverse

from core.navigation import menu
from systems.models import SystemRole
from tests import factories as f

pytestmark = pytest.mark.django_db

CAST = ["coordinator", "admin_user", "controller", "action_owner", "board_member", "auditor"]


@pytest.mark.parametrize("who", [*CAST, "nobody", "system_manager", "outsider"])
def test_every_menu_entry_opens(request, client_for, world, who):
    if who == "system_manager":
        user = f.UserFactory(username="forvaltare", municipality=world.municipality)
        f.SystemRoleFactory(system__owning_unit=world.sn, user=user, kind=SystemRole.Kind.MANAGER)
    else:
        user = request.getfixturevalue(who)
    client = client_for(user)
    items = menu(user)
    assert items[0].url_name == "home"
    for item in items:
        if item.url_name.startswith("admin:"):
            continue
        response = client.get(reverse(item.url_name))
        assert response.status_code == 200, f"{who}: {item.label} answered {response.status_code}"


def test_the_menu_follows_the_roles(world, controller, action_owner, board_member, coordinator):
    def labels(user):
        return {str(item.label) for item in menu(user)}

    assert "Internkontroll" not in labels(action_owner)
    assert "Översikt" not in labels(action_owner) | labels(board_member)
    assert "Mina åtgärder" not in labels(board_member)
    assert "Mina rapporter" in labels(board_member)
    assert {"Översikt", "Behörigheter", "Mina kontroller"} <= labels(coordinator)
    assert "Säkerhet" not in labels(coordinator)


def test_a_system_manager_is_offered_their_controls_and_reviews(world):
    user = f.UserFactory(username="forvaltare", municipality=world.municipality)
    role = f.SystemRoleFactory(system__owning_unit=world.sn, user=user)
    f.ControlOccurrenceFactory(control_point__plan__unit=world.sn, control_point__owner=user)
    labels = {str(item.label) for item in menu(user)}
    assert {"Mina kontroller", "Behörigheter", "System"} <= labels
    assert role.kind == SystemRole.Kind.MANAGER


def test_the_current_page_is_marked(client_for, controller):
    html = client_for(controller).get(reverse("controls:my_controls")).text
    assert f'href="{reverse("controls:my_controls")}" aria-current="page"' in html
