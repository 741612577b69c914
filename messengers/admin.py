"""Linking a messenger channel in the admin: the token is checked with the messenger
(linking.py) and never shown again, only its masked form."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from messengers import linking
from messengers.models import Bot, Kind


class BotForm(forms.ModelForm):
    token = forms.CharField(label=_("access token"), widget=forms.PasswordInput, required=True)
    group_id = forms.CharField(label=_("VK community id"), required=False)

    class Meta:
        model = Bot
        fields = ["site", "kind", "token", "group_id", "confirmation", "webhook_secret"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["webhook_secret"].help_text = _("VK: the Callback API's secret key.")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        base = self.request.build_absolute_uri("/") if self.request else ""
        try:
            if data["kind"] == Kind.TELEGRAM:
                self.linked = linking.link_telegram(data["site"], data["token"], public_base=base)
            else:
                self.linked = linking.link_vk(
                    data["site"], group_id=data.get("group_id") or "", token=data["token"],
                    confirmation=data.get("confirmation") or "",
                    secret=data.get("webhook_secret") or "",
                )  # fmt: skip
        except linking.LinkRefused as refused:
            raise forms.ValidationError(refused.detail) from None
        return data


@admin.register(Bot)
class BotAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "site", "masked_token", "is_demo", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["name", "external_id", "masked_token", "webhook_path", "is_demo"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:  # a linked channel: its token is never shown again
            return super().get_form(request, obj, fields=["site"], **kwargs)
        form = BotForm

        class RequestBotForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestBotForm

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def save_model(self, request, obj, form, change):
        if not change:  # linking.link_* saved it when the form was checked
            obj.__dict__.update(form.linked.__dict__)
            return
        super().save_model(request, obj, form, change)

    @admin.display(description=_("webhook"))
    def webhook_path(self, obj):
        return linking.webhook_path(obj)

    @admin.display(description=_("access token"))
    def masked_token(self, obj):
        return obj.masked_token
