"""The main menu: which entries a user sees, decided by the same rules as the pages behind them.

An entry is shown only when its page lets the user in (tests/infra/test_navigation.py follows
every entry as every role), so nobody is offered a link that answers 403. Most entries follow
from the roles alone; the few that depend on what a user owns (a control point, an action, a
system role) cost one small query, and only for users whose roles do not decide it already.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from organisation import policy
from organisation.models import Role, User


@dataclass(frozen=True)
class MenuItem:
    url_name: str
    label: str
    current: str  # URL-name prefix that marks the entry as the current page


def _owns_actions(user: User) -> bool:
    return policy.actions(user).filter(owner=user).exists()


def _reviews_systems(user: User) -> bool:
    from systems.models import SystemRole

    return SystemRole.objects.filter(
        user_id=user.pk, kind__in=policy.REVIEWING_SYSTEM_ROLES
    ).exists()


def menu(user: User) -> list[MenuItem]:
    if not user.is_authenticated:
        return []
    roles = policy.roles_of(user)
    readers = bool(roles & policy.READ_ROLES)
    items = [MenuItem("home", _("Start"), "home")]
    if roles & {Role.CONTROLLER, Role.COORDINATOR, Role.ADMIN} or (
        policy.my_occurrences(user).exists()
    ):
        items.append(MenuItem("controls:my_controls", _("Mina kontroller"), "controls:my_controls"))
    if roles & {Role.ACTION_OWNER, Role.CONTROLLER, Role.COORDINATOR, Role.ADMIN} or (
        _owns_actions(user)
    ):
        items.append(MenuItem("findings:my_actions", _("Mina åtgärder"), "findings:my_actions"))
    if roles & {Role.COORDINATOR, Role.ADMIN, Role.AUDITOR}:
        items.append(MenuItem("findings:dashboard", _("Översikt"), "findings:dashboard"))
    if policy.may_read_controls(user):
        items.append(MenuItem("controls:plan_list", _("Internkontroll"), "controls:"))
    items += [
        MenuItem("findings:finding_list", _("Avvikelser"), "findings:finding"),
        MenuItem("findings:action_list", _("Åtgärder"), "findings:action"),
    ]
    if readers:
        items.append(MenuItem("audits:audit_list", _("Granskningar"), "audits:"))
    items.append(MenuItem("systems:system_list", _("System"), "systems:system"))
    if roles & policy.SECRET_ROLES or _reviews_systems(user):
        items.append(MenuItem("systems:review_list", _("Behörigheter"), "systems:review"))
    if Role.BOARD_MEMBER in roles:
        items.append(MenuItem("reports:board_reports", _("Mina rapporter"), "reports:board"))
    if readers:
        items.append(MenuItem("reports:report_list", _("Rapporter"), "reports:report"))
    if roles:
        items.append(MenuItem("organisation:unit_list", _("Organisation"), "organisation:"))
    if policy.may_administer_security(user):
        items.append(MenuItem("security:event_list", _("Säkerhet"), "security:"))
    if user.is_staff:
        items.append(MenuItem("admin:index", _("Administration"), "admin:"))
    return items
