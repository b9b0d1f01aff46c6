"""Who may see and do what. The one place that answers it; views never decide ad hoc.

Two questions, for every kind of object:

* ``scope(user, queryset)`` — which of these objects may the user see? Answered in SQL, so list
  pages filter and paginate in the database.
* ``can(user, verb, obj)`` — may the user do ``verb`` to this object?

The facts behind the answers:

* A **role on an organisation unit** (:class:`organisation.models.RoleAssignment`) covers the
  unit's whole subtree (matched on the unit's materialised ``path``), within its validity period.
* **Ownership**: the control owner of a control point, the owner of an action, a system role
  (systemförvaltare, systemägare) on a system.
* **Object permissions** granted with django-guardian (``view_system``, ``change_system``,
  ``view_audit``, ``view_controlplan``): ad hoc shares such as one audit for an external auditor.

Everything is confined to the user's own municipality: an object of another municipality is
never in any scope, so detail views answer 404. Secret records (OSL 18 kap. 8 §) are visible only
to roles in :data:`SECRET_ROLES`, to the owners of their actions and to whoever registered them;
board members never see them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from organisation.models import Decision, OrgUnit, Role, RoleAssignment, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

M = TypeVar("M", bound=Model)

#: Roles that may read what belongs to their units.
READ_ROLES = frozenset(
    {Role.ADMIN, Role.COORDINATOR, Role.CONTROLLER, Role.BOARD_MEMBER, Role.AUDITOR}
)
#: Roles that may read records flagged secret (OSL 18:8) in their units.
SECRET_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.AUDITOR})
#: Roles that manage plans, findings, audits and systems of their units.
MANAGE_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})
#: Only the information-security coordinator verifies remedies and accepts risks.
VERIFY_ROLES = frozenset({Role.COORDINATOR})


class Verb(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    LOG_RESULT = "log_result"  # record the result of a control occurrence
    UPDATE = "update"  # an action owner's status and progress on their action
    VERIFY = "verify"  # verify a remedy or accept a risk
    REVIEW = "review"  # decide on accounts in an access review


@dataclass(frozen=True)
class Grants:
    """The unit paths a user holds each role on today, read once per user object."""

    user_id: int | None
    municipality_id: int | None
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.user_id is not None and self.municipality_id is not None

    def paths_for(self, roles: Iterable[str]) -> tuple[str, ...]:
        found: set[str] = set()
        for role in roles:
            found.update(self.paths.get(role, ()))
        # A path covered by a shorter one adds nothing to the query.
        return tuple(p for p in sorted(found) if not any(p != o and p.startswith(o) for o in found))

    def has_any(self, roles: Iterable[str]) -> bool:
        return any(self.paths.get(role) for role in roles)

    def covers(self, unit: OrgUnit | None, roles: Iterable[str]) -> bool:
        if unit is None or unit.municipality_id != self.municipality_id:
            return False
        return any(unit.path.startswith(p) for p in self.paths_for(roles))

    def q(self, roles: Iterable[str], unit_field: str = "unit") -> Q:
        """A filter matching objects whose ``unit_field`` lies under a unit held in ``roles``."""
        paths = self.paths_for(roles)
        if not paths:
            return Q(pk__in=[])
        condition = Q()
        for path in paths:
            condition |= Q(**{f"{unit_field}__path__startswith": path})
        return condition


_NO_GRANTS = Grants(user_id=None, municipality_id=None)


def grants(user: User | AnonymousUser | None) -> Grants:
    """The user's valid role grants; cached on the user object (see :func:`forget`)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _NO_GRANTS
    cached = getattr(user, "_policy_grants", None)
    if cached is not None:
        return cached
    if user.municipality_id is None:
        result = _NO_GRANTS
    else:
        paths: dict[str, list[str]] = {}
        rows = (
            RoleAssignment.objects.valid_on()
            .filter(user=user, unit__municipality_id=user.municipality_id, unit__is_active=True)
            .values_list("role", "unit__path")
        )
        for role, path in rows:
            paths.setdefault(role, []).append(path)
        result = Grants(
            user_id=user.pk,
            municipality_id=user.municipality_id,
            paths={role: tuple(p) for role, p in paths.items()},
        )
    user._policy_grants = result
    return result


