from django.contrib import admin
from django.db.models import Count

from operators.models import Account
from tags import events, row_cache
from tags.models import Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Superusers see every account's tags; a staff operator only his own account's."""

    list_display = ["name", "colour", "account", "dialog_count"]
    list_filter = ["account", "colour"]
    list_select_related = ["account"]
    search_fields = ["name"]
    readonly_fields = ["created_at"]

    @staticmethod
    def _account_id(request):
        if request.user.is_superuser:
            return None
        operator = getattr(request.user, "operator", None)
        return operator.account_id if operator else -1

    def get_queryset(self, request):
        rows = super().get_queryset(request).annotate(dialog_count=Count("dialog_tags"))
        account_id = self._account_id(request)
        return rows if account_id is None else rows.filter(account_id=account_id)

    @admin.display(description="dialogs", ordering="dialog_count")
    def dialog_count(self, tag):
        return tag.dialog_count

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        account_id = self._account_id(request)
        if account_id is not None and db_field.name == "account":
            kwargs["queryset"] = Account.objects.filter(pk=account_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Changes here are heard like the console's (tags.services): rows show them live.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        initial = form.initial if change else {}
        if initial.get("account") not in (None, obj.account_id):
            row_cache.forget_account_on_commit(initial["account"])
        events.tag_changed_on_commit(
            obj,
            previous_name=initial.get("name", ""),
            previous_colour=initial.get("colour", ""),
        )

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        row_cache.forget_account_on_commit(obj.account_id)

    def delete_queryset(self, request, queryset):
        account_ids = set(queryset.values_list("account_id", flat=True))
        super().delete_queryset(request, queryset)
        for account_id in account_ids:
            row_cache.forget_account_on_commit(account_id)

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else ["colour"]
