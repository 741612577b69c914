from django.utils.translation import gettext_lazy as _

from crm import payloads
from crm.connectors.base import Connector, ConnectorError, HttpRequest


class AmoCrmConnector(Connector):
    """A lead with its contact in one call: POST /api/v4/leads/complex (long-lived token)."""

    kind = "amocrm"
    settings_help = {
        "base_url": _("the account's address, e.g. https://example.amocrm.ru"),
        "token": _("long-lived access token of a private integration"),
    }

    def build_request(self, payload: dict) -> HttpRequest:
        base, token = self.setting("base_url"), self.setting("token")
        if not base.startswith("https://") and not base.startswith("http://"):
            raise ConnectorError(_("The amoCRM address must start with https://."))
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
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        return HttpRequest("POST", base.rstrip("/") + "/api/v4/leads/complex", headers, [lead])

    def parse_response(self, response) -> str:
        try:
            data = response.json()
        except ValueError as error:
            raise ConnectorError(_("amoCRM answered with something that is not JSON.")) from error
        first = data[0] if isinstance(data, list) and data else None
        if not isinstance(first, dict) or not first.get("id"):
            raise ConnectorError(_("amoCRM answered without the new lead's id."))
        return str(first["id"])
