"""The endpoint form of the console page and of the admin: URL checked for SSRF
(webhooks.addresses), events chosen from the list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks import addresses, events
from webhooks.models import Endpoint


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=events.CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )

    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/livechat"}),
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "is_active"]

    def clean_url(self):
        try:
            return addresses.check(self.cleaned_data["url"])
        except addresses.RefusedUrl as error:
            raise forms.ValidationError(str(error)) from error

    def clean_events(self):
        chosen = set(self.cleaned_data["events"])
        return [name for name in events.NAMES if name in chosen]
