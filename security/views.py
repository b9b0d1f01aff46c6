"""Pages of the security app: signing in safely, and the administrator's security log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice

from core.exports import csv_response
from core.files import DownloadKind, mark_download
from organisation import policy
from security import services, twofactor
from security.events import record
from security.forms import EventFilterForm, PasswordChangeForm, TokenForm, VerifyForm
from security.models import SecurityEvent

Kind = SecurityEvent.Kind
NEW_CODES_KEY = "security_new_recovery_codes"
EVENTS_PER_PAGE = 50


def _safe_next(request: HttpRequest, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


# --- Lockout --------------------------------------------------------------------------------


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE): the sign-in form with the reason."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "next": request.POST.get("next", ""),
        "locked_out": True,
        "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
    }
    return render(request, "registration/login.html", context, status=429)


# --- Two-factor -----------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, confirm with a code, get recovery codes."""
    user = request.user
    if not user.is_verified() and user_has_device(user):
        # Adding a device must never stand in for the second factor one already has.
        return redirect(f"{reverse('security:otp_verify')}?next={reverse('security:otp_setup')}")
    has_app = twofactor.confirmed_totp(user) is not None
    device = twofactor.pending_totp_device(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmation = twofactor.confirm_totp_device(
            user=user, device=device, token=form.cleaned_data["token"]
        )
        if confirmation is not None:
            twofactor.mark_verified(request, confirmation.device)
            record(request, kind=Kind.OTP_DEVICE_ADDED, obj=user)
            record(request, kind=Kind.RECOVERY_CODES_CREATED, obj=user)
            request.session[NEW_CODES_KEY] = confirmation.recovery_codes
            messages.success(request, _("Tvåfaktorsinloggning är aktiverad."))
            return redirect(f"{reverse('security:recovery_codes')}?next={_safe_next(request)}")
        record(request, kind=Kind.OTP_FAILED, obj=user, detail=_("Vid aktivering"))
        form.add_error(
            "token",
            _(
                "Koden stämmer inte. Kontrollera att telefonens klocka går rätt och försök igen "
                "med nästa kod."
            ),
        )
    context = {
        "form": form,
        "qr": twofactor.qr_data_uri(device),
        "manual_key": twofactor.manual_key(device),
        "has_app": has_app,
        "required": twofactor.is_required(user),
        "next": _safe_next(request),
    }
    return render(request, "security/otp_setup.html", context)


@never_cache
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    user = request.user
    if user.is_verified():
        return HttpResponseRedirect(_safe_next(request))
    if not user_has_device(user):
        return redirect("security:otp_setup")
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.verify(user=user, token=form.cleaned_data["token"])
        if device is not None:
            twofactor.mark_verified(request, device)
            if isinstance(device, StaticDevice):
                left = twofactor.remaining_recovery_codes(user)
                record(
                    request,
                    kind=Kind.RECOVERY_CODE_USED,
                    obj=user,
                    detail=_("%(left)s reservkoder kvar") % {"left": left},
                )
                messages.warning(
                    request,
                    _(
                        "Du loggade in med en reservkod. Du har %(left)s kvar; skapa nya under "
                        "Mitt konto om de börjar ta slut."
                    )
                    % {"left": left},
                )
            else:
                record(request, kind=Kind.OTP_VERIFIED, obj=user)
            return HttpResponseRedirect(_safe_next(request))
        record(request, kind=Kind.OTP_FAILED, obj=user)
        form.add_error(
            "token",
            _(
                "Koden stämmer inte eller har redan använts. Vänta på nästa kod i appen och "
                "försök igen; efter flera fel får du vänta allt längre mellan försöken."
            ),
        )
    return render(request, "security/otp_verify.html", {"form": form, "next": _safe_next(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shows fresh recovery codes once (GET); POST replaces them with new ones."""
    user = request.user
    if not user.is_verified():
        return redirect("security:otp_verify")
    if request.method == "POST":
        request.session[NEW_CODES_KEY] = twofactor.new_recovery_codes(user=user)
        record(request, kind=Kind.RECOVERY_CODES_CREATED, obj=user)
        messages.success(request, _("Nya reservkoder är skapade; de gamla gäller inte längre."))
        return redirect("security:recovery_codes")
    codes = request.session.pop(NEW_CODES_KEY, None)
    context = {
        "codes": codes,
        "remaining": twofactor.remaining_recovery_codes(user),
        "next": _safe_next(request, default="organisation:my_account"),
    }
    return render(request, "security/recovery_codes.html", context)


# --- Password and sessions ------------------------------------------------------------------


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's password; every other session of the user ends, this one stays."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(
            request,
            _("Ditt lösenord är bytt. Du är utloggad från dina andra sessioner."),
        )
        return redirect("organisation:my_account")
    return render(request, "security/password_change.html", {"form": form})


@require_POST
def end_all_sessions(request: HttpRequest) -> HttpResponse:
    """ "Logga ut från alla sessioner": this browser and every other one."""
    services.end_all_sessions(request=request, user=request.user)
    logout(request)
    messages.success(request, _("Du är utloggad från alla dina sessioner."))
    return redirect("login")


# --- The administrator's pages --------------------------------------------------------------


def _require_security_admin(request: HttpRequest) -> None:
    if not policy.may_administer_security(request.user):
        raise PermissionDenied


def _filtered_events(request: HttpRequest) -> tuple[EventFilterForm, Any]:
    form = EventFilterForm(request.GET or None)
    events = policy.security_events(request.user)
    if request.GET:
        events = form.filter(events)
    return form, events.order_by("-created_at", "-pk")


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """The municipality's security log, filtered and paginated."""
    _require_security_admin(request)
    form, events = _filtered_events(request)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "export_query": request.GET.urlencode()}
    return render(request, "security/event_list.html", context)


@require_GET
def event_export(request: HttpRequest) -> HttpResponse:
    """The filtered security log as CSV (formulas escaped)."""
    _require_security_admin(request)
    form, events = _filtered_events(request)
    if request.GET and not form.is_valid():
        messages.error(request, _("Rätta filtren innan du exporterar."))
        return redirect(f"{reverse('security:event_list')}?{request.GET.urlencode()}")
    header = [
        _("Tidpunkt"),
        _("Händelse"),
        _("Användarnamn"),
        _("IP-adress"),
        _("Webbläsare"),
        _("Objekttyp"),
        _("Objekt-id"),
        _("Objekt"),
        _("Beskrivning"),
    ]
    rows = (
        [
            timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            e.get_kind_display(),
            e.username,
            e.ip or "",
            e.user_agent,
            e.object_type,
            e.object_id,
            e.object_repr,
            e.detail,
        ]
        for e in events.iterator(chunk_size=2000)
    )
    stamp = timezone.localdate().isoformat()
    response = csv_response(f"sakerhetslogg-{stamp}.csv", header, rows)
    # The log middleware records the export after the rows are written, so it does not list
    # itself; the detail says which filters were used.
    mark_download(
        response,
        kind=DownloadKind.EXPORT,
        detail=_("Säkerhetsloggen exporterades (%(filters)s)")
        % {"filters": request.GET.urlencode() or _("alla händelser")},
    )
    return response


@require_GET
def lockout_list(request: HttpRequest) -> HttpResponse:
    """Sign-ins locked out right now, with a button to lift each lockout."""
    _require_security_admin(request)
    context = {
        "lockouts": services.lockouts_for(request.user),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
    }
    return render(request, "security/lockout_list.html", context)


@require_POST
def lockout_unlock(request: HttpRequest) -> HttpResponse:
    _require_security_admin(request)
    username = request.POST.get("username", "")
    ip = request.POST.get("ip") or None
    visible = {(lockout.username, lockout.ip) for lockout in services.lockouts_for(request.user)}
    if (username, ip) not in visible:
        if not policy.lockout_usernames(request.user).filter(username=username).exists():
            raise Http404
        messages.info(
            request, _("Spärren för %(username)s har redan upphört.") % {"username": username}
        )
        return redirect("security:lockout_list")
    services.unlock(request=request, username=username, ip=ip, by=request.user)
    messages.success(
        request,
        _("Spärren för %(username)s är hävd; användaren kan logga in igen.")
        % {"username": username},
    )
    return redirect("security:lockout_list")
