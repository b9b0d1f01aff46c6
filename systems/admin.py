from django.contrib import admin
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AccessReview,
    AccessReviewItem,
    Classification,
    ClassificationScale,
    Integration,
    ManagementPlan,
    ReviewSettings,
    System,
    SystemRole,
)


class SystemRoleInline(admin.TabularInline):
    model = SystemRole
    extra = 0
    autocomplete_fields = ["user"]


class IntegrationInline(admin.TabularInline):
    model = Integration
    fk_name = "source"
    extra = 0
    autocomplete_fields = ["target"]


class ClassificationInline(admin.TabularInline):
    model = Classification
    extra = 0


class ManagementPlanInline(admin.TabularInline):
    model = ManagementPlan
    extra = 0


@admin.register(System)
class SystemAdmin(GuardedModelAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "owning_unit",
        "vendor",
        "is_prioritised",
        "has_personal_data",
        "is_active",
    ]
    list_filter = [
        "municipality",
        "is_prioritised",
        "has_personal_data",
        "is_active",
        "alarm_level",
    ]
    search_fields = ["name", "vendor", "description", "dpa_reference"]
    autocomplete_fields = ["owning_unit", "information_owner"]
    list_select_related = ["owning_unit"]
    inlines = [SystemRoleInline, IntegrationInline, ClassificationInline, ManagementPlanInline]


@admin.register(SystemRole)
class SystemRoleAdmin(SimpleHistoryAdmin):
    list_display = ["system", "kind", "user", "name"]
    list_filter = ["kind", "system__municipality"]
    search_fields = ["system__name", "user__username", "user__last_name", "name"]
    autocomplete_fields = ["system", "user"]


@admin.register(Integration)
class IntegrationAdmin(SimpleHistoryAdmin):
    list_display = ["source", "target", "description"]
    list_filter = ["source__municipality"]
    search_fields = ["source__name", "target__name", "description"]
    autocomplete_fields = ["source", "target"]


@admin.register(ManagementPlan)
class ManagementPlanAdmin(SimpleHistoryAdmin):
    list_display = ["system", "year", "budget", "last_risk_analysis"]
    list_filter = ["year"]
    search_fields = ["system__name"]
    autocomplete_fields = ["system"]


@admin.register(ClassificationScale)
class ClassificationScaleAdmin(SimpleHistoryAdmin):
    list_display = ["municipality", "max_age_years"]
    search_fields = ["municipality__name"]


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(SimpleHistoryAdmin):
    """Per municipality: test/service account patterns, other organisations, inactivity."""

    list_display = ["municipality", "inactive_days", "review_interval_months"]
    search_fields = ["municipality__name"]


@admin.register(Classification)
class ClassificationAdmin(SimpleHistoryAdmin):
    list_display = [
        "system",
        "classified_on",
        "confidentiality",
        "integrity",
        "availability",
        "traceability",
    ]
    list_filter = ["system__municipality", "confidentiality"]
    search_fields = ["system__name", "classified_by_name"]
    date_hierarchy = "classified_on"
    autocomplete_fields = ["system", "classified_by"]


@admin.register(AccessReview)
class AccessReviewAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "system", "status", "review_date", "accounts_total", "flagged_total"]
    list_filter = ["status", "municipality"]
    search_fields = ["system__name", "summary"]
    date_hierarchy = "review_date"
    autocomplete_fields = ["system", "occurrence", "reviewer"]
    # No inline of items: a review may hold 50,000 accounts (see the item admin, by review).


@admin.register(AccessReviewItem)
class AccessReviewItemAdmin(SimpleHistoryAdmin):
    list_display = ["account_id", "name", "review", "match", "category", "decision", "is_done"]
    list_filter = ["category", "match", "decision", "is_done"]
    list_select_related = ["review__system"]
    show_full_result_count = False
    search_fields = ["account_id", "name", "employee_number"]
    readonly_fields = ["person_hash", "person_masked"]
    autocomplete_fields = ["review", "decided_by"]
