"""The world of the access matrix: one object of every kind, each carrying a marker word.

Every name a page could print carries a *marker*: a word that says who may read it. The matrix
(test_access_matrix.py) requests every URL as every user and fails when a response contains a
marker its user may not read, whatever the status code. So a list that forgets a scope, a form
whose choices list another unit's systems, or an error page that echoes a secret title all fail
there, without a test written for that page.

Municipality A ("Alfa"): a root council (KF) with two boards, SN and BUN. Municipality B
("Beta") mirrors a few objects. The cast holds the roles of ``tests/conftest.py`` and adds a
system manager (a system role, no unit role).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone

from audits.models import Audit
from controls.models import ControlOccurrence, OccurrenceEvidence, PlanImport
from findings.models import ActionEvidence, FindingEvidence
from notifications.models import Notification
from organisation.models import OrgUnit, Role
from reports.models import Report
from security.models import SecurityEvent
from systems.models import AccessReview, AccessReviewItem, Integration, ManagementPlan, SystemRole
from tests import factories as f

# --- markers: who may read a name that carries one -----------------------------------------------

ALFA = "ZALFA"  # A's organisation, decisions and users: every user of A
SN_PLAN = "ZSNPLAN"  # SN's plan, control points, occurrences: readers of SN, the control owner
SN_FINDING = "ZSNFIND"  # SN's open finding and its action: readers of SN, the action's owner
SN_AUDIT = "ZSNAUDIT"  # the audit addressed to SN: readers of SN
SN_SYSTEM = "ZSNSYS"  # SN's system: readers of SN, its system manager
SN_REPORT = "ZSNREPORT"  # the board version of SN's annual report: readers of SN
SECRET = "ZSECRET"  # OSL 18:8: secret roles (admin, coordinator, auditor) only
INTERNAL = "ZINTERNAL"  # the internal report version: secret roles only
BUN = "ZBUNX"  # BUN's records: roles held at the root (admin, coordinator, auditor)
PERSONAL = "ZPERSONAL"  # account holders in an access review: secret roles, the system manager
NOTICE = "ZNOTICE"  # the coordinator's own notification
BETA = "ZBETA"  # anything of municipality B

A_MARKERS = frozenset(
    {ALFA, SN_PLAN, SN_FINDING, SN_AUDIT, SN_SYSTEM, SN_REPORT, SECRET, INTERNAL, BUN, PERSONAL}
    | {NOTICE}
)
SN_READ = frozenset({SN_PLAN, SN_FINDING, SN_AUDIT, SN_SYSTEM, SN_REPORT})

#: The markers each user may read; all others must never appear in a response to them.
READS: dict[str, frozenset[str]] = {
    "admin": A_MARKERS - {NOTICE},
    "coordinator": A_MARKERS,
    "auditor": A_MARKERS - {NOTICE},
    "controller": frozenset({ALFA}) | SN_READ,
    "board_member": frozenset({ALFA}) | SN_READ,
    "action_owner": frozenset({ALFA, SN_FINDING}),
    "system_manager": frozenset({ALFA, SN_SYSTEM, PERSONAL}),
    "nobody": frozenset({ALFA}),
    "outsider": frozenset({BETA}),
    "anonymous": frozenset(),
}
ALL_MARKERS = A_MARKERS | {BETA}

PDF = b"%PDF-1.4\n1 0 obj << /Title (Underlag) >> endobj\ntrailer << >>\n%%EOF\n"


@dataclass
class MatrixWorld:
    users: dict[str, object] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _user(municipality, username: str, marker: str):
    return f.UserFactory(
        username=username,
        municipality=municipality,
        first_name=username.capitalize(),
        last_name=f"Testsson {marker}",
        password=make_password(f.TEST_PASSWORD, hasher="md5"),
    )


def _stored(model, **fields):
    obj = model(original_name="underlag.pdf", content_type="application/pdf", **fields)
    obj.size, obj.sha256 = len(PDF), "0" * 64
    obj.file.save("underlag.pdf", ContentFile(PDF), save=False)
    obj.save()
    return obj


def build() -> MatrixWorld:
    w = MatrixWorld()
    o = w.objects
    today = timezone.localdate()
    year = today.year

    # --- organisation -----------------------------------------------------------------------------
    a = f.MunicipalityFactory(name=f"Alfa kommun {ALFA}", slug="alfa")
    root = f.OrgUnitFactory(
        municipality=a, kind=OrgUnit.Kind.COUNCIL, name=f"Fullmäktige {ALFA}", short_code="KF"
    )
    sn = f.OrgUnitFactory(municipality=a, parent=root, name=f"Socialnämnd {ALFA}", short_code="SN")
    bun = f.OrgUnitFactory(municipality=a, parent=root, name=f"Skolnämnd {ALFA}", short_code="BUN")
    b = f.MunicipalityFactory(name=f"Beta kommun {BETA}", slug="beta")
    b_root = f.OrgUnitFactory(
        municipality=b, kind=OrgUnit.Kind.COUNCIL, name=f"Fullmäktige {BETA}", short_code="KF"
    )
    o.update(municipality=a, root=root, sn=sn, bun=bun, b_root=b_root)

    cast = {
        "admin": (root, [Role.ADMIN]),
        "coordinator": (root, [Role.COORDINATOR]),
        "auditor": (root, [Role.AUDITOR]),
        "controller": (sn, [Role.CONTROLLER]),
        "board_member": (sn, [Role.BOARD_MEMBER]),
        "action_owner": (sn, [Role.ACTION_OWNER]),
        "system_manager": (None, []),
        "nobody": (None, []),
    }
    for username, (unit, roles) in cast.items():
        user = _user(a, username, ALFA)
        for role in roles:
            f.RoleAssignmentFactory(user=user, unit=unit, role=role)
        w.users[username] = user
    outsider = _user(b, "outsider", BETA)
    for role in Role.values:
        f.RoleAssignmentFactory(user=outsider, unit=b_root, role=role)
    w.users["outsider"] = outsider
    u = w.users

    o["decision"] = f.DecisionFactory(organ=sn, title=f"Internkontrollplan {ALFA}")

    # --- internal control ------------------------------------------------------------------------
    plan = f.ControlPlanFactory(unit=sn, year=year, title=f"Plan {SN_PLAN}")
    point = f.ControlPointFactory(
        plan=plan, number=1, title=f"Mobilabonnemang {SN_PLAN}", owner=u["controller"]
    )
    due = f.ControlOccurrenceFactory(
        control_point=point, due_date=today + datetime.timedelta(days=5), period_label="Maj"
    )
    done = f.ControlOccurrenceFactory(
        control_point=point,
        due_date=today - datetime.timedelta(days=40),
        period_label="Februari",
        status=ControlOccurrence.Status.DONE,
        performed_date=today - datetime.timedelta(days=41),
        outcome=ControlOccurrence.Outcome.NO_REMARKS,
        comment=f"Inga avvikelser {SN_PLAN}",
        performed_by=u["controller"],
    )
    # Another point (no owner): its control found a secret deviation.
    security_point = f.ControlPointFactory(plan=plan, number=2, title=f"Lösenord {SN_PLAN}")
    secret_done = f.ControlOccurrenceFactory(
        control_point=security_point,
        due_date=today - datetime.timedelta(days=20),
        period_label="Mars",
        status=ControlOccurrence.Status.DONE,
        performed_date=today - datetime.timedelta(days=21),
        outcome=ControlOccurrence.Outcome.MAJOR_DEVIATION,
        checked_what=f"Provade standardlösenord {SECRET}",
        comment=f"Lösenordet fungerar på kortskrivaren {SECRET}",
        performed_by=u["coordinator"],
    )
    o.update(plan=plan, point=point, occurrence=due, done_occurrence=done)
    o["secret_occurrence"] = secret_done
    o["occurrence_evidence"] = _stored(
        OccurrenceEvidence, occurrence=done, uploaded_by=u["controller"]
    )
    o["plan_import"] = PlanImport.objects.create(
        municipality=a,
        created_by=u["coordinator"],
        plan=plan,
        filename="plan.xlsx",
        header=["Kontrollmoment"],
        rows=[[2, [f"Rad {SN_PLAN}"]]],
    )
    bun_plan = f.ControlPlanFactory(unit=bun, year=year, title=f"Plan {BUN}")
    bun_point = f.ControlPointFactory(plan=bun_plan, number=1, title=f"Inköp {BUN}")
    f.ControlOccurrenceFactory(control_point=bun_point)
    b_plan = f.ControlPlanFactory(unit=b_root, year=year, title=f"Plan {BETA}")
    f.ControlOccurrenceFactory(
        control_point=f.ControlPointFactory(plan=b_plan, title=f"Punkt {BETA}")
    )
    o.update(bun_plan=bun_plan, b_plan=b_plan)

    # --- findings and actions ----------------------------------------------------------------
    finding = f.FindingFactory(
        unit=sn, title=f"Konton för slutade {SN_FINDING}", created_by=u["coordinator"]
    )
    action = f.ActionFactory(
        unit=sn,
        title=f"Rensa konton {SN_FINDING}",
        owner=u["action_owner"],
        findings=[finding],
        created_by=u["coordinator"],
    )
    progress = f.ActionProgressFactory(action=action, comment=f"Påbörjat {SN_FINDING}")
    secret = f.FindingFactory(
        unit=sn,
        title=f"Standardlösenord på brandväggen {SECRET}",
        is_secret=True,
        occurrence=o["secret_occurrence"],
        created_by=u["coordinator"],
    )
    secret_action = f.ActionFactory(
        unit=sn, title=f"Byt lösenord {SECRET}", owner=u["coordinator"], findings=[secret]
    )
    bun_finding = f.FindingFactory(unit=bun, title=f"Brist i skolan {BUN}")
    f.ActionFactory(unit=bun, title=f"Åtgärd i skolan {BUN}", owner=u["admin"])
    b_finding = f.FindingFactory(unit=b_root, title=f"Brist {BETA}")
    f.ActionFactory(unit=b_root, title=f"Åtgärd {BETA}", owner=outsider, findings=[b_finding])
    o.update(
        finding=finding,
        action=action,
        progress=progress,
        secret_finding=secret,
        secret_action=secret_action,
        bun_finding=bun_finding,
        b_finding=b_finding,
    )
    o["finding_evidence"] = _stored(FindingEvidence, finding=finding, uploaded_by=u["coordinator"])
    o["secret_evidence"] = _stored(FindingEvidence, finding=secret, uploaded_by=u["coordinator"])
    o["action_evidence"] = _stored(ActionEvidence, progress=progress, uploaded_by=u["action_owner"])

    # --- audits --------------------------------------------------------------------------------
    audit = f.AuditFactory(
        municipality=a, title=f"Granskning av IT-säkerhet {SN_AUDIT}", addressed_units=[sn]
    )
    observation = f.ObservationFactory(audit=audit, number=1, text=f"Rutiner saknas {SN_AUDIT}")
    secret_observation = f.ObservationFactory(
        audit=audit, number=2, text=f"Oskyddade servrar {SECRET}", is_secret=True
    )
    audit.report_file.save("revisionsrapport.pdf", ContentFile(PDF), save=False)
    audit.report_file_name = "revisionsrapport.pdf"
    audit.save()
    recommendation = f.RecommendationFactory(
        audit=audit, number=1, addressee=sn, text=f"Nämnden bör {SN_AUDIT}"
    )
    response = f.BoardResponseFactory(audit=audit, unit=sn)
    item = f.ResponseItemFactory(
        response=response, number=1, recommendation=recommendation, text=f"Svar {SN_AUDIT}"
    )
    signatory = f.SignatoryFactory(response=response, name=f"Ordförande {SN_AUDIT}")
    follow_up = f.AuditFactory(
        municipality=a,
        title=f"Uppföljande granskning {SN_AUDIT}",
        kind=Audit.Kind.FOLLOW_UP,
        follows_up=audit,
        report_date=datetime.date(2018, 9, 15),
        addressed_units=[sn],
    )
    # A secret review (S004's PwC review): the board member reads its summary, not its details.
    secret_audit = f.AuditFactory(
        municipality=a,
        title=f"Teknisk säkerhetsgranskning {SN_AUDIT}",
        kind=Audit.Kind.SECURITY_REVIEW,
        is_secret=True,
        addressed_units=[sn],
    )
    secret_obs = f.ObservationFactory(
        audit=secret_audit, number=1, text=f"Servrar utan patchar {SECRET}", is_secret=True
    )
    secret_rec = f.RecommendationFactory(
        audit=secret_audit, number=1, addressee=sn, text=f"Nämnden bör patcha {SECRET}"
    )
    secret_response = f.BoardResponseFactory(audit=secret_audit, unit=sn)
    f.ResponseItemFactory(
        response=secret_response, number=1, observation=secret_obs, text=f"Patchas {SECRET}"
    )
    f.ResponseItemFactory(
        response=secret_response, number=2, recommendation=secret_rec, text=f"Klart {SECRET}"
    )
    o.update(secret_audit=secret_audit, secret_response=secret_response)
    bun_audit = f.AuditFactory(municipality=a, title=f"Granskning {BUN}", addressed_units=[bun])
    f.RecommendationFactory(audit=bun_audit, addressee=bun, text=f"Skolnämnden bör {BUN}")
    b_audit = f.AuditFactory(municipality=b, title=f"Granskning {BETA}", addressed_units=[b_root])
    o.update(
        audit=audit,
        observation=observation,
        secret_observation=secret_observation,
        recommendation=recommendation,
        response=response,
        response_item=item,
        signatory=signatory,
        follow_up=follow_up,
        bun_audit=bun_audit,
        b_audit=b_audit,
    )

    # --- systems -------------------------------------------------------------------------------
    system = f.SystemFactory(owning_unit=sn, name=f"Kartsystem {SN_SYSTEM}")
    partner = f.SystemFactory(owning_unit=sn, name=f"Ekonomisystem {SN_SYSTEM}")
    f.SystemRoleFactory(system=system, user=u["system_manager"], kind=SystemRole.Kind.MANAGER)
    f.ClassificationFactory(system=system, classified_by=u["coordinator"])
    o["integration"] = Integration.objects.create(source=system, target=partner)
    o["management_plan"] = ManagementPlan.objects.create(system=system, year=year)
    o["system_role"] = SystemRole.objects.get(system=system, user=u["system_manager"])
    review = f.AccessReviewFactory(system=system, status=AccessReview.Status.IN_REVIEW)
    o["review_item"] = f.AccessReviewItemFactory(
        review=review,
        account_id="rtj-anna",
        name=f"Anna Räddningstjänst {PERSONAL}",
        category=AccessReviewItem.Category.EXTERNAL,
    )
    bun_system = f.SystemFactory(owning_unit=bun, name=f"Skolsystem {BUN}")
    b_system = f.SystemFactory(owning_unit=b_root, name=f"System {BETA}")
    o.update(system=system, review=review, bun_system=bun_system, b_system=b_system)

    # --- reports, notifications, security log -------------------------------------------------
    def report(unit, title, audience=Report.Audience.BOARD):
        r = f.ReportFactory(
            unit=unit,
            title=title,
            audience=audience,
            requested_by=u["coordinator"] if unit.municipality_id == a.pk else outsider,
            sha256="0" * 64,
            size=len(PDF),
            page_count=1,
            generated_at=timezone.now(),
            data_as_of=timezone.now(),
        )
        r.file.save("rapport.pdf", ContentFile(PDF), save=False)
        r.status = Report.Status.DONE
        r.save()
        return r

    o["report"] = report(sn, f"Uppföljning av internkontrollplan {SN_REPORT}")
    o["internal_report"] = report(
        sn, f"Uppföljning, intern version {INTERNAL}", Report.Audience.INTERNAL
    )
    o["bun_report"] = report(bun, f"Uppföljning {BUN}")
    o["b_report"] = report(b_root, f"Uppföljning {BETA}")
    o["notification"] = Notification.objects.create(
        recipient=u["coordinator"],
        municipality=a,
        kind="reminder",
        title=f"Påminnelse {NOTICE}",
        body="Sista dag om 3 dagar.",
        url=action.get_absolute_url(),
    )
    Notification.objects.create(
        recipient=outsider, municipality=b, kind="reminder", title=f"Påminnelse {BETA}", url="/"
    )
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.LOGIN_FAILED, username=f"gissning-{ALFA}", municipality=a
    )
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.LOGIN_FAILED, username=f"gissning-{BETA}", municipality=b
    )
    return w
