from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Report


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
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
        "file",
        "sha256",
        "size",
        "series_key",
        "version",
        "data_as_of",
        "generated_at",
    ]
