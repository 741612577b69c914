"""The console's invitation form: every field of a rule checked, with errors an operator
can act on. A page pattern is plain text with * and ?, never a regular expression."""

import re
from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import Site
from engage import rules
from engage.rule_models import TEXT_MAX_LENGTH, InvitationRule

# Fixed patterns of ours, never built from input.
PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_]\w*)\}")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")

CONDITION_FIELDS = [
    "url_match",
    "url_pattern",
    "seconds_on_page",
    "seconds_on_site",
    "pages_seen",
    "visit_kind",
    "referrer_contains",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "device",
    "languages",
    "hours",
    "needs_operator_online",
]
MESSAGE_FIELDS = ["text", "operator", "display", "delay_seconds"]
SHOWING_FIELDS = ["frequency", "frequency_days", "priority", "paused"]


class InvitationRuleForm(forms.ModelForm):
    """A rule of one site; the view saves the cleaned data through rules_services."""

    class Meta:
        model = InvitationRule
        fields = ["name", *CONDITION_FIELDS, *MESSAGE_FIELDS, *SHOWING_FIELDS]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        # Only the site's own operators may sign its invitations (tenancy).
        signers = site.operators.select_related("user").order_by("display_name", "id")
        self.fields["operator"].queryset = signers
        self.fields["operator"].empty_label = _("The site (no operator's name)")
        limit = min(TEXT_MAX_LENGTH, settings.CHAT_MESSAGE_MAX_LENGTH)
        self.fields["text"].max_length = limit
        self.fields["text"].widget.attrs["maxlength"] = limit
        for name in ("seconds_on_page", "seconds_on_site", "pages_seen", "delay_seconds"):
            self.fields[name].widget.attrs.update(min="0", inputmode="numeric")
        self.fields["delay_seconds"].required = False
        self.fields["priority"].required = False

    def sections(self):
        """The form's fields in the groups the page shows."""
        return [
            (_("Conditions: all of them must hold"), [self[n] for n in CONDITION_FIELDS]),
            (_("Message"), [self[n] for n in MESSAGE_FIELDS]),
            (_("How often"), [self[n] for n in SHOWING_FIELDS]),
        ]

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        unknown = sorted({name for name in PLACEHOLDER_RE.findall(text)} - set(rules.PLACEHOLDERS))
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder: %(names)s. Use %(known)s.")
                % {
                    "names": ", ".join(f"{{{name}}}" for name in unknown),
                    "known": ", ".join(f"{{{name}}}" for name in rules.PLACEHOLDERS),
                }
            )
        return text

    def clean_url_pattern(self):
        pattern = self.cleaned_data["url_pattern"].strip()
        if any(ord(c) < 32 or c.isspace() for c in pattern):
            raise forms.ValidationError(_("A page address has no spaces or line breaks."))
        return pattern

    def clean_languages(self):
        codes = [c for c in self.cleaned_data["languages"].replace(" ", "").lower().split(",") if c]
        wrong = [code for code in codes if not LANGUAGE_RE.match(code)]
        if wrong:
            raise forms.ValidationError(
                _("Not a language code: %(codes)s. Write codes such as ru, en or pt-br.")
                % {"codes": ", ".join(wrong)}
            )
        return ", ".join(dict.fromkeys(codes))

    def clean_delay_seconds(self):
        return self.cleaned_data["delay_seconds"] or 0

    def clean_priority(self):
        return self.cleaned_data["priority"] or 0

    def clean(self):
        data = super().clean()
        match, pattern = data.get("url_match"), data.get("url_pattern")
        if match and match != InvitationRule.UrlMatch.ANY and pattern == "":
            self.add_error("url_pattern", _("Write the page address to compare with."))
        if match == InvitationRule.UrlMatch.ANY:
            data["url_pattern"] = ""
        if data.get("frequency") == InvitationRule.Frequency.DAYS:
            if data.get("frequency_days") is None and "frequency_days" not in self.errors:
                self.add_error("frequency_days", _("Say after how many days it may show again."))
        else:
            data["frequency_days"] = None
        return data


class StatsPeriodForm(forms.Form):
    """The period of the figures: whole days in the operator's time zone, the last 30 by
    default."""

    DEFAULT_DAYS = 30
    MAX_DAYS = 366

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data):
        data = data.copy()
        today = timezone.localdate()
        data.setdefault("date_to", today.isoformat())
        data.setdefault("date_from", (today - timedelta(days=self.DEFAULT_DAYS - 1)).isoformat())
        super().__init__(data)

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last:
            if first > last:
                self.add_error("date_to", _("The end comes before the start."))
            elif (last - first).days >= self.MAX_DAYS:
                self.add_error("date_from", _("Choose a period of at most a year."))
        return data

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) of the valid period, else of the default one."""
        today = timezone.localdate()
        first = today - timedelta(days=self.DEFAULT_DAYS - 1)
        last = today
        if self.is_valid():
            first, last = self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        zone = timezone.get_current_timezone()
        return (
            timezone.make_aware(datetime.combine(first, time.min), zone),
            timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), zone),
        )
