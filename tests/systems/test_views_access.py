"""Every view of the systems app, role by role: right role → 200, wrong role → 403/404,
anonymous → login, another municipality → 404 and nothing leaks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from systems.models import AccessReviewItem
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(
    world,
    system,
    manager,
    other_manager,
    coordinator,
    controller,
    board_member,
    auditor,
    nobody,
    outsider,
    review,
):
    f.ClassificationFactory(system=system)
    item = f.AccessReviewItemFactory(review=review, category=AccessReviewItem.Category.TEST)
    plan = system.management_plans.create(year=2026)
    other_system = f.SystemFactory(owning_unit=world.sn, name="Teis")
    integration = system.outgoing_integrations.create(target=other_system)
    role = system.roles.get(user=manager)
    return {
        "anonymous": None,
        "coordinator": coordinator,
        "manager": manager,
        "other_manager": other_manager,
        "controller": controller,
        "board_member": board_member,
        "auditor": auditor,
        "nobody": nobody,
        "outsider": outsider,
        "_ids": {
            "system": system.pk,
            "review": review.pk,
            "item": item.pk,
            "plan": plan.pk,
            "integration": integration.pk,
            "role": role.pk,
        },
    }


def url(name, ids):
    s, r = ids["system"], ids["review"]
    args = {
        "system_list": [],
        "system_export": [],
        "system_import": [],
        "system_create": [],
        "review_list": [],
        "system_detail": [s],
        "system_edit": [s],
        "classification_add": [s],
        "plan_add": [s],
        "plan_edit": [s, ids["plan"]],
        "integration_add": [s],
        "integration_remove": [s, ids["integration"]],
        "role_add": [s],
        "role_remove": [s, ids["role"]],
        "review_create": [s],
        "review_detail": [r],
        "review_upload": [r],
        "review_mapping": [r],
        "item_decide": [r, ids["item"]],
        "review_bulk_decide": [r],
        "review_complete": [r],
        "review_report": [r],
        "review_report_csv": [r],
    }[name]
    return reverse(f"systems:{name}", args=args)


# Expected status per actor: (coordinator, manager, other_manager, controller, board_member,
# auditor, nobody, outsider). 302 for the mapping page: no files yet, so on to the upload step.
GET_MATRIX = {
    "system_list": (200, 200, 200, 200, 200, 200, 200, 200),
    "system_export": (200, 200, 200, 200, 200, 200, 200, 200),
    "review_list": (200, 200, 200, 200, 200, 200, 200, 200),
    "system_create": (200, 403, 403, 403, 403, 403, 403, 200),
    "system_import": (200, 403, 403, 403, 403, 403, 403, 200),
    "system_detail": (200, 200, 404, 200, 200, 200, 404, 404),
    "system_edit": (200, 200, 404, 403, 403, 403, 404, 404),
    "classification_add": (200, 200, 404, 403, 403, 403, 404, 404),
    "plan_add": (200, 200, 404, 403, 403, 403, 404, 404),
    "plan_edit": (200, 200, 404, 403, 403, 403, 404, 404),
    "integration_add": (200, 200, 404, 403, 403, 403, 404, 404),
    "role_add": (200, 403, 404, 403, 403, 403, 404, 404),
    "review_create": (200, 200, 404, 403, 403, 403, 404, 404),
    "review_detail": (200, 200, 404, 404, 404, 200, 404, 404),
    "review_upload": (200, 200, 404, 404, 404, 403, 404, 404),
    "review_mapping": (302, 302, 404, 404, 404, 403, 404, 404),
    "review_report": (200, 200, 404, 404, 404, 200, 404, 404),
    "review_report_csv": (200, 200, 404, 404, 404, 200, 404, 404),
}
POST_MATRIX = {
    "integration_remove": (302, 302, 404, 403, 403, 403, 404, 404),
    "role_remove": (302, 403, 404, 403, 403, 403, 404, 404),
    "item_decide": (302, 302, 404, 404, 404, 403, 404, 404),
    "review_bulk_decide": (302, 302, 404, 404, 404, 403, 404, 404),
    "review_complete": (302, 302, 404, 404, 404, 403, 404, 404),
}
ACTORS = (
    "coordinator",
    "manager",
    "other_manager",
    "controller",
    "board_member",
    "auditor",
    "nobody",
    "outsider",
)


@pytest.mark.parametrize("name", sorted(GET_MATRIX))
def test_get_views(client, cast, name):
    target = url(name, cast["_ids"])
    response = client.get(target)
    assert response.status_code == 302 and reverse("login") in response["Location"], "anonymous"
    for actor, expected in zip(ACTORS, GET_MATRIX[name], strict=True):
        client.force_login(cast[actor])
        assert client.get(target).status_code == expected, actor


@pytest.mark.parametrize("name", sorted(POST_MATRIX))
def test_post_views(client, cast, name):
    target = url(name, cast["_ids"])
    response = client.post(target)
    assert response.status_code == 302 and reverse("login") in response["Location"], "anonymous"
    assert client.get(target).status_code in (302, 405)
    # The allowed actors go last, so a removal by one does not turn the next into a 404.
    order = sorted(zip(ACTORS, POST_MATRIX[name], strict=True), key=lambda pair: pair[1] == 302)
    for actor, expected in order:
        client.force_login(cast[actor])
        data = {"decision": "remove", "items": [cast["_ids"]["item"]]}
        assert client.post(target, data).status_code == expected, actor
        if expected == 302 and name.endswith("_remove"):
            target = url(name, {**cast["_ids"], **_recreate(name, cast)})


def _recreate(name: str, cast: dict) -> dict:
    from systems.models import System, SystemRole

    system = System.objects.get(pk=cast["_ids"]["system"])
    if name == "integration_remove":
        target = f.SystemFactory(owning_unit=system.owning_unit)
        return {"integration": system.outgoing_integrations.create(target=target).pk}
    role = SystemRole.objects.create(system=system, kind=SystemRole.Kind.ORDERER, name="Beställare")
    return {"role": role.pk}


def test_lists_and_exports_never_show_another_municipality(client_for, cast, world):
    theirs = f.SystemFactory(owning_unit=world.other_root, name="Betasystemet")
    f.AccessReviewFactory(system=theirs)
    client = client_for(cast["coordinator"])
    for name in ("system_list", "review_list"):
        assert "Betasystemet" not in client.get(reverse(f"systems:{name}")).content.decode()
    export = client.get(reverse("systems:system_export"))
    assert b"Betasystemet" not in export.content
    outsider = client_for(cast["outsider"])
    page = outsider.get(reverse("systems:system_list")).content.decode()
    assert "Betasystemet" in page and "Geosecma" not in page
    assert "Geosecma" not in outsider.get(reverse("systems:review_list")).content.decode()


def test_a_system_manager_sees_only_the_systems_they_manage(client_for, cast, world):
    f.SystemFactory(owning_unit=world.sn, name="Ekonomisystemet")
    page = client_for(cast["manager"]).get(reverse("systems:system_list")).content.decode()
    assert "Geosecma" in page
    assert "Ekonomisystemet" not in page and "Procapita" not in page
    reviews = client_for(cast["other_manager"]).get(reverse("systems:review_list")).content.decode()
    assert "Geosecma" not in reviews
