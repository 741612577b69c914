from django.contrib import admin

from operators.models import Account, Operator


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "last_dialog_number", "created_at"]
    search_fields = ["name"]


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "user",
        "account",
        "status",
        "can_see_others",
        "can_join_others",
        "open_sockets",
        "last_seen_at",
    ]
    list_filter = ["account", "status", "can_see_others", "can_join_others"]
    list_select_related = ["user", "account"]
    search_fields = [
        "display_name",
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
    ]
    autocomplete_fields = ["user"]
    readonly_fields = ["open_sockets", "last_seen_at"]
