from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import StoredFileAdmin

from .models import (
    ControlOccurrence,
    ControlPlan,
    ControlPoint,
    OccurrenceEvidence,
    PlanRevision,
    RiskScale,
)


@admin.register(RiskScale)
class RiskScaleAdmin(SimpleHistoryAdmin):
    list_display = ["municipality", "size", "yellow_from", "red_from"]
    search_fields = ["municipality__name"]


class ControlPointInline(admin.TabularInline):
    model = ControlPoint
    extra = 0
    fields = ["number", "title", "likelihood", "consequence", "frequency", "owner", "scope"]
    autocomplete_fields = ["owner"]
    show_change_link = True


@admin.register(ControlPlan)
class ControlPlanAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "unit", "year", "status"]
    list_filter = ["municipality", "year", "status"]
    search_fields = ["title", "unit__name"]
    autocomplete_fields = ["unit", "adoption_decision", "final_report_decision", "copied_from"]
    list_select_related = ["unit"]
    inlines = [ControlPointInline]


class OccurrenceInline(admin.TabularInline):
    model = ControlOccurrence
    extra = 0
    fields = ["period_label", "due_date", "status", "performed_date", "outcome"]
    show_change_link = True


@admin.register(ControlPoint)
class ControlPointAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "plan", "likelihood", "consequence", "frequency", "owner", "scope"]
    list_filter = ["plan__year", "frequency", "scope", "plan__municipality"]
    search_fields = ["title", "process", "risk_description", "control_activity"]
    autocomplete_fields = ["plan", "owner", "systems", "inherited_from", "copied_from"]
    list_select_related = ["plan__unit", "owner"]
    inlines = [OccurrenceInline]


class EvidenceInline(admin.TabularInline):
    model = OccurrenceEvidence
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(ControlOccurrence)
class ControlOccurrenceAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "due_date", "status", "outcome", "performed_date"]
    list_filter = ["status", "outcome", "control_point__plan__year"]
    search_fields = ["control_point__title", "comment", "checked_what"]
    date_hierarchy = "due_date"
    autocomplete_fields = ["control_point", "performed_by"]
    list_select_related = ["control_point"]
    inlines = [EvidenceInline]


@admin.register(PlanRevision)
class PlanRevisionAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "number", "created_by", "created_at"]
    list_filter = ["plan__year"]
    search_fields = ["reason", "plan__unit__name"]
    list_select_related = ["plan__unit", "created_by"]


@admin.register(OccurrenceEvidence)
class OccurrenceEvidenceAdmin(StoredFileAdmin):
    list_display = ["original_name", "occurrence", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = ["stored_file", "sha256", "size", "content_type"]
