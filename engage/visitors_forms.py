"""The Visitors tab's filters: site, "not in a dialog", page contains (plain text)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chat.models import Site


class VisitorFilterForm(forms.Form):
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, label=_("Site"), empty_label=_("All sites")
    )
    not_in_dialog = forms.BooleanField(required=False, label=_("Not in a dialog"))
    page = forms.CharField(required=False, max_length=200, strip=True, label=_("Page contains"))

    def __init__(self, data, *, sites):
        super().__init__(data)
        self.fields["site"].queryset = sites
        self.fields["site"].widget.attrs["id"] = "visitors-site"
        self.fields["page"].widget.attrs.update(
            {"id": "visitors-page", "placeholder": _("address or title"), "type": "search"}
        )


class WriteForm(forms.Form):
    text = forms.CharField(max_length=4000, strip=True)
    client_id = forms.CharField(max_length=64)
