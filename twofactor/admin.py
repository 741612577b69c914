from django.contrib import admin

from twofactor import services
from twofactor.models import AccountSecurity


@admin.register(AccountSecurity)
class AccountSecurityAdmin(admin.ModelAdmin):
    list_display = ["account", "require_two_factor"]
    list_filter = ["require_two_factor"]
    list_select_related = ["account"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.account_policy_changed(obj.account)
