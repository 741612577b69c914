"""Retention policies in the admin: the change page shows what applying the policy now would
erase (a dry run), and two actions count it or apply it at once."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from retention import selectors, services
from retention.models import RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["account", "dialogs_days", "attachments_days", "leads_days", "last_applied_at"]
    list_select_related = ["account"]
    fields = [
        "account",
        "dialogs_days",
        "attachments_days",
        "leads_days",
        "would_erase",
        "set_by",
        "updated_at",
        "last_applied_at",
    ]
    readonly_fields = ["would_erase", "set_by", "updated_at", "last_applied_at"]
    actions = ["count_expired", "apply_now"]

    @admin.display(description=gettext_lazy("applied now, would erase"))
    def would_erase(self, policy):
        if policy.pk is None:
            return "-"
        return selectors.dry_run(policy, timezone.now()).describe()

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("Count what would be erased (dry run)"))
    def count_expired(self, request, queryset):
        now = timezone.now()
        for policy in queryset.select_related("account"):
            self.message_user(
                request,
                gettext("%(account)s: applied now, the policy would erase %(what)s.")
                % {"account": policy.account, "what": selectors.dry_run(policy, now).describe()},
                messages.INFO,
            )

    @admin.action(description=gettext_lazy("Apply the policy now"), permissions=["change"])
    def apply_now(self, request, queryset):
        for policy in queryset.select_related("account"):
            if policy.set_by_id is None:
                policy.set_by = request.user
                policy.save(update_fields=["set_by"])
            tally = services.apply_policy(policy)
            self.message_user(
                request,
                gettext("%(account)s: erased %(what)s.")
                % {"account": policy.account, "what": tally.describe()},
                messages.SUCCESS,
            )
