"""The demo loader: idempotent, complete, live relative to today, and isolated per municipality."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.utils import timezone

from audits.models import Assessment, Audit, BoardResponse, RecommendationAssessment
from controls.models import ControlOccurrence, ControlPlan, ControlPoint, RiskScale
from core.demo import DEMO_PASSWORD, DEMO_USERNAMES, load
from core.demo.systems import fictional_personnummer
from core.start import start_page
from findings.models import Action, DeadlinePrecision, Finding
from organisation import policy
from organisation.models import Municipality, OrgUnit, Role, User
from systems.models import AccessReview, AccessReviewItem, ClassificationScale, System, SystemRole
from systems.personnummer import hash_personnummer

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "admin": ("asby", "KF", Role.ADMIN),
    "samordnare": ("asby", "KF", Role.COORDINATOR),
    "kontrollant": ("asby", "KSF", Role.CONTROLLER),
    "atgardsagare": ("asby", "CIT", Role.ACTION_OWNER),
    "ledamot": ("asby", "KS", Role.BOARD_MEMBER),
    "revisor": ("asby", "KF", Role.AUDITOR),
    "kontrollant2": ("norrby", "KS", Role.CONTROLLER),
}


def counts() -> dict[str, int]:
    """Rows of every model, history tables included: an unchanged count there means no save."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def domain_counts() -> dict[str, int]:
    return {label: n for label, n in counts().items() if ".Historical" not in label}


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    return load()


@pytest.fixture
def asby(demo) -> Municipality:
    return Municipality.objects.get(slug="asby")


def test_a_second_run_changes_nothing(settings):
    settings.DEMO_MODE = True
    first = load()
    after_first = counts()
    second = load()
    assert first.created > 300
    assert (second.created, second.updated) == (0, 0)
    assert counts() == after_first


def test_a_run_on_a_later_day_moves_the_live_dates_without_duplicating():
    day = datetime.date(timezone.localdate().year, 3, 2)
    load(today=day)
    before = domain_counts()
    controller_dates = set(
        ControlOccurrence.objects.filter(
            control_point__owner__username="kontrollant", status=ControlOccurrence.Status.PLANNED
        ).values_list("control_point__number", "period_label", "due_date")
    )

    later = load(today=day + datetime.timedelta(days=10))

    assert later.created == 0
    assert later.updated > 0
    assert domain_counts() == before
    moved = set(
        ControlOccurrence.objects.filter(
            control_point__owner__username="kontrollant", status=ControlOccurrence.Status.PLANNED
        ).values_list("control_point__number", "period_label", "due_date")
    )
    assert moved == {
        (n, label, due + datetime.timedelta(days=10)) for n, label, due in controller_dates
    }


def test_a_run_in_a_new_year_adds_that_years_plans_and_keeps_last_years():
    day = datetime.date(2030, 12, 20)
    load(today=day)
    plans, users = ControlPlan.objects.count(), User.objects.count()
    load(today=datetime.date(2031, 1, 10))
    assert ControlPlan.objects.count() == plans + 2  # Åsby's KSF and Norrby's KS
    assert User.objects.count() == users
    assert set(
        ControlPlan.objects.filter(unit__short_code="KSF").values_list("year", flat=True)
    ) >= {
        2017,
        2019,
        2030,
        2031,
    }


def test_the_named_users_hold_their_roles_in_their_municipality(demo):
    for username, (slug, unit_code, role) in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        assert user.municipality.slug == slug
        assert user.check_password(DEMO_PASSWORD)
        assert set(user.role_assignments.values_list("unit__short_code", "role")) == {
            (unit_code, role)
        }
        assert user.email.endswith(f"@{slug}.example.se")
        assert user.first_name and user.last_name and user.title
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.get(username="kontrollant").is_superuser
    manager = User.objects.get(username="systemforvaltare")
    assert not manager.role_assignments.exists()
    assert set(SystemRole.objects.filter(user=manager).values_list("system__name", "kind")) == {
        ("Geosecma", SystemRole.Kind.MANAGER),
        ("Teis", SystemRole.Kind.MANAGER),
    }
    # Staff named as heads and owners cannot sign in.
    assert not User.objects.get(username="itchef").has_usable_password()


