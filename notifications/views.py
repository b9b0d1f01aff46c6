"""The notification list (the bell's page): read, mark read, and the reminder preference."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications import services
from notifications.forms import DigestPreferenceForm
from notifications.models import Notification
from organisation import policy

FILTERS = {"alla": False, "olasta": True}


def _list_context(request: HttpRequest, form: DigestPreferenceForm | None = None) -> dict:
    show = request.GET.get("visa", "alla")
    if show not in FILTERS:
        show = "alla"
    notifications = policy.notifications(request.user).order_by("-created_at", "-pk")
    if FILTERS[show]:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return {
        "page_obj": page,
        "show": show,
        "form": form or DigestPreferenceForm(instance=request.user),
    }


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/notification_list.html", _list_context(request))


@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    notification = policy.get_for_user(request.user, Notification, pk)
    services.mark_read(notification=notification)
    target = notification.url
    if target and target.startswith("/") and url_has_allowed_host_and_scheme(target, None):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = policy.get_for_user(request.user, Notification, pk)
    services.mark_read(notification=notification)
    if request.htmx:
        return render(
            request, "notifications/mark_read_response.html", {"notification": notification}
        )
    return redirect(_back(request))


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(user=request.user)
    messages.success(request, _("%(n)s notiser markerades som lästa.") % {"n": count})
    return redirect(_back(request))


@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    form = DigestPreferenceForm(request.POST, instance=request.user)
    if not form.is_valid():
        return render(
            request,
            "notifications/notification_list.html",
            _list_context(request, form=form),
            status=400,
        )
    form.save()
    messages.success(request, _("Dina inställningar för påminnelser sparades."))
    return redirect(reverse("notifications:list") + "#installningar")


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("notifications:list")
