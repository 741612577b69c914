from django.contrib import admin

from push.models import PushSubscription


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    """Read-only: devices subscribe from the console; a gone one is deleted on its 404/410."""

    list_display = ("operator", "user_agent", "created_at", "last_success_at", "failures")
    list_filter = ("operator__account",)
    search_fields = ("operator__display_name", "operator__user__username", "user_agent")
    readonly_fields = (
        "operator",
        "endpoint",
        "p256dh",
        "auth",
        "user_agent",
        "created_at",
        "last_success_at",
        "failures",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
