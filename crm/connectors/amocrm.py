from django.utils.translation import gettext_lazy as _

from crm import amocrm_oauth, integration_settings, payloads
from crm.connectors.base import Connector, ConnectorError, HttpRequest


class AmoCrmConnector(Connector):
    """A lead with its contact in one call: POST /api/v4/leads/complex (a long-lived token
    or OAuth with refresh: crm/amocrm_oauth.py)."""

    kind = "amocrm"
    settings_help = {
        "base_url": _("the account's address, e.g. https://example.amocrm.ru"),
        "token": _("long-lived access token of a private integration"),
        "client_id": _(
            "or OAuth: the integration's ID, with client_secret, redirect_uri and "
            "authorization_code (exchanged for a token pair when saved, then refreshed)"
        ),
    }

    def build_request(self, payload: dict) -> HttpRequest:
        base = integration_settings.amocrm_base_url(self.setting("base_url"))
        auth = amocrm_oauth.auth_for(self.integration_id, self.settings)
        contact = payloads.contact_of(payload)
        fields = []
        if contact["email"]:
            fields.append(
                {
                    "field_code": "EMAIL",
                    "values": [{"value": contact["email"], "enum_code": "WORK"}],
                }
            )
        if contact["phone"]:
            fields.append(
                {
                    "field_code": "PHONE",
                    "values": [{"value": contact["phone"], "enum_code": "WORK"}],
                }
            )
        person = {"first_name": contact["name"] or contact["email"] or contact["phone"]}
        if fields:
            person["custom_fields_values"] = fields
        lead = {
            "name": payloads.title_of(payload),
            # Echoed back unchanged by amoCRM; ties the answer to this export.
            "request_id": payload["id"],
            "_embedded": {"contacts": [person], "tags": [{"name": "livechat"}]},
        }
        headers = {"Content-Type": "application/json"}  # Authorization: set by `auth`
        url = base.rstrip("/") + "/api/v4/leads/complex"
        return HttpRequest("POST", url, headers, [lead], auth=auth)

    def parse_response(self, response) -> str:
        try:
            data = response.json()
        except ValueError as error:
            raise ConnectorError(_("amoCRM answered with something that is not JSON.")) from error
        first = data[0] if isinstance(data, list) and data else None
        if not isinstance(first, dict) or not first.get("id"):
            raise ConnectorError(_("amoCRM answered without the new lead's id."))
        return str(first["id"])
