from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from notifications import services
from notifications.models import (
    Notification,
    OutgoingEmail,
    ReminderRecord,
    ReminderRun,
    ReminderSettings,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind", "municipality"]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "reminder"]


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(SimpleHistoryAdmin):
    list_display = [
        "municipality",
        "enabled",
        "days_before",
        "on_due_date",
        "days_overdue",
        "escalation_days",
        "digest_weekday",
    ]
    fieldsets = [
        (None, {"fields": ["municipality", "enabled"]}),
        (
            _("Kontrolltillfällen, åtgärder och yttranden"),
            {"fields": ["days_before", "on_due_date", "days_overdue", "escalation_days"]},
        ),
        (
            _("Årlig rapportering till informationssäkerhetssamordnaren"),
            {"fields": ["reporting_enabled", "reporting_day", "reporting_month"]},
        ),
        (_("Veckosammanställning"), {"fields": ["digest_weekday"]}),
    ]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "to_address",
        "subject",
        "status",
        "attempts",
        "last_error_short",
        "sent_at",
    ]
    list_filter = ["status", "municipality", "created_at"]
    search_fields = ["to_address", "recipient__username", "subject", "last_error"]
    list_select_related = ["recipient"]
    readonly_fields = [
        "municipality",
        "recipient",
        "run",
        "to_address",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    actions = ["retry"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("senaste fel"))
    def last_error_short(self, obj: OutgoingEmail) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Försök skicka igen"))
    def retry(self, request: HttpRequest, queryset: QuerySet[OutgoingEmail]) -> None:
        queued = sum(services.retry_email(email=email) for email in queryset)
        self.message_user(
            request,
            ngettext("%(n)s e-brev köades igen.", "%(n)s e-brev köades igen.", queued)
            % {"n": queued},
            messages.SUCCESS if queued else messages.WARNING,
        )


@admin.register(ReminderRecord)
class ReminderRecordAdmin(admin.ModelAdmin):
    list_display = ["for_date", "recipient", "item_kind", "rule", "days", "title", "email"]
    list_filter = ["rule", "item_kind", "mandatory", "municipality", "for_date"]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient", "email"]
    date_hierarchy = "for_date"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ReminderRun)
class ReminderRunAdmin(admin.ModelAdmin):
    list_display = [
        "run_date",
        "window_start",
        "trigger",
        "started_at",
        "finished_at",
        "due_found",
        "records_created",
        "emails_queued",
    ]
    date_hierarchy = "run_date"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
