"""The tenancy walk of the operator API and of the console socket with a token: the same
world as test_tenancy.py (account A's dialog, file, lead ... with secret strings) and the
same three actors, now as apps with their own tokens; and A's owner with a revoked token.

Every API operation with an id (enumerated from the URLConf) is refused with A's objects
(403/404 problem details, or 405), changes nothing and shows no secret; every list
operation shows none; a revoked token opens nothing, on HTTP or on the socket."""

import json

import pytest
import test_tenancy
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient
from test_tenancy import (
    ACTORS,
    ALL_SECRETS,
    FRAMES,
    PDF,
    REFUSED_CODES,
    assert_no_secret,
    body_of,
    snapshot,
)
from url_walk import routes

from api import tokens
from chat.realtime.consumers.frames import CLOSE_UNAUTHENTICATED

pytestmark = pytest.mark.django_db(transaction=True)

world = test_tenancy.world  # the same two accounts (a fixture)

# Every API operation with an id: which of A's objects it is walked with.
API_TARGETS = {
    "api:dialog": "dialog",
    "api:messages": "dialog",
    "api:upload": "dialog",
    "api:notes": "dialog",
    "api:visitor_card": "dialog",
    "api:dialog_replies": "dialog",
    "api:connect": "dialog",
    "api:end": "dialog",
    "api:leave": "dialog",
    "api:invite": "dialog",
    "api:transfer": "dialog",
    "api:block": "dialog",
    "api:attachment": "attachment",
    "api:attachment_thumbnail": "attachment",
    "api:write_to_visitor": "visitor",
}
# List operations, with filters that name A's site, colleague or words.
PROBES = [
    {},
    {"date_from": "", "date_to": ""},
    {"site": "{a1}", "date_from": "", "date_to": ""},
    {"operator": "{owner}", "date_from": "", "date_to": ""},
    {"q": "vault", "date_from": "", "date_to": ""},
    {"q": "Zorro", "date_from": "", "date_to": ""},
]


def api_routes():
    return [r for r in routes() if r.route.startswith("api/v1/") and r.name]


def with_id(route) -> bool:
    return "pk" in route.parameters


def app_client(operator) -> APIClient:
    _token, raw = tokens.create_token(operator=operator, name="walk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_every_api_operation_with_an_id_has_a_target():
    assert {r.name for r in api_routes() if with_id(r)} - set(API_TARGETS) == set()


@pytest.mark.parametrize("actor", list(ACTORS))
def test_api_operations_refuse_the_objects_of_others(world, actor):
    refused_target, secrets = ACTORS[actor]
    client = app_client(world[actor])
    before = snapshot()
    walked = []
    for route in api_routes():
        if not with_id(route):
            continue
        target = API_TARGETS[route.name]
        if not refused_target(target):
            continue
        url = route.url(pk=world[target].id)
        for method in ("get", "post"):
            data = {"operator": world["peer"].id, "client_id": "o1", "text": "intrusion"}
            body_format = "json"
            if route.name == "api:upload":  # the access check comes after the file's
                data["file"] = SimpleUploadedFile("x.pdf", PDF, "application/pdf")
                body_format = "multipart"
            # A GET with these as query parameters would get the 400 of unknown parameters
            # before any lookup: the GET goes bare, so its access check is what answers.
            if method == "get":
                data = None
            response = getattr(client, method)(url, data, format=body_format)
            assert response.status_code in (403, 404, 405), (
                f"{actor} {method.upper()} {url} answered {response.status_code}"
            )
            assert response["Content-Type"] == "application/problem+json", url
            assert_no_secret(body_of(response), secrets, f"{method.upper()} {url}")
        walked.append(route.name)
    assert snapshot() == before
    assert "api:dialog" in walked and "api:messages" in walked


@pytest.mark.parametrize("actor", list(ACTORS))
def test_api_lists_show_nothing_of_others(world, actor):
    _refused, secrets = ACTORS[actor]
    client = app_client(world[actor])
    walked = 0
    for route in api_routes():
        if with_id(route):
            continue
        for url in route.urls():
            for probe in PROBES:
                query = {
                    k: v.format(a1=world["a1"].id, owner=world["owner"].id)
                    for k, v in probe.items()
                }
                response = client.get(url, query)
                assert response.status_code in (200, 400, 403), (url, query)
                assert_no_secret(body_of(response), secrets, f"GET {url} {query}")
                walked += 1
    assert walked >= 8 * len(PROBES)


def test_a_revoked_token_opens_nothing(world):
    tokens.revoke(operator=world["owner"], token_id=world["token"].id)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world['raw_token']}")
    for route in api_routes():
        url = route.urls(pk=world[API_TARGETS.get(route.name, "dialog")].id)[0]
        response = client.get(url)
        assert response.status_code == 401, url
        assert_no_secret(body_of(response), ALL_SECRETS, url)


def test_the_owner_s_token_does_open_his_dialog(world):
    """The walk's refusals come from the actor, not from a broken request."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world['raw_token']}")
    response = client.get(f"/api/v1/dialogs/{world['dialog'].id}/messages/")
    assert response.status_code == 200
    assert "A-secret-message-about-the-vault" in body_of(response)


# --- the console socket with a token ------------------------------------------------------


def token_socket(sockets, raw: str):
    return sockets.communicator(
        "/ws/console/", headers=[(b"authorization", f"Bearer {raw}".encode())]
    )


async def test_a_revoked_or_unknown_token_socket_is_refused(world, sockets):
    await database_sync_to_async(tokens.revoke)(operator=world["owner"], token_id=world["token"].id)
    for raw in (world["raw_token"], "lcpat_unknown", "not-even-a-token"):
        communicator = token_socket(sockets, raw)
        connected, code = await communicator.connect()
        if connected:  # accepted before the refusal: then closed with the code
            closed = await communicator.receive_output(timeout=3)
            assert closed["type"] == "websocket.close" and closed["code"] == CLOSE_UNAUTHENTICATED
        else:
            assert code == CLOSE_UNAUTHENTICATED


@pytest.mark.parametrize("actor", list(ACTORS))
async def test_token_socket_actions_refuse_the_objects_of_others(world, actor, sockets):
    _refused, secrets = ACTORS[actor]
    _token, raw = await database_sync_to_async(tokens.create_token)(
        operator=world[actor], name="socket walk"
    )
    communicator = token_socket(sockets, raw)
    connected, _code = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from()
    assert hello["operator"]["id"] == world[actor].id
    before = await database_sync_to_async(snapshot)()
    for kind in ("watch", "resume", "message", "invite", "read"):
        await communicator.send_json_to({"type": kind, **FRAMES[kind](world)})
        answer = await communicator.receive_json_from(timeout=3)
        assert answer["type"] == "error", f"{actor} {kind}: {answer}"
        assert answer["code"] in REFUSED_CODES | {"not_connected"}
        assert_no_secret(json.dumps(answer, ensure_ascii=False), secrets, kind)
    assert await database_sync_to_async(snapshot)() == before
