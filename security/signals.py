"""Receivers that write the security event log: sign-ins, lockouts, role and permission changes.

Connected in :meth:`security.apps.SecurityConfig.ready`. Model changes learn who made them and
from where from the request that simple_history's middleware keeps for the current thread; a
change made outside a request (a management command, the shell) is logged without an actor.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model
from simple_history.models import HistoricalRecords

from organisation.models import RoleAssignment, User
from security import twofactor
from security.alerts import check_password_spraying, on_lockout
from security.events import client_ip, record
from security.models import SecurityEvent

Kind = SecurityEvent.Kind


def current_request() -> HttpRequest | None:
    return getattr(HistoricalRecords.context, "request", None)


def _actor(request: HttpRequest | None) -> Any:
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


# --- Signing in and out ---------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="security_logged_in")
def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    record(request, kind=Kind.LOGIN, user=user)
    if request is not None and hasattr(request, "session"):
        # Look the devices up once at sign-in, not on the session's first page.
        twofactor.has_device(request, user)


@receiver(user_logged_out, dispatch_uid="security_logged_out")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        record(request, kind=Kind.LOGOUT, user=user)


@receiver(user_login_failed, dispatch_uid="security_login_failed")
def _login_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:150]
    user = User.objects.filter(username=username).first() if username else None
    locked = bool(getattr(request, "axes_locked_out", False))
    record(
        request,
        kind=Kind.LOGIN_FAILED,
        user=user,
        username=username,
        detail=_("Kontot är spärrat.") if locked else ("" if user else _("Okänt användarnamn.")),
    )
    check_password_spraying(request, ip=client_ip(request))


@receiver(user_locked_out, dispatch_uid="security_locked_out")
def _locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str | None, **kwargs
) -> None:
    on_lockout(request, username=username or "", ip=ip_address)


# --- Roles ----------------------------------------------------------------------------------


def _role_text(assignment: RoleAssignment) -> str:
    period = ""
    if assignment.valid_from or assignment.valid_to:
        period = _(" (gäller %(start)s–%(end)s)") % {
            "start": assignment.valid_from or "",
            "end": assignment.valid_to or "",
        }
    return _("%(user)s: %(role)s på %(unit)s%(period)s") % {
        "user": assignment.user.get_username(),
        "role": assignment.get_role_display(),
        "unit": assignment.unit,
        "period": period,
    }


@receiver(post_save, sender=RoleAssignment, dispatch_uid="security_role_saved")
def _role_saved(sender: Any, instance: RoleAssignment, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    request = current_request()
    record(
        request,
        kind=Kind.ROLE_GRANTED if created else Kind.ROLE_CHANGED,
        user=_actor(request),
        obj=instance,
        detail=_role_text(instance),
    )


@receiver(post_delete, sender=RoleAssignment, dispatch_uid="security_role_deleted")
def _role_deleted(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    request = current_request()
    try:
        detail = _role_text(instance)
    except User.DoesNotExist:  # the user is being deleted with their roles
        detail = instance.get_role_display()
    record(request, kind=Kind.ROLE_REVOKED, user=_actor(request), obj=instance.unit, detail=detail)


# --- Object permissions (django-guardian) ---------------------------------------------------


def _object_permission_text(instance: Any) -> tuple[str, Any]:
    target = instance.content_object
    holder = getattr(instance, "user", None) or getattr(instance, "group", None)
    text = _("%(perm)s på %(object)s för %(holder)s") % {
        "perm": instance.permission.codename,
        "object": target if target is not None else instance.object_pk,
        "holder": holder,
    }
    return text, target


def _object_permission_changed(instance: Any, kind: str) -> None:
    request = current_request()
    detail, target = _object_permission_text(instance)
    subject = getattr(instance, "user", None)
    record(
        request,
        kind=kind,
        user=_actor(request),
        obj=target if target is not None else subject,
        detail=detail,
    )


def _connect_guardian() -> None:
    for model in (get_user_obj_perms_model(), get_group_obj_perms_model()):
        post_save.connect(
            _guardian_saved, sender=model, dispatch_uid=f"security_guardian_saved_{model}"
        )
        post_delete.connect(
            _guardian_deleted, sender=model, dispatch_uid=f"security_guardian_deleted_{model}"
        )


def _guardian_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        _object_permission_changed(instance, Kind.PERMISSION_GRANTED)


def _guardian_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    _object_permission_changed(instance, Kind.PERMISSION_REVOKED)


# --- Global permissions and groups ----------------------------------------------------------


def _through_pks(through: Any, instance: Any, model: Any) -> set:
    """The related keys a ``clear()`` is about to remove (pre_clear gives no pk_set)."""
    relations = [f for f in through._meta.fields if f.is_relation]
    source = next(f for f in relations if isinstance(instance, f.related_model))
    target = next(f for f in relations if f.related_model is model and f is not source)
    return set(
        through.objects.filter(**{source.name: instance}).values_list(target.attname, flat=True)
    )


def _m2m_changed(
    sender: Any,
    instance: Any,
    action: str,
    reverse: bool,
    model: Any,
    pk_set: set | None,
    **kwargs: Any,
) -> None:
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    kind = Kind.PERMISSION_GRANTED if action == "post_add" else Kind.PERMISSION_REVOKED
    if action == "pre_clear":
        pk_set = _through_pks(sender, instance, model)
    if not pk_set:
        return
    request = current_request()
    for other in model._default_manager.filter(pk__in=pk_set):
        holder, granted = (other, instance) if reverse else (instance, other)
        label = granted.codename if isinstance(granted, Permission) else str(granted)
        record(
            request,
            kind=kind,
            user=_actor(request),
            obj=holder,
            detail=_("%(what)s för %(holder)s") % {"what": label, "holder": holder},
        )


def _connect_m2m() -> None:
    for name, through in (
        ("user_permissions", User.user_permissions.through),
        ("groups", User.groups.through),
        ("group_permissions", Group.permissions.through),
    ):
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"security_m2m_{name}")


# --- Staff, superuser, active and password on the user row ----------------------------------

FLAGS = ("is_staff", "is_superuser", "is_active")


@receiver(post_init, sender=User, dispatch_uid="security_user_init")
def _remember_flags(sender: Any, instance: User, **kwargs: Any) -> None:
    # Read from __dict__: a deferred field must not cost a query on every load.
    instance._security_flags = tuple(instance.__dict__.get(flag) for flag in FLAGS)


@receiver(post_save, sender=User, dispatch_uid="security_user_saved")
def _user_saved(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    request = current_request()
    actor = _actor(request)
    before = getattr(instance, "_security_flags", (None, None, None))
    after = tuple(instance.__dict__.get(flag) for flag in FLAGS)
    labels = {
        "is_staff": _("Tillgång till Django-administrationen"),
        "is_superuser": _("Superanvändare"),
    }
    for flag, old, new in zip(FLAGS, before, after, strict=True):
        if new is None or old == new or (created and not new):
            continue
        if flag == "is_active":
            if created:
                continue
            record(
                request,
                kind=Kind.ACCOUNT_CHANGED,
                user=actor,
                obj=instance,
                detail=(_("Kontot aktiverades för %s") if new else _("Kontot inaktiverades för %s"))
                % instance.get_username(),
            )
            continue
        record(
            request,
            kind=Kind.PERMISSION_GRANTED if new else Kind.PERMISSION_REVOKED,
            user=actor,
            obj=instance,
            detail=_("%(what)s för %(user)s")
            % {"what": labels[flag], "user": instance.get_username()},
        )
    instance._security_flags = after
    # Django sets _password only for a real change (set_password), not for a hash upgrade.
    if not created and getattr(instance, "_password", None) is not None:
        record(
            request,
            kind=Kind.PASSWORD_CHANGED,
            user=actor,
            obj=instance,
            detail=_("Lösenordet byttes för %s") % instance.get_username(),
        )


def connect() -> None:
    _connect_guardian()
    _connect_m2m()
