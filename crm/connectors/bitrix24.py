from django.utils.translation import gettext_lazy as _

from crm import integration_settings, payloads
from crm.connectors.base import Connector, ConnectorError, HttpRequest


class Bitrix24Connector(Connector):
    """A lead through an inbound webhook: POST <webhook_url>crm.lead.add.json."""

    kind = "bitrix24"
    settings_help = {
        "webhook_url": _(
            "inbound webhook URL with the crm scope, e.g. https://example.bitrix24.ru/rest/1/abc123/"
        ),
    }

    def build_request(self, payload: dict) -> HttpRequest:
        base = integration_settings.bitrix24_webhook_url(self.setting("webhook_url"))
        contact = payloads.contact_of(payload)
        fields = {
            "TITLE": payloads.title_of(payload),
            "NAME": contact["name"],
            "COMMENTS": payloads.comment_of(payload),
            "SOURCE_ID": "WEB",
            "ORIGINATOR_ID": "livechat",
            "ORIGIN_ID": payload["id"],
        }
        if contact["email"]:
            fields["EMAIL"] = [{"VALUE": contact["email"], "VALUE_TYPE": "WORK"}]
        if contact["phone"]:
            fields["PHONE"] = [{"VALUE": contact["phone"], "VALUE_TYPE": "WORK"}]
        body = {"fields": fields, "params": {"REGISTER_SONET_EVENT": "Y"}}
        url = base.rstrip("/") + "/crm.lead.add.json"
        return HttpRequest("POST", url, {"Content-Type": "application/json"}, body)

    def parse_response(self, response) -> str:
        try:
            data = response.json()
        except ValueError as error:
            raise ConnectorError(_("Bitrix24 answered with something that is not JSON.")) from error
        if isinstance(data, dict) and data.get("error"):
            raise ConnectorError(self.error_of(response))
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(result, int | str) or isinstance(result, bool):
            raise ConnectorError(_("Bitrix24 answered without the new lead's id."))
        return str(result)
