from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from security.events import record
from security.models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The log as it was written: nothing added, changed or deleted here."""

    list_display = ["created_at", "kind", "username", "municipality", "ip", "object_repr"]
    list_filter = ["kind", "municipality"]
    search_fields = ["username", "ip", "object_repr", "detail"]
    date_hierarchy = "created_at"
    list_select_related = ["municipality"]
    readonly_fields = [f.name for f in SecurityEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class UppsiktAccessAttemptAdmin(AccessAttemptAdmin):
    """axes' admin, where deleting an attempt lifts a lockout: logged as an unlock."""

    def _log_unlocks(self, request: HttpRequest, attempts) -> None:
        from organisation.models import User

        for attempt in attempts:
            record(
                request,
                kind=SecurityEvent.Kind.UNLOCK,
                obj=User.objects.filter(username=attempt.username).first(),
                detail=_("Spärren för %(username)s från %(ip)s hävdes i administrationen.")
                % {"username": attempt.username, "ip": attempt.ip_address or "?"},
            )

    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        self._log_unlocks(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        self._log_unlocks(request, list(queryset))
        super().delete_queryset(request, queryset)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, UppsiktAccessAttemptAdmin)