def forget(user: User) -> None:
    """Drop the cached grants, after the user's roles changed."""
    user.__dict__.pop("_policy_grants", None)


def roles_of(user: User | AnonymousUser) -> frozenset[str]:
    """The roles a user holds anywhere today (for navigation and start pages)."""
    return frozenset(role for role, paths in grants(user).paths.items() if paths)


# --------------------------------------------------------------------------------------------
# Scopes: which objects may the user see?
# --------------------------------------------------------------------------------------------


def _guardian_pks(user: User, perm: str, model: type[Model]) -> QuerySet:
    from guardian.shortcuts import get_objects_for_user

    return get_objects_for_user(
        user, perm, klass=model, with_superuser=False, accept_global_perms=False
    ).values("pk")


def units(user: User, qs: QuerySet[OrgUnit] | None = None) -> QuerySet[OrgUnit]:
    """The organisation of one's own municipality is public to its users."""
    g = grants(user)
    qs = OrgUnit.objects.all() if qs is None else qs
    return qs.filter(municipality_id=g.municipality_id) if g.active else qs.none()


def decisions(user: User, qs: QuerySet[Decision] | None = None) -> QuerySet[Decision]:
    """Minute items are public records within the municipality."""
    g = grants(user)
    qs = Decision.objects.all() if qs is None else qs
    return qs.filter(municipality_id=g.municipality_id) if g.active else qs.none()


def users(user: User, qs: QuerySet[User] | None = None) -> QuerySet[User]:
    g = grants(user)
    qs = User.objects.all() if qs is None else qs
    return qs.filter(municipality_id=g.municipality_id) if g.active else qs.none()


def plans(user: User, qs: QuerySet | None = None) -> QuerySet:
    from controls.models import ControlPlan, ControlPoint

    g = grants(user)
    qs = ControlPlan.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    owns_point = Exists(ControlPoint.objects.filter(plan=OuterRef("pk"), owner_id=g.user_id))
    shared = Q(pk__in=_guardian_pks(user, "controls.view_controlplan", ControlPlan))
    return qs.filter(Q(municipality_id=g.municipality_id) & (g.q(READ_ROLES) | owns_point | shared))


def control_points(user: User, qs: QuerySet | None = None) -> QuerySet:
    from controls.models import ControlPoint

    g = grants(user)
    qs = ControlPoint.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    return qs.filter(
        Q(plan__municipality_id=g.municipality_id)
        & (g.q(READ_ROLES, "plan__unit") | Q(owner_id=g.user_id))
    )


def occurrences(user: User, qs: QuerySet | None = None) -> QuerySet:
    from controls.models import ControlOccurrence

    g = grants(user)
    qs = ControlOccurrence.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    return qs.filter(
        Q(control_point__plan__municipality_id=g.municipality_id)
        & (g.q(READ_ROLES, "control_point__plan__unit") | Q(control_point__owner_id=g.user_id))
    )


def my_occurrences(user: User, qs: QuerySet | None = None) -> QuerySet:
    """The occurrences a user is to carry out ("Mina kontroller"): of the control points they
    own, and of unowned points in units where they are controller — the LOG_RESULT rule without
    the managers' blanket right."""
    from controls.models import ControlOccurrence

    g = grants(user)
    qs = ControlOccurrence.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    unowned_in_unit = Q(control_point__owner__isnull=True) & g.q(
        {Role.CONTROLLER}, "control_point__plan__unit"
    )
    return qs.filter(
        Q(control_point__plan__municipality_id=g.municipality_id)
        & (Q(control_point__owner_id=g.user_id) | unowned_in_unit)
    )


def occurrence_evidence(user: User, qs: QuerySet | None = None) -> QuerySet:
    """Evidence files of visible occurrences. Where the occurrence's deviation is secret
    (OSL 18:8), only secret roles, the control owner and the uploader get the files."""
    from controls.models import OccurrenceEvidence
    from findings.models import Finding

    g = grants(user)
    qs = OccurrenceEvidence.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    secret = Exists(Finding.objects.filter(occurrence_id=OuterRef("occurrence_id"), is_secret=True))
    may_read_secret = (
        g.q(SECRET_ROLES, "occurrence__control_point__plan__unit")
        | Q(occurrence__control_point__owner_id=g.user_id)
        | Q(uploaded_by_id=g.user_id)
    )
    return qs.filter(occurrence__in=occurrences(user).values("pk")).filter(
        ~secret | may_read_secret
    )


