"""The findings pages: every view's access ladder, the workflow through the web, bad input."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from findings.models import Action, ActionEvidence, Finding
from organisation.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

FS = Finding.Status
AS = Action.Status


@pytest.fixture
def data(world, coordinator, action_owner):
    finding = f.FindingFactory(unit=world.sn, title="Delade lösenord på servrar", reference="PwC 1")
    secret = f.FindingFactory(
        unit=world.sn, title="Standardlösenord i brandväggen", is_secret=True, reference="PwC 2"
    )
    bun_finding = f.FindingFactory(unit=world.bun, title="Saknad behörighetsrutin")
    action = f.ActionFactory(
        unit=world.sn, owner=action_owner, findings=[finding], title="Byt delade lösenord"
    )
    secret_action = f.ActionFactory(
        unit=world.sn, owner=coordinator, findings=[secret], title="Byt brandväggens lösenord"
    )
    other_finding = f.FindingFactory(unit=world.other_root, title="Betas brist")
    other_action = f.ActionFactory(unit=world.other_root, findings=[other_finding])
    return locals()


def url(name, *args):
    return reverse(f"findings:{name}", args=args)


# --- access ladder ----------------------------------------------------------------------------


LIST_PAGES = ["finding_list", "action_list", "my_actions"]


@pytest.mark.parametrize("name", [*LIST_PAGES, "dashboard"])
def test_anonymous_is_sent_to_login(client, data, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["finding_detail", "finding_edit", "finding_verify"])
def test_anonymous_detail_is_sent_to_login(client, data, name):
    response = client.get(url(name, data["finding"].pk))
    assert response.status_code == 302


def test_coordinator_sees_all_units_including_secret(client_for, coordinator, data):
    page = client_for(coordinator).get(url("finding_list")).text
    assert "Delade lösenord på servrar" in page
    assert "Standardlösenord i brandväggen" in page
    assert "Saknad behörighetsrutin" in page
    assert "Betas brist" not in page
    for key in ("finding", "secret", "bun_finding"):
        assert client_for(coordinator).get(data[key].get_absolute_url()).status_code == 200
    assert client_for(coordinator).get(data["action"].get_absolute_url()).status_code == 200


def test_board_member_never_sees_secret_findings(client_for, board_member, data):
    client = client_for(board_member)
    page = client.get(url("finding_list")).text
    assert "Delade lösenord på servrar" in page
    assert "Standardlösenord" not in page
    assert "Saknad behörighetsrutin" not in page  # BUN is not their unit
    assert client.get(data["secret"].get_absolute_url()).status_code == 404
    assert client.get(data["secret_action"].get_absolute_url()).status_code == 404
    assert "Byt brandväggens lösenord" not in client.get(url("action_list")).text
    # Not even through the export or the dashboard's recent changes.
    export = client.get(url("finding_export", "csv")).content.decode("utf-8")
    assert "Standardlösenord" not in export
    assert "Standardlösenord" not in client.get(url("dashboard")).text
    # Reading is fine; changing is not.
    assert client.get(data["finding"].get_absolute_url()).status_code == 200
    assert client.get(url("finding_edit", data["finding"].pk)).status_code == 403
    assert client.get(url("finding_verify", data["finding"].pk)).status_code == 403


def test_action_owner_sees_and_updates_only_own_actions(client_for, action_owner, data):
    client = client_for(action_owner)
    page = client.get(url("action_list")).text
    assert "Byt delade lösenord" in page
    assert "Byt brandväggens lösenord" not in page
    assert client.get(data["action"].get_absolute_url()).status_code == 200
    assert client.get(data["secret_action"].get_absolute_url()).status_code == 404
    assert client.get(url("action_complete", data["action"].pk)).status_code == 200
    assert client.get(url("action_cancel", data["action"].pk)).status_code == 403
    assert client.get(url("action_edit", data["action"].pk)).status_code == 403
    assert client.post(url("action_start", data["secret_action"].pk)).status_code == 404
    # The finding behind their action, but no other.
    assert client.get(data["finding"].get_absolute_url()).status_code == 200
    assert client.get(data["bun_finding"].get_absolute_url()).status_code == 404
    assert client.get(url("dashboard")).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "finding_detail",
        "finding_edit",
        "finding_start",
        "finding_remedied",
        "finding_verify",
        "finding_accept_risk",
        "finding_reopen",
        "finding_action_create",
    ],
)
def test_other_municipality_gets_404_on_findings(client_for, outsider, data, name):
    assert client_for(outsider).get(url(name, data["finding"].pk)).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "action_detail",
        "action_edit",
        "action_start",
        "action_complete",
        "action_progress",
        "action_cancel",
        "action_reopen",
        "action_carry_over",
        "my_action_update",
    ],
)
def test_other_municipality_gets_404_on_actions(client_for, outsider, data, name):
    client = client_for(outsider)
    if name == "my_action_update":
        assert client.post(url(name, data["action"].pk)).status_code == 404
    else:
        assert client.get(url(name, data["action"].pk)).status_code == 404


def test_outsider_lists_show_nothing_of_a(client_for, outsider, data):
    client = client_for(outsider)
    page = client.get(url("finding_list")).text
    assert "Delade lösenord" not in page
    assert "Betas brist" in page
    assert "Byt delade" not in client.get(url("action_list")).text


def test_nobody_sees_empty_lists_and_no_dashboard(client_for, nobody, data):
    client = client_for(nobody)
    assert "Delade lösenord" not in client.get(url("finding_list")).text
    assert client.get(url("dashboard")).status_code == 403
    assert client.get(url("finding_create")).status_code == 403
    assert client.get(data["finding"].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("who", ["admin_user", "controller", "board_member", "auditor"])
def test_only_coordinator_reaches_verify_page(client_for, request, data, who):
    user = request.getfixturevalue(who)
    assert client_for(user).get(url("finding_verify", data["finding"].pk)).status_code == 403


def test_coordinator_of_bun_cannot_see_sn(client_for, world, data):
    bun = f.UserFactory(username="bunsam", municipality=world.municipality)
    f.RoleAssignmentFactory(user=bun, unit=world.bun, role=Role.COORDINATOR)
    client = client_for(bun)
    assert client.get(data["finding"].get_absolute_url()).status_code == 404
    assert client.get(data["bun_finding"].get_absolute_url()).status_code == 200


# --- workflow through the web -----------------------------------------------------------------


def test_register_finding_and_action_then_verify(client_for, world, coordinator, action_owner):
    client = client_for(coordinator)
    response = client.post(
        url("finding_create"),
        {
            "unit": world.sn.pk,
            "title": "Konton för personer som slutat",
            "source": "access_review",
            "severity": "high",
            "identified_date": "2025-06-15",
            "description": "3 användare från Räddningstjänsten okända för systemförvaltaren.",
        },
    )
    finding = Finding.objects.get(title="Konton för personer som slutat")
    assert response.status_code == 302
    assert response["Location"] == finding.get_absolute_url()

    response = client.post(
        url("finding_action_create", finding.pk),
        {
            "unit": world.sn.pk,
            "title": "Stäng kontona",
            "owner": action_owner.pk,
            "deadline_text": "Q1 2019",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(title="Stäng kontona")
    assert action.deadline == datetime.date(2019, 3, 31)
    assert action.deadline_precision == "quarter"
    assert list(action.findings.all()) == [finding]

    owner = client_for(action_owner)
    response = owner.post(
        url("action_complete", action.pk),
        {
            "date": timezone.localdate().isoformat(),
            "comment": "Kontona stängda",
            "evidence": f.pdf_upload("export.pdf"),
        },
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FS.REMEDIED

    client = client_for(coordinator)
    detail = client.get(finding.get_absolute_url()).text
    assert "export.pdf" in detail
    response = client.post(url("finding_verify", finding.pk), {"note": "Kontrollerat i AD"})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FS.VERIFIED
    page = client.get(finding.get_absolute_url()).text
    assert "Verifierad: Kontrollerat i AD" in page  # the history shows the reason


def test_verify_without_evidence_shows_swedish_error_and_changes_nothing(
    client_for, world, coordinator
):
    finding = f.FindingFactory(unit=world.sn)
    Finding.objects.filter(pk=finding.pk).update(status=FS.REMEDIED)
    response = client_for(coordinator).post(url("finding_verify", finding.pk), {"note": "Ok"})
    assert response.status_code == 400
    assert "Verifiering kräver underlag" in response.text
    finding.refresh_from_db()
    assert finding.status == FS.REMEDIED


def test_verify_open_finding_is_refused_with_message(client_for, data, coordinator):
    response = client_for(coordinator).post(
        url("finding_verify", data["finding"].pk),
        {"note": "x", "evidence": f.pdf_upload()},
    )
    assert response.status_code == 400
    assert "Endast åtgärdade avvikelser kan verifieras" in response.text
    data["finding"].refresh_from_db()
    assert data["finding"].status == FS.OPEN


def test_accept_risk_without_motivation_is_refused(client_for, data, coordinator):
    response = client_for(coordinator).post(
        url("finding_accept_risk", data["finding"].pk), {"motivation": ""}
    )
    assert response.status_code == 400
    assert "Detta fält måste fyllas i." in response.text
    data["finding"].refresh_from_db()
    assert data["finding"].status == FS.OPEN


def test_bad_deadline_gives_swedish_error(client_for, data, coordinator, action_owner):
    response = client_for(coordinator).post(
        url("finding_action_create", data["finding"].pk),
        {
            "unit": data["finding"].unit_id,
            "title": "x",
            "owner": action_owner.pk,
            "deadline_text": "Q5 2019",
        },
    )
    assert response.status_code == 400
    assert "Kvartalet måste vara 1–4." in response.text
    assert not Action.objects.filter(title="x").exists()


def test_deadline_before_audit_date_refused_through_web(
    client_for, world, coordinator, action_owner
):
    audit = f.AuditFactory(
        municipality=world.municipality,
        addressed_units=[world.sn],
        report_date=datetime.date(2017, 9, 15),
    )
    finding = f.FindingFactory(unit=world.sn, audit=audit)
    response = client_for(coordinator).post(
        url("finding_action_create", finding.pk),
        {
            "unit": world.sn.pk,
            "title": "För tidig",
            "owner": action_owner.pk,
            "deadline_text": "2016-01-01",
        },
    )
    assert response.status_code == 400
    assert "kan inte vara före granskningens rapportdatum 2017-09-15" in response.text
    assert not Action.objects.filter(title="För tidig").exists()


def test_unknown_status_in_filter_is_a_swedish_error(client_for, data, coordinator):
    response = client_for(coordinator).get(url("finding_list"), {"status": "bogus"})
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.text
    assert "Delade lösenord" not in response.text


def test_carry_over_through_web(client_for, data, coordinator):
    action = data["secret_action"]
    Action.objects.filter(pk=action.pk).update(deadline=datetime.date(2018, 12, 31))
    response = client_for(coordinator).post(
        url("action_carry_over", action.pk), {"deadline": "Q2 2019", "comment": ""}
    )
    successor = Action.objects.get(carried_over_from=action)
    assert response["Location"] == successor.get_absolute_url()
    action.refresh_from_db()
    assert action.status == AS.CARRIED_OVER


# --- Mina åtgärder (htmx) ---------------------------------------------------------------------


def test_my_actions_lists_only_own(client_for, action_owner, data):
    page = client_for(action_owner).get(url("my_actions")).text
    assert "Byt delade lösenord" in page
    assert "Byt brandväggens lösenord" not in page


def test_my_action_update_in_place_with_htmx(client_for, action_owner, data):
    action = data["action"]
    client = client_for(action_owner)
    response = client.post(
        url("my_action_update", action.pk),
        {f"a{action.pk}-status": "in_progress", f"a{action.pk}-comment": "Påbörjat"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<article")
    assert "Åtgärden är påbörjad." in response.text
    action.refresh_from_db()
    assert action.status == AS.IN_PROGRESS

    response = client.post(
        url("my_action_update", action.pk),
        {
            f"a{action.pk}-status": "done",
            f"a{action.pk}-comment": "Alla lösenord bytta",
            f"a{action.pk}-evidence": f.pdf_upload("bevis.pdf"),
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Åtgärden är markerad som genomförd." in response.text
    action.refresh_from_db()
    assert action.status == AS.DONE
    assert ActionEvidence.objects.get().original_name == "bevis.pdf"
    data["finding"].refresh_from_db()
    assert data["finding"].status == FS.REMEDIED


def test_my_action_update_errors_are_shown_in_place(client_for, action_owner, data):
    action = data["action"]
    client = client_for(action_owner)
    response = client.post(
        url("my_action_update", action.pk),
        {f"a{action.pk}-status": "done", f"a{action.pk}-comment": ""},
        HTTP_HX_REQUEST="true",
    )
    assert "Beskriv vad som har gjorts." in response.text
    response = client.post(
        url("my_action_update", action.pk),
        {f"a{action.pk}-status": "finished"},
        HTTP_HX_REQUEST="true",
    )
    assert "Välj ett giltigt alternativ" in response.text
    action.refresh_from_db()
    assert action.status == AS.NOT_STARTED


def test_my_action_update_without_htmx_redirects(client_for, action_owner, data):
    action = data["action"]
    response = client_for(action_owner).post(
        url("my_action_update", action.pk),
        {f"a{action.pk}-status": "not_started", f"a{action.pk}-comment": "Väntar på leverantör"},
    )
    assert response.status_code == 302
    assert action.progress.get().comment == "Väntar på leverantör"


def test_my_action_update_of_someone_elses_action_is_404(client_for, coordinator, data):
    action = data["action"]
    response = client_for(coordinator).post(
        url("my_action_update", action.pk), {f"a{action.pk}-status": "in_progress"}
    )
    assert response.status_code == 404


# --- evidence download ------------------------------------------------------------------------


def test_evidence_download_is_permission_checked_attachment(
    client_for, data, action_owner, board_member, outsider, coordinator
):
    from findings import services

    services.complete_action(
        action=data["action"], user=action_owner, comment="Klart", evidence=[f.pdf_upload("x.pdf")]
    )
    services.complete_action(
        action=data["secret_action"],
        user=coordinator,
        comment="Klart",
        evidence=[f.pdf_upload("s.pdf")],
    )
    plain = ActionEvidence.objects.get(original_name="x.pdf")
    secret = ActionEvidence.objects.get(original_name="s.pdf")
    response = client_for(board_member).get(url("action_evidence", plain.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(board_member).get(url("action_evidence", secret.pk)).status_code == 404
    assert client_for(outsider).get(url("action_evidence", plain.pk)).status_code == 404
    assert client_for(board_member).get(url("action_evidence", 999999)).status_code == 404
