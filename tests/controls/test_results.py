"""Logging results: the result, "ej genomförd", and deviation → finding + actions + notice."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from controls import services
from controls.models import ControlOccurrence, OccurrenceEvidence
from controls.services import ActionInput, FindingInput
from findings.models import Action, Finding, Severity
from notifications.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db
OUT = ControlOccurrence.Outcome
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def occurrence(world, controller, sn_plan):
    point = f.ControlPointFactory(plan=sn_plan, owner=controller, title="Behörigheter")
    return f.ControlOccurrenceFactory(control_point=point, period_label="Juni 2026")


def test_no_remarks_result_is_recorded(controller, occurrence, today):
    result = services.log_result(
        occurrence=occurrence,
        user=controller,
        performed_date=today,
        outcome=OUT.NO_REMARKS,
        checked_what="Jämförde 412 konton med lönesystemet.",
        sample="100 %",
        evidence=[SimpleUploadedFile("underlag.pdf", PDF, content_type="application/pdf")],
    )
    occurrence.refresh_from_db()
    assert occurrence.status == ControlOccurrence.Status.DONE
    assert occurrence.performed_by == controller and occurrence.recorded_at
    assert result.finding is None and not Finding.objects.exists()
    evidence = OccurrenceEvidence.objects.get()
    assert evidence.occurrence == occurrence and evidence.content_type == "application/pdf"
    assert evidence.original_name == "underlag.pdf" and len(evidence.sha256) == 64
    assert occurrence.history.first().history_user == controller


def test_deviation_creates_finding_and_actions_and_notifies_owners(
    world, controller, action_owner, occurrence, today
):
    system = f.SystemFactory(owning_unit=world.sn, name="Kartsystemet")
    occurrence.control_point.systems.add(system)
    deadline = today + datetime.timedelta(days=60)
    result = services.log_result(
        occurrence=occurrence,
        user=controller,
        performed_date=today,
        outcome=OUT.MAJOR_DEVIATION,
        comment="3 användare från Räddningstjänsten och 2 testkonton.",
        finding=FindingInput(title="Okända konton i kartsystemet"),
        actions=[
            ActionInput(title="Stäng testkontona", owner=action_owner, deadline=deadline),
            ActionInput(title="Rutin för slutat", owner=controller, deadline=deadline),
        ],
    )
    finding = Finding.objects.get()
    assert finding.occurrence == occurrence and finding.source == Finding.Source.CONTROL
    assert finding.unit == world.sn and finding.severity == Severity.HIGH
    assert finding.identified_date == today and list(finding.systems.all()) == [system]
    actions = Action.objects.order_by("pk")
    assert [a.title for a in actions] == ["Stäng testkontona", "Rutin för slutat"]
    assert all(list(a.findings.all()) == [finding] for a in actions)
    assert actions[0].owner == action_owner and actions[0].deadline == deadline
    notice = Notification.objects.get(recipient=action_owner)
    assert notice.kind == Notification.Kind.ASSIGNED
    assert notice.url == actions[0].get_absolute_url()
    assert "Stäng testkontona" in notice.title
    assert result.finding == finding and len(result.actions) == 2


def test_minor_deviation_gets_medium_severity_unless_chosen(
    controller, action_owner, occurrence, today
):
    services.log_result(
        occurrence=occurrence,
        user=controller,
        performed_date=today,
        outcome=OUT.MINOR_DEVIATION,
        finding=FindingInput(title="Avvikelse", is_secret=True),
        actions=[ActionInput(title="Åtgärda", owner=action_owner, deadline=today)],
    )
    finding = Finding.objects.get()
    assert finding.severity == Severity.MEDIUM and finding.is_secret


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"outcome": ""}, "outcome", "Välj utfall"),
        ({"performed_date": "future"}, "performed_date", "framtiden"),
        ({"outcome": OUT.MINOR_DEVIATION}, "actions", "minst en åtgärd"),
        (
            {"outcome": OUT.MINOR_DEVIATION, "finding": None, "actions": "one"},
            "finding_title",
            "rubrik",
        ),
    ],
)
def test_bad_results_are_refused_and_change_nothing(
    controller, action_owner, occurrence, today, kwargs, field, message
):
    arguments = {
        "occurrence": occurrence,
        "user": controller,
        "performed_date": today,
        "outcome": OUT.NO_REMARKS,
        "finding": FindingInput(title="Avvikelse"),
    } | kwargs
    if arguments["performed_date"] == "future":
        arguments["performed_date"] = today + datetime.timedelta(days=1)
    if arguments.get("actions") == "one":
        arguments["actions"] = [ActionInput(title="x", owner=action_owner, deadline=today)]
    with pytest.raises(ValidationError) as exc:
        services.log_result(**arguments)
    assert message in " ".join(exc.value.message_dict[field])
    occurrence.refresh_from_db()
    assert occurrence.status == ControlOccurrence.Status.PLANNED
    assert not Finding.objects.exists() and not Action.objects.exists()


def test_bad_action_rolls_back_result_and_finding(world, controller, occurrence, today, outsider):
    with pytest.raises(ValidationError, match="aktiv användare i kommunen"):
        services.log_result(
            occurrence=occurrence,
            user=controller,
            performed_date=today,
            outcome=OUT.MAJOR_DEVIATION,
            finding=FindingInput(title="Avvikelse"),
            actions=[ActionInput(title="x", owner=outsider, deadline=today)],
        )
    occurrence.refresh_from_db()
    assert occurrence.status == ControlOccurrence.Status.PLANNED
    assert not Finding.objects.exists() and not Notification.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 100, "inte tillåten"),
        ("stor.pdf", PDF + b"0" * (21 * 1024 * 1024), "för stor"),
        ("falsk.pdf", b"MZ\x90\x00 not a pdf", "stämmer inte"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_stored(
    controller, occurrence, today, name, content, message
):
    with pytest.raises(ValidationError) as exc:
        services.log_result(
            occurrence=occurrence,
            user=controller,
            performed_date=today,
            outcome=OUT.NO_REMARKS,
            evidence=[SimpleUploadedFile(name, content)],
        )
    assert message in " ".join(exc.value.message_dict["evidence"])
    assert name in " ".join(exc.value.message_dict["evidence"])
    occurrence.refresh_from_db()
    assert occurrence.status == ControlOccurrence.Status.PLANNED
    assert not OccurrenceEvidence.objects.exists()


def test_a_result_is_logged_once(controller, occurrence, today):
    services.log_result(
        occurrence=occurrence, user=controller, performed_date=today, outcome=OUT.NO_REMARKS
    )
    with pytest.raises(ValidationError, match="redan registrerat"):
        services.log_result(
            occurrence=occurrence, user=controller, performed_date=today, outcome=OUT.NO_REMARKS
        )
    with pytest.raises(ValidationError, match="redan registrerat"):
        services.mark_not_done(occurrence=occurrence, user=controller, reason="x")


def test_not_done_needs_a_reason(controller, occurrence):
    with pytest.raises(ValidationError, match="varför"):
        services.mark_not_done(occurrence=occurrence, user=controller, reason="  ")
    services.mark_not_done(occurrence=occurrence, user=controller, reason="Systemet byttes ut")
    occurrence.refresh_from_db()
    assert occurrence.status == ControlOccurrence.Status.NOT_DONE
    assert occurrence.not_done_reason == "Systemet byttes ut"


def test_no_results_in_a_final_reported_plan(controller, occurrence, today):
    plan = occurrence.control_point.plan
    plan.adoption_decision = f.DecisionFactory(organ=plan.unit, municipality=plan.municipality)
    plan.status = plan.Status.FINAL_REPORTED
    plan.save()
    with pytest.raises(ValidationError, match="slutredovisad"):
        services.log_result(
            occurrence=occurrence, user=controller, performed_date=today, outcome=OUT.NO_REMARKS
        )