def test_asby_has_the_units_of_the_seeds(asby):
    units = {u.short_code: u for u in OrgUnit.objects.filter(municipality=asby)}
    K = OrgUnit.Kind
    expected = {
        "KF": ("Kommunfullmäktige", K.COUNCIL, None),
        "KS": ("Kommunstyrelsen", K.EXECUTIVE_BOARD, "KF"),
        "KSF": ("Kommunstyrelsens förvaltning", K.DEPARTMENT, "KS"),
        "CIT": ("Centrala IT", K.DIVISION, "KSF"),
        "SN": ("Socialnämnden", K.COMMITTEE, "KF"),
        "SOC": ("Socialförvaltningen", K.DEPARTMENT, "SN"),
        "BUN": ("Barn- och utbildningsnämnden", K.COMMITTEE, "KF"),
        "BUF": ("Barn- och utbildningsförvaltningen", K.DEPARTMENT, "BUN"),
        "KOT": ("Kultur- och tekniknämnden", K.COMMITTEE, "KF"),
        "SEN": ("Servicenämnden", K.COMMITTEE, "KF"),
        "DS": ("Dataservice", K.DIVISION, "SEK"),
        "LS": ("Löneservice", K.DIVISION, "SEK"),
        "REV": ("Revisionen", K.AUDIT, "KF"),
    }
    for code, (name, kind, parent) in expected.items():
        unit = units[code]
        assert (unit.name, unit.kind) == (name, kind)
        assert (unit.parent.short_code if unit.parent else None) == parent
    assert units["RTJ"].kind == K.COMPANY and units["RTJ"].name.startswith("Räddningstjänsten")
    assert units["KSF"].serves == units["KS"]
    assert units["CIT"].path.startswith(units["KSF"].path)
    assert units["KSF"].head.username == "kommundirektor"
    assert units["CIT"].head.username == "itchef"
    for slug in ("asby", "norrby"):
        assert RiskScale.objects.get(municipality__slug=slug).size == 4
        assert ClassificationScale.objects.filter(municipality__slug=slug).exists()


def test_the_plans_of_2017_and_2019_follow_the_seeds(asby):
    plan_2019 = ControlPlan.objects.get(unit__municipality=asby, unit__short_code="KSF", year=2019)
    mobile = plan_2019.control_points.get(title="Mobilabonnemang")
    assert mobile.planned_months == [2, 5, 11]
    assert mobile.frequency == ControlPoint.Frequency.GIVEN_MONTHS
    assert [o.due_date.month for o in mobile.occurrences.order_by("due_date")] == [2, 5, 11]
    assert plan_2019.control_points.get(number=5).is_access_review
    june = plan_2019.control_points.get(title="Behörigheter i systemen").occurrences.get()
    assert june.outcome == ControlOccurrence.Outcome.MINOR_DEVIATION
    assert "Räddningstjänsten" in june.comment

    plan_2017 = ControlPlan.objects.get(unit__municipality=asby, unit__short_code="KSF", year=2017)
    assert plan_2017.status == ControlPlan.Status.FINAL_REPORTED
    ks28 = plan_2017.final_report_decision
    assert (ks28.paragraph, ks28.dnr, ks28.case_officer) == ("28", "KS/2016:389", "Carina Brofeldt")
    assert ks28.distribution_list == ["Kommunstyrelsen", "Akten"]
    siths = plan_2017.control_points.get(title="Process för utgivning av SITHS-kort")
    assert [o.due_date.month for o in siths.occurrences.order_by("due_date")] == [5, 11]
    crisis = plan_2017.control_points.get(number=1)
    assert crisis.scope == ControlPoint.Scope.MUNICIPALITY_WIDE
    assert crisis.inherited_from.plan.unit.short_code == "KS"
    exercise = Action.objects.get(title="Under år 2018 kommer en övning att genomföras")
    assert exercise.carried_over_from.status == Action.Status.CANCELLED
    assert exercise.findings.get().occurrence.control_point == crisis


def test_the_current_plan_gives_every_role_live_work(demo):
    today = timezone.localdate()
    mine = ControlOccurrence.objects.filter(control_point__owner__username="kontrollant")
    planned = mine.filter(status=ControlOccurrence.Status.PLANNED)
    overdue = planned.filter(
        due_date__gte=today - datetime.timedelta(days=40),
        due_date__lte=today - datetime.timedelta(days=5),
    )
    soon = planned.filter(
        due_date__gte=today + datetime.timedelta(days=1),
        due_date__lte=today + datetime.timedelta(days=14),
    )
    assert overdue.count() >= 1 and soon.count() >= 1
    assert planned.filter(due_date__gt=today + datetime.timedelta(days=30)).exists()
    done = mine.filter(status=ControlOccurrence.Status.DONE, control_point__plan__year=today.year)
    deviation = done.get(outcome=ControlOccurrence.Outcome.MINOR_DEVIATION)
    assert deviation.findings.get().actions.get().owner.username == "atgardsagare"
    assert (
        ControlPlan.objects.get(
            unit__short_code="KSF", unit__municipality__slug="asby", year=today.year
        ).status
        == ControlPlan.Status.ADOPTED
    )

    actions = Action.objects.filter(owner__username="atgardsagare")
    assert actions.overdue(today).exists()
    assert (
        actions.open()
        .filter(deadline__gte=today, deadline__lte=today + datetime.timedelta(days=14))
        .exists()
    )
    assert actions.filter(status=Action.Status.IN_PROGRESS, deadline__gt=today).exists()
    assert actions.filter(status=Action.Status.DONE).exists()
    # Something remedied waits for the coordinator's verification.
    assert Finding.objects.filter(
        municipality__slug="asby", status=Finding.Status.REMEDIED
    ).exists()


