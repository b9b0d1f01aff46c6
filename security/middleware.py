"""Two-factor sign-in: a password alone does not open Uppsikt for those who owe a second factor.

After the password step the user is signed in but not verified (django-otp's
``request.user.is_verified()``). Until they are, this middleware lets them reach only the pages
that get them verified, and public pages:

* a user with a confirmed device is sent to the verify page (``security:otp_verify``);
* a user without one who must have one (a role in ``OTP_REQUIRED_ROLES``, or Django admin
  staff when ``OTP_REQUIRED_FOR_STAFF``) is sent to the set-up page (``security:otp_setup``);
* everyone else passes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from core.files import DOWNLOAD_MARK
from security import twofactor
from security.events import record
from security.models import SecurityEvent

#: Views an unverified user may still reach.
ALLOWED_VIEWS = frozenset(
    {
        "login",
        "logout",
        "healthz",
        "security:otp_verify",
        "security:otp_setup",
        "security:recovery_codes",
    }
)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # Not even @login_not_required views pass: Django's admin marks its views so.
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED_VIEWS:
            return None
        if user.is_verified():
            return None
        if twofactor.has_device(request):
            return self._to(request, "security:otp_verify")
        if twofactor.is_required(user):
            return self._to(request, "security:otp_setup")
        return None

    @staticmethod
    def _to(request: HttpRequest, name: str) -> HttpResponse:
        url = reverse(name)
        target = request.get_full_path()
        if request.method == "GET" and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            url = f"{url}?{urlencode({'next': target})}"
        if getattr(request, "htmx", False):
            # An htmx request must reload the whole page, not swap the form into a fragment.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


class DownloadLogMiddleware:
    """Writes a security event for every successful download or export.

    core.files.serve_attachment and core.exports mark their responses (``mark_download``);
    this is the one place that turns the mark into a log entry, so a new download view is
    logged without having to remember to.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        mark = getattr(response, DOWNLOAD_MARK, None)
        if mark is not None and 200 <= response.status_code < 300:
            kind, obj, detail = mark
            record(request, kind=SecurityEvent.Kind(kind), obj=obj, detail=detail)
        return response
