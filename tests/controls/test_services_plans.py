"""Plans and control points: transitions, revisions, municipality-wide points, copies."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from controls import services
from controls.models import ControlOccurrence, ControlPlan, ControlPoint, PlanRevision, RiskScale
from controls.services import DecisionInput, RevisionInput
from tests import factories as f

pytestmark = pytest.mark.django_db
F = ControlPoint.Frequency
S = ControlPoint.Scope


def point_data(**overrides):
    data = {
        "title": "Behörigheter i prioriterade system",
        "process": "Behörighetshantering",
        "risk_description": "Konton för personer som slutat ligger kvar.",
        "likelihood": 3,
        "consequence": 4,
        "control_activity": "Jämför konton med lönesystemet.",
        "frequency": F.GIVEN_MONTHS,
        "planned_months": [6, 12],
    }
    return data | overrides


def decision_for(unit):
    return DecisionInput(
        organ=unit, meeting_date=datetime.date(2025, 12, 10), paragraph="12", dnr="SN/2025:7"
    )


@pytest.fixture
def draft(world, coordinator):
    return services.create_plan(unit=world.sn, year=2026, user=coordinator)


def test_create_plan_makes_a_draft_and_a_default_risk_scale(world, coordinator, draft):
    assert draft.status == ControlPlan.Status.DRAFT
    assert draft.municipality == world.municipality
    scale = RiskScale.objects.get(municipality=world.municipality)
    assert scale.size == 4 and scale.likelihood_labels[2] == "Stor"
    with pytest.raises(ValidationError, match="finns redan en plan"):
        services.create_plan(unit=world.sn, year=2026, user=coordinator)


def test_control_point_gets_number_score_and_schedule(coordinator, draft):
    point = services.create_control_point(plan=draft, user=coordinator, data=point_data())
    assert point.number == 1 and point.risk_score == 12
    assert point.occurrences.count() == 2
    second = services.create_control_point(plan=draft, user=coordinator, data=point_data(title="B"))
    assert second.number == 2


def test_risk_values_outside_the_municipalitys_scale_are_refused(coordinator, draft):
    with pytest.raises(ValidationError) as exc:
        services.create_control_point(plan=draft, user=coordinator, data=point_data(likelihood=5))
    assert "1 till 4" in str(exc.value)
    assert not draft.control_points.exists()


def test_adopt_requires_draft_and_points_and_records_the_decision(world, coordinator, draft):
    with pytest.raises(ValidationError, match="inga kontrollpunkter"):
        services.adopt_plan(plan=draft, user=coordinator, decision=decision_for(world.sn))
    services.create_control_point(plan=draft, user=coordinator, data=point_data())
    plan = services.adopt_plan(plan=draft, user=coordinator, decision=decision_for(world.sn))
    assert plan.status == ControlPlan.Status.ADOPTED
    assert plan.adoption_decision.paragraph == "12"
    assert plan.adoption_decision.dnr == "SN/2025:7"
    with pytest.raises(ValidationError, match="Bara ett utkast"):
        services.adopt_plan(plan=plan, user=coordinator, decision=decision_for(world.sn))


@pytest.fixture
def adopted(world, coordinator, draft):
    services.create_control_point(plan=draft, user=coordinator, data=point_data())
    return services.adopt_plan(plan=draft, user=coordinator, decision=decision_for(world.sn))


def test_adopted_plan_changes_only_through_a_recorded_revision(coordinator, adopted):
    point = adopted.control_points.get()
    with pytest.raises(ValidationError, match="fastställd"):
        services.update_control_point(point=point, user=coordinator, data={"likelihood": 4})
    point.refresh_from_db()
    assert point.likelihood == 3
    assert not PlanRevision.objects.exists()

    result = services.update_control_point(
        point=point,
        user=coordinator,
        data={"likelihood": 4, "sample": "100 %"},
        revision=RevisionInput(reason="Ny riskbedömning efter incident"),
    )
    revision = PlanRevision.objects.get(plan=adopted)
    assert revision.number == 1 and revision.reason == "Ny riskbedömning efter incident"
    assert {c["field"] for c in revision.changes} == {"Sannolikhet", "Urval"}
    assert {"old": "3", "new": "4"}.items() <= next(
        c for c in revision.changes if c["field"] == "Sannolikhet"
    ).items()
    assert result.point.likelihood == 4
    # The history carries the reason too.
    assert result.point.history.first().history_change_reason == "Ny riskbedömning efter incident"


def test_adding_and_deleting_in_an_adopted_plan_are_revisions(world, coordinator, adopted):
    new = services.create_control_point(
        plan=adopted,
        user=coordinator,
        data=point_data(title="Ny punkt"),
        revision=RevisionInput(
            reason="Tillagd efter revisionens rapport",
            decision=DecisionInput(
                organ=world.sn, meeting_date=datetime.date(2026, 3, 3), paragraph="40"
            ),
        ),
    )
    services.delete_control_point(
        point=new, user=coordinator, revision=RevisionInput(reason="Dubblett")
    )
    kinds = [r.changes[0]["kind"] for r in adopted.revisions.order_by("number")]
    assert kinds == ["added", "removed"]
    assert adopted.revisions.get(number=1).decision.paragraph == "40"


def test_a_point_with_results_cannot_be_deleted(coordinator, draft):
    point = services.create_control_point(plan=draft, user=coordinator, data=point_data())
    occ = point.occurrences.first()
    occ.status = ControlOccurrence.Status.NOT_DONE
    occ.not_done_reason = "Sjuk"
    occ.save()
    with pytest.raises(ValidationError, match="resultat"):
        services.delete_control_point(point=point, user=coordinator)
    assert ControlPoint.objects.filter(pk=point.pk).exists()


def test_final_report_needs_every_occurrence_settled(world, coordinator, adopted):
    with pytest.raises(ValidationError, match="saknar resultat"):
        services.final_report_plan(plan=adopted, user=coordinator, decision=decision_for(world.sn))
    ControlOccurrence.objects.filter(control_point__plan=adopted).update(
        status=ControlOccurrence.Status.NOT_DONE, not_done_reason="Omorganisation"
    )
    plan = services.final_report_plan(
        plan=adopted,
        user=coordinator,
        decision=decision_for(world.sn),
        overall_assessment="Tillräcklig.",
    )
    assert plan.status == ControlPlan.Status.FINAL_REPORTED
    with pytest.raises(ValidationError, match="slutredovisad"):
        services.update_control_point(
            point=plan.control_points.get(),
            user=coordinator,
            data={"sample": "x"},
            revision=RevisionInput(reason="x"),
        )


def test_copy_to_next_year_carries_over_own_points_and_systems(world, coordinator, adopted):
    system = f.SystemFactory(owning_unit=world.sn, name="Lönesystemet")
    point = adopted.control_points.get()
    point.systems.add(system)
    copy = services.copy_plan_to_next_year(plan=adopted, user=coordinator)
    assert copy.year == 2027 and copy.status == ControlPlan.Status.DRAFT
    assert copy.copied_from == adopted
    new_point = copy.control_points.get()
    assert new_point.copied_from == point
    assert new_point.title == point.title and new_point.planned_months == [6, 12]
    assert list(new_point.systems.all()) == [system]
    assert sorted(new_point.occurrences.values_list("due_date", flat=True)) == [
        datetime.date(2027, 6, 30),
        datetime.date(2027, 12, 31),
    ]
    with pytest.raises(ValidationError, match="finns redan"):
        services.copy_plan_to_next_year(plan=adopted, user=coordinator)


# --- municipality-wide points --------------------------------------------------------------


@pytest.fixture
def ks_plan(ks, coordinator):
    plan = services.create_plan(unit=ks, year=2026, user=coordinator)
    services.create_control_point(
        plan=plan,
        user=coordinator,
        data=point_data(
            title="Krishantering",
            scope=S.MUNICIPALITY_WIDE,
            owner_description="Förvaltningschef",
            frequency=F.YEARLY,
            planned_months=[10],
        ),
    )
    services.create_control_point(
        plan=plan, user=coordinator, data=point_data(title="KS egen punkt")
    )
    return plan


def test_adopting_ks_plan_spreads_municipality_wide_points(world, ks, coordinator, ks_plan, draft):
    bun = services.create_plan(unit=world.bun, year=2026, user=coordinator)
    assert not draft.control_points.exists()  # KS's plan is still a draft
    services.adopt_plan(plan=ks_plan, user=coordinator, decision=decision_for(ks))
    for plan in (draft, bun):
        copy = plan.control_points.get()
        assert copy.title == "Krishantering"
        assert copy.inherited_from.plan == ks_plan
        assert copy.scope == S.MUNICIPALITY_WIDE
        assert copy.owner is None and copy.owner_description == "Förvaltningschef"
        assert copy.occurrences.get().due_date == datetime.date(2026, 10, 31)
    # A plan created afterwards inherits at once; another year's plan does not.
    later = services.create_plan(unit=world.root, year=2026, user=coordinator)
    assert later.control_points.get().title == "Krishantering"
    other_year = services.create_plan(unit=world.bun, year=2027, user=coordinator)
    assert not other_year.control_points.exists()


def test_units_set_their_own_owner_but_not_the_inherited_content(
    world, ks, coordinator, controller, ks_plan, draft
):
    services.adopt_plan(plan=ks_plan, user=coordinator, decision=decision_for(ks))
    copy = draft.control_points.get()
    services.update_control_point(point=copy, user=coordinator, data={"owner": controller})
    copy.refresh_from_db()
    assert copy.owner == controller
    with pytest.raises(ValidationError, match="kommunstyrelsen"):
        services.update_control_point(point=copy, user=coordinator, data={"likelihood": 1})
    with pytest.raises(ValidationError, match="kommunstyrelsens plan"):
        services.delete_control_point(point=copy, user=coordinator)


def test_ks_revision_updates_copies_and_records_revisions_in_adopted_unit_plans(
    world, ks, coordinator, controller, ks_plan
):
    unit_plan = services.create_plan(unit=world.sn, year=2026, user=coordinator)
    services.create_control_point(
        plan=unit_plan, user=coordinator, data=point_data(title="SN egen")
    )
    services.adopt_plan(plan=ks_plan, user=coordinator, decision=decision_for(ks))
    services.adopt_plan(plan=unit_plan, user=coordinator, decision=decision_for(world.sn))
    copy = unit_plan.control_points.get(inherited_from__isnull=False)
    services.update_control_point(
        point=copy,
        user=coordinator,
        data={"owner": controller},
        revision=RevisionInput(reason="Ny ansvarig"),
    )
    ks_point = ks_plan.control_points.get(title="Krishantering")
    services.update_control_point(
        point=ks_point,
        user=coordinator,
        data={"planned_months": [4]},
        revision=RevisionInput(reason="Övningen flyttas till april"),
    )
    copy.refresh_from_db()
    assert copy.planned_months == [4]
    assert copy.owner == controller  # the unit's own choice stays
    assert copy.occurrences.get().due_date == datetime.date(2026, 4, 30)
    revision = unit_plan.revisions.order_by("-number").first()
    assert "kommunstyrelsen" in revision.reason
    assert revision.changes[0]["field"] == "Planerade månader"


def test_withdrawn_ks_point_removes_copies_without_results_and_keeps_those_with(
    world, ks, coordinator, ks_plan
):
    sn_plan = services.create_plan(unit=world.sn, year=2026, user=coordinator)
    bun_plan = services.create_plan(unit=world.bun, year=2026, user=coordinator)
    services.adopt_plan(plan=ks_plan, user=coordinator, decision=decision_for(ks))
    done = bun_plan.control_points.get().occurrences.get()
    done.status = ControlOccurrence.Status.NOT_DONE
    done.not_done_reason = "Genomförs gemensamt"
    done.save()
    ks_point = ks_plan.control_points.get(title="Krishantering")
    services.delete_control_point(
        point=ks_point, user=coordinator, revision=RevisionInput(reason="Utgår")
    )
    assert not sn_plan.control_points.exists()
    kept = bun_plan.control_points.get()
    assert kept.inherited_from is None and kept.scope == S.UNIT_SPECIFIC
    assert kept.occurrences.get().status == ControlOccurrence.Status.NOT_DONE


def test_copy_does_not_copy_inherited_points(world, ks, coordinator, ks_plan, draft):
    services.create_control_point(plan=draft, user=coordinator, data=point_data(title="Egen"))
    services.adopt_plan(plan=ks_plan, user=coordinator, decision=decision_for(ks))
    assert draft.control_points.count() == 2
    copy = services.copy_plan_to_next_year(plan=draft, user=coordinator)
    assert list(copy.control_points.values_list("title", flat=True)) == ["Egen"]


def test_delete_draft_plan(coordinator, draft, adopted=None):
    services.create_control_point(plan=draft, user=coordinator, data=point_data())
    services.delete_plan(plan=draft, user=coordinator)
    assert not ControlPlan.objects.filter(pk=draft.pk).exists()


def test_copy_after_ks_adopted_next_year_renumbers_without_clashes(world, ks, coordinator, draft):
    """The yearly order: KS adopts next year's common points, then the units copy their plans."""
    for title in ("Ett", "Två", "Tre"):
        services.create_control_point(plan=draft, user=coordinator, data=point_data(title=title))
    ks_next = services.create_plan(unit=ks, year=draft.year + 1, user=coordinator)
    services.create_control_point(
        plan=ks_next,
        user=coordinator,
        data=point_data(title="Krishantering", scope=S.MUNICIPALITY_WIDE, planned_months=[10]),
    )
    services.adopt_plan(plan=ks_next, user=coordinator, decision=decision_for(ks))
    copy = services.copy_plan_to_next_year(plan=draft, user=coordinator)
    rows = list(copy.control_points.order_by("number").values_list("number", "title"))
    assert rows == [(1, "Krishantering"), (2, "Ett"), (3, "Två"), (4, "Tre")]
