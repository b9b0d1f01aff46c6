from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from .models import Decision, Municipality, OrgUnit, RoleAssignment, User


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "org_number"]
    search_fields = ["name", "slug", "org_number"]


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_code", "kind", "parent", "municipality", "is_active"]
    list_filter = ["municipality", "kind", "is_active"]
    search_fields = ["name", "short_code"]
    list_select_related = ["parent", "municipality"]
    autocomplete_fields = ["parent", "serves", "head"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(GuardedModelAdminMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "municipality", "is_active"]
    list_filter = ["municipality", "is_active", "is_staff", "role_assignments__role"]
    search_fields = ["username", "first_name", "last_name", "email"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Uppsikt"), {"fields": ("municipality", "title", "phone", "digest_frequency")}),
    )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "unit", "valid_from", "valid_to"]
    list_filter = ["role", "unit__municipality"]
    search_fields = ["user__username", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "title", "organ", "meeting_date", "dnr"]
    list_filter = ["municipality", "organ"]
    search_fields = ["title", "dnr", "paragraph"]
    date_hierarchy = "meeting_date"
    autocomplete_fields = ["organ"]
    list_select_related = ["organ"]
