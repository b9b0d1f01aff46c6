from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import StoredFileAdmin

from .models import Action, ActionEvidence, ActionProgress, Finding, FindingEvidence


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "unit",
        "source",
        "severity",
        "status",
        "is_secret",
        "identified_date",
    ]
    list_filter = ["municipality", "source", "severity", "status", "is_secret"]
    search_fields = ["reference", "title", "description"]
    date_hierarchy = "identified_date"
    autocomplete_fields = [
        "unit",
        "occurrence",
        "audit",
        "systems",
        "verified_by",
        "risk_accepted_by",
    ]
    list_select_related = ["unit"]


class ProgressInline(admin.TabularInline):
    model = ActionProgress
    extra = 0
    fields = ["date", "comment", "status_after", "author"]
    autocomplete_fields = ["author"]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "unit", "owner", "deadline", "deadline_precision", "status"]
    list_filter = ["municipality", "status", "deadline_precision"]
    search_fields = ["title", "description", "owner__last_name", "owner_description"]
    date_hierarchy = "deadline"
    autocomplete_fields = ["unit", "owner", "findings", "recommendations", "carried_over_from"]
    list_select_related = ["unit", "owner"]
    inlines = [ProgressInline]


@admin.register(ActionProgress)
class ActionProgressAdmin(SimpleHistoryAdmin):
    list_display = ["action", "date", "status_after", "author"]
    list_filter = ["status_after"]
    search_fields = ["comment", "action__title"]
    list_select_related = ["action", "author"]


@admin.register(ActionEvidence)
class ActionEvidenceAdmin(StoredFileAdmin):
    list_display = ["original_name", "progress", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = ["stored_file", "sha256", "size", "content_type"]


@admin.register(FindingEvidence)
class FindingEvidenceAdmin(StoredFileAdmin):
    list_display = ["original_name", "finding", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "sha256", "finding__title"]
    list_select_related = ["finding", "uploaded_by"]
    readonly_fields = ["stored_file", "sha256", "size", "content_type"]
