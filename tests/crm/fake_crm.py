"""Local stand-ins for Bitrix24 and amoCRM: real HTTP servers on 127.0.0.1 (werkzeug,
threaded) that answer the documented requests with the documented shapes and errors, and
misbehave the way the real ones do: every create makes a new record (no idempotency), and
faults can be queued per method: answer slowly or with a 500 *after* saving, 429 with
Retry-After, Bitrix24's 503 QUERY_LIMIT_EXCEEDED, amoCRM's validation-errors, or hold the
request after saving until released (a worker is killed meanwhile).

Each keeps what it stores (leads, contacts, notes), every call, and for each export key
how many requests about it were in flight at once (overlap)."""

import json
import re
import threading
import time
from collections import defaultdict
from urllib.parse import parse_qs

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

# Faults: what a call does instead of, or after, its normal work.
SLOW_AFTER_SAVE = "slow_after_save"  # saves, then answers after `slow_seconds`
ERROR_AFTER_SAVE = "5xx_after_save"  # saves, then 500
HOLD_AFTER_SAVE = "hold_after_save"  # saves, sets `held`, answers only when released
TOO_MANY = "429"  # 429 with Retry-After: `retry_after`, nothing saved
QUERY_LIMIT = "query_limit"  # Bitrix24: 503 QUERY_LIMIT_EXCEEDED, nothing saved
INVALID = "invalid"  # 400 with the CRM's field-level error, nothing saved
UNAVAILABLE = "503"  # plain 503 before saving


def _json(data, status=200, headers=None):
    return Response(
        json.dumps(data, ensure_ascii=False),
        status=status,
        headers=headers or {},
        content_type="application/json",
    )


