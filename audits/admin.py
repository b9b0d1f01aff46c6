from django.contrib import admin
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import StoredFileAdmin

from .models import (
    Audit,
    BoardResponse,
    Observation,
    Recommendation,
    RecommendationAssessment,
    ResponseItem,
    Signatory,
)


class ObservationInline(admin.StackedInline):
    model = Observation
    extra = 0
    autocomplete_fields = ["unit"]


class RecommendationInline(admin.StackedInline):
    model = Recommendation
    fk_name = "audit"
    extra = 0
    autocomplete_fields = ["addressee", "observation"]


@admin.register(Audit)
class AuditAdmin(GuardedModelAdminMixin, StoredFileAdmin):
    file_field = "report_file"
    readonly_fields = ["stored_file"]
    list_display = ["title", "body", "firm", "kind", "report_date", "dnr", "is_secret"]
    list_filter = ["municipality", "body", "kind", "is_secret"]
    search_fields = ["title", "firm", "dnr", "summary"]
    date_hierarchy = "report_date"
    autocomplete_fields = ["addressed_units", "follows_up"]
    inlines = [ObservationInline, RecommendationInline]


@admin.register(Observation)
class ObservationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "audit", "unit", "is_secret"]
    list_filter = ["is_secret", "audit__municipality"]
    search_fields = ["area", "text"]
    autocomplete_fields = ["audit", "unit"]


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "addressee"]
    list_filter = ["audit__municipality", "audit__kind"]
    search_fields = ["text", "audit__title"]
    autocomplete_fields = ["audit", "addressee", "observation"]
    list_select_related = ["audit", "addressee"]


@admin.register(RecommendationAssessment)
class RecommendationAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["recommendation", "follow_up", "assessment"]
    list_filter = ["assessment"]
    search_fields = ["comment", "recommendation__text"]
    autocomplete_fields = ["recommendation", "follow_up"]


class ResponseItemInline(admin.StackedInline):
    model = ResponseItem
    extra = 0
    autocomplete_fields = ["recommendation", "observation", "actions"]


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0


@admin.register(BoardResponse)
class BoardResponseAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "unit", "status", "dispatched_date"]
    list_filter = ["status", "audit__municipality"]
    search_fields = ["title", "summary", "unit__name", "audit__title"]
    autocomplete_fields = ["audit", "unit", "decision"]
    inlines = [ResponseItemInline, SignatoryInline]


@admin.register(ResponseItem)
class ResponseItemAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "response", "recommendation"]
    list_filter = ["response__status"]
    search_fields = ["text"]
    autocomplete_fields = ["response", "recommendation", "observation", "actions"]


@admin.register(Signatory)
class SignatoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "title", "response"]
    list_filter = ["response__status"]
    search_fields = ["name", "title"]
