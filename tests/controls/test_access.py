"""Every view of the controls app, role by role: the ladder anonymous → wrong role → right role,
and the other municipality's data answers 404 and never shows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from controls import services
from controls.models import ControlOccurrence, OccurrenceEvidence
from organisation.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def data(world, controller, other_controller, sn_plan):
    own = f.ControlPointFactory(plan=sn_plan, owner=controller, title="Egen kontroll SN")
    unowned = f.ControlPointFactory(plan=sn_plan, owner=None, title="Oägd kontroll SN")
    others = f.ControlPointFactory(plan=sn_plan, owner=other_controller, title="Annans kontroll SN")
    bun_plan = f.ControlPlanFactory(unit=world.bun, year=sn_plan.year, title="Plan BUN")
    bun_point = f.ControlPointFactory(plan=bun_plan, title="Kontroll BUN")
    b_plan = f.ControlPlanFactory(unit=world.other_root, year=sn_plan.year, title="Plan Beta")
    b_point = f.ControlPointFactory(plan=b_plan, title="Kontroll Beta")
    occ = {
        name: f.ControlOccurrenceFactory(control_point=point, period_label=f"P {name}")
        for name, point in {
            "own": own,
            "unowned": unowned,
            "others": others,
            "bun": bun_point,
            "beta": b_point,
        }.items()
    }
    done = f.ControlOccurrenceFactory(
        control_point=own,
        status=ControlOccurrence.Status.DONE,
        performed_date=occ["own"].due_date.replace(year=occ["own"].due_date.year - 1),
        outcome=ControlOccurrence.Outcome.NO_REMARKS,
    )
    evidence = OccurrenceEvidence(occurrence=done, uploaded_by=controller, original_name="u.pdf")
    evidence.file.save("u.pdf", SimpleUploadedFile("u.pdf", PDF), save=False)
    evidence.content_type, evidence.size, evidence.sha256 = "application/pdf", len(PDF), "0" * 64
    evidence.save()
    return {
        "plan": sn_plan,
        "bun_plan": bun_plan,
        "b_plan": b_plan,
        "own": own,
        "others": others,
        "b_point": b_point,
        "occ": occ,
        "done": done,
        "evidence": evidence,
    }


def users(request, names):
    return {name: request.getfixturevalue(name) for name in names}


READERS = ["coordinator", "admin_user", "controller", "board_member", "auditor"]


def get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def post(client, user, url, data=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.post(url, data or {})


# --- object pages that everybody with a read role sees -----------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("controls:plan_detail", "plan"),
        ("controls:plan_overview", "plan"),
        ("controls:plan_export", "plan"),
        ("controls:point_detail", "own"),
        ("controls:occurrence_detail", "done"),
    ],
)
def test_object_pages_ladder(request, client, data, name, key, bun_controller):
    url = reverse(name, args=[data[key].pk])
    response = get(client, None, url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    for user in ("nobody", "outsider", "action_owner"):
        assert get(client, request.getfixturevalue(user), url).status_code == 404, user
    assert get(client, bun_controller, url).status_code == 404
    for user in READERS:
        assert get(client, request.getfixturevalue(user), url).status_code == 200, user


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("controls:plan_detail", "b_plan"),
        ("controls:plan_overview", "b_plan"),
        ("controls:plan_export", "b_plan"),
        ("controls:point_detail", "b_point"),
        ("controls:point_edit", "b_point"),
        ("controls:plan_adopt", "b_plan"),
        ("controls:plan_import", "b_plan"),
    ],
)
def test_other_municipality_is_404_even_for_a_coordinator(client, data, coordinator, name, key):
    assert get(client, coordinator, reverse(name, args=[data[key].pk])).status_code == 404


def test_other_municipalitys_occurrence_is_404(client, data, coordinator):
    url = reverse("controls:occurrence_detail", args=[data["occ"]["beta"].pk])
    assert get(client, coordinator, url).status_code == 404
    assert (
        post(
            client, coordinator, reverse("controls:occurrence_log", args=[data["occ"]["beta"].pk])
        ).status_code
        == 404
    )


# --- pages that change a plan ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("controls:plan_edit", "plan"),
        ("controls:plan_adopt", "plan"),
        ("controls:plan_final_report", "plan"),
        ("controls:plan_import", "plan"),
        ("controls:point_create", "plan"),
        ("controls:point_edit", "own"),
        ("controls:point_delete", "own"),
    ],
)
def test_change_pages_are_for_managers_of_the_unit(request, client, data, name, key):
    url = reverse(name, args=[data[key].pk])
    assert get(client, None, url).status_code == 302
    for user in ("controller", "board_member", "auditor"):
        assert get(client, request.getfixturevalue(user), url).status_code == 403, user
    for user in ("nobody", "outsider"):
        assert get(client, request.getfixturevalue(user), url).status_code == 404, user
    for user in ("coordinator", "admin_user"):
        assert get(client, request.getfixturevalue(user), url).status_code == 200, user


def test_a_coordinator_of_another_unit_cannot_change_sn(world, client, data):
    bun_coordinator = f.UserFactory(username="samordnare-bun", municipality=world.municipality)
    f.RoleAssignmentFactory(user=bun_coordinator, unit=world.bun, role=Role.COORDINATOR)
    assert (
        get(
            client, bun_coordinator, reverse("controls:plan_edit", args=[data["plan"].pk])
        ).status_code
        == 404
    )
    assert (
        get(
            client, bun_coordinator, reverse("controls:plan_edit", args=[data["bun_plan"].pk])
        ).status_code
        == 200
    )


@pytest.mark.parametrize("name", ["controls:plan_copy", "controls:plan_delete"])
def test_plan_posts_are_for_managers(request, client, data, name, coordinator):
    url = reverse(name, args=[data["plan"].pk])
    assert post(client, None, url).status_code == 302
    assert get(client, coordinator, url).status_code == 405
    for user in ("controller", "board_member", "auditor"):
        assert post(client, request.getfixturevalue(user), url).status_code == 403, user
    assert post(client, request.getfixturevalue("outsider"), url).status_code == 404
    assert post(client, coordinator, url).status_code == 302


def test_creating_plans_is_for_managers(client, data, coordinator, controller, board_member):
    for name in ("controls:plan_create", "controls:plan_import_new"):
        url = reverse(name)
        assert get(client, None, url).status_code == 302
        assert get(client, controller, url).status_code == 403
        assert get(client, board_member, url).status_code == 403
        assert get(client, coordinator, url).status_code == 200


def test_plan_create_offers_only_managed_units(world, client, data):
    bun_coordinator = f.UserFactory(username="samordnare-bun", municipality=world.municipality)
    f.RoleAssignmentFactory(user=bun_coordinator, unit=world.bun, role=Role.COORDINATOR)
    response = get(client, bun_coordinator, reverse("controls:plan_create"))
    assert list(response.context["form"].fields["unit"].queryset) == [world.bun]
    response = post(
        client,
        bun_coordinator,
        reverse("controls:plan_create"),
        {"unit": world.sn.pk, "year": 2030},
    )
    assert response.status_code == 200 and "giltigt alternativ" in response.text


# --- logging results ------------------------------------------------------------------------------


def log_data(today):
    return {"performed_date": today.isoformat(), "outcome": "no_remarks", "checked_what": "Allt"}


def test_controller_logs_own_and_unowned_points_of_the_unit_only(
    client, data, controller, other_controller, bun_controller, board_member, auditor, today
):
    occ = data["occ"]
    url = lambda key: reverse("controls:occurrence_log", args=[occ[key].pk])  # noqa: E731
    assert post(client, None, url("own"), log_data(today)).status_code == 302
    assert post(client, controller, url("others"), log_data(today)).status_code == 403
    assert post(client, board_member, url("own"), log_data(today)).status_code == 403
    assert post(client, auditor, url("own"), log_data(today)).status_code == 403
    assert post(client, bun_controller, url("own"), log_data(today)).status_code == 404
    assert post(client, controller, url("own"), log_data(today)).status_code == 302
    assert post(client, other_controller, url("unowned"), log_data(today)).status_code == 302
    assert post(client, other_controller, url("others"), log_data(today)).status_code == 302
    statuses = dict(
        ControlOccurrence.objects.filter(pk__in=[o.pk for o in occ.values()]).values_list(
            "pk", "status"
        )
    )
    assert (
        statuses[occ["own"].pk]
        == statuses[occ["unowned"].pk]
        == statuses[occ["others"].pk]
        == "done"
    )
    assert statuses[occ["bun"].pk] == "planned"


def test_not_done_follows_the_same_rule(client, data, controller, board_member):
    occ = data["occ"]["others"]
    url = reverse("controls:occurrence_not_done", args=[occ.pk])
    assert post(client, controller, url, {"not_done_reason": "x"}).status_code == 403
    assert post(client, board_member, url, {"not_done_reason": "x"}).status_code == 403
    occ.refresh_from_db()
    assert occ.status == ControlOccurrence.Status.PLANNED


def test_the_log_form_is_shown_only_to_who_may_log(client, data, controller, board_member):
    url = reverse("controls:occurrence_detail", args=[data["occ"]["own"].pk])
    assert "Registrera resultat" in get(client, controller, url).text
    assert "Registrera resultat" not in get(client, board_member, url).text
    url = reverse("controls:occurrence_detail", args=[data["occ"]["others"].pk])
    assert "Registrera resultat" not in get(client, controller, url).text


# --- lists ----------------------------------------------------------------------------------------

LISTS = [
    "controls:plan_list",
    "controls:point_list",
    "controls:occurrence_list",
    "controls:risk_matrix",
    "controls:risk_scale",
    "controls:import_template",
]


@pytest.mark.parametrize("name", LISTS)
def test_lists_ladder(request, client, data, name):
    url = reverse(name)
    assert get(client, None, url).status_code == 302
    for user in ("nobody", "action_owner"):
        assert get(client, request.getfixturevalue(user), url).status_code == 403, user
    for user in [*READERS, "outsider"]:
        assert get(client, request.getfixturevalue(user), url).status_code == 200, user


MARKERS = {
    "controls:plan_list": ("Internkontrollplan SN", "Plan BUN", "Plan Beta"),
    "controls:point_list": ("Egen kontroll SN", "Kontroll BUN", "Kontroll Beta"),
    "controls:occurrence_list": ("Egen kontroll SN", "Kontroll BUN", "Kontroll Beta"),
}


@pytest.mark.parametrize("name", list(MARKERS))
def test_lists_show_only_what_the_user_may_see(request, client, data, name, bun_controller):
    sn, bun, beta = MARKERS[name]
    cases = [
        ("board_member", {sn}),
        ("coordinator", {sn, bun}),
        ("outsider", {beta}),
    ]
    for user, expected in cases:
        text = get(client, request.getfixturevalue(user), reverse(name)).text
        assert {m for m in (sn, bun, beta) if m in text} == expected, user
    text = get(client, bun_controller, reverse(name)).text
    assert {m for m in (sn, bun, beta) if m in text} == {bun}


def test_owner_without_a_unit_role_reads_controls(world, client, data):
    owner = f.UserFactory(username="agare", municipality=world.municipality)
    data["own"].owner = owner
    data["own"].save()
    assert get(client, owner, reverse("controls:plan_list")).status_code == 200
    assert (
        get(client, owner, reverse("controls:point_detail", args=[data["own"].pk])).status_code
        == 200
    )
    assert (
        get(client, owner, reverse("controls:point_detail", args=[data["others"].pk])).status_code
        == 404
    )


def test_my_controls_lists_what_the_user_is_to_do(
    client, data, controller, other_controller, nobody
):
    assert get(client, None, reverse("controls:my_controls")).status_code == 302
    text = get(client, controller, reverse("controls:my_controls")).text
    assert "Egen kontroll SN" in text and "Oägd kontroll SN" in text
    assert "Annans kontroll SN" not in text and "Kontroll BUN" not in text and "Beta" not in text
    text = get(client, other_controller, reverse("controls:my_controls")).text
    assert "Annans kontroll SN" in text and "Egen kontroll SN" not in text
    response = get(client, nobody, reverse("controls:my_controls"))
    assert response.status_code == 200 and response.context["data"].total == 0


# --- evidence -------------------------------------------------------------------------------------


def test_evidence_download_is_permission_checked(request, client, data, bun_controller):
    url = reverse("controls:evidence_download", args=[data["evidence"].pk])
    assert get(client, None, url).status_code == 302
    for user in ("nobody", "outsider", "action_owner"):
        assert get(client, request.getfixturevalue(user), url).status_code == 404, user
    assert get(client, bun_controller, url).status_code == 404
    for user in READERS:
        response = get(client, request.getfixturevalue(user), url)
        assert response.status_code == 200, user
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF


def test_evidence_of_a_secret_deviation_is_for_secret_roles(
    client, data, board_member, auditor, controller
):
    f.FindingFactory(
        unit=data["plan"].unit, occurrence=data["done"], is_secret=True, source="control"
    )
    url = reverse("controls:evidence_download", args=[data["evidence"].pk])
    assert get(client, board_member, url).status_code == 404
    assert get(client, auditor, url).status_code == 200
    assert get(client, controller, url).status_code == 200  # the control owner


# --- import preview -------------------------------------------------------------------------------


def test_a_staged_import_is_only_for_its_uploader(
    world, client, data, coordinator, admin_user, outsider
):
    content = "Nr;Process/rutin;Kontrollpunkt;Risk;Sannolikhet;Konsekvens;Kontrollmoment;Frekvens;Kontrollansvarig\r\n1;P;K;R;2;2;M;Årligen;x\r\n"
    staged = services.stage_import(
        user=coordinator,
        uploaded=SimpleUploadedFile("p.csv", content.encode()),
        unit=world.bun,
        year=2030,
    )
    url = reverse("controls:import_preview", args=[staged.pk])
    assert get(client, None, url).status_code == 302
    assert get(client, admin_user, url).status_code == 404
    assert post(client, admin_user, url).status_code == 404
    assert get(client, outsider, url).status_code == 404
    assert get(client, coordinator, url).status_code == 200
