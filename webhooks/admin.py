"""Admin: endpoints with their last deliveries; Send test event and Retry as actions."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from webhooks import services
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, Endpoint


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ["event", "status", "last_status_code", "attempts", "last_error", "updated_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-id"]
    show_change_link = True


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "account", "description", "is_active", "created_at"]
    list_filter = ["is_active", "account"]
    fields = ["account", "url", "description", "events", "is_active", "secret"]
    readonly_fields = ["secret"]
    actions = ["send_test_event"]
    inlines = [DeliveryInline]

    def save_model(self, request, obj, form, change):
        services.save_endpoint(obj)

    def delete_model(self, request, obj):
        services.delete_endpoint(account_id=obj.account_id, endpoint_id=obj.pk)

    def delete_queryset(self, request, queryset):
        for endpoint in queryset:
            self.delete_model(request, endpoint)

    @admin.action(description=_("Send test event"))
    def send_test_event(self, request, queryset):
        for endpoint in queryset:
            services.send_test_event(account_id=endpoint.account_id, endpoint_id=endpoint.pk)
        self.message_user(request, _("Test events queued."), messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "last_status_code", "attempts", "updated_at"]
    list_filter = ["status", "event"]
    list_select_related = ["endpoint"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Retry"))
    def retry(self, request, queryset):
        for delivery in queryset.select_related("endpoint"):
            services.retry_delivery(
                account_id=delivery.endpoint.account_id, delivery_id=delivery.pk
            )
        self.message_user(request, _("Deliveries queued again."), messages.SUCCESS)
