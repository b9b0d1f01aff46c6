"""factory_boy factories for every domain model, in one place."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from audits.models import (
    Assessment,
    Audit,
    BoardResponse,
    Observation,
    Recommendation,
    RecommendationAssessment,
    ResponseItem,
    Signatory,
)
from controls.models import ControlOccurrence, ControlPlan, ControlPoint, RiskScale
from findings.models import Action, ActionProgress, Finding
from organisation.models import Decision, Municipality, OrgUnit, Role, RoleAssignment, User
from reports.models import Report
from systems.models import AccessReview, AccessReviewItem, Classification, System, SystemRole

TEST_PASSWORD = "korrekt-hast-batteri-42"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Testkommun {n}")
    slug = factory.Sequence(lambda n: f"testkommun-{n}")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    municipality = factory.SubFactory(MunicipalityFactory)
    kind = OrgUnit.Kind.COMMITTEE
    name = factory.Sequence(lambda n: f"Nämnd {n}")
    short_code = factory.Sequence(lambda n: f"N{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.se")
    municipality = factory.SubFactory(MunicipalityFactory)
    password = factory.django.Password(TEST_PASSWORD)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(OrgUnitFactory)
    role = Role.CONTROLLER


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    municipality = factory.SelfAttribute("organ.municipality")
    organ = factory.SubFactory(OrgUnitFactory)
    meeting_date = datetime.date(2025, 12, 10)
    paragraph = factory.Sequence(lambda n: str(n + 1))
    dnr = factory.Sequence(lambda n: f"KS/2025:{n + 100}")
    title = "Internkontrollplan"


class RiskScaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskScale
        django_get_or_create = ("municipality",)

    municipality = factory.SubFactory(MunicipalityFactory)


class ControlPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlPlan

    municipality = factory.SelfAttribute("unit.municipality")
    unit = factory.SubFactory(OrgUnitFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)


class ControlPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlPoint

    plan = factory.SubFactory(ControlPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Kontrollpunkt {n}")
    process = "Behörighetshantering"
    risk_description = "Konton för personer som slutat ligger kvar."
    likelihood = 3
    consequence = 4
    control_activity = "Jämför aktiva konton med anställningar i lönesystemet."
    frequency = ControlPoint.Frequency.YEARLY
    planned_months = factory.LazyFunction(lambda: [6])


class ControlOccurrenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlOccurrence

    control_point = factory.SubFactory(ControlPointFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    period_label = "Juni"


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    municipality = factory.SelfAttribute("unit.municipality")
    unit = factory.SubFactory(OrgUnitFactory)
    title = factory.Sequence(lambda n: f"Brist {n}")
    description = "Beskrivning av bristen."
    source = Finding.Source.AUDIT
    severity = "medium"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    municipality = factory.SelfAttribute("unit.municipality")
    unit = factory.SubFactory(OrgUnitFactory)
    title = factory.Sequence(lambda n: f"Åtgärd {n}")
    owner = factory.SubFactory(UserFactory, municipality=factory.SelfAttribute("..municipality"))
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))

    @factory.post_generation
    def findings(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.findings.add(*extracted)


class ActionProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionProgress

    action = factory.SubFactory(ActionFactory)
    comment = "Arbetet pågår."
    author = factory.SelfAttribute("action.owner")


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Granskning av IT-säkerhet {n}")
    body = Audit.Body.ELECTED_AUDITORS
    firm = "PwC"
    kind = Audit.Kind.IN_DEPTH
    report_date = datetime.date(2017, 9, 15)

    @factory.post_generation
    def addressed_units(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.addressed_units.add(*extracted)


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    audit = factory.SubFactory(AuditFactory)
    number = factory.Sequence(lambda n: n + 1)
    area = "Organisering"
    text = "Rutiner för regelbundna kontroller saknas."


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    audit = factory.SubFactory(AuditFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "Kommunstyrelsen bör ta fram en handlingsplan."
    addressee = factory.SubFactory(
        OrgUnitFactory, municipality=factory.SelfAttribute("..audit.municipality")
    )


class BoardResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardResponse

    audit = factory.SubFactory(AuditFactory)
    unit = factory.SubFactory(
        OrgUnitFactory, municipality=factory.SelfAttribute("..audit.municipality")
    )


class SystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = System

    municipality = factory.SelfAttribute("owning_unit.municipality")
    owning_unit = factory.SubFactory(OrgUnitFactory)
    name = factory.Sequence(lambda n: f"System {n}")
    vendor = "Leverantör AB"


class SystemRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SystemRole

    system = factory.SubFactory(SystemFactory)
    kind = SystemRole.Kind.MANAGER
    user = factory.SubFactory(
        UserFactory, municipality=factory.SelfAttribute("..system.municipality")
    )


class ClassificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Classification

    system = factory.SubFactory(SystemFactory)
    confidentiality = 3
    integrity = 2
    availability = 2
    traceability = 2
    classified_on = datetime.date(2025, 3, 1)


class AccessReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessReview

    municipality = factory.SelfAttribute("system.municipality")
    system = factory.SubFactory(SystemFactory)


class AccessReviewItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessReviewItem

    review = factory.SubFactory(AccessReviewFactory)
    account_id = factory.Sequence(lambda n: f"konto{n}")
    name = factory.Faker("name", locale="sv_SE")
    category = AccessReviewItem.Category.OK


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    municipality = factory.SelfAttribute("unit.municipality")
    unit = factory.SubFactory(OrgUnitFactory)
    kind = Report.Kind.ANNUAL_FOLLOW_UP
    year = 2017
    series_key = factory.Sequence(lambda n: f"series-{n}")
    version = 1
    title = "Uppföljning av internkontrollplan 2017"
    requested_by = factory.SubFactory(
        UserFactory, municipality=factory.SelfAttribute("..municipality")
    )


# --- notifications (issue 6) ---------------------------------------------------------------


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Notification"

    recipient = factory.SubFactory(UserFactory)
    municipality = factory.SelfAttribute("recipient.municipality")
    kind = "reminder"
    title = factory.Sequence(lambda n: f"Åtgärd: Byt lösenord {n}")
    body = "Sista dag om 3 dagar."
    url = "/"


# --- findings and audits (issue 4) -------------------------------------------------------------


class RecommendationAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendationAssessment

    recommendation = factory.SubFactory(RecommendationFactory)
    follow_up = factory.SubFactory(
        AuditFactory,
        municipality=factory.SelfAttribute("..recommendation.audit.municipality"),
        kind=Audit.Kind.FOLLOW_UP,
        follows_up=factory.SelfAttribute("..recommendation.audit"),
        report_date=datetime.date(2018, 9, 15),
    )
    assessment = Assessment.PARTLY_REMEDIED


class ResponseItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponseItem

    response = factory.SubFactory(BoardResponseFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "Nämnden tar fram riktlinjer under 2019."


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    response = factory.SubFactory(BoardResponseFactory)
    name = factory.Faker("name", locale="sv_SE")
    title = "Ordförande"


def pdf_upload(name: str = "underlag.pdf", text: str = "Skärmbild av åtgärdad brist"):
    """A small but real PDF upload (the upload check sniffs the content, not the name)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = f"%PDF-1.4\n1 0 obj << /Title ({text}) >> endobj\ntrailer << >>\n%%EOF\n"
    return SimpleUploadedFile(name, body.encode("latin-1", "replace"), "application/pdf")
