"""The audit pages: access ladder of every view, the chain and reassessment, responses."""

import datetime

import pytest
from django.urls import reverse

from audits import services
from audits.models import Assessment, Audit, BoardResponse, Recommendation
from findings.models import Action, Finding
from organisation.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"audits:{name}", args=args)


@pytest.fixture
def chain(world, coordinator, action_owner):
    """S001: 2014 → 2016 → 2017, addressed to KS (here: the root) and Socialnämnden."""
    a2014 = services.create_audit(
        user=coordinator,
        title="IT-säkerhet i Alfa",
        body=Audit.Body.ELECTED_AUDITORS,
        kind=Audit.Kind.IN_DEPTH,
        report_date=datetime.date(2014, 10, 1),
        addressed_units=[world.root, world.sn],
        summary="Den interna kontrollen avseende IT-säkerhetsarbetet.",
    )
    rec = services.add_recommendation(
        audit=a2014,
        user=coordinator,
        text="Kommunstyrelsen bör ta fram en analys av nuläget enligt MSBFS 2016:1.",
        addressee=world.root,
    )
    obs = services.add_observation(
        audit=a2014, user=coordinator, area="Forum/ansvar", text="Ansvar att uppdatera system."
    )
    a2016 = services.create_follow_up(
        audit=a2014,
        user=coordinator,
        title="Uppföljning 2016",
        report_date=datetime.date(2016, 10, 1),
    )
    a2017 = services.create_follow_up(
        audit=a2016,
        user=coordinator,
        title="Uppföljande granskning 2017",
        report_date=datetime.date(2017, 9, 15),
    )
    services.save_assessments(
        follow_up=a2016, user=coordinator, entries=[(rec, Assessment.NOT_REMEDIED, "")]
    )
    services.save_assessments(
        follow_up=a2017,
        user=coordinator,
        entries=[(rec, Assessment.PARTLY_REMEDIED, "Arbete pågår")],
    )
    response = services.create_response(audit=a2014, user=coordinator, unit=world.sn)
    item = services.add_response_item(
        response=response,
        user=coordinator,
        text="Nämnden utarbetar riktlinjer.",
        recommendation=rec,
        actions=[{"title": "Riktlinjer", "owner": action_owner, "deadline": None}],
    )
    signatory = services.add_signatory(response=response, user=coordinator, name="Kent Hedberg")
    other = f.AuditFactory(
        municipality=world.other_municipality, addressed_units=[world.other_root]
    )
    other_rec = f.RecommendationFactory(audit=other, addressee=world.other_root)
    return locals()


def test_anonymous_goes_to_login(client, chain):
    for target in (
        url("audit_list"),
        chain["a2014"].get_absolute_url(),
        chain["rec"].get_absolute_url(),
        chain["response"].get_absolute_url(),
        url("recommendation_list"),
        url("response_list"),
    ):
        response = client.get(target)
        assert response.status_code == 302, target
        assert response["Location"].startswith(reverse("login"))


def test_coordinator_sees_chain_and_assessments(client_for, coordinator, chain):
    client = client_for(coordinator)
    page = client.get(chain["a2017"].get_absolute_url()).text
    # The chain 2014 → 2016 → 2017 and the assessment at each follow-up.
    assert page.index("2014: Fördjupad granskning") < page.index("2016: Uppföljande granskning")
    assert page.index("2016: Uppföljande granskning") < page.index("2017: Uppföljande granskning")
    assert "Ej åtgärdad" in page and "Delvis åtgärdad" in page and "Arbete pågår" in page
    for target in (
        url("audit_list"),
        chain["a2014"].get_absolute_url(),
        chain["rec"].get_absolute_url(),
        chain["response"].get_absolute_url(),
        url("recommendation_list"),
        url("response_list"),
        url("audit_create"),
        url("audit_edit", chain["a2014"].pk),
        url("follow_up_create", chain["a2014"].pk),
        url("assessments_edit", chain["a2017"].pk),
        url("observation_create", chain["a2014"].pk),
        url("observation_edit", chain["obs"].pk),
        url("recommendation_create", chain["a2014"].pk),
        url("recommendation_edit", chain["rec"].pk),
        url("response_create", chain["a2014"].pk),
        url("response_edit", chain["response"].pk),
        url("item_create", chain["response"].pk),
        url("item_action_create", chain["item"].pk),
        url("signatory_create", chain["response"].pk),
        url("response_decide", chain["response"].pk),
        url("response_dispatch", chain["response"].pk),
    ):
        assert client.get(target).status_code == 200, target
    # Only a follow-up has reassessments.
    assert client.get(url("assessments_edit", chain["a2014"].pk)).status_code == 404


