from django import forms

from mailchannel.models import SiteMail


class SiteMailForm(forms.ModelForm):
    class Meta:
        model = SiteMail
        fields = ["send_transcripts", "lead_addresses", "inbox_address"]
        widgets = {
            "lead_addresses": forms.Textarea(attrs={"rows": 3, "autocomplete": "email"}),
            "inbox_address": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def clean_inbox_address(self):
        return self.cleaned_data["inbox_address"].strip().lower()

    def clean_lead_addresses(self):
        from mailchannel.models import split_addresses

        return "\n".join(split_addresses(self.cleaned_data["lead_addresses"]))