def occurrence_details(user: User, qs: QuerySet | None = None) -> QuerySet:
    """Occurrences whose free text (what was checked, comment, reason) the user may read.

    The text of a control whose deviation is secret (OSL 18:8) often holds the very details the
    secrecy protects ("the password Sommar2017 works on …"), so it follows the rule of the
    secret finding: secret roles on the unit, the control owner and whoever carried it out.
    """
    from findings.models import Finding

    g = grants(user)
    visible = occurrences(user, qs)
    if not g.active:
        return visible
    secret = Exists(Finding.objects.filter(occurrence_id=OuterRef("pk"), is_secret=True))
    may_read_secret = (
        g.q(SECRET_ROLES, "control_point__plan__unit")
        | Q(control_point__owner_id=g.user_id)
        | Q(performed_by_id=g.user_id)
    )
    return visible.filter(~secret | may_read_secret)


def may_read_occurrence_details(user: User, occurrence: Any) -> bool:
    return occurrence_details(user).filter(pk=occurrence.pk).exists()


def plan_imports(user: User, qs: QuerySet | None = None) -> QuerySet:
    """Staged plan imports are private to their uploader, until confirmed or expired."""
    from controls.models import PlanImport

    g = grants(user)
    qs = PlanImport.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    return qs.filter(created_by_id=g.user_id, municipality_id=g.municipality_id)


def plan_units(user: User) -> QuerySet[OrgUnit]:
    """The units a user may create and manage internal-control plans for."""
    g = grants(user)
    paths = g.paths_for(MANAGE_ROLES) if g.active else ()
    if not paths:
        return OrgUnit.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return OrgUnit.objects.filter(condition, municipality_id=g.municipality_id, is_active=True)


def may_read_controls(user: User) -> bool:
    """May the user browse internal control at all (lists, risk matrix, risk scale)?"""
    from controls.models import ControlPoint

    g = grants(user)
    if not g.active:
        return False
    return g.has_any(READ_ROLES) or ControlPoint.objects.filter(owner_id=g.user_id).exists()


def _secret_visibility(g: Grants, unit_field: str = "unit") -> Q:
    """Not secret and in a read scope, or secret and in a scope that may read secrets."""
    return g.q(SECRET_ROLES, unit_field) | (g.q(READ_ROLES, unit_field) & Q(is_secret=False))


def findings(user: User, qs: QuerySet | None = None) -> QuerySet:
    from findings.models import Action, Finding

    g = grants(user)
    qs = Finding.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    owns_action = Exists(
        Action.findings.through.objects.filter(
            finding_id=OuterRef("pk"), action__owner_id=g.user_id
        )
    )
    return qs.filter(
        Q(municipality_id=g.municipality_id)
        & (_secret_visibility(g) | owns_action | Q(created_by_id=g.user_id))
    )


def findings_to_verify(user: User, qs: QuerySet | None = None) -> QuerySet:
    """Remedied findings waiting for this user's verification (units where they may verify)."""
    from findings.models import Finding

    g = grants(user)
    qs = Finding.objects.all() if qs is None else qs
    if not g.active or not g.has_any(VERIFY_ROLES):
        return qs.none()
    return qs.filter(
        g.q(VERIFY_ROLES), municipality_id=g.municipality_id, status=Finding.Status.REMEDIED
    )


def actions(user: User, qs: QuerySet | None = None) -> QuerySet:
    from findings.models import Action

    g = grants(user)
    qs = Action.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    on_secret_finding = Exists(
        Action.findings.through.objects.filter(action_id=OuterRef("pk"), finding__is_secret=True)
    )
    readable = g.q(SECRET_ROLES) | (g.q(READ_ROLES) & ~on_secret_finding)
    return qs.filter(Q(municipality_id=g.municipality_id) & (readable | Q(owner_id=g.user_id)))


