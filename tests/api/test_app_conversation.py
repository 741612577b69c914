"""A conversation driven only by an "app" client: the REST API for actions and the console
socket with its token for live events, with the visitor in the widget. Messages go both
ways; a resend with the same client_id (over HTTP or the socket) is stored once."""

import pytest
from channels.db import database_sync_to_async
from rest_framework.test import APIClient

from api import tokens
from chat.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


class App:
    """What a native operator app holds: a token, an HTTP client and a socket."""

    def __init__(self, sockets, raw_token: str):
        self.http = APIClient()
        self.http.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
        # No Origin and no cookie: the token alone, as an app sends it.
        self.socket = sockets.communicator(
            "/ws/console/", headers=[(b"authorization", f"Bearer {raw_token}".encode())]
        )

    async def call(self, method: str, path: str, data=None):
        send = getattr(self.http, method)
        return await database_sync_to_async(send)(path, data, format="json")


async def test_an_app_and_a_visitor_talk(sockets, site, alice):
    _token, raw = await database_sync_to_async(tokens.create_token)(operator=alice, name="Phone")
    app = App(sockets, raw)
    connected, _code = await app.socket.connect()
    assert connected
    hello = await app.socket.receive_json_from()
    assert hello == {"type": "hello", "operator": {"id": alice.id, "name": "Alice"}}

    # The visitor writes: the app hears the new row in Mine and finds it over HTTP.
    widget, _hello = await sockets.visitor(site)
    await widget.send_json_to({"type": "message", "client_id": "v-1", "text": "Hello?"})
    got = await sockets.expect(widget, "ack", "message")
    dialog_id = got["ack"][0]["dialog"]
    row = await app.socket.receive_json_from()
    assert (row["type"], row["dialog"], row["tab"]) == ("row", dialog_id, "mine")
    mine = (await app.call("get", "/api/v1/tabs/mine/dialogs/")).json()
    assert [r["id"] for r in mine["results"]] == [dialog_id]

    # Connect over HTTP: the visitor sees who answers, as after the console's button.
    response = await app.call("post", f"/api/v1/dialogs/{dialog_id}/connect/")
    assert response.status_code == 200
    got = await sockets.expect(widget, "message", "dialog")
    assert got["dialog"][0]["dialog"]["operators"] == [{"id": alice.id, "name": "Alice"}]
    await sockets.expect(app.socket, "row", "row")

    # The app watches the dialog on its socket and answers over HTTP, then resends.
    await app.socket.send_json_to({"type": "watch", "dialog": dialog_id})
    assert await app.socket.receive_json_from() == {"type": "watching", "dialog": dialog_id}
    answer = {"client_id": "app-1", "text": "Hi! How can I help?"}
    sent = await app.call("post", f"/api/v1/dialogs/{dialog_id}/messages/", answer)
    assert sent.status_code == 201
    heard = await widget.receive_json_from()
    assert heard["message"]["text"] == "Hi! How can I help?"
    assert heard["message"]["author"] == {"kind": "operator", "name": "Alice"}
    got = await sockets.expect(app.socket, "message", "row")
    assert got["message"][0]["message"]["id"] == sent.json()["id"]

    resent = await app.call("post", f"/api/v1/dialogs/{dialog_id}/messages/", answer)
    assert resent.status_code == 200 and resent.json()["id"] == sent.json()["id"]
    # A resend is announced again with the same id (receivers de-duplicate by id,
    # docs/protocol.md "Delivery"), as the socket's resend is.
    assert (await widget.receive_json_from())["message"]["id"] == sent.json()["id"]
    got = await sockets.expect(app.socket, "message", "row")
    assert got["message"][0]["message"]["id"] == sent.json()["id"]
    # The same client_id over the socket: acknowledged with the stored id.
    await app.socket.send_json_to({"type": "message", "dialog": dialog_id, **answer})
    got = await sockets.expect(app.socket, "ack", "message", "row")
    assert got["ack"][0] == {
        "type": "ack",
        "client_id": "app-1",
        "id": sent.json()["id"],
        "dialog": dialog_id,
    }
    assert (await widget.receive_json_from())["message"]["id"] == sent.json()["id"]
    count = Message.objects.filter(dialog_id=dialog_id, client_id="app-1").count
    assert await database_sync_to_async(count)() == 1

    # The visitor answers: the app hears it live and reads it over HTTP.
    await widget.send_json_to({"type": "message", "client_id": "v-2", "text": "Order #42?"})
    await sockets.expect(widget, "ack", "message")
    got = await sockets.expect(app.socket, "message", "row")
    assert got["message"][0]["message"]["text"] == "Order #42?"
    page = (await app.call("get", f"/api/v1/dialogs/{dialog_id}/messages/")).json()
    texts = [m["text"] for m in page["results"] if m["author"]["kind"] != "system"]
    assert texts == ["Hello?", "Hi! How can I help?", "Order #42?"]

    # The app ends the dialog: the widget sees it end.
    ended = await app.call("post", f"/api/v1/dialogs/{dialog_id}/end/")
    assert ended.json()["status"] == "closed"
    got = await sockets.expect(widget, "message", "dialog")
    assert got["dialog"][0]["dialog"]["status"] == "closed"
