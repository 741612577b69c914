from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms import ModelForm
from django.template.response import TemplateResponse
from django.utils.translation import gettext, gettext_lazy, ngettext

from chat.console import withdrawal
from chat.models import (
    Attachment,
    BlockedIP,
    Dialog,
    Invitation,
    Message,
    Participant,
    Site,
    Visit,
    Visitor,
)
from chat.visitors import blocking, erasure, origins
from operators.admin import OperatorAdmin
from operators.models import Operator


class SiteForm(ModelForm):
    class Meta:
        help_texts = {
            "domains": gettext_lazy(
                "The hosts whose pages may show the chat, one per line: example.com, or "
                "*.example.com for its subdomains (not example.com itself). Any port, http "
                "and https. Leave empty to allow every host."
            )
        }

    def clean_domains(self):
        domains = self.cleaned_data["domains"]
        invalid = origins.invalid_domains(domains)
        if invalid:
            raise ValidationError(
                gettext("Not a host name: %(entries)s"), params={"entries": ", ".join(invalid)}
            )
        return domains

    def clean(self):
        cleaned = super().clean()
        account = cleaned.get("account")
        strangers = (
            [op for op in cleaned.get("operators") or [] if op.account_id != account.id]
            if account
            else []
        )
        if strangers:
            raise ValidationError(
                gettext("Operators of another account cannot serve this site: %(names)s"),
                params={"names": ", ".join(str(op) for op in strangers)},
            )
        return cleaned


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    form = SiteForm
    list_display = ["name", "account", "widget_key", "created_at"]
    list_filter = ["account"]
    list_select_related = ["account"]
    search_fields = ["name", "domains", "widget_key"]
    filter_horizontal = ["operators"]
    fieldsets = [
        (None, {"fields": ["account", "name", "domains", "operators"]}),
        (
            gettext_lazy("Widget"),
            {"fields": ["widget_key", "widget_color", "widget_title", "greeting", "language"]},
        ),
        (
            gettext_lazy("New-dialog alerts"),
            {"fields": ["alert_repeat_seconds", "offer_after_seconds", "typing_preview"]},
        ),
        (gettext_lazy("Ending dialogs automatically"), {"fields": ["auto_close_minutes"]}),
    ]

    def save_related(self, request, form, formsets, change):
        """The site's operators through chat/console/withdrawal.py: those taken off leave
        its dialogs and their open consoles stop hearing it, those added start."""
        withdrawal.set_site_operators(form.instance, form.cleaned_data["operators"])
        super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        withdrawal.delete_site(obj)

    def delete_queryset(self, request, queryset):
        for site in queryset:
            withdrawal.delete_site(site)


class VisitInline(admin.TabularInline):
    model = Visit
    extra = 0
    fields = ["started_at", "ip", "landing_url", "referrer", "current_url"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Visitor)
class VisitorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "site", "email", "phone", "visits_count", "last_seen_at"]
    list_filter = ["site"]
    list_select_related = ["site"]
    search_fields = ["name", "email", "phone", "token"]
    readonly_fields = ["token", "animal", "first_seen_at", "last_seen_at", "open_sockets"]
    inlines = [VisitInline]
    actions = ["erase_personal_data"]

    @admin.action(description=gettext_lazy("Erase personal data"), permissions=["change"])
    def erase_personal_data(self, request, queryset):
        """A right-to-be-forgotten request (chat/visitors/erasure.py), after a confirmation page
        like the delete action's; the admin's history records who erased whom and when."""
        if request.POST.get("post") != "yes":
            visitors = queryset.annotate(
                dialog_count=Count("dialogs", distinct=True),
                message_count=Count(
                    "dialogs__messages",
                    filter=~Q(dialogs__messages__author_kind=Message.Author.SYSTEM),
                ),
            ).order_by("pk")
            return TemplateResponse(
                request,
                "admin/chat/visitor/erase_personal_data.html",
                {
                    **self.admin_site.each_context(request),
                    "title": gettext("Erase personal data"),
                    "visitors": visitors,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        ids = list(queryset.values_list("pk", flat=True))
        done = erasure.erase_visitors(ids)
        LogEntry.objects.log_actions(
            request.user.pk,
            Visitor.objects.filter(pk__in=ids),
            CHANGE,
            change_message=gettext(
                "Personal data erased (dialogs: %(dialogs)s, messages: %(messages)s, "
                "files: %(files)s)."
            )
            % {"dialogs": done.dialogs, "messages": done.messages, "files": done.files},
        )
        self.message_user(
            request,
            ngettext(
                "The personal data of %(count)s visitor was erased.",
                "The personal data of %(count)s visitors was erased.",
                done.visitors,
            )
            % {"count": done.visitors},
        )
        return None


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["visitor", "ip", "landing_url", "started_at", "ended_at"]
    list_filter = ["visitor__site"]
    list_select_related = ["visitor"]
    search_fields = ["ip", "landing_url", "referrer", "visitor__name", "visitor__email"]
    raw_id_fields = ["visitor"]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    raw_id_fields = ["operator"]


@admin.register(Dialog)
class DialogAdmin(admin.ModelAdmin):
    list_display = ["number", "site", "visitor", "status", "created_at", "last_message_at"]
    list_filter = ["status", "site", "account"]
    list_select_related = ["site", "visitor"]
    search_fields = ["=number", "visitor__name", "visitor__email", "last_message_text"]
    date_hierarchy = "created_at"
    raw_id_fields = ["visitor", "visit", "site", "account"]
    inlines = [ParticipantInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "dialog", "author_kind", "operator", "short_text", "created_at"]
    list_filter = ["author_kind", "dialog__site"]
    list_select_related = ["dialog", "operator__user"]
    search_fields = ["text", "client_id"]
    raw_id_fields = ["dialog", "operator"]

    @admin.display(description=gettext_lazy("text"))
    def short_text(self, message):
        return message.text[:80]


# --- blocked IPs (chat/visitors/blocking.py); deleting an entry unblocks it ----------------------


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["dialog", "inviter", "invitee", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["dialog", "inviter__user", "invitee__user"]
    search_fields = ["inviter__display_name", "invitee__display_name", "=dialog__number"]
    raw_id_fields = ["dialog", "inviter", "invitee"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "content_type", "size", "message"]
    list_filter = ["content_type"]
    list_select_related = ["message"]
    search_fields = ["name"]
    raw_id_fields = ["message"]


class BlockedIPForm(ModelForm):
    def clean_network(self):
        network = self.cleaned_data.get("network")
        if not network and self.data.get("email"):  # an e-mail entry (blocking.py)
            return ""
        return blocking.normalise_network(network)

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        cleaned = super().clean()
        account = cleaned.get("account")
        operator = cleaned.get("blocked_by")
        if account and operator and operator.account_id != account.id:
            self.add_error("blocked_by", gettext("This operator belongs to another account."))
        return cleaned


@admin.register(BlockedIP)
class BlockedIPAdmin(admin.ModelAdmin):
    form = BlockedIPForm
    list_display = ["network", "email", "account", "reason", "blocked_by", "created_at"]
    list_filter = ["account"]
    list_select_related = ["account", "blocked_by__user"]
    search_fields = ["network", "email", "reason"]
    raw_id_fields = ["blocked_by", "visitor"]
    readonly_fields = ["created_at"]


# --- who may use the console, and which sites (chat/console/withdrawal.py holds the rules) ---


class ConsoleUserAdmin(UserAdmin):
    """Django's user admin, saving and deleting through chat/console/withdrawal.py (a
    deactivated or deleted user's console sockets close)."""

    def save_model(self, request, obj, form, change):
        withdrawal.save_user(obj)

    def delete_model(self, request, obj):
        withdrawal.delete_users(get_user_model().objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        withdrawal.delete_users(queryset)


class ConsoleOperatorAdmin(OperatorAdmin):
    """operators' admin, saving and deleting through chat/console/withdrawal.py."""

    def save_model(self, request, obj, form, change):
        withdrawal.save_operator(obj)

    def delete_model(self, request, obj):
        withdrawal.remove_operator(obj)

    def delete_queryset(self, request, queryset):
        withdrawal.remove_operators(queryset)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), ConsoleUserAdmin)
admin.site.unregister(Operator)
admin.site.register(Operator, ConsoleOperatorAdmin)
