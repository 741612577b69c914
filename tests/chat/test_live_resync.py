"""Another process lost an event to a group while its channel layer failed: once the layer
works again it tells the group (chat.resync), and the group's sockets here close with 4012
so their clients resume from the database (chat/realtime/live.py)."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.realtime import events
from chat.realtime.consumers.frames import CLOSE_RESYNC
from chat.realtime.live import LiveDelivery
from chat.visitors import sessions

pytestmark = pytest.mark.django_db(transaction=True)


def alices_dialog(site, alice) -> int:
    session = sessions.start_visitor_session(site=site, token=None, ip="203.0.113.5", user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hi"
    )
    lifecycle.connect_operator(operator=alice, dialog_id=message.dialog_id)
    return message.dialog_id


async def test_a_group_told_to_resync_closes_its_sockets(sockets, site, alice):
    layer = get_channel_layer()
    if getattr(layer, "live", None) is None:
        pytest.skip("the in-memory layer cannot fail (needs REDIS_URL)")
    dialog_id = await database_sync_to_async(alices_dialog)(site, alice)
    console, _hello = await sockets.operator(alice)
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    assert (await console.receive_json_from())["type"] == "watching"
    other_process = LiveDelivery()
    other_process.failed(ConnectionError("Redis down"), events.dialog_group(dialog_id))

    other_process.recovered(layer)

    assert await console.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": CLOSE_RESYNC,
    }
