"""Every status transition of findings and actions: allowed, refused, and who may do it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from findings import services
from findings.models import Action, ActionEvidence, ActionProgress, Finding, FindingEvidence
from organisation.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

FS = Finding.Status
AS = Action.Status


@pytest.fixture
def finding(world, coordinator):
    return f.FindingFactory(unit=world.sn, created_by=coordinator)


@pytest.fixture
def action(world, finding, action_owner):
    return f.ActionFactory(unit=world.sn, owner=action_owner, findings=[finding])


def reasons(obj):
    return [h.history_change_reason for h in obj.history.order_by("history_date", "history_id")]


def set_status(obj, status, **extra):
    type(obj).objects.filter(pk=obj.pk).update(status=status, **extra)
    obj.refresh_from_db()
    return obj


# --- the transition table ---------------------------------------------------------------------


ALL_FINDING = list(FS)


@pytest.mark.parametrize(
    ("transition", "allowed_from"),
    [
        ("start_remediation", {FS.OPEN}),
        ("mark_remedied", {FS.OPEN, FS.IN_PROGRESS}),
        ("verify", {FS.REMEDIED}),
        ("accept_risk", {FS.OPEN, FS.IN_PROGRESS, FS.REMEDIED}),
        ("reopen", {FS.REMEDIED, FS.VERIFIED, FS.RISK_ACCEPTED}),
    ],
)
@pytest.mark.parametrize("status", ALL_FINDING)
def test_finding_transition_table(transition, allowed_from, status):
    finding = Finding(status=status)
    if status in allowed_from:
        services.check_finding_transition(finding, transition)
    else:
        with pytest.raises(services.TransitionNotAllowed) as error:
            services.check_finding_transition(finding, transition)
        assert finding.get_status_display() in error.value.messages[0]


@pytest.mark.parametrize(
    ("transition", "allowed_from"),
    [
        ("start", {AS.NOT_STARTED}),
        ("complete", {AS.NOT_STARTED, AS.IN_PROGRESS}),
        ("cancel", {AS.NOT_STARTED, AS.IN_PROGRESS}),
        ("reopen", {AS.DONE, AS.CANCELLED}),
        ("carry_over", {AS.NOT_STARTED, AS.IN_PROGRESS}),
    ],
)
@pytest.mark.parametrize("status", list(AS))
def test_action_transition_table(transition, allowed_from, status):
    action = Action(status=status)
    if status in allowed_from:
        services.check_action_transition(action, transition)
    else:
        with pytest.raises(services.TransitionNotAllowed):
            services.check_action_transition(action, transition)


def test_unknown_transition_is_refused_in_swedish():
    with pytest.raises(services.TransitionNotAllowed, match="Okänd statusändring"):
        services.check_finding_transition(Finding(status=FS.OPEN), "close_everything")


# --- findings ---------------------------------------------------------------------------------


def test_full_finding_workflow_follows_actions_and_records_reasons(
    finding, action, coordinator, action_owner
):
    services.start_action(action=action, user=action_owner, comment="Leverantören kontaktad")
    finding.refresh_from_db()
    assert finding.status == FS.IN_PROGRESS

    services.complete_action(
        action=action, user=action_owner, comment="Lösenorden bytta", evidence=[f.pdf_upload()]
    )
    finding.refresh_from_db()
    assert finding.status == FS.REMEDIED

    services.verify_finding(finding=finding, user=coordinator, note="Ny skanning utan fynd")
    finding.refresh_from_db()
    assert finding.status == FS.VERIFIED
    assert finding.verified_by == coordinator
    assert finding.verification_note == "Ny skanning utan fynd"
    assert reasons(finding)[-3:] == [
        "En åtgärd har påbörjats",
        "Alla åtgärder är genomförda",
        "Verifierad: Ny skanning utan fynd",
    ]
    last = finding.history.latest()
    assert last.history_user == coordinator
    log = list(action.progress.order_by("pk").values_list("status_after", flat=True))
    assert log == [AS.IN_PROGRESS, AS.DONE]


def test_verify_without_evidence_is_refused_and_changes_nothing(finding, action, coordinator):
    services.complete_action(action=action, user=coordinator, comment="Klart, inget underlag")
    finding.refresh_from_db()
    assert finding.status == FS.REMEDIED
    history_before = finding.history.count()
    with pytest.raises(ValidationError) as error:
        services.verify_finding(finding=finding, user=coordinator, note="Kontrollerat")
    assert "Verifiering kräver underlag" in error.value.message_dict["evidence"][0]
    finding.refresh_from_db()
    assert finding.status == FS.REMEDIED
    assert finding.history.count() == history_before


def test_verify_with_evidence_uploaded_at_verification(world, coordinator):
    finding = set_status(f.FindingFactory(unit=world.sn), FS.REMEDIED)
    services.verify_finding(
        finding=finding, user=coordinator, note="Skärmbild", evidence=[f.pdf_upload("skan.pdf")]
    )
    assert FindingEvidence.objects.get(finding=finding).original_name == "skan.pdf"
    assert finding.status == FS.VERIFIED


def test_verify_needs_a_note(world, coordinator):
    finding = set_status(f.FindingFactory(unit=world.sn), FS.REMEDIED)
    with pytest.raises(ValidationError) as error:
        services.verify_finding(
            finding=finding, user=coordinator, note=" ", evidence=[f.pdf_upload()]
        )
    assert "note" in error.value.message_dict
    assert not FindingEvidence.objects.exists()


def test_evidence_of_a_cancelled_action_does_not_count(finding, action, coordinator):
    services.add_progress(
        action=action, user=coordinator, comment="Utkast", evidence=[f.pdf_upload()]
    )
    services.cancel_action(action=action, user=coordinator, reason="Ersätts av upphandling")
    assert not services.finding_has_evidence(finding)


def test_verify_refused_when_not_remedied(finding, coordinator):
    with pytest.raises(services.TransitionNotAllowed, match="Endast åtgärdade avvikelser"):
        services.verify_finding(
            finding=finding, user=coordinator, note="x", evidence=[f.pdf_upload()]
        )
    finding.refresh_from_db()
    assert finding.status == FS.OPEN
    assert not FindingEvidence.objects.exists()


@pytest.mark.parametrize(
    "who", ["admin_user", "controller", "action_owner", "board_member", "auditor"]
)
def test_only_the_coordinator_verifies_and_accepts_risk(request, world, who):
    user = request.getfixturevalue(who)
    finding = set_status(f.FindingFactory(unit=world.sn), FS.REMEDIED)
    with pytest.raises(PermissionDenied):
        services.verify_finding(finding=finding, user=user, note="x", evidence=[f.pdf_upload()])
    with pytest.raises(PermissionDenied):
        services.accept_risk(finding=finding, user=user, motivation="Kostar för mycket")
    finding.refresh_from_db()
    assert finding.status == FS.REMEDIED


def test_coordinator_of_another_unit_cannot_verify(world):
    bun_coordinator = f.UserFactory(municipality=world.municipality)
    f.RoleAssignmentFactory(user=bun_coordinator, unit=world.bun, role=Role.COORDINATOR)
    finding = set_status(f.FindingFactory(unit=world.sn), FS.REMEDIED)
    with pytest.raises(PermissionDenied):
        services.verify_finding(
            finding=finding, user=bun_coordinator, note="x", evidence=[f.pdf_upload()]
        )


def test_accept_risk_needs_motivation_and_records_approver(finding, coordinator):
    with pytest.raises(ValidationError) as error:
        services.accept_risk(finding=finding, user=coordinator, motivation="")
    assert "motivation" in error.value.message_dict
    finding.refresh_from_db()
    assert finding.status == FS.OPEN

    services.accept_risk(finding=finding, user=coordinator, motivation="Systemet avvecklas Q4 2019")
    finding.refresh_from_db()
    assert finding.status == FS.RISK_ACCEPTED
    assert finding.risk_accepted_by == coordinator
    assert reasons(finding)[-1] == "Risk accepterad: Systemet avvecklas Q4 2019"


def test_accept_risk_refused_when_closed(world, coordinator):
    finding = set_status(f.FindingFactory(unit=world.sn), FS.VERIFIED, verified_by=coordinator)
    with pytest.raises(services.TransitionNotAllowed):
        services.accept_risk(finding=finding, user=coordinator, motivation="x")


def test_reopen_clears_closure_and_needs_reason(world, coordinator, admin_user):
    finding = set_status(f.FindingFactory(unit=world.sn), FS.VERIFIED, verified_by=coordinator)
    with pytest.raises(PermissionDenied):
        services.reopen_finding(finding=finding, user=admin_user, reason="Ny skanning")
    with pytest.raises(ValidationError):
        services.reopen_finding(finding=finding, user=coordinator, reason="")
    services.reopen_finding(finding=finding, user=coordinator, reason="Bristen återkom")
    finding.refresh_from_db()
    assert finding.status == FS.OPEN
    assert finding.verified_by is None
    assert reasons(finding)[-1] == "Återöppnad: Bristen återkom"


def test_reopen_refused_for_open_finding(finding, coordinator):
    with pytest.raises(services.TransitionNotAllowed, match="behöver inte återöppnas"):
        services.reopen_finding(finding=finding, user=coordinator, reason="x")


def test_reopened_finding_with_open_action_is_in_progress(finding, action, coordinator):
    services.start_action(action=action, user=coordinator)
    services.accept_risk(finding=finding, user=coordinator, motivation="Tillfälligt")
    services.reopen_finding(finding=finding, user=coordinator, reason="Ändrad bedömning")
    finding.refresh_from_db()
    assert finding.status == FS.IN_PROGRESS


def test_manual_start_and_mark_remedied(finding, admin_user, action_owner):
    with pytest.raises(PermissionDenied):
        services.start_remediation(finding=finding, user=action_owner)
    services.start_remediation(finding=finding, user=admin_user)
    with pytest.raises(services.TransitionNotAllowed):
        services.start_remediation(finding=finding, user=admin_user)
    with pytest.raises(ValidationError):
        services.mark_remedied(finding=finding, user=admin_user, comment="")
    services.mark_remedied(finding=finding, user=admin_user, comment="Åtgärdat direkt")
    finding.refresh_from_db()
    assert finding.status == FS.REMEDIED


def test_verified_finding_is_not_moved_by_its_actions(finding, action, coordinator):
    services.complete_action(
        action=action, user=coordinator, comment="Klart", evidence=[f.pdf_upload()]
    )
    finding.refresh_from_db()
    services.verify_finding(finding=finding, user=coordinator, note="Ok")
    services.reopen_action(action=action, user=coordinator, reason="Fel system")
    finding.refresh_from_db()
    assert finding.status == FS.VERIFIED


def test_new_action_on_remedied_finding_puts_it_back_in_progress(
    world, finding, action, coordinator
):
    services.complete_action(action=action, user=coordinator, comment="Klart")
    finding.refresh_from_db()
    assert finding.status == FS.REMEDIED
    services.create_action(
        user=coordinator, unit=world.sn, title="Mer", owner=coordinator, findings=[finding]
    )
    finding.refresh_from_db()
    assert finding.status == FS.IN_PROGRESS


def test_create_finding_checks_right_and_dates(world, coordinator, controller):
    with pytest.raises(PermissionDenied):
        services.create_finding(
            user=controller, unit=world.sn, title="x", source="incident", severity="high"
        )
    with pytest.raises(ValidationError):
        services.create_finding(
            user=coordinator,
            unit=world.sn,
            title="x",
            source="incident",
            severity="high",
            identified_date=timezone.localdate() + datetime.timedelta(days=3),
        )
    with pytest.raises(ValidationError):
        services.create_finding(
            user=coordinator, unit=world.sn, title="x", source="nonsense", severity="high"
        )
    assert not Finding.objects.exists()
    finding = services.create_finding(
        user=coordinator, unit=world.sn, title="Delade lösenord", source="incident", severity="high"
    )
    assert finding.municipality == world.municipality
    assert finding.created_by == coordinator


def test_create_finding_refuses_system_of_other_municipality(world, coordinator):
    other_system = f.SystemFactory(owning_unit=world.other_root)
    with pytest.raises(ValidationError):
        services.create_finding(
            user=coordinator,
            unit=world.sn,
            title="x",
            source="incident",
            severity="high",
            systems=[other_system],
        )
    assert not Finding.objects.exists()


# --- actions ----------------------------------------------------------------------------------


def test_owner_updates_own_action_only(world, action, action_owner):
    other = f.ActionFactory(unit=world.sn)
    with pytest.raises(PermissionDenied):
        services.start_action(action=other, user=action_owner)
    with pytest.raises(PermissionDenied):
        services.cancel_action(action=action, user=action_owner, reason="Orkar inte")
    services.start_action(action=action, user=action_owner)
    assert action.status == AS.IN_PROGRESS


def test_complete_needs_comment_and_stores_evidence(action, action_owner):
    with pytest.raises(ValidationError) as error:
        services.complete_action(action=action, user=action_owner, comment="  ")
    assert error.value.message_dict["comment"] == ["Beskriv vad som har gjorts."]
    action.refresh_from_db()
    assert action.status == AS.NOT_STARTED
    assert not ActionProgress.objects.exists()

    services.complete_action(
        action=action, user=action_owner, comment="Klart", evidence=[f.pdf_upload("bevis.pdf")]
    )
    action.refresh_from_db()
    assert action.status == AS.DONE
    assert action.completed_date == timezone.localdate()
    evidence = ActionEvidence.objects.get()
    assert evidence.original_name == "bevis.pdf"
    assert evidence.uploaded_by == action_owner
    assert evidence.progress.status_after == AS.DONE


def test_complete_refuses_a_file_that_is_not_what_it_claims(action, action_owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("bevis.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(ValidationError):
        services.complete_action(action=action, user=action_owner, comment="Klart", evidence=[fake])
    action.refresh_from_db()
    assert action.status == AS.NOT_STARTED
    assert not ActionProgress.objects.exists()


def test_complete_refused_twice(action, action_owner):
    services.complete_action(action=action, user=action_owner, comment="Klart")
    with pytest.raises(services.TransitionNotAllowed, match="kan inte markeras som genomförd"):
        services.complete_action(action=action, user=action_owner, comment="Igen")


def test_cancel_needs_reason_and_then_cannot_start(action, coordinator):
    with pytest.raises(ValidationError):
        services.cancel_action(action=action, user=coordinator, reason="")
    services.cancel_action(action=action, user=coordinator, reason="Systemet avvecklas")
    action.refresh_from_db()
    assert action.status == AS.CANCELLED
    assert action.cancel_reason == "Systemet avvecklas"
    with pytest.raises(services.TransitionNotAllowed):
        services.start_action(action=action, user=coordinator)


def test_reopen_action(action, coordinator, action_owner):
    with pytest.raises(services.TransitionNotAllowed):
        services.reopen_action(action=action, user=coordinator, reason="x")
    services.complete_action(action=action, user=action_owner, comment="Klart")
    with pytest.raises(PermissionDenied):
        services.reopen_action(action=action, user=action_owner, reason="x")
    services.reopen_action(action=action, user=coordinator, reason="Ofullständigt")
    action.refresh_from_db()
    assert action.status == AS.IN_PROGRESS
    assert action.completed_date is None


def test_progress_log_entry_keeps_status(action, action_owner):
    entry = services.add_progress(
        action=action, user=action_owner, comment="Möte med leverantören", evidence=[f.pdf_upload()]
    )
    action.refresh_from_db()
    assert action.status == AS.NOT_STARTED
    assert entry.status_after == ""
    assert entry.evidence.count() == 1
    with pytest.raises(ValidationError):
        services.add_progress(
            action=action,
            user=action_owner,
            comment="Från framtiden",
            date=timezone.localdate() + datetime.timedelta(days=1),
        )


def test_overdue_is_derived(world, action_owner):
    today = timezone.localdate()
    late = f.ActionFactory(
        unit=world.sn, owner=action_owner, deadline=today - datetime.timedelta(days=1)
    )
    assert late.is_overdue
    assert list(Action.objects.overdue()) == [late]
    services.complete_action(action=late, user=action_owner, comment="Klart")
    late.refresh_from_db()
    assert not late.is_overdue
    assert not Action.objects.overdue().exists()


def test_carry_over_creates_successor_and_counts_once(world, finding, action, coordinator):
    audit = f.AuditFactory(municipality=world.municipality, addressed_units=[world.sn])
    recommendation = f.RecommendationFactory(audit=audit, addressee=world.sn)
    action.recommendations.add(recommendation)
    response = f.BoardResponseFactory(audit=audit, unit=world.sn)
    item = f.ResponseItemFactory(response=response, recommendation=recommendation)
    item.actions.add(action)
    old_deadline = datetime.date(2018, 12, 31)
    Action.objects.filter(pk=action.pk).update(deadline=old_deadline, status=AS.IN_PROGRESS)
    action.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        services.carry_over_action(
            action=action,
            user=coordinator,
            deadline=datetime.date(2018, 6, 30),
            deadline_precision="day",
        )
    assert "senare än den gamla" in error.value.message_dict["deadline"][0]

    successor = services.carry_over_action(
        action=action,
        user=coordinator,
        deadline=datetime.date(2019, 3, 31),
        deadline_precision="quarter",
    )
    action.refresh_from_db()
    assert action.status == AS.CARRIED_OVER
    assert successor.carried_over_from == action
    assert successor.status == AS.IN_PROGRESS
    assert successor.deadline_display == "Q1 2019"
    assert set(successor.findings.all()) == {finding}
    assert set(successor.recommendations.all()) == {recommendation}
    assert successor in item.actions.all()
    # Counted once: only the successor is open.
    assert set(Action.objects.open()) == {successor}
    with pytest.raises(services.TransitionNotAllowed):
        services.carry_over_action(
            action=action,
            user=coordinator,
            deadline=datetime.date(2020, 1, 1),
            deadline_precision="day",
        )
    with pytest.raises(services.TransitionNotAllowed):
        services.add_progress(action=action, user=coordinator, comment="x")


def test_deadline_before_audit_date_is_refused(world, coordinator):
    audit = f.AuditFactory(
        municipality=world.municipality,
        addressed_units=[world.sn],
        report_date=datetime.date(2017, 9, 15),
    )
    recommendation = f.RecommendationFactory(audit=audit, addressee=world.sn)
    with pytest.raises(ValidationError) as error:
        services.create_action(
            user=coordinator,
            unit=world.sn,
            title="Handlingsplan",
            owner=coordinator,
            deadline=datetime.date(2016, 12, 31),
            deadline_precision="year",
            recommendations=[recommendation],
        )
    assert error.value.message_dict["deadline"] == [
        f"Klart senast (2016) kan inte vara före granskningens rapportdatum 2017-09-15 ({audit})."
    ]
    assert not Action.objects.exists()


def test_a_coarse_deadline_is_due_at_the_end_of_its_period(world, coordinator):
    """ "Q1 2019" given as any day of the quarter falls due on 31 March, not before."""
    action = services.create_action(
        user=coordinator,
        unit=world.sn,
        title="Riktlinjer",
        owner=coordinator,
        deadline=datetime.date(2019, 1, 15),
        deadline_precision="quarter",
    )
    assert action.deadline == datetime.date(2019, 3, 31)
    services.update_action(action=action, user=coordinator, deadline_precision="year")
    action.refresh_from_db()
    assert action.deadline == datetime.date(2019, 12, 31)
    later = services.carry_over_action(
        action=action,
        user=coordinator,
        deadline=datetime.date(2020, 2, 3),
        deadline_precision="month",
    )
    assert later.deadline == datetime.date(2020, 2, 29)


def test_create_action_notifies_owner_and_refuses_owner_of_other_municipality(
    world, coordinator, action_owner, outsider
):
    with pytest.raises(ValidationError):
        services.create_action(user=coordinator, unit=world.sn, title="x", owner=outsider)
    action = services.create_action(
        user=coordinator, unit=world.sn, title="Byt lösenord", owner=action_owner
    )
    assert action_owner.notifications.get().url == action.get_absolute_url()
    with pytest.raises(PermissionDenied):
        services.create_action(user=action_owner, unit=world.sn, title="x", owner=action_owner)
