import pytest
from rest_framework.test import APIClient

from api import tokens
from chat.messaging import posting
from chat.visitors import sessions


def client_for(operator, *, name="test app"):
    """An API client sending a fresh token of the operator (and the raw token)."""
    _token, raw = tokens.create_token(operator=operator, name=name)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api.raw_token = raw
    return api


@pytest.fixture
def make_api_client(db):
    return client_for


@pytest.fixture
def api(alice):
    return client_for(alice)


@pytest.fixture
def visitor_writes(db):
    """visitor_writes(site, text) -> the visitor's message (a new visitor, a new dialog)."""

    def write(site, text="Hello, is anyone there?", *, ip="203.0.113.9"):
        session = sessions.start_visitor_session(site=site, token=None, ip=ip, user_agent="Firefox")
        message, _created = posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text=text
        )
        return message

    return write


@pytest.fixture(autouse=True)
def presence_forgotten():
    """Who is online (engage's presence store) does not leak from one test to the next."""
    from engage import presence_store

    yield
    presence_store.reset_store()


class TokenSockets:
    """Console sockets opened with an access token, as an app opens them (no Origin, no
    cookie), and what the tests of withdrawn access check on them."""

    def __init__(self, sockets):
        self.sockets = sockets

    def communicator(self, raw: str):
        return self.sockets.communicator(
            "/ws/console/", headers=[(b"authorization", f"Bearer {raw}".encode())]
        )

    async def open(self, raw: str):
        """A connected socket that got its hello."""
        socket = self.communicator(raw)
        connected, _code = await socket.connect()
        assert connected
        assert (await socket.receive_json_from())["type"] == "hello"
        return socket

    @staticmethod
    async def assert_closed(socket, reason: str):
        assert await socket.receive_output(timeout=5) == {
            "type": "websocket.close",
            "code": 4401,
            "reason": reason,
        }

    @staticmethod
    async def assert_refused(socket):
        connected, _code = await socket.connect()
        assert connected  # accepted, then closed with our code (browsers could not tell why)
        assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}

    async def assert_still_served(self, socket):
        """Open, heard nothing, and still answers a frame."""
        await self.sockets.silent(socket)
        await socket.send_json_to({"type": "watch", "dialog": 999999})
        assert (await socket.receive_json_from())["type"] == "error"


@pytest.fixture
def token_sockets(sockets):
    return TokenSockets(sockets)
