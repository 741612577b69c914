"""Routing in the Django admin: a site's mode and limits, operators' own limits, and the
assignments (read only: they change through routing/services.py)."""

from django.contrib import admin

from routing import modes
from routing.models import Assignment, OperatorRouting, RoutingSettings


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(admin.ModelAdmin):
    list_display = ("site", "mode", "default_capacity", "answer_timeout_seconds")
    list_filter = ("mode",)
    list_select_related = ("site",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        modes.forget(obj.site_id)


@admin.register(OperatorRouting)
class OperatorRoutingAdmin(admin.ModelAdmin):
    list_display = ("operator", "capacity", "last_assigned_at")
    list_select_related = ("operator__user",)
    readonly_fields = ("last_assigned_at",)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("dialog", "assignee", "assigned_at", "answered_at", "queued_at")
    list_select_related = ("dialog", "assignee__user")
    readonly_fields = [f.name for f in Assignment._meta.fields]

    def has_add_permission(self, request):
        return False