def audits(user: User, qs: QuerySet | None = None) -> QuerySet:
    from audits.models import Audit

    g = grants(user)
    qs = Audit.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    addressed = Exists(
        Audit.addressed_units.through.objects.filter(audit_id=OuterRef("pk")).filter(
            g.q(READ_ROLES, "orgunit")
        )
    )
    shared = Q(pk__in=_guardian_pks(user, "audits.view_audit", Audit))
    return qs.filter(Q(municipality_id=g.municipality_id) & (addressed | shared))


def may_read_secret_details_of_audit(user: User, audit: Any) -> bool:
    """Secret observations of an audit: for secret roles on any of its addressed units."""
    g = grants(user)
    return any(g.covers(unit, SECRET_ROLES) for unit in audit.addressed_units.all())


def _secret_audit_details_ok(g: Grants, audit_ref: str = "audit_id") -> Exists:
    """The user holds a secret role on one of the audit's addressed units."""
    from audits.models import Audit

    return Exists(
        Audit.addressed_units.through.objects.filter(audit_id=OuterRef(audit_ref)).filter(
            g.q(SECRET_ROLES, "orgunit")
        )
    )


def observations(user: User, qs: QuerySet | None = None) -> QuerySet:
    """Observations of visible audits; secret ones (or all of a secret audit) to secret roles."""
    from audits.models import Observation

    g = grants(user)
    qs = Observation.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    return qs.filter(audit__in=audits(user)).filter(
        Q(is_secret=False, audit__is_secret=False) | _secret_audit_details_ok(g)
    )


def recommendations(user: User, qs: QuerySet | None = None) -> QuerySet:
    """Recommendations of visible audits; those of a secret audit only to secret roles."""
    from audits.models import Recommendation

    g = grants(user)
    qs = Recommendation.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    return qs.filter(audit__in=audits(user)).filter(
        Q(audit__is_secret=False) | _secret_audit_details_ok(g)
    )


def responses(user: User, qs: QuerySet | None = None) -> QuerySet:
    from audits.models import BoardResponse

    g = grants(user)
    qs = BoardResponse.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    return qs.filter(audit__municipality_id=g.municipality_id).filter(g.q(READ_ROLES))


def systems(user: User, qs: QuerySet | None = None) -> QuerySet:
    from systems.models import System, SystemRole

    g = grants(user)
    qs = System.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    holds_role = Exists(SystemRole.objects.filter(system_id=OuterRef("pk"), user_id=g.user_id))
    shared = Q(pk__in=_guardian_pks(user, "systems.view_system", System))
    return qs.filter(
        Q(municipality_id=g.municipality_id)
        & (g.q(READ_ROLES, "owning_unit") | holds_role | shared)
    )


#: System roles that run access reviews of their system.
REVIEWING_SYSTEM_ROLES = ("manager", "owner")


def access_reviews(user: User, qs: QuerySet | None = None) -> QuerySet:
    """Access reviews hold personal data: secret roles and the system's managers/owners only."""
    from systems.models import AccessReview, SystemRole

    g = grants(user)
    qs = AccessReview.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    manages = Exists(
        SystemRole.objects.filter(
            system_id=OuterRef("system_id"), user_id=g.user_id, kind__in=REVIEWING_SYSTEM_ROLES
        )
    )
    return qs.filter(
        Q(municipality_id=g.municipality_id) & (g.q(SECRET_ROLES, "system__owning_unit") | manages)
    )


def may_register_systems(user: User) -> bool:
    """May the user add systems to the register (and import them)? Managers of some unit."""
    return grants(user).has_any(MANAGE_ROLES)


def reports(user: User, qs: QuerySet | None = None) -> QuerySet:
    """Board versions to everyone who reads the unit; internal versions to secret roles."""
    from reports.models import Report

    g = grants(user)
    qs = Report.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    return qs.filter(
        Q(municipality_id=g.municipality_id)
        & (g.q(SECRET_ROLES) | (g.q(READ_ROLES) & Q(audience=Report.Audience.BOARD)))
    )


