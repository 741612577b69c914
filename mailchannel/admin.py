from django.contrib import admin

from mailchannel.models import InboundMail, MailDelivery, SiteMail


@admin.register(SiteMail)
class SiteMailAdmin(admin.ModelAdmin):
    list_display = ["site", "send_transcripts", "lead_addresses", "inbox_address"]
    list_select_related = ["site"]
    autocomplete_fields = ["site"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MailDelivery)
class MailDeliveryAdmin(ReadOnly):
    list_display = ["created_at", "kind", "site", "recipients", "status", "attempts", "reason"]
    list_filter = ["kind", "status"]
    list_select_related = ["site"]
    search_fields = ["recipients", "mail_id"]
    exclude = ["message", "dialog", "lead"]


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnly):
    list_display = ["received_at", "sender", "subject", "outcome", "error", "dialog_id"]
    list_filter = ["outcome"]
    search_fields = ["sender", "subject", "message_id"]
    exclude = ["raw", "dialog"]
