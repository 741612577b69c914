"""The console's forms for linking a channel (the site is one the operator manages)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class _SiteForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, empty_label=None)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class TelegramForm(_SiteForm):
    token = forms.CharField(
        label=_("Bot token"),
        max_length=300,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("From @BotFather. It is checked with Telegram and never shown again."),
    )


class VkForm(_SiteForm):
    group_id = forms.CharField(label=_("Community id"), max_length=40)
    token = forms.CharField(
        label=_("Community access token"),
        max_length=300,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("With the permission to manage messages. Never shown again."),
    )
    confirmation = forms.CharField(
        label=_("Confirmation string"),
        max_length=100,
        help_text=_("The string VK's Callback API settings ask the server to return."),
    )
    secret = forms.CharField(
        label=_("Secret key"),
        max_length=100,
        help_text=_("The same secret key as in VK's Callback API settings."),
    )
