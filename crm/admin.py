from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from chat.errors import ChatError
from crm import services
from crm.connectors import CONNECTORS
from crm.models import Export, Integration


def _settings_help():
    rows = format_html_join(
        "",
        "<li><b>{}</b>: {}</li>",
        (
            (
                Integration.Kind(kind).label,
                format_html_join("; ", "<code>{}</code> — {}", connector.settings_help.items()),
            )
            for kind, connector in CONNECTORS.items()
        ),
    )
    return format_html(
        '{}<ul style="margin:4px 0 0 16px">{}</ul>',
        _('A JSON object with the keys of the chosen kind (docs/crm.md), e.g. {"url": "…"}.'),
        rows,
    )


class IntegrationForm(forms.ModelForm):
    class Meta:
        model = Integration
        fields = [
            "account",
            "name",
            "kind",
            "settings",
            "is_active",
            "export_new_leads",
            "export_ended_dialogs",
        ]
        widgets = {"settings": forms.Textarea(attrs={"rows": 6, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["settings"].help_text = _settings_help()

    def clean_settings(self):
        value = self.cleaned_data["settings"]
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Settings must be a JSON object."))
        return value


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
    )
    list_filter = ("kind", "is_active", "account")
    search_fields = ("name",)


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
