"""Audit services: the S001 chain with reassessment, recommendations entering the register,
board responses from draft to dispatched."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits import services
from audits.models import Assessment, Audit, BoardResponse, RecommendationAssessment
from findings.models import Action, Finding
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit_2014(world, coordinator):
    return services.create_audit(
        user=coordinator,
        title="Granskning av IT-säkerhet",
        body=Audit.Body.ELECTED_AUDITORS,
        kind=Audit.Kind.IN_DEPTH,
        report_date=datetime.date(2014, 10, 1),
        addressed_units=[world.root, world.sn],
        firm="KPMG",
    )


def test_create_audit_checks_dates_units_and_rights(world, coordinator, controller):
    kwargs = {
        "title": "IT-säkerhet",
        "body": Audit.Body.ELECTED_AUDITORS,
        "kind": Audit.Kind.IN_DEPTH,
        "report_date": datetime.date(2017, 9, 15),
    }
    with pytest.raises(ValidationError) as error:
        services.create_audit(
            user=coordinator,
            addressed_units=[world.sn],
            response_deadline=datetime.date(2017, 9, 1),
            **kwargs,
        )
    assert error.value.message_dict["response_deadline"] == [
        "Svar senast (2017-09-01) kan inte vara före rapportdatum 2017-09-15."
    ]
    with pytest.raises(ValidationError):
        services.create_audit(user=coordinator, addressed_units=[], **kwargs)
    with pytest.raises(ValidationError):
        services.create_audit(user=controller, addressed_units=[world.sn], **kwargs)
    with pytest.raises(ValidationError):
        services.create_audit(user=coordinator, addressed_units=[world.other_root], **kwargs)
    assert not Audit.objects.exists()


def test_report_file_is_checked(world, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("rapport.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError):
        services.create_audit(
            user=coordinator,
            title="x",
            body=Audit.Body.ELECTED_AUDITORS,
            kind=Audit.Kind.BASIC,
            report_date=datetime.date(2017, 1, 1),
            addressed_units=[world.sn],
            report_file=fake,
        )
    assert not Audit.objects.exists()
    audit = services.create_audit(
        user=coordinator,
        title="x",
        body=Audit.Body.ELECTED_AUDITORS,
        kind=Audit.Kind.BASIC,
        report_date=datetime.date(2017, 1, 1),
        addressed_units=[world.sn],
        report_file=f.pdf_upload("Revisionsrapport 2017.pdf"),
    )
    assert audit.report_file_name == "Revisionsrapport 2017.pdf"
    assert audit.report_file.name.startswith("audits/audit/")


def test_recommendation_enters_the_register(audit_2014, world, coordinator):
    rec = services.add_recommendation(
        audit=audit_2014,
        user=coordinator,
        text="Kommunstyrelsen bör ta fram en handlingsplan utifrån MSBFS 2016:1.",
        addressee=world.root,
        severity="high",
    )
    assert rec.number == 1
    finding = Finding.objects.get(recommendation=rec)
    assert finding.source == Finding.Source.AUDIT
    assert finding.audit == audit_2014
    assert finding.unit == world.root
    assert finding.severity == "high"
    assert finding.reference == "2014 rek. 1"
    second = services.add_recommendation(
        audit=audit_2014, user=coordinator, text="x", addressee=world.sn, register_finding=False
    )
    assert second.number == 2
    assert not second.findings.exists()


def test_recommendation_addressee_must_be_audited(audit_2014, world, coordinator):
    with pytest.raises(ValidationError) as error:
        services.add_recommendation(
            audit=audit_2014, user=coordinator, text="x", addressee=world.other_root
        )
    assert "Mottagaren måste vara en granskad nämnd" in error.value.message_dict["addressee"][0]


def test_security_review_observation_becomes_secret_finding(world, coordinator):
    review = services.create_audit(
        user=coordinator,
        title="Teknisk säkerhetsgranskning",
        body=Audit.Body.ADMINISTRATION,
        kind=Audit.Kind.SECURITY_REVIEW,
        report_date=datetime.date(2017, 9, 5),
        addressed_units=[world.root],
        firm="PwC",
        is_secret=True,
    )
    obs = services.add_observation(
        audit=review,
        user=coordinator,
        area="Lösenord",
        text="Lösenord som Sommar2017 kunde gissas.",
        register_finding=True,
        severity="critical",
    )
    finding = Finding.objects.get(observation=obs)
    assert finding.source == Finding.Source.SECURITY_REVIEW
    assert finding.is_secret
    assert finding.severity == "critical"


def test_follow_up_chain_and_reassessment(audit_2014, world, coordinator):
    rec = services.add_recommendation(
        audit=audit_2014, user=coordinator, text="Analys av nuläget", addressee=world.root
    )
    with pytest.raises(ValidationError) as error:
        services.create_follow_up(
            audit=audit_2014, user=coordinator, title="x", report_date=datetime.date(2014, 1, 1)
        )
    assert "måste vara daterad efter" in error.value.message_dict["report_date"][0]

    fu_2016 = services.create_follow_up(
        audit=audit_2014,
        user=coordinator,
        title="Uppföljning 2016",
        report_date=datetime.date(2016, 10, 1),
    )
    assert fu_2016.kind == Audit.Kind.FOLLOW_UP
    assert set(fu_2016.addressed_units.all()) == {world.root, world.sn}
    fu_2017 = services.create_follow_up(
        audit=fu_2016,
        user=coordinator,
        title="Uppföljning 2017",
        report_date=datetime.date(2017, 9, 15),
    )
    rec_2016 = services.add_recommendation(
        audit=fu_2016, user=coordinator, text="Revidera riktlinjerna", addressee=world.root
    )
    assert services.audit_chain(fu_2016) == [audit_2014, fu_2016, fu_2017]
    assert services.recommendations_for_reassessment(fu_2017) == [rec, rec_2016]
    assert services.recommendations_for_reassessment(fu_2016) == [rec]

    services.save_assessments(
        follow_up=fu_2016, user=coordinator, entries=[(rec, Assessment.NOT_REMEDIED, "Pågår")]
    )
    services.save_assessments(
        follow_up=fu_2017,
        user=coordinator,
        entries=[(rec, Assessment.PARTLY_REMEDIED, ""), (rec_2016, Assessment.REMEDIED, "")],
    )
    assert list(
        RecommendationAssessment.objects.filter(recommendation=rec)
        .order_by("follow_up__report_date")
        .values_list("assessment", flat=True)
    ) == [Assessment.NOT_REMEDIED, Assessment.PARTLY_REMEDIED]

    # A recommendation of the follow-up itself cannot be assessed by it.
    with pytest.raises(ValidationError):
        services.save_assessments(
            follow_up=fu_2016, user=coordinator, entries=[(rec_2016, Assessment.REMEDIED, "")]
        )
    with pytest.raises(ValidationError, match="Okänd bedömning"):
        services.save_assessments(follow_up=fu_2017, user=coordinator, entries=[(rec, "klart", "")])
    # An empty value removes this follow-up's assessment.
    services.save_assessments(follow_up=fu_2017, user=coordinator, entries=[(rec, "", "")])
    assert rec.assessments.count() == 1


def test_only_a_follow_up_assesses(audit_2014, coordinator):
    with pytest.raises(ValidationError):
        services.save_assessments(follow_up=audit_2014, user=coordinator, entries=[])


def test_board_response_from_draft_to_dispatched(audit_2014, world, coordinator, action_owner):
    rec = services.add_recommendation(
        audit=audit_2014,
        user=coordinator,
        text="Socialnämnden bör ta fram riktlinjer",
        addressee=world.sn,
    )
    response = services.create_response(audit=audit_2014, user=coordinator, unit=world.sn)
    with pytest.raises(ValidationError, match="redan ett yttrande"):
        services.create_response(audit=audit_2014, user=coordinator, unit=world.sn)
    with pytest.raises(ValidationError, match="utan svar"):
        services.decide_response(
            response=response,
            user=coordinator,
            organ=world.sn,
            meeting_date=datetime.date(2014, 12, 1),
            paragraph="12",
        )
    item = services.add_response_item(
        response=response,
        user=coordinator,
        text="Systemförvaltare utarbetar riktlinjer för behörigheter i Procapita.",
        recommendation=rec,
        actions=[
            {
                "title": "Riktlinjer för behörigheter i Procapita",
                "owner": action_owner,
                "owner_description": "",
                "deadline": datetime.date(2019, 12, 31),
                "deadline_precision": "year",
            }
        ],
    )
    action = item.actions.get()
    assert action.unit == world.sn
    assert set(action.recommendations.all()) == {rec}
    assert set(action.findings.all()) == set(rec.findings.all())
    assert action.deadline_display == "2019"

    signatory = services.add_signatory(
        response=response, user=coordinator, name="Kent Hedberg", title="Ordförande"
    )
    services.add_signatory(
        response=response, user=coordinator, name="Lars Holmkvist", title="Tf Förvaltningschef"
    )
    assert signatory.order == 1

    with pytest.raises(ValidationError) as error:
        services.decide_response(
            response=response,
            user=coordinator,
            organ=world.sn,
            meeting_date=datetime.date(2014, 1, 1),
            paragraph="12",
        )
    assert "före granskningens rapportdatum" in error.value.message_dict["meeting_date"][0]
    with pytest.raises(ValidationError):
        services.dispatch_response(
            response=response, user=coordinator, dispatched_date=datetime.date(2014, 12, 5)
        )

    services.decide_response(
        response=response,
        user=coordinator,
        organ=world.sn,
        meeting_date=datetime.date(2014, 12, 1),
        paragraph="112",
        dnr="SN 2014/77",
    )
    response.refresh_from_db()
    assert response.status == BoardResponse.Status.DECIDED
    assert str(response.decision) == "SN § 112 2014-12-01, Dnr SN 2014/77"
    with pytest.raises(ValidationError, match="kan inte längre ändras"):
        services.add_signatory(response=response, user=coordinator, name="x")
    with pytest.raises(ValidationError, match="kan inte längre ändras"):
        services.add_response_item(
            response=response, user=coordinator, text="x", recommendation=rec
        )
    # Work goes on: more actions can be added to an answer after the decision.
    services.add_item_action(
        item=item, user=coordinator, title="Utbildning", owner=action_owner, deadline=None
    )
    assert item.actions.count() == 2

    with pytest.raises(ValidationError):
        services.dispatch_response(
            response=response, user=coordinator, dispatched_date=datetime.date(2014, 11, 1)
        )
    services.dispatch_response(
        response=response, user=coordinator, dispatched_date=datetime.date(2014, 12, 5)
    )
    response.refresh_from_db()
    assert response.status == BoardResponse.Status.DISPATCHED
    reasons = [h.history_change_reason for h in response.history.order_by("history_date")]
    assert reasons[-1] == "Expedierat 2014-12-05"


def test_response_item_action_deadline_before_audit_refused(
    audit_2014, world, coordinator, action_owner
):
    rec = services.add_recommendation(
        audit=audit_2014, user=coordinator, text="x", addressee=world.sn
    )
    response = services.create_response(audit=audit_2014, user=coordinator, unit=world.sn)
    with pytest.raises(ValidationError) as error:
        services.add_response_item(
            response=response,
            user=coordinator,
            text="Svar",
            recommendation=rec,
            actions=[
                {
                    "title": "För tidigt",
                    "owner": action_owner,
                    "deadline": datetime.date(2013, 12, 31),
                    "deadline_precision": "year",
                }
            ],
        )
    assert "före granskningens rapportdatum 2014-10-01" in error.value.message_dict["deadline"][0]
    assert not response.items.exists()
    assert not Action.objects.exists()


def test_an_answer_to_an_observation_cannot_be_due_before_the_report(
    audit_2014, world, coordinator, action_owner
):
    observation = f.ObservationFactory(audit=audit_2014, number=9)
    response = services.create_response(audit=audit_2014, user=coordinator, unit=world.sn)
    with pytest.raises(ValidationError) as error:
        services.add_response_item(
            response=response,
            user=coordinator,
            text="Rutinerna ses över.",
            observation=observation,
            actions=[
                {"title": "Se över", "owner": action_owner, "deadline": datetime.date(1995, 3, 31)}
            ],
        )
    assert "före granskningens rapportdatum 2014-10-01" in error.value.message_dict["deadline"][0]
    assert not Action.objects.exists()


def test_the_deadline_error_of_an_answer_is_on_its_field(
    client_for, audit_2014, world, coordinator, action_owner
):
    from django.urls import reverse

    rec = services.add_recommendation(
        audit=audit_2014, user=coordinator, text="x", addressee=world.sn
    )
    response = services.create_response(audit=audit_2014, user=coordinator, unit=world.sn)
    page = client_for(coordinator).post(
        reverse("audits:item_create", args=[response.pk]),
        {
            "text": "Svar",
            "recommendation": rec.pk,
            "action_title": "För tidigt",
            "action_owner": action_owner.pk,
            "action_deadline": "2013",
        },
    )
    form = page.context["form"]
    assert "före granskningens rapportdatum" in " ".join(form.errors["action_deadline"])
    assert not form.non_field_errors()


def test_responses_need_rights_on_the_unit(audit_2014, world, board_member, controller):
    with pytest.raises(PermissionDenied):
        services.create_response(audit=audit_2014, user=board_member, unit=world.sn)
    response = f.BoardResponseFactory(audit=audit_2014, unit=world.sn)
    with pytest.raises(PermissionDenied):
        services.add_signatory(response=response, user=controller, name="x")