def test_every_demo_user_signs_in_and_has_work_on_the_start_page(client, demo):
    for username in DEMO_USERNAMES:
        # django-axes watches every sign-in and needs the request it comes with.
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD), (
            username
        )
        client.logout()
        page = start_page(User.objects.get(username=username))
        assert not page.is_empty, username
    pages = {name: start_page(User.objects.get(username=name)) for name in DEMO_USERNAMES}
    assert pages["kontrollant"].occurrence_counts["overdue"] >= 2
    assert pages["kontrollant"].occurrence_counts["soon"] >= 2
    assert pages["atgardsagare"].action_counts["overdue"] >= 2
    assert pages["atgardsagare"].action_counts["soon"] >= 2
    assert pages["samordnare"].overview["actions"]["overdue"] >= 2
    assert pages["ledamot"].plans and pages["ledamot"].audits
    assert pages["revisor"].audits and pages["admin"].overview
    assert pages["systemforvaltare"].reviews
    assert pages["kontrollant2"].occurrence_counts["overdue"] == 1


def test_the_access_review_of_the_map_system(asby):
    review = AccessReview.objects.get(system__name="Geosecma", municipality=asby)
    assert review.status == AccessReview.Status.IN_REVIEW
    assert review.occurrence.control_point.is_access_review
    items = review.items.all()
    C = AccessReviewItem.Category
    by_category = {c: items.filter(category=c).count() for c in C.values}
    assert by_category[C.EXTERNAL] == 3
    assert by_category[C.TEST] == 2
    assert by_category[C.LEFT] == 1
    assert by_category[C.OK] >= 3
    assert review.accounts_total == items.count()
    assert review.flagged_total == items.exclude(category=C.OK).count()
    assert items.filter(decision="").exclude(category=C.OK).exists()  # still being reviewed
    for item in items.exclude(person_masked=""):
        assert re.fullmatch(r"\d{8}-\*{4}", item.person_masked)
        assert re.fullmatch(r"[0-9a-f]{64}", item.person_hash)
    own = items.get(account_id="mober")
    assert own.person_hash == hash_personnummer(fictional_personnummer("19780412", "231"))
    assert not items.filter(person_hash="").exclude(category=C.TEST).exists()


def test_the_audits_of_the_seeds(asby):
    follow_up = Audit.objects.get(municipality=asby, report_date=datetime.date(2017, 9, 15))
    assert [a.report_date.year for a in follow_up.chain()] == [2014, 2016, 2017]
    assert set(follow_up.addressed_units.values_list("short_code", flat=True)) == {"KS", "SN"}
    assert "MSBFS 2016:1" in follow_up.recommendations.get().text
    assert list(follow_up.observations.values_list("area", flat=True)) == [
        "Organisering Rutiner Anvisningar",
        "Risk- och konsekvensanalys",
        "Exempel på kontrollmoment",
        "Forum/ansvar",
        "Informationer i nämnd",
    ]
    verdicts = set(RecommendationAssessment.objects.values_list("assessment", flat=True))
    assert verdicts >= {Assessment.REMEDIED, Assessment.PARTLY_REMEDIED, Assessment.NOT_REMEDIED}

    pwc = Audit.objects.get(municipality=asby, kind=Audit.Kind.SECURITY_REVIEW)
    assert (pwc.firm, pwc.report_date, pwc.is_secret) == ("PwC", datetime.date(2017, 9, 5), True)
    weaknesses = pwc.findings.all()
    assert weaknesses.count() == 10
    assert all(f.is_secret and f.source == Finding.Source.SECURITY_REVIEW for f in weaknesses)
    assert "Sommar2017" in weaknesses.get(reference="PwC 2017:6").description
    statuses = {a.status for f in weaknesses for a in f.actions.all()}
    assert {Action.Status.DONE, Action.Status.IN_PROGRESS} <= statuses

    reply = BoardResponse.objects.get(unit__short_code="SEN", audit__municipality=asby)
    assert reply.status == BoardResponse.Status.DECIDED
    assert reply.board_decision_text.startswith("Servicenämnden tillstyrker förslag till svar")
    assert list(reply.signatories.values_list("name", "title")) == [
        ("Kent Hedberg", "Ordförande"),
        ("Lars Holmkvist", "Tf Förvaltningschef"),
    ]
    assert set(reply.items.values_list("observation__unit__short_code", flat=True)) == {"DS", "LS"}

    answers = BoardResponse.objects.filter(audit__title__contains="verksamhetssystemen")
    assert set(answers.values_list("unit__short_code", flat=True)) >= {"BUN", "SN", "KOT"}
    bun = answers.get(unit__short_code="BUN")
    assert bun.items.filter(actions__deadline_precision=DeadlinePrecision.YEAR).exists()


