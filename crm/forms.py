"""The integration form of the admin: settings checked and normalised per kind
(crm/integration_settings.py); an amoCRM authorization code exchanged for its tokens."""

import base64
import json
import secrets
from urllib.parse import urlsplit

from django import forms
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from crm import amocrm_oauth, integration_settings
from crm.connectors import CONNECTORS, ConfigError
from crm.models import Integration


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: whsec_ and base64 of 32 random bytes."""
    return (
        integration_settings.WEBHOOK_SECRET_PREFIX
        + base64.b64encode(secrets.token_bytes(32)).decode()
    )


def _settings_help():
    rows = format_html_join(
        "",
        "<li><b>{}</b>: {}</li>",
        (
            (
                Integration.Kind(kind).label,
                format_html_join("; ", "<code>{}</code> — {}", connector.settings_help.items()),
            )
            for kind, connector in CONNECTORS.items()
        ),
    )
    return format_html(
        '{}<ul style="margin:4px 0 0 16px">{}</ul>',
        _('A JSON object with the keys of the chosen kind (docs/crm.md), e.g. {"url": "…"}.'),
        rows,
    )


class IntegrationForm(forms.ModelForm):
    class Meta:
        model = Integration
        fields = [
            "account",
            "name",
            "kind",
            "settings",
            "is_active",
            "export_new_leads",
            "export_ended_dialogs",
            "export_internal_notes",
        ]
        widgets = {"settings": forms.Textarea(attrs={"rows": 6, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["settings"].help_text = _settings_help()
        # The page keeps the settings it showed, to tell an edit from a stale copy.
        self.fields["settings"].show_hidden_initial = True

    def clean_settings(self):
        value = self.cleaned_data["settings"]
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Settings must be a JSON object."))
        return value

    def clean(self):
        cleaned = super().clean()
        kind, settings = cleaned.get("kind"), cleaned.get("settings")
        if kind is None or not isinstance(settings, dict):
            return cleaned
        try:
            settings = integration_settings.clean(kind, settings)
            # Last: a code works once, so it is spent only when all else is valid.
            if kind == Integration.Kind.AMOCRM and settings.get("authorization_code"):
                settings = amocrm_oauth.exchange_code(settings)
        except ConfigError as error:
            self.add_error("settings", str(error))
        else:
            cleaned["settings"] = settings
        return cleaned

    def shown_settings(self):
        """The settings as the page showed them when it was opened (a hidden copy)."""
        raw = self.data.get(self.add_initial_prefix("settings"))
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    @transaction.atomic
    def save_locked(self, integration: Integration) -> None:
        """A worker may have refreshed amoCRM's tokens while this page was open: the stored
        pair is kept unless the admin edited it (a spent refresh token would lock us out)."""
        if integration.pk:
            row = (
                Integration.objects.select_for_update()
                .filter(pk=integration.pk)
                .values("settings", "kind", "remote_setup")
                .first()
            ) or {"settings": None, "kind": "", "remote_setup": {}}
            stored = row["settings"]
            integration.settings = keep_stored_tokens(
                submitted=integration.settings, shown=self.shown_settings(), stored=stored
            )
            # What the delivery set up in the CRM (the amoCRM key field) as it is now, or
            # nothing once the integration points at another CRM account.
            same_crm = row["kind"] == integration.kind and crm_account(stored) == crm_account(
                integration.settings
            )
            integration.remote_setup = row["remote_setup"] if same_crm else {}
        integration.save()


def crm_account(settings) -> str:
    """The CRM account the settings point at: the host of its address."""
    if not isinstance(settings, dict):
        return ""
    address = settings.get("base_url") or settings.get("webhook_url") or settings.get("url")
    return (urlsplit(address).netloc.lower() if isinstance(address, str) else "") or ""


def keep_stored_tokens(*, submitted: dict, shown, stored) -> dict:
    """The submitted settings, with each token key the admin left as shown taken from the
    row as it is now."""
    if not isinstance(shown, dict) or not isinstance(stored, dict):
        return submitted
    merged = dict(submitted)
    for key in amocrm_oauth.TOKEN_KEYS:
        if submitted.get(key) == shown.get(key):
            if key in stored:
                merged[key] = stored[key]
            else:
                merged.pop(key, None)
    return merged
