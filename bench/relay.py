"""The bare stack: a Channels relay with the product's frame shapes, no database, no templates.

Served by the same Daphne command as the product (`python -m daphne bench.relay:application`)
on the same channel layer (RedisPubSubChannelLayer when REDIS_URL is set, in-memory
otherwise), so the load generator drives both the same way and every product figure can be
read as a ratio to this one.

    /ws/visitor/<key>/   hello; "message" -> ack, echo to the visitor's group, a row to the
                         site group and a send to the dialog group (the product's 3 sends);
                         "resume" -> "resumed" (nothing is stored, nothing replayed);
                         "page" -> a row to the site group (the Visitors tab, uncoalesced)
    /ws/console/?site=K  hello; joins the site group; "message" with "dialog" -> ack and the
                         same 3 sends, so the visitor gets the answer
"""

import itertools
import json
import os
from html import escape
from urllib.parse import parse_qs

from django.conf import settings

if not settings.configured:
    redis_url = os.environ.get("REDIS_URL", "")
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        INSTALLED_APPS=["channels"],
        CHANNEL_LAYERS={
            "default": (
                {
                    "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                    "CONFIG": {
                        "hosts": [{"address": redis_url, "max_connections": 1000}],
                        "prefix": os.environ.get("CHANNEL_PREFIX", "relay"),
                    },
                }
                if redis_url
                else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
            )
        },
    )
    import django

    django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

# Dialog and message ids, distinct across the server processes of a run (BENCH_PROCESSES).
_ids = itertools.count(os.getpid() * 1_000_000 + 1)


class RelayConsumer(AsyncWebsocketConsumer):
    async def send_frame(self, frame):
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def relay(self, frame, dialog_id: int, author: str):
        message_id = next(_ids)
        text = frame.get("text", "")
        message = {
            "id": message_id,
            "dialog": dialog_id,
            "client_id": frame.get("client_id"),
            "author": {"kind": author},
            "text": text,
        }
        await self.send_frame(
            {"type": "ack", "client_id": frame.get("client_id"), "id": message_id,
             "dialog": dialog_id}
        )  # fmt: skip
        layer = self.channel_layer
        await layer.group_send(f"visitor.{dialog_id}", {"type": "chat.message", "message": message})
        await layer.group_send(
            f"dialog.{dialog_id}", {"type": "chat.message", "message": message, "html": ""}
        )
        await layer.group_send(
            f"site.{self.site_key}",
            {
                "type": "chat.row",
                "dialog": dialog_id,
                "html": f'<li data-dialog="{dialog_id}">{escape(text[:80])}</li>',
            },
        )

    async def chat_message(self, event):
        await self.send_frame({"type": "message", "message": event["message"]})

    async def chat_row(self, event):
        await self.send_frame(
            {"type": "row", "dialog": event["dialog"], "tab": "mine", "html": event["html"]}
        )


class VisitorRelay(RelayConsumer):
    async def connect(self):
        self.site_key = self.scope["url_route"]["kwargs"]["site_key"]
        self.dialog_id = next(_ids)
        await self.channel_layer.group_add(f"visitor.{self.dialog_id}", self.channel_name)
        await self.accept()
        await self.send_frame(
            {"type": "hello", "visitor": {"token": f"t{self.dialog_id}"}, "dialog": None}
        )

    async def disconnect(self, code):
        await self.channel_layer.group_discard(f"visitor.{self.dialog_id}", self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        frame = json.loads(text_data)
        if frame.get("type") == "message":
            await self.relay(frame, self.dialog_id, "visitor")
        elif frame.get("type") == "resume":  # nothing stored, nothing to replay
            await self.send_frame({"type": "resumed", "last_id": None})
        elif frame.get("type") == "page":  # every page change to the consoles, uncoalesced
            html = f'<li data-visitor="{self.dialog_id}">{escape(str(frame.get("url"))[:200])}</li>'
            await self.channel_layer.group_send(
                f"site.{self.site_key}",
                {"type": "chat.row", "dialog": self.dialog_id, "html": html},
            )


class ConsoleRelay(RelayConsumer):
    async def connect(self):
        query = parse_qs(self.scope["query_string"].decode())
        self.site_key = (query.get("site") or ["none"])[0]
        await self.channel_layer.group_add(f"site.{self.site_key}", self.channel_name)
        await self.accept()
        await self.send_frame({"type": "hello", "operator": {"id": 0}})

    async def disconnect(self, code):
        await self.channel_layer.group_discard(f"site.{self.site_key}", self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        frame = json.loads(text_data)
        if frame.get("type") == "message":
            await self.relay(frame, int(frame["dialog"]), "operator")

    async def chat_message(self, event):
        pass  # the console relay hears its own dialogs only through rows


application = ProtocolTypeRouter(
    {
        "websocket": AllowedHostsOriginValidator(
            URLRouter(
                [
                    path("ws/visitor/<str:site_key>/", VisitorRelay.as_asgi()),
                    path("ws/console/", ConsoleRelay.as_asgi()),
                ]
            )
        )
    }
)
