"""sockets.silent (tests/conftest.py) proves a socket heard nothing, even when the frame it
should not have sent would come late: a slow handler's frame is still caught."""

import asyncio

import pytest
from channels.layers import get_channel_layer

from chat.realtime import events
from chat.realtime.consumers.visitor import VisitorConsumer

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_late_frame_is_caught(sockets, site, monkeypatch):
    widget, _hello = await sockets.visitor(site)
    handler = VisitorConsumer.chat_presence

    async def slow_presence(consumer, event):
        await asyncio.sleep(1)  # longer than silent()'s watch after the probe
        await handler(consumer, event)

    monkeypatch.setattr(VisitorConsumer, "chat_presence", slow_presence)
    group = events.site_visitors_group(site.id)
    await get_channel_layer().group_send(group, {"type": "chat.presence", "operators_online": True})
    with pytest.raises(AssertionError, match="expected silence"):
        await sockets.silent(widget)


async def test_a_quiet_socket_passes(sockets, site):
    widget, _hello = await sockets.visitor(site)
    await sockets.silent(widget)
    await widget.send_json_to({"type": "page", "url": "https://shop.example/", "title": "Home"})
    await sockets.silent(widget)  # a page frame has no answer
