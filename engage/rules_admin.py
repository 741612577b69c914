"""Proactive invitations in Django admin: the same form checks as the console's (one site's
operators sign its invitations, placeholders, page patterns), and the events read-only."""

from django.contrib import admin
from django.forms import ModelForm
from django.utils.translation import gettext_lazy as _

from engage import rules
from engage.rule_models import InvitationEvent, InvitationRule
from engage.rules_forms import CONDITION_FIELDS, MESSAGE_FIELDS, SHOWING_FIELDS, InvitationRuleForm


class InvitationRuleAdminForm(ModelForm):
    """The console form's checks, with the site chosen on the form itself."""

    class Meta:
        model = InvitationRule
        fields = ["site", "name", *CONDITION_FIELDS, *MESSAGE_FIELDS, *SHOWING_FIELDS]

    def clean(self):
        data = super().clean()
        site = data.get("site")
        if site is None:
            return data
        checked = InvitationRuleForm(self.data, instance=self.instance, site=site)
        checked.prefix = self.prefix
        if not checked.is_valid():
            for name, errors in checked.errors.items():
                for error in errors:
                    self.add_error(None if name == "__all__" else name, error)
        else:
            data.update({n: checked.cleaned_data[n] for n in checked.Meta.fields})
        return data


@admin.register(InvitationRule)
class InvitationRuleAdmin(admin.ModelAdmin):
    form = InvitationRuleAdminForm
    list_display = ["name", "site", "priority", "paused", "url_match", "url_pattern", "frequency"]
    list_filter = ["paused", "site__account", "site"]
    list_editable = ["paused"]
    search_fields = ["name", "text", "url_pattern"]
    list_select_related = ["site"]
    autocomplete_fields = ["operator"]
    fieldsets = [
        (None, {"fields": ["site", "name"]}),
        (_("Conditions: all of them must hold"), {"fields": CONDITION_FIELDS}),
        (_("Message"), {"fields": MESSAGE_FIELDS}),
        (_("How often"), {"fields": SHOWING_FIELDS}),
    ]

    def save_model(self, request, obj, form, change):
        if change and "site" in form.changed_data:
            rules.forget_site_rules(form.initial["site"])
        super().save_model(request, obj, form, change)
        rules.forget_site_rules(obj.site_id)

    def delete_model(self, request, obj):
        rules.forget_site_rules(obj.site_id)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for site_id in set(queryset.values_list("site_id", flat=True)):
            rules.forget_site_rules(site_id)
        super().delete_queryset(request, queryset)


@admin.register(InvitationEvent)
class InvitationEventAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "rule", "visitor", "dialog"]
    list_filter = ["kind", "rule__site"]
    list_select_related = ["rule", "visitor", "dialog"]
    raw_id_fields = ["rule", "visitor", "visit", "dialog"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
