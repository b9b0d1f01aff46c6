from django.contrib import admin

from core.admin import StoredFileAdmin

from .models import FROZEN_WHEN_DONE, Report


@admin.register(Report)
class ReportAdmin(StoredFileAdmin):
    """Reports are ordered and generated through the app; a done report is an archived record
    (the database refuses changes to its content), so the admin only shows it."""

    list_display = [
        "title",
        "kind",
        "audience",
        "unit",
        "year",
        "version",
        "status",
        "is_sent_to_board",
    ]
    list_filter = ["municipality", "kind", "audience", "status", "is_sent_to_board", "year"]
    search_fields = ["title", "sha256"]
    autocomplete_fields = ["unit", "audit", "decision", "requested_by"]
    readonly_fields = [
        "stored_file",
        "sha256",
        "size",
        "series_key",
        "version",
        "data_as_of",
        "generated_at",
        "page_count",
        "pdf_variant",
        "sent_to_board_at",
        "sent_to_board_by",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status == Report.Status.DONE:
            frozen = [name.removesuffix("_id") for name in FROZEN_WHEN_DONE]
            fields += [name for name in frozen if name not in fields and name != "file"]
        return fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status == Report.Status.DONE:
            return False
        return super().has_delete_permission(request, obj)
