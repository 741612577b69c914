"""Bitrix24 through an inbound webhook. Bitrix24 keeps no idempotency key: ORIGIN_ID is only
a link, and every crm.lead.add makes a new lead. So each attempt first asks crm.lead.list
for the lead with our ORIGINATOR_ID + ORIGIN_ID and creates one only when there is none;
the contact is looked up by e-mail and phone (crm.duplicate.findbycomm) before one is
added."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import integration_settings, payloads
from crm.connectors.base import Connector, ConnectorError, HttpRequest, json_of

ORIGINATOR = "livechat"


def not_json() -> str:
    return _("Bitrix24 answered with something that is not JSON.")


class Bitrix24Connector(Connector):
    kind = "bitrix24"
    settings_help = {
        "webhook_url": gettext_lazy(
            "inbound webhook URL with the crm scope, e.g. https://example.bitrix24.ru/rest/1/abc123/"
        ),
    }

    def base_url(self) -> str:
        """https://<portal>/rest/<user>/<secret>/, checked and normalised
        (crm/integration_settings.py) before any request."""
        return integration_settings.bitrix24_webhook_url(self.setting("webhook_url"))

    def request(self, method: str, body: dict) -> HttpRequest:
        url = f"{self.base_url()}{method}.json"
        return HttpRequest("POST", url, {"Content-Type": "application/json"}, body)

    def call(self, http, method: str, body: dict):
        """One REST method; its `result`. Bitrix24 may answer an error with HTTP 200."""
        data = json_of(http.send(self.request(method, body)), not_json())
        if not isinstance(data, dict):
            raise ConnectorError(not_json())
        if data.get("error"):
            description = data.get("error_description") or data["error"]
            raise ConnectorError(f"Bitrix24: {description}"[:600])
        return data.get("result")

    # --- the export ------------------------------------------------------------------------

    def deliver(self, payload, http, progress) -> None:
        if not progress.remote_id:
            found = self.find_lead(http, progress.key)
            if found and progress.own_key:
                progress.remote_id = found  # made by an earlier attempt of this export
                return
            progress.remote_id = found or ""
        if progress.remote_id:
            # A later export of the dialog: the newer title and transcript, and the
            # contact if the visitor has left an e-mail or phone since.
            fields = {"TITLE": payloads.title_of(payload), "COMMENTS": payloads.comment_of(payload)}
            contact_id = self.find_or_add_contact(http, payload, progress)
            if contact_id:
                fields["CONTACT_ID"] = contact_id
            body = {"id": progress.remote_id, "fields": fields}
            self.call(http, "crm.lead.update", {**body, "params": {"REGISTER_SONET_EVENT": "N"}})
            return
        contact_id = self.find_or_add_contact(http, payload, progress)
        body = self.build_request(payload, key=progress.key, contact_id=contact_id).json
        result = self.call(http, "crm.lead.add", body)
        if not isinstance(result, int | str) or isinstance(result, bool) or not str(result):
            raise ConnectorError(_("Bitrix24 answered without the new lead's id."))
        progress.remote_id = str(result)

    def build_request(self, payload: dict, *, key: str = "", contact_id: str = "") -> HttpRequest:
        contact = payloads.contact_of(payload)
        fields = {
            "TITLE": payloads.title_of(payload),
            "NAME": contact["name"],
            "COMMENTS": payloads.comment_of(payload),
            "SOURCE_ID": "WEB",
            "ORIGINATOR_ID": ORIGINATOR,
            "ORIGIN_ID": key or payload["id"],
        }
        if contact["email"]:
            fields["EMAIL"] = [{"VALUE": contact["email"], "VALUE_TYPE": "WORK"}]
        if contact["phone"]:
            fields["PHONE"] = [{"VALUE": contact["phone"], "VALUE_TYPE": "WORK"}]
        if contact_id:
            fields["CONTACT_ID"] = contact_id
        body = {"fields": fields, "params": {"REGISTER_SONET_EVENT": "Y"}}
        return self.request("crm.lead.add", body)

    def find_lead(self, http, key: str) -> str:
        result = self.call(
            http,
            "crm.lead.list",
            {
                "filter": {"ORIGINATOR_ID": ORIGINATOR, "ORIGIN_ID": key},
                "select": ["ID"],
                "order": {"ID": "ASC"},
            },
        )
        ids = [str(row["ID"]) for row in result or [] if isinstance(row, dict) and row.get("ID")]
        return ids[0] if ids else ""

    def find_or_add_contact(self, http, payload, progress) -> str:
        """The contact with the visitor's e-mail or phone; added when there is none. No
        e-mail and no phone: no contact (nothing to find it by again)."""
        if progress.remote_contact_id:
            return progress.remote_contact_id
        contact = payloads.contact_of(payload)
        for kind in ("EMAIL", "PHONE"):
            value = contact[kind.lower()]
            if not value:
                continue
            result = self.call(
                http,
                "crm.duplicate.findbycomm",
                {"entity_type": "CONTACT", "type": kind, "values": [value]},
            )
            # {"CONTACT": [ids]} when found, [] when not.
            ids = result.get("CONTACT", []) if isinstance(result, dict) else []
            if ids:
                progress.remote_contact_id = str(min(int(i) for i in ids))
                return progress.remote_contact_id
        if not contact["email"] and not contact["phone"]:
            return ""
        fields = {
            "NAME": contact["name"] or contact["email"] or contact["phone"],
            "SOURCE_ID": "WEB",
            "ORIGINATOR_ID": ORIGINATOR,
            "ORIGIN_ID": progress.key,
        }
        if contact["email"]:
            fields["EMAIL"] = [{"VALUE": contact["email"], "VALUE_TYPE": "WORK"}]
        if contact["phone"]:
            fields["PHONE"] = [{"VALUE": contact["phone"], "VALUE_TYPE": "WORK"}]
        result = self.call(http, "crm.contact.add", {"fields": fields})
        if not isinstance(result, int | str) or isinstance(result, bool) or not str(result):
            raise ConnectorError(_("Bitrix24 answered without the new contact's id."))
        progress.remote_contact_id = str(result)
        return progress.remote_contact_id

    def error_of(self, response) -> str:
        """Bitrix24's own words: {"error": CODE, "error_description": text}."""
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict) and (data.get("error_description") or data.get("error")):
            description = data.get("error_description") or ""
            code = data.get("error") or ""
            text = f"{description} ({code})" if description and code else description or code
            return f"HTTP {response.status_code}: {text}"[:600]
        return super().error_of(response)
