import datetime

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from chat.errors import ChatError
from crm import amocrm_oauth, services
from crm.forms import IntegrationForm, new_webhook_secret
from crm.models import Export, Integration


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    form = IntegrationForm
    list_display = (
        "name",
        "account",
        "kind",
        "is_active",
        "export_new_leads",
        "export_ended_dialogs",
        "credentials",
    )
    list_filter = ("kind", "is_active", "account")
    search_fields = ("name",)
    actions = ["rotate_webhook_secret", "finish_secret_rotation"]

    def save_model(self, request, obj, form, change):
        form.save_locked(obj)

    @admin.display(description=_("credentials"))
    def credentials(self, integration):
        settings = integration.settings if isinstance(integration.settings, dict) else {}
        if integration.kind == Integration.Kind.WEBHOOK and settings.get("previous_secret"):
            return _("rotating the secret: signed with both")
        if integration.kind != Integration.Kind.AMOCRM or not amocrm_oauth.uses_oauth(settings):
            return ""
        if settings.get("authorization_error"):
            return format_html(
                '<strong title="{}">{}</strong>',
                settings["authorization_error"],
                _("OAuth: needs a new authorization code"),
            )
        if not settings.get("refresh_token"):
            return _("OAuth: not authorised yet")
        expires_at = settings.get("expires_at")
        if not isinstance(expires_at, int | float):
            return _("OAuth: authorised")
        until = datetime.datetime.fromtimestamp(expires_at, tz=datetime.UTC)
        return _("OAuth: token until %(time)s, renewed automatically") % {
            "time": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")
        }

    @admin.action(
        description=_("Rotate the signing secret (webhooks): a new secret, the old one signs too"),
        permissions=["change"],
    )
    def rotate_webhook_secret(self, request, queryset):
        rotated = []
        with transaction.atomic():
            for integration in queryset.select_for_update().filter(kind=Integration.Kind.WEBHOOK):
                settings = dict(integration.settings)
                settings["previous_secret"] = settings.get("secret", "")
                settings["secret"] = new_webhook_secret()
                integration.settings = settings
                integration.save(update_fields=["settings"])
                rotated.append(integration.name)
        if rotated:
            self.message_user(
                request,
                _(
                    "New signing secret for %(names)s: every delivery is signed with the new "
                    "and the old secret. Give the receiver the new one (see its settings), "
                    "then finish the rotation."
                )
                % {"names": ", ".join(rotated)},
            )
        else:
            self.message_user(request, _("Only signed webhooks have a secret."), messages.WARNING)

    @admin.action(
        description=_("Finish the secret rotation (webhooks): stop signing with the old secret"),
        permissions=["change"],
    )
    def finish_secret_rotation(self, request, queryset):
        finished = 0
        with transaction.atomic():
            for integration in queryset.select_for_update().filter(kind=Integration.Kind.WEBHOOK):
                if integration.settings.get("previous_secret"):
                    settings = dict(integration.settings)
                    settings.pop("previous_secret")
                    integration.settings = settings
                    integration.save(update_fields=["settings"])
                    finished += 1
        self.message_user(
            request, _("%(count)d integration(s) now sign with one secret.") % {"count": finished}
        )


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "subject",
        "integration",
        "status",
        "attempts",
        "last_status_code",
        "updated_at",
    )
    list_filter = ("status", "integration", "integration__kind")
    list_select_related = ("integration", "dialog", "lead")
    search_fields = ("=idempotency_key", "remote_id", "last_error")
    date_hierarchy = "created_at"
    actions = ["retry_selected"]
    readonly_fields = [field.name for field in Export._meta.fields] + ["idempotency_key"]

    @admin.display(description=_("subject"))
    def subject(self, export):
        if export.lead_id:
            return _("lead %(lead)s") % {"lead": export.lead}
        return _("dialog #%(number)s") % {"number": export.dialog.number}

    def has_add_permission(self, request):
        return False  # exports are made by Send to CRM and the automatic rules

    @admin.action(description=_("Retry selected exports"), permissions=["change"])
    def retry_selected(self, request, queryset):
        retried = 0
        for export_id in queryset.values_list("id", flat=True):
            try:
                services.retry_export(operator=None, export_id=export_id)
            except ChatError as error:
                self.message_user(request, f"#{export_id}: {error.detail}", messages.WARNING)
            else:
                retried += 1
        if retried:
            self.message_user(request, _("%(count)d export(s) queued again.") % {"count": retried})
