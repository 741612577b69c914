"""amoCRM API v4. amoCRM keeps no idempotency key (request_id is only echoed), so the
export's key goes into a text field of the lead ("Live chat export", made once per
integration) and each attempt first searches the leads for it (GET /api/v4/leads?query=)
and creates one only when there is none. The contact is looked up by e-mail and phone
(GET /api/v4/contacts?query=) before one is made; the transcript goes as a common note,
marked with the export's key so that a repeated attempt finds it instead of adding it
twice."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import amocrm_oauth, integration_settings, payloads
from crm.connectors.base import Connector, ConnectorError, HttpRequest, json_of

KEY_FIELD_NAME = "Live chat export"
TAG = "livechat"
PAGE = 250


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _values(entity: dict, code: str | None = None, field_id: int | None = None) -> list[str]:
    out = []
    for custom in entity.get("custom_fields_values") or []:
        if code and custom.get("field_code") != code:
            continue
        if field_id is not None and custom.get("field_id") != field_id:
            continue
        out.extend(str(v.get("value", "")) for v in custom.get("values") or [])
    return out


def _embedded(response, name: str) -> list[dict]:
    """A list answer; amoCRM answers 204 with no body when nothing matches."""
    if response.status_code == 204 or not response.content:
        return []
    data = json_of(response, not_json())
    items = (data.get("_embedded") or {}).get(name) if isinstance(data, dict) else None
    return [item for item in items or [] if isinstance(item, dict)]


def not_json() -> str:
    return _("amoCRM answered with something that is not JSON.")


class AmoCrmConnector(Connector):
    kind = "amocrm"
    settings_help = {
        "base_url": gettext_lazy("the account's address, e.g. https://example.amocrm.ru"),
        "token": gettext_lazy("long-lived access token of a private integration"),
        "client_id": gettext_lazy(
            "or OAuth: the integration's ID, with client_secret, redirect_uri and "
            "authorization_code (exchanged for a token pair when saved, then refreshed)"
        ),
    }

    def __init__(self, settings, *, integration_id=None):
        super().__init__(settings, integration_id=integration_id)
        self._auth = None

    def base_url(self) -> str:
        """https://<subdomain>.amocrm.ru, checked and normalised (crm/integration_settings.py)
        before any request."""
        return integration_settings.amocrm_base_url(self.setting("base_url"))

    def auth(self):
        """The Authorization of every request, in one place (crm/amocrm_oauth.py): a
        long-lived token, or OAuth's access token, renewed before it expires and once after
        a 401. One per attempt, so a renewed token serves the attempt's later calls."""
        if self._auth is None:
            self._auth = amocrm_oauth.auth_for(self.integration_id, self.settings)
        return self._auth

    def headers(self) -> dict:
        return {"Content-Type": "application/json"}  # Authorization: set by auth()

    def request(self, method: str, path: str, body=None) -> HttpRequest:
        return HttpRequest(method, self.base_url() + path, self.headers(), body, auth=self.auth())

    # --- the export ------------------------------------------------------------------------

    def deliver(self, payload, http, progress) -> None:
        field_id = self.key_field(http, progress.setup)
        if not progress.remote_id:
            progress.remote_id = self.find_lead(http, progress.key)
        if not progress.remote_id:
            progress.remote_id = self.add_lead(http, payload, progress, field_id)
        self.add_note(http, payload, progress)

    def key_field(self, http, setup: dict) -> int:
        """The leads' text field holding the export key: found by name, or made once."""
        if isinstance(setup.get("key_field_id"), int):
            return setup["key_field_id"]
        found = []
        page = 1
        while True:
            response = http.send(
                self.request("GET", "/api/v4/leads/custom_fields"),
                params={"limit": PAGE, "page": page},
            )
            fields = _embedded(response, "custom_fields")
            found += [f["id"] for f in fields if f.get("name") == KEY_FIELD_NAME and f.get("id")]
            if len(fields) < PAGE:
                break
            page += 1
        if not found:
            body = [{"name": KEY_FIELD_NAME, "type": "text", "sort": 1000}]
            response = http.send(self.request("POST", "/api/v4/leads/custom_fields", body))
            created = _embedded(response, "custom_fields")
            if not created or not created[0].get("id"):
                raise ConnectorError(_("amoCRM answered without the new field's id."))
            found = [created[0]["id"]]
        setup["key_field_id"] = int(min(found))
        return setup["key_field_id"]

    def find_lead(self, http, key: str) -> str:
        """The lead whose key field holds this key (the search matches words anywhere, so
        the value is checked)."""
        response = http.send(
            self.request("GET", "/api/v4/leads"), params={"query": key, "limit": PAGE}
        )
        ids = [lead["id"] for lead in _embedded(response, "leads") if key in _values(lead)]
        return str(min(ids)) if ids else ""

    def find_contact(self, http, contact: dict) -> str:
        for code, value, same in (
            ("EMAIL", contact["email"], lambda a, b: a.strip().lower() == b.strip().lower()),
            ("PHONE", contact["phone"], lambda a, b: _digits(a)[-10:] == _digits(b)[-10:]),
        ):
            if not value:
                continue
            response = http.send(
                self.request("GET", "/api/v4/contacts"), params={"query": value, "limit": PAGE}
            )
            ids = [
                c["id"]
                for c in _embedded(response, "contacts")
                if any(same(v, value) for v in _values(c, code))
            ]
            if ids:
                return str(min(ids))
        return ""

    def add_lead(self, http, payload, progress, field_id: int) -> str:
        contact = payloads.contact_of(payload)
        lead = {
            "name": payloads.title_of(payload),
            "custom_fields_values": [{"field_id": field_id, "values": [{"value": progress.key}]}],
            # The dialog's tags (tags/) beside our own, so the CRM sorts leads alike.
            "_embedded": {"tags": [{"name": name} for name in _tags_of(payload)]},
        }
        if contact["email"] or contact["phone"]:
            progress.remote_contact_id = progress.remote_contact_id or self.find_contact(
                http, contact
            )
        if progress.remote_contact_id:
            lead["_embedded"]["contacts"] = [{"id": int(progress.remote_contact_id)}]
        elif contact["email"] or contact["phone"]:
            # A new contact and its lead in one call: no contact is left without its lead.
            lead["_embedded"]["contacts"] = [self.new_contact(contact)]
            response = http.send(self.request("POST", "/api/v4/leads/complex", [lead]))
            data = json_of(response, not_json())
            first = data[0] if isinstance(data, list) and data else None
            if not isinstance(first, dict) or not first.get("id"):
                raise ConnectorError(_("amoCRM answered without the new lead's id."))
            progress.remote_contact_id = str(first.get("contact_id") or "")
            return str(first["id"])
        response = http.send(self.request("POST", "/api/v4/leads", [lead]))
        created = _embedded(response, "leads")
        if not created or not created[0].get("id"):
            raise ConnectorError(_("amoCRM answered without the new lead's id."))
        return str(created[0]["id"])

    @staticmethod
    def new_contact(contact: dict) -> dict:
        fields = []
        for code in ("EMAIL", "PHONE"):
            if contact[code.lower()]:
                fields.append(
                    {
                        "field_code": code,
                        "values": [{"value": contact[code.lower()], "enum_code": "WORK"}],
                    }
                )
        name = contact["name"] or contact["email"] or contact["phone"]
        return {"name": name, "first_name": name, "custom_fields_values": fields}

    def add_note(self, http, payload, progress) -> None:
        """The transcript (and the lead's message) as a common note on the lead, once."""
        contact = payloads.contact_of(payload)
        who = ", ".join(v for v in (contact["name"], contact["email"], contact["phone"]) if v)
        text = "\n\n".join(part for part in (who, payloads.comment_of(payload)) if part)
        if not text:
            return
        marker = f"#livechat {payload['id']}"
        path = f"/api/v4/leads/{progress.remote_id}/notes"
        response = http.send(
            self.request("GET", path),
            params={"filter[note_type]": "common", "limit": PAGE, "order[id]": "desc"},
        )
        for note in _embedded(response, "notes"):
            if marker in str((note.get("params") or {}).get("text", "")):
                return
        note = {"note_type": "common", "params": {"text": f"{text}\n\n{marker}"}}
        http.send(self.request("POST", path, [note]))

    def error_of(self, response) -> str:
        """amoCRM's problem JSON, with the field-level details of validation-errors:
        "HTTP 400: Request validation failed: custom_fields_values.0...: <detail>"."""
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return super().error_of(response)
        details = []
        for item in data.get("validation-errors") or []:
            for error in (item or {}).get("errors") or []:
                if isinstance(error, dict):
                    path, detail = error.get("path", ""), error.get("detail", "")
                    details.append(f"{path}: {detail}" if path else str(detail))
        head = data.get("detail") or data.get("title") or ""
        text = ": ".join(part for part in (head, "; ".join(details)) if part)
        if not text:
            return super().error_of(response)
        return f"HTTP {response.status_code}: {text}"[:600]


def _tags_of(payload) -> list[str]:
    """`livechat` and the dialog's tags, each once (amoCRM compares tags by name)."""
    names = [TAG, *((payload.get("dialog") or {}).get("tags") or [])]
    return list(dict.fromkeys(names))