@pytest.mark.parametrize("who", ["board_member", "auditor", "controller"])
def test_readers_see_but_cannot_change(client_for, request, chain, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(chain["a2014"].get_absolute_url()).status_code == 200
    assert client.get(chain["rec"].get_absolute_url()).status_code == 200
    assert client.get(chain["response"].get_absolute_url()).status_code == 200
    for target in (
        url("audit_edit", chain["a2014"].pk),
        url("follow_up_create", chain["a2014"].pk),
        url("assessments_edit", chain["a2017"].pk),
        url("observation_create", chain["a2014"].pk),
        url("recommendation_create", chain["a2014"].pk),
        url("recommendation_edit", chain["rec"].pk),
        url("response_edit", chain["response"].pk),
        url("item_create", chain["response"].pk),
        url("response_decide", chain["response"].pk),
        url("response_create", chain["a2014"].pk),
    ):
        assert client.get(target).status_code == 403, target
    assert client.post(url("signatory_delete", chain["signatory"].pk)).status_code == 403


def test_action_owner_and_nobody_do_not_see_audits(client_for, action_owner, nobody, chain):
    for user in (action_owner, nobody):
        client = client_for(user)
        assert client.get(chain["a2014"].get_absolute_url()).status_code == 404
        assert client.get(chain["rec"].get_absolute_url()).status_code == 404
        assert client.get(chain["response"].get_absolute_url()).status_code == 404
        assert "IT-säkerhet i Alfa" not in client.get(url("audit_list")).text


def test_other_municipality_gets_404_everywhere(client_for, outsider, chain):
    client = client_for(outsider)
    for target in (
        chain["a2014"].get_absolute_url(),
        chain["rec"].get_absolute_url(),
        chain["response"].get_absolute_url(),
        url("audit_edit", chain["a2014"].pk),
        url("audit_report", chain["a2014"].pk),
        url("follow_up_create", chain["a2014"].pk),
        url("assessments_edit", chain["a2017"].pk),
        url("observation_create", chain["a2014"].pk),
        url("observation_edit", chain["obs"].pk),
        url("recommendation_create", chain["a2014"].pk),
        url("recommendation_edit", chain["rec"].pk),
        url("response_create", chain["a2014"].pk),
        url("response_edit", chain["response"].pk),
        url("item_create", chain["response"].pk),
        url("item_action_create", chain["item"].pk),
        url("signatory_create", chain["response"].pk),
        url("response_decide", chain["response"].pk),
        url("response_dispatch", chain["response"].pk),
    ):
        assert client.get(target).status_code == 404, target
    assert client.post(url("signatory_delete", chain["signatory"].pk)).status_code == 404
    listing = client.get(url("audit_list")).text
    assert "IT-säkerhet i Alfa" not in listing
    assert "analys av nuläget" not in client.get(url("recommendation_list")).text


def test_secret_audit_details_hidden_from_board_member(
    client_for, world, coordinator, board_member
):
    review = services.create_audit(
        user=coordinator,
        title="Teknisk säkerhetsgranskning",
        body=Audit.Body.ADMINISTRATION,
        kind=Audit.Kind.SECURITY_REVIEW,
        report_date=datetime.date(2017, 9, 5),
        addressed_units=[world.sn],
        summary="Vissa brister framkom; en åtgärdsplan har tagits fram.",
        assessment="Nätaccess utan autentisering.",
        is_secret=True,
        report_file=f.pdf_upload("pwc.pdf"),
    )
    services.add_observation(
        audit=review,
        user=coordinator,
        area="Lösenord",
        text="Sommar2017 gick att gissa.",
        register_finding=True,
    )
    rec = services.add_recommendation(
        audit=review, user=coordinator, text="Inför kontospärr.", addressee=world.sn
    )
    client = client_for(board_member)
    page = client.get(review.get_absolute_url()).text
    assert "Vissa brister framkom" in page
    assert "Sommar2017" not in page
    assert "Nätaccess utan autentisering" not in page
    assert "Inför kontospärr" not in page
    assert "pwc.pdf" not in page
    assert client.get(rec.get_absolute_url()).status_code == 404
    assert client.get(url("audit_report", review.pk)).status_code == 403
    coordinator_page = client_for(coordinator).get(review.get_absolute_url()).text
    assert "Sommar2017" in coordinator_page
    download = client_for(coordinator).get(url("audit_report", review.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")


def test_register_audit_with_two_recommendations(client_for, world, coordinator):
    client = client_for(coordinator)
    response = client.post(
        url("audit_create"),
        {
            "title": "Informationssäkerhet",
            "body": Audit.Body.CITY_AUDIT,
            "firm": "Stadsrevisionen",
            "kind": Audit.Kind.IN_DEPTH,
            "report_date": "2017-10-01",
            "dnr": "REV 2017/12",
            "addressed_units": [world.sn.pk],
            "response_deadline": "2017-11-30",
        },
    )
    audit = Audit.objects.get(title="Informationssäkerhet")
    assert response["Location"] == audit.get_absolute_url()
    for text in ("Socialnämnden bör se över avtalen.", "Socialnämnden bör mäta tillgänglighet."):
        response = client.post(
            url("recommendation_create", audit.pk),
            {
                "text": text,
                "addressee": world.sn.pk,
                "register_finding": "on",
                "severity": "medium",
            },
        )
        assert response.status_code == 302
    assert list(audit.recommendations.values_list("number", flat=True)) == [1, 2]
    assert Finding.objects.filter(audit=audit).count() == 2


def test_audit_form_bad_dates_in_swedish(client_for, world, coordinator):
    response = client_for(coordinator).post(
        url("audit_create"),
        {
            "title": "x",
            "body": Audit.Body.CITY_AUDIT,
            "kind": Audit.Kind.IN_DEPTH,
            "report_date": "2017-10-01",
            "addressed_units": [world.sn.pk],
            "response_deadline": "2017-09-01",
        },
    )
    assert response.status_code == 400
    assert "Svar senast kan inte vara före rapportdatum (2017-10-01)." in response.text
    assert not Audit.objects.filter(title="x").exists()


def test_assessments_form_saves_and_refuses_unknown(client_for, coordinator, chain):
    client = client_for(coordinator)
    rec = chain["rec"]
    target = url("assessments_edit", chain["a2017"].pk)
    response = client.post(target, {f"assessment_{rec.pk}": "klar", f"comment_{rec.pk}": ""})
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.text
    assert rec.assessments.get(follow_up=chain["a2017"]).assessment == Assessment.PARTLY_REMEDIED
    response = client.post(
        target, {f"assessment_{rec.pk}": "remedied", f"comment_{rec.pk}": "Klart"}
    )
    assert response.status_code == 302
    assert rec.assessments.get(follow_up=chain["a2017"]).assessment == Assessment.REMEDIED


def test_response_workflow_through_web(client_for, world, coordinator, action_owner, chain):
    client = client_for(coordinator)
    response_obj = chain["response"]
    bad = client.post(
        url("item_create", response_obj.pk),
        {
            "recommendation": chain["rec"].pk,
            "text": "Svar",
            "action_title": "Åtgärd utan ansvarig",
        },
    )
    assert bad.status_code == 400
    assert "Ange en ansvarig person eller funktion." in bad.text
    ok = client.post(
        url("item_create", response_obj.pk),
        {
            "recommendation": chain["rec"].pk,
            "text": "Utbildning för all personal.",
            "action_title": "Utbildning i informationssäkerhet",
            "action_owner_description": "HR-chef",
            "action_deadline": "färdigställs 2019",
        },
    )
    assert ok.status_code == 400  # "färdigställs 2019" is not a deadline format
    assert "Ange ett datum (2019-03-31)" in ok.text
    ok = client.post(
        url("item_create", response_obj.pk),
        {
            "recommendation": chain["rec"].pk,
            "text": "Utbildning för all personal.",
            "action_title": "Utbildning i informationssäkerhet",
            "action_owner_description": "HR-chef",
            "action_deadline": "2019",
        },
    )
    assert ok.status_code == 302
    assert Action.objects.get(title="Utbildning i informationssäkerhet").deadline_display == "2019"
    decided = client.post(
        url("response_decide", response_obj.pk),
        {"organ": world.sn.pk, "meeting_date": "2014-12-01", "paragraph": "112", "dnr": ""},
    )
    assert decided.status_code == 302
    response_obj.refresh_from_db()
    assert response_obj.status == BoardResponse.Status.DECIDED
    dispatched = client.post(
        url("response_dispatch", response_obj.pk), {"dispatched_date": "2014-11-01"}
    )
    assert dispatched.status_code == 400
    assert "kan inte expedieras före beslutet" in dispatched.text


def test_recommendation_list_filters(client_for, coordinator, chain):
    client = client_for(coordinator)
    page = client.get(url("recommendation_list"), {"assessment": "partly"}).text
    assert "Kommunstyrelsen bör ta fram" in page
    page = client.get(url("recommendation_list"), {"assessment": "remedied"}).text
    assert "Kommunstyrelsen bör ta fram" not in page
    page = client.get(url("recommendation_list"), {"register": "open"}).text
    assert "Kommunstyrelsen bör ta fram" in page


def test_bun_coordinator_cannot_create_response_for_sn(client_for, world, chain):
    bun = f.UserFactory(username="bunsam", municipality=world.municipality)
    f.RoleAssignmentFactory(user=bun, unit=world.bun, role=Role.COORDINATOR)
    # The audit is not addressed to BUN: not visible at all.
    assert client_for(bun).get(url("response_create", chain["a2014"].pk)).status_code == 404


def test_list_query_counts_do_not_grow(
    client_for, coordinator, world, django_assert_max_num_queries
):
    audits = [
        f.AuditFactory(municipality=world.municipality, addressed_units=[world.sn, world.bun])
        for _ in range(30)
    ]
    Recommendation.objects.bulk_create(
        [
            Recommendation(audit=audit, number=n, text=f"Rek {n}", addressee=world.sn)
            for audit in audits
            for n in range(1, 9)
        ]
    )
    client = client_for(coordinator)
    with django_assert_max_num_queries(14):
        assert client.get(url("audit_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(url("recommendation_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(url("response_list")).status_code == 200


def test_register_state_of_recommendations(client_for, world, coordinator):
    audit = f.AuditFactory(municipality=world.municipality, addressed_units=[world.sn])
    by_finding = services.add_recommendation(
        audit=audit, user=coordinator, text="Spåras som brist", addressee=world.sn
    )
    by_action = f.RecommendationFactory(
        audit=audit, number=2, addressee=world.sn, text="Spåras som åtgärd"
    )
    untracked = f.RecommendationFactory(
        audit=audit, number=3, addressee=world.sn, text="Inte spårad"
    )
    action = f.ActionFactory(unit=world.sn, owner=coordinator)
    action.recommendations.add(by_action)

    def listed(state):
        page = client_for(coordinator).get(url("recommendation_list"), {"register": state}).text
        return {r.text for r in (by_finding, by_action, untracked) if r.text in page}

    assert listed("open") == {"Spåras som brist", "Spåras som åtgärd"}
    assert listed("none") == {"Inte spårad"}
    assert listed("closed") == set()
    Action.objects.filter(pk=action.pk).update(status=Action.Status.DONE)
    Finding.objects.filter(recommendation=by_finding).update(
        status=Finding.Status.VERIFIED, verified_by=coordinator
    )
    assert listed("closed") == {"Spåras som brist", "Spåras som åtgärd"}
    assert listed("remedied") == {"Spåras som brist", "Spåras som åtgärd"}
    # An accepted risk closes the finding but is no remedy: never counted as "åtgärdad".
    Finding.objects.filter(recommendation=by_finding).update(
        status=Finding.Status.RISK_ACCEPTED,
        risk_accepted_by=coordinator,
        risk_acceptance_motivation="Systemet avvecklas 2027.",
    )
    assert listed("closed") == {"Spåras som brist", "Spåras som åtgärd"}
    assert listed("remedied") == {"Spåras som åtgärd"}
    assert listed("risk_accepted") == {"Spåras som brist"}
    export = client_for(coordinator).get(url("recommendation_export", "csv"))
    rows = export.content.decode("utf-8-sig")
    assert "Riskaccepterad" in rows


def test_recommendation_export(client_for, coordinator, board_member, outsider, chain):
    import csv
    import io

    Recommendation.objects.filter(pk=chain["rec"].pk).update(text='=HYPERLINK("http://x")')
    response = client_for(coordinator).get(url("recommendation_export", "csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Granskning", "År", "Nr", "Rekommendation"]
    row = next(r for r in rows if "HYPERLINK" in r[3])
    assert row[3].startswith("'=")
    assert row[6] == "Delvis åtgärdad"  # the latest assessment (2017)
    assert row[7] == "Åtgärdas"
    assert "Riktlinjer" in row[8]
    xlsx = client_for(coordinator).get(url("recommendation_export", "xlsx"))
    assert xlsx.status_code == 200
    assert (
        client_for(outsider).get(url("recommendation_export", "csv")).content.count(b"HYPERLINK")
        == 0
    )
    assert client_for(coordinator).get(url("recommendation_export", "doc")).status_code == 404