def report_units(user: User) -> QuerySet[OrgUnit]:
    """The units a user may order reports for: where they manage (coordinator, admin)."""
    g = grants(user)
    paths = g.paths_for(MANAGE_ROLES)
    if not g.active or not paths:
        return OrgUnit.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return OrgUnit.objects.filter(condition, municipality_id=g.municipality_id, is_active=True)


def may_order_report(user: User, unit: OrgUnit, audience: str) -> bool:
    """Ordering a report needs a managing role on its unit; the internal version, which holds
    secret details, also needs a role that may read secrets there."""
    from reports.models import Report

    g = grants(user)
    if not g.covers(unit, MANAGE_ROLES):
        return False
    return audience == Report.Audience.BOARD or g.covers(unit, SECRET_ROLES)


def notifications(user: User, qs: QuerySet | None = None) -> QuerySet:
    """Notifications are personal: one's own, in one's own municipality."""
    from notifications.models import Notification

    g = grants(user)
    qs = Notification.objects.all() if qs is None else qs
    if not g.active:
        return qs.none()
    return qs.filter(recipient_id=g.user_id, municipality_id=g.municipality_id)


#: Roles that read the security event log and lift lockouts of their municipality.
SECURITY_ROLES = frozenset({Role.ADMIN})


def security_events(user: User, qs: QuerySet | None = None) -> QuerySet:
    """The security log of one's own municipality, for administrators only."""
    from security.models import SecurityEvent

    g = grants(user)
    qs = SecurityEvent.objects.all() if qs is None else qs
    if not g.active or not g.has_any(SECURITY_ROLES):
        return qs.none()
    return qs.filter(municipality_id=g.municipality_id)


def _scopes() -> dict[type[Model], Any]:
    from audits.models import Audit, BoardResponse, Observation, Recommendation
    from controls.models import ControlOccurrence, ControlPlan, ControlPoint, PlanImport
    from findings.models import Action, Finding
    from notifications.models import Notification
    from reports.models import Report
    from security.models import SecurityEvent
    from systems.models import AccessReview, System

    return {
        OrgUnit: units,
        Decision: decisions,
        User: users,
        ControlPlan: plans,
        ControlPoint: control_points,
        ControlOccurrence: occurrences,
        PlanImport: plan_imports,
        Finding: findings,
        Action: actions,
        Audit: audits,
        Observation: observations,
        Recommendation: recommendations,
        BoardResponse: responses,
        System: systems,
        AccessReview: access_reviews,
        Report: reports,
        Notification: notifications,
        SecurityEvent: security_events,
    }


def scope(user: User, qs: QuerySet[M]) -> QuerySet[M]:
    """The part of ``qs`` the user may see."""
    try:
        scoper = _scopes()[qs.model]
    except KeyError as exc:
        raise LookupError(f"No access rule for {qs.model.__name__}") from exc
    return scoper(user, qs)


# --------------------------------------------------------------------------------------------
# Object checks: may the user do this to that?
# --------------------------------------------------------------------------------------------


def _system_role(user: User, system: Any, kinds: Iterable[str]) -> bool:
    from systems.models import SystemRole

    return SystemRole.objects.filter(system=system, user_id=user.pk, kind__in=list(kinds)).exists()