def test_the_systems_of_the_seeds(asby):
    names = set(System.objects.filter(municipality=asby).values_list("name", flat=True))
    assert {"Geosecma", "Procapita", "Teis", "LEX", "eCompanion/Besched", "Heroma", "Viva"} <= names
    assert any("Visma" in n for n in names)
    systems = System.objects.filter(municipality=asby)
    assert systems.filter(has_personal_data=True, dpa_reference="").count() == 1
    assert (
        System.objects.get(municipality=asby, name="Heroma")
        .outgoing_integrations.filter(target__name="Procapita")
        .exists()
    )
    scale = ClassificationScale.objects.get(municipality=asby)
    outdated = [
        s.name
        for s in systems
        if s.classifications.exists()
        and s.classifications.latest().is_outdated(scale.max_age_years)
    ]
    assert "Geosecma" in outdated and "Procapita" not in outdated
    assert Finding.objects.filter(systems__name="Teis", source=Finding.Source.AUDIT).exists()


def test_secret_findings_are_kept_from_the_board_member(asby):
    secret = Finding.objects.filter(municipality=asby, is_secret=True)
    assert secret.exists()
    board_member = User.objects.get(username="ledamot")
    visible = policy.findings(board_member)
    assert visible.exists()
    assert not visible.filter(is_secret=True).exists()
    assert not policy.actions(board_member).filter(findings__is_secret=True).exists()
    coordinator = User.objects.get(username="samordnare")
    assert set(policy.findings(coordinator).filter(is_secret=True)) == set(secret)


def test_norrby_is_separate_and_sees_nothing_of_asby(asby):
    from audits.models import Observation, Recommendation
    from organisation.models import Decision
    from reports.models import Report

    norrby_user = User.objects.get(username="kontrollant2")
    models = [
        OrgUnit,
        Decision,
        User,
        ControlPlan,
        ControlPoint,
        ControlOccurrence,
        Finding,
        Action,
        Audit,
        Observation,
        Recommendation,
        BoardResponse,
        System,
        AccessReview,
        Report,
    ]
    for model in models:
        seen = policy.scope(norrby_user, model._default_manager.all())
        field = {
            ControlPoint: "plan__municipality",
            ControlOccurrence: "control_point__plan__municipality",
            Observation: "audit__municipality",
            Recommendation: "audit__municipality",
            BoardResponse: "audit__municipality",
        }.get(model, "municipality")
        assert not seen.filter(**{field: asby}).exists(), model.__name__
    assert policy.occurrences(norrby_user).count() == 3
    assert policy.findings(norrby_user).count() == 1
    # And the other way round: Åsby's administrator sees nothing of Norrby.
    admin = User.objects.get(username="admin")
    assert not policy.plans(admin).filter(municipality__slug="norrby").exists()
    assert not policy.findings(admin).filter(municipality__slug="norrby").exists()


def test_the_command_refuses_without_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="DEMO_MODE"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Municipality.objects.exists()
    assert not User.objects.exists()


def test_the_command_prints_the_users_and_their_password(settings):
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for username in DEMO_USERNAMES:
        assert re.search(rf"^\s+{username}\s", text, re.MULTILINE), username
    assert "Norrby kommun" in text and "Åsby kommun" in text


def test_board_member_has_the_annual_follow_up_to_read(demo):
    from organisation import policy
    from organisation.models import User
    from reports.models import Report

    ledamot = User.objects.get(username="ledamot")
    reports = policy.reports(ledamot).filter(status=Report.Status.DONE)
    annual = reports.get(kind=Report.Kind.ANNUAL_FOLLOW_UP, year=2017)
    assert annual.is_sent_to_board
    assert annual.decision.dnr == "KS/2016:389"
    assert len(annual.sha256) == 64


def test_a_run_removes_second_factors_set_up_on_shared_demo_accounts(demo, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from organisation.models import User

    TOTPDevice.objects.create(user=User.objects.get(username="samordnare"), name="besökare")
    load()
    assert not TOTPDevice.objects.filter(user__username="samordnare").exists()
