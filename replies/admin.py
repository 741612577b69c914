from django.contrib import admin

from chat.models import Site
from operators.models import Account
from replies.models import CannedReply


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    """Superusers see every account's replies; a staff operator only his own account's."""

    list_display = ["shortcut", "title", "account", "site", "position", "usage_count"]
    list_filter = ["account", "site"]
    list_select_related = ["account", "site"]
    search_fields = ["shortcut", "title", "text"]
    readonly_fields = ["usage_count", "created_at", "updated_at"]

    @staticmethod
    def _account_id(request):
        if request.user.is_superuser:
            return None
        operator = getattr(request.user, "operator", None)
        return operator.account_id if operator else -1

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        account_id = self._account_id(request)
        return rows if account_id is None else rows.filter(account_id=account_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        account_id = self._account_id(request)
        if account_id is not None and db_field.name == "account":
            kwargs["queryset"] = Account.objects.filter(pk=account_id)
        if account_id is not None and db_field.name == "site":
            kwargs["queryset"] = Site.objects.filter(account_id=account_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else ["site"]