def can(user: User, verb: str, obj: Model) -> bool:
    """May ``user`` do ``verb`` to ``obj``? Viewing is answered by the scopes above."""
    from audits.models import Audit, BoardResponse, Observation, Recommendation
    from controls.models import ControlOccurrence, ControlPlan, ControlPoint
    from findings.models import Action, Finding
    from reports.models import Report
    from systems.models import AccessReview, System

    g = grants(user)
    if not g.active:
        return False
    if verb == Verb.VIEW:
        return scope(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()

    if isinstance(obj, ControlPlan):
        return verb == Verb.CHANGE and g.covers(obj.unit, MANAGE_ROLES)
    if isinstance(obj, ControlPoint):
        return verb == Verb.CHANGE and g.covers(obj.plan.unit, MANAGE_ROLES)
    if isinstance(obj, ControlOccurrence):
        unit = obj.control_point.plan.unit
        if verb == Verb.CHANGE:
            return g.covers(unit, MANAGE_ROLES)
        if verb == Verb.LOG_RESULT:
            owner_id = obj.control_point.owner_id
            return (
                g.covers(unit, MANAGE_ROLES)
                or owner_id == user.pk
                or (owner_id is None and g.covers(unit, {Role.CONTROLLER}))
            )
        return False
    if isinstance(obj, Finding):
        if verb == Verb.CHANGE:
            return g.covers(obj.unit, MANAGE_ROLES)
        if verb == Verb.VERIFY:
            return g.covers(obj.unit, VERIFY_ROLES)
        return False
    if isinstance(obj, Action):
        if verb == Verb.CHANGE:
            return g.covers(obj.unit, MANAGE_ROLES)
        if verb == Verb.UPDATE:
            return obj.owner_id == user.pk or g.covers(obj.unit, MANAGE_ROLES)
        return False
    if isinstance(obj, Audit):
        return verb == Verb.CHANGE and (
            any(g.covers(u, MANAGE_ROLES) for u in obj.addressed_units.all())
            or user.has_perm("audits.change_audit", obj)
        )
    if isinstance(obj, Observation | Recommendation):
        return verb == Verb.CHANGE and can(user, Verb.CHANGE, obj.audit)
    if isinstance(obj, BoardResponse):
        return verb == Verb.CHANGE and g.covers(obj.unit, MANAGE_ROLES)
    if isinstance(obj, System):
        if verb == Verb.CHANGE:
            return (
                g.covers(obj.owning_unit, MANAGE_ROLES)
                or _system_role(user, obj, REVIEWING_SYSTEM_ROLES)
                or user.has_perm("systems.change_system", obj)
            )
        if verb == Verb.REVIEW:  # start an access review of the system
            return g.covers(obj.owning_unit, MANAGE_ROLES) or _system_role(
                user, obj, REVIEWING_SYSTEM_ROLES
            )
        return False
    if isinstance(obj, AccessReview):
        return verb in (Verb.CHANGE, Verb.REVIEW) and (
            g.covers(obj.system.owning_unit, MANAGE_ROLES)
            or _system_role(user, obj.system, REVIEWING_SYSTEM_ROLES)
        )
    if isinstance(obj, Report):
        return verb == Verb.CHANGE and g.covers(obj.unit, MANAGE_ROLES)
    if isinstance(obj, OrgUnit | Decision):
        return verb == Verb.CHANGE and g.covers(
            obj if isinstance(obj, OrgUnit) else obj.organ, MANAGE_ROLES
        )
    return False


def get_for_user(user: User, qs: QuerySet[M] | type[M], pk: Any, verb: str = Verb.VIEW) -> M:
    """Fetch an object the user may see, else 404; may see but not ``verb`` it, else 403."""
    queryset = qs._default_manager.all() if isinstance(qs, type) else qs
    try:
        obj = scope(user, queryset).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if verb != Verb.VIEW and not can(user, verb, obj):
        raise PermissionDenied
    return obj


def may_create_in(user: User, unit: OrgUnit, roles: Iterable[str] = MANAGE_ROLES) -> bool:
    """May the user create plans, findings, audits or systems for this unit?"""
    return grants(user).covers(unit, roles)


def units_for_creating(user: User, roles: Iterable[str] = MANAGE_ROLES) -> QuerySet[OrgUnit]:
    """The units in which the user may create findings, actions, audits and responses."""
    g = grants(user)
    paths = g.paths_for(roles)
    if not g.active or not paths:
        return OrgUnit.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return OrgUnit.objects.filter(condition, municipality_id=g.municipality_id, is_active=True)


def may_administer_security(user: User) -> bool:
    """May the user read the security log and lift sign-in lockouts (of their municipality)?"""
    return grants(user).has_any(SECURITY_ROLES)


def lockout_usernames(user: User) -> QuerySet:
    """Usernames whose sign-in lockouts the user may see and lift: their municipality's."""
    g = grants(user)
    if not g.active or not g.has_any(SECURITY_ROLES):
        return User.objects.none().values("username")
    return User.objects.filter(municipality_id=g.municipality_id).values("username")