class FakeCrm:
    """The server and the bookkeeping shared by both CRMs."""

    name = ""
    slow_seconds = 3.0
    retry_after = "7"

    def __init__(self):
        self.lock = threading.Lock()
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.calls: list[tuple[str, object]] = []
        self.in_flight: dict[str, int] = defaultdict(int)
        self.max_overlap: dict[str, int] = defaultdict(int)
        self.held = threading.Event()
        self.release = threading.Event()
        self.delay = 0.0  # every answer waits this long (to widen race windows)
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        self.server.shutdown()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(self, method: str, *faults: str) -> None:
        """The next calls of `method` misbehave, one fault each, in order."""
        with self.lock:
            self.faults[method].extend(faults)

    def _next_fault(self, method: str) -> str | None:
        with self.lock:
            return self.faults[method].pop(0) if self.faults[method] else None

    def calls_of(self, method: str) -> list:
        return [body for name, body in self.calls if name == method]

    def wsgi(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.handle(request)
        except Exception as error:  # a bug in the fake must show in the test, not hang it
            response = _json({"error": "FAKE_BUG", "error_description": repr(error)}, 500)
        return response(environ, start_response)

    def guarded(self, method: str, key: str | None, save, answer):
        """Run `save` (which stores) and `answer` around the queued fault of `method`."""
        if key:
            with self.lock:
                self.in_flight[key] += 1
                self.max_overlap[key] = max(self.max_overlap[key], self.in_flight[key])
        try:
            if self.delay:
                time.sleep(self.delay)
            fault = self._next_fault(method)
            refused = self.refusal(fault)
            if refused is not None:
                return refused
            result = save()
            if fault == SLOW_AFTER_SAVE:
                time.sleep(self.slow_seconds)
            elif fault == ERROR_AFTER_SAVE:
                return self.server_error()
            elif fault == HOLD_AFTER_SAVE:
                self.held.set()
                self.release.wait(60)
            return answer(result)
        finally:
            if key:
                with self.lock:
                    self.in_flight[key] -= 1

    def refusal(self, fault):
        raise NotImplementedError

    def server_error(self):
        raise NotImplementedError


class FakeBitrix24(FakeCrm):
    """POST /rest/<user>/<secret>/<method>.json with a JSON body, as an inbound webhook."""

    name = "Bitrix24"

    def __init__(self, secret="abc123"):
        super().__init__()
        self.secret = secret
        self.leads: dict[int, dict] = {}
        self.contacts: dict[int, dict] = {}
        self.next_id = 100

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/rest/1/{self.secret}/"

    def _id(self) -> int:
        with self.lock:
            self.next_id += 1
            return self.next_id

    def refusal(self, fault):
        if fault == TOO_MANY:
            return _json(
                {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"},
                429,
                {"Retry-After": self.retry_after},
            )
        if fault == QUERY_LIMIT:
            return _json(
                {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}, 503
            )
        if fault == UNAVAILABLE:
            return Response("<html>503 Service Temporarily Unavailable</html>", status=503)
        if fault == INVALID:
            return _json(
                {"error": "", "error_description": "Поле EMAIL: неверный формат адреса"}, 400
            )
        return None

    def server_error(self):
        return _json({"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal"}, 500)

    def handle(self, request):
        match = re.fullmatch(r"/rest/1/([^/]+)/([a-z.]+)\.json", request.path)
        if not match or request.method != "POST":
            return _json({"error": "ERROR_METHOD_NOT_FOUND", "error_description": "?"}, 404)
        if match.group(1) != self.secret:
            return _json(
                {
                    "error": "INVALID_CREDENTIALS",
                    "error_description": "Invalid request credentials",
                },
                401,
            )
        method = match.group(2)
        body = request.get_json(force=True, silent=True) or {}
        with self.lock:
            self.calls.append((method, body))
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        if handler is None:
            return _json(
                {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}, 404
            )
        return handler(method, body)

    @staticmethod
    def _ok(result):
        return _json({"result": result, "time": {"start": time.time(), "duration": 0.01}})

    def _matches(self, record: dict, flt: dict) -> bool:
        return all(str(record.get(field)) == str(value) for field, value in flt.items())

    def m_crm_lead_list(self, method, body):
        def read():
            flt = body.get("filter") or {}
            return [
                {"ID": str(i)} for i, lead in sorted(self.leads.items()) if self._matches(lead, flt)
            ]

        return self.guarded(method, (body.get("filter") or {}).get("ORIGIN_ID"), read, self._ok)

    def m_crm_lead_add(self, method, body):
        fields = body.get("fields") or {}

        def save():
            lead_id = self._id()
            self.leads[lead_id] = dict(fields)  # Bitrix24: a new lead on every call
            return lead_id

        return self.guarded(method, fields.get("ORIGIN_ID"), save, self._ok)

    def m_crm_lead_update(self, method, body):
        lead_id = int(body.get("id") or 0)
        if lead_id not in self.leads:
            return _json({"error": "", "error_description": "Not found"}, 400)

        def save():
            self.leads[lead_id].update(body.get("fields") or {})
            return True

        return self.guarded(method, self.leads[lead_id].get("ORIGIN_ID"), save, self._ok)

    def m_crm_contact_add(self, method, body):
        fields = body.get("fields") or {}

        def save():
            contact_id = self._id()
            self.contacts[contact_id] = dict(fields)
            return contact_id

        return self.guarded(method, fields.get("ORIGIN_ID"), save, self._ok)

    def m_crm_contact_list(self, method, body):
        def read():
            flt = body.get("filter") or {}
            return [
                {"ID": str(i)} for i, c in sorted(self.contacts.items()) if self._matches(c, flt)
            ]

        return self.guarded(method, None, read, self._ok)

    def m_crm_duplicate_findbycomm(self, method, body):
        kind, values = body.get("type"), body.get("values") or []

        def read():
            ids = [
                i
                for i, contact in sorted(self.contacts.items())
                if any(item.get("VALUE") in values for item in contact.get(kind) or [])
            ]
            return {"CONTACT": ids} if ids else []  # Bitrix24 answers [] when none

        return self.guarded(method, None, read, self._ok)

    def leads_of(self, key: str) -> list[dict]:
        return [lead for lead in self.leads.values() if lead.get("ORIGIN_ID") == key]


class FakeAmoCrm(FakeCrm):
    """amoCRM API v4 with a long-lived token (Authorization: Bearer); with OAuth access
    tokens and the token endpoint in tests/crm/amocrm_server.py."""

    name = "amoCRM"

    def __init__(self, token="long-lived-token"):
        super().__init__()
        self.token = token
        self.leads: dict[int, dict] = {}
        self.contacts: dict[int, dict] = {}
        self.fields: dict[int, dict] = {}
        self.notes: dict[int, list[dict]] = defaultdict(list)
        self.next_id = 9_000_000

    def _id(self) -> int:
        with self.lock:
            self.next_id += 1
            return self.next_id

    def refusal(self, fault):
        if fault == TOO_MANY:
            return _json(
                {"title": "Too Many Requests", "status": 429, "detail": "Too many requests"},
                429,
                {"Retry-After": self.retry_after},
            )
        if fault == UNAVAILABLE:
            return Response("<html>503 Service Temporarily Unavailable</html>", status=503)
        if fault == INVALID:
            return self.validation_error(
                "_embedded.contacts.0.custom_fields_values.0.values.0.value",
                "This value is not a valid email address.",
            )
        return None

    def server_error(self):
        return _json({"title": "Internal Server Error", "status": 500, "detail": "Error"}, 500)

    @staticmethod
    def validation_error(path, detail):
        return _json(
            {
                "validation-errors": [
                    {
                        "request_id": "0",
                        "errors": [{"code": "InvalidValue", "path": path, "detail": detail}],
                    }
                ],
                "title": "Bad Request",
                "type": "https://httpstatus.es/400",
                "status": 400,
                "detail": "Request validation failed",
            },
            400,
        )

    def authorized(self, request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    def handle(self, request):
        if not self.authorized(request):
            return _json({"title": "Unauthorized", "status": 401, "detail": "Invalid token"}, 401)
        args = {k: v[0] for k, v in parse_qs(request.query_string.decode()).items()}
        body = request.get_json(force=True, silent=True) if request.method == "POST" else None
        route = f"{request.method} {request.path}"
        with self.lock:
            self.calls.append((route, body if body is not None else args))
        if route == "GET /api/v4/leads/custom_fields":
            return self.list_of(
                "custom_fields", sorted(self.fields.values(), key=lambda f: f["id"])
            )
        if route == "POST /api/v4/leads/custom_fields":
            return self.add_fields(route, body)
        if route == "GET /api/v4/leads":
            return self.search(route, "leads", self.leads, args.get("query", ""))
        if route == "GET /api/v4/contacts":
            return self.search(route, "contacts", self.contacts, args.get("query", ""))
        if route == "POST /api/v4/leads":
            return self.add_leads(route, body, complex_=False)
        if route == "POST /api/v4/leads/complex":
            return self.add_leads(route, body, complex_=True)
        match = re.fullmatch(r"/api/v4/leads/(\d+)/notes", request.path)
        if match:
            lead_id = int(match.group(1))
            if lead_id not in self.leads:
                return _json({"title": "Not Found", "status": 404, "detail": "No lead"}, 404)
            if request.method == "GET":
                notes = self.notes[lead_id]
                if args.get("filter[note_type]"):
                    notes = [n for n in notes if n["note_type"] == args["filter[note_type]"]]
                return self.list_of("notes", list(reversed(notes)))
            return self.add_notes(route, lead_id, body)
        return _json({"title": "Not Found", "status": 404, "detail": route}, 404)

    @staticmethod
    def list_of(name, items):
        if not items:
            return Response(status=204)  # amoCRM: no body when nothing matches
        return _json({"_page": 1, "_embedded": {name: items}})

    def key_of(self, lead: dict) -> str | None:
        for custom in lead.get("custom_fields_values") or []:
            field = self.fields.get(custom.get("field_id"))
            if field and field["name"] == "Live chat export":
                return custom["values"][0]["value"]
        return None

    def search(self, route, name, store, query):
        def read():
            found = []
            for item_id, item in sorted(store.items()):
                words = [item.get("name", "")]
                for custom in item.get("custom_fields_values") or []:
                    words += [str(v.get("value", "")) for v in custom.get("values") or []]
                if query and any(query.lower() in w.lower() for w in words):
                    found.append({"id": item_id, **item})
            return found

        return self.guarded(
            route, query if name == "leads" else None, read, lambda f: self.list_of(name, f)
        )

    def add_fields(self, route, body):
        created = []
        for field in body or []:
            field_id = self._id()
            self.fields[field_id] = {"id": field_id, "name": field["name"], "type": field["type"]}
            created.append(self.fields[field_id])
        return _json({"_embedded": {"custom_fields": created}})

    def _check_lead(self, lead: dict):
        for i, custom in enumerate(lead.get("custom_fields_values") or []):
            if custom.get("field_id") not in self.fields:
                return self.validation_error(
                    f"custom_fields_values.{i}.field_id",
                    "The value you selected is not a valid choice.",
                )
        for i, contact in enumerate((lead.get("_embedded") or {}).get("contacts") or []):
            if "id" in contact:
                if contact["id"] not in self.contacts:
                    return self.validation_error(f"_embedded.contacts.{i}.id", "Contact not found")
            elif not (contact.get("name") or contact.get("first_name")):
                return self.validation_error(
                    f"_embedded.contacts.{i}.name", "This value should not be blank."
                )
        return None

    def add_leads(self, route, body, *, complex_):
        leads = body if isinstance(body, list) else []
        for lead in leads:
            refused = self._check_lead(lead)
            if refused is not None:
                return refused
        key = self.key_of(leads[0]) if leads else None

        def save():
            out = []
            for lead in leads:
                lead_id = self._id()
                contact_ids = []
                for contact in (lead.get("_embedded") or {}).get("contacts") or []:
                    if "id" in contact:
                        contact_ids.append(contact["id"])
                    else:
                        contact_id = self._id()
                        self.contacts[contact_id] = dict(contact)
                        contact_ids.append(contact_id)
                stored = {k: v for k, v in lead.items() if k != "_embedded"}
                stored["contacts"] = contact_ids
                stored["tags"] = [
                    t["name"] for t in (lead.get("_embedded") or {}).get("tags") or []
                ]
                self.leads[lead_id] = stored  # a new lead on every call
                out.append((lead_id, contact_ids))
            return out

        def answer(out):
            if complex_:
                return _json(
                    [
                        {
                            "id": lead_id,
                            "contact_id": (ids or [None])[0],
                            "company_id": None,
                            "request_id": [str(n)],
                            "merged": False,
                        }
                        for n, (lead_id, ids) in enumerate(out)
                    ]
                )
            return _json(
                {
                    "_embedded": {
                        "leads": [
                            {"id": lead_id, "request_id": str(n)}
                            for n, (lead_id, _) in enumerate(out)
                        ]
                    }
                }
            )

        return self.guarded(route, key, save, answer)

    def add_notes(self, route, lead_id, body):
        key = self.key_of(self.leads[lead_id])

        def save():
            out = []
            for note in body or []:
                note_id = self._id()
                self.notes[lead_id].append({"id": note_id, "entity_id": lead_id, **note})
                out.append({"id": note_id, "entity_id": lead_id, "request_id": "0"})
            return out

        return self.guarded(
            "POST notes", key, save, lambda out: _json({"_embedded": {"notes": out}})
        )

    def leads_of(self, key: str) -> list[dict]:
        return [lead for lead in self.leads.values() if self.key_of(lead) == key]


def connect(make_integration, crm, **fields):
    """An integration of the kind of `crm` pointing at it."""
    if crm.name == "Bitrix24":
        return make_integration("bitrix24", settings={"webhook_url": crm.webhook_url}, **fields)
    return make_integration("amocrm", settings={"base_url": crm.url, "token": crm.token}, **fields)


# The failure-case table (test_crm_exactly_once.py), printed at the end of the run.
DELIVERY_TABLE: list[tuple] = []
