"""The console socket through the whole ASGI application (config.asgi): a page of another
site cannot open it with the operator's cookie (cross-site WebSocket hijacking), and
nobody opens it without a session."""

import pytest

from chat.realtime.consumers.frames import CLOSE_UNAUTHENTICATED

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def operator(make_operator, make_site):
    site = make_site()
    return make_operator(sites=[site])


async def test_our_origin_with_a_session_is_accepted(sockets, operator):
    communicator, hello = await sockets.operator(operator)
    assert hello["operator"]["id"] == operator.id


@pytest.mark.parametrize(
    "origin",
    [b"https://evil.example", b"http://localhost.evil.example", b"null"],
)
async def test_a_foreign_origin_is_refused_even_with_the_operators_cookie(
    sockets, operator, origin
):
    cookie = await sockets.login(operator.user)
    communicator = sockets.console(cookie=cookie, origin=origin)
    connected, _code = await communicator.connect()
    assert not connected  # refused at the handshake: the page never gets a frame


async def test_no_origin_header_is_refused(sockets, operator):
    cookie = await sockets.login(operator.user)
    from django.conf import settings

    communicator = sockets.communicator(
        "/ws/console/",
        headers=[(b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())],
    )
    connected, _code = await communicator.connect()
    assert not connected


async def test_without_a_session_the_socket_closes_with_4401(sockets):
    communicator = sockets.console()
    connected, _code = await communicator.connect()
    assert connected  # accepted, then closed with our code so the console can tell why
    closed = await communicator.receive_output()
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


async def test_a_forged_session_cookie_is_refused(sockets):
    communicator = sockets.console(cookie="not-a-real-session-key")
    connected, _code = await communicator.connect()
    assert connected
    closed = await communicator.receive_output()
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


async def test_a_user_who_is_not_an_operator_is_refused(sockets, make_user):
    from channels.db import database_sync_to_async

    user = await database_sync_to_async(make_user)()
    cookie = await sockets.login(user)
    communicator = sockets.console(cookie=cookie)
    connected, _code = await communicator.connect()
    assert connected
    closed = await communicator.receive_output()
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
