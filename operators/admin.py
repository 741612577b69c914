import zoneinfo

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from operators.models import Account, Operator


def time_zone_choices():
    return [("", _("Browser time zone"))] + [
        (zone, zone) for zone in sorted(zoneinfo.available_timezones())
    ]


class OperatorForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("time zone"),
        choices=time_zone_choices,
        required=False,
        help_text=Operator._meta.get_field("time_zone").help_text,
    )

    class Meta:
        model = Operator
        fields = [
            "user",
            "account",
            "display_name",
            "status",
            "can_see_others",
            "can_join_others",
            "can_see_reports",
            "can_manage_site_settings",
            "language",
            "time_zone",
        ]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "last_dialog_number", "created_at"]
    search_fields = ["name"]


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    form = OperatorForm
    list_display = [
        "__str__",
        "user",
        "account",
        "status",
        "can_see_others",
        "can_join_others",
        "can_see_reports",
        "can_manage_site_settings",
        "open_sockets",
        "last_seen_at",
    ]
    list_filter = ["account", "status", "can_see_others", "can_join_others"]
    list_select_related = ["user", "account"]
    search_fields = [
        "display_name",
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
    ]
    autocomplete_fields = ["user"]
    readonly_fields = ["open_sockets", "last_seen_at"]
    fieldsets = [
        (None, {"fields": ["user", "account", "display_name", "status"]}),
        (
            _("Access"),
            {
                "fields": [
                    "can_see_others",
                    "can_join_others",
                    "can_see_reports",
                    "can_manage_site_settings",
                ]
            },
        ),
        (_("Language and time"), {"fields": ["language", "time_zone"]}),
        (_("Presence"), {"fields": ["open_sockets", "last_seen_at"]}),
    ]
