"""What both sockets share: JSON frames in and out, bad input answered with an error frame,
live delivery's pause and resync (chat/realtime/live.py), the close codes.

The consumers parse and check a frame, call a service, answer. No ORM here.

The visitor protocol is documented in docs/protocol.md; the console socket speaks the
same frame shapes plus a "watch" frame that opens one dialog.
"""

import asyncio
import json
import logging

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from chat.errors import ChatError
from chat.messaging import payloads
from chat.realtime.db_threads import db_thread
from chat.realtime.drain import DRAIN

log = logging.getLogger(__name__)

CLOSE_UNKNOWN_SITE = 4404
CLOSE_BLOCKED = 4403  # the visitor's IP is on the account's blacklist (chat/visitors/blocking.py)
CLOSE_ORIGIN_NOT_ALLOWED = 4003  # the page is not on the site's domains (chat/visitors/origins.py)
CLOSE_UNAUTHENTICATED = 4401
# Reconnect now and resume, nothing is wrong with the client: this server is restarting
# (chat/realtime/drain.py) or live events may have been lost (chat/realtime/live.py).
CLOSE_RECONNECT = 4012
CLOSE_RESYNC = CLOSE_RECONNECT
CLOSE_ERASED = 4410  # the visitor's personal data was erased (chat/visitors/erasure.py)

# The database (or Redis behind the rate limits) failed: nothing was stored, the client
# keeps the message and sends it again (docs/protocol.md, Errors).
UNAVAILABLE = (DatabaseError, RedisConnectionError, RedisTimeoutError)


def header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def without_lone_surrogates(frame):
    """A JSON "\\ud800" escape gives a str that cannot be sent back as UTF-8 nor stored
    by PostgreSQL: each lone surrogate becomes U+FFFD, as browsers do when they send."""
    text = json.dumps(frame, ensure_ascii=False)
    try:
        text.encode()
        return frame
    except UnicodeEncodeError:
        return json.loads(text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace"))


class FrameConsumer(AsyncWebsocketConsumer):
    """JSON frames with a "type"; bad input gets an error frame and the socket stays open."""

    handlers: dict[str, str] = {}
    audience = "visitor"  # whose attachment URLs replayed messages carry (payloads)
    # The socket's language (payloads.socket_language), set at connect: frames are handled
    # in it and live fragments are picked in it.
    language = settings.LANGUAGE_CODE

    async def dispatch(self, message):
        """Channels' dispatch, without its `aclose_old_connections()` before every handler:
        a trip to Django's one shared sync thread for each frame and each event, so several
        per chat message (docs/performance.md, "Fourth round"). These consumers reach the
        database only through chat/realtime/db_threads.py, which closes stale connections
        around each call."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        async with self.handling:
            await handler(message)

    @property
    def handling(self) -> asyncio.Lock:
        """Held while a frame or an event is handled: a drain closes the socket between
        two of them (drain_close), so a message sent before the close gets its ack."""
        lock = self.__dict__.get("_handling")
        if lock is None:
            lock = self.__dict__["_handling"] = asyncio.Lock()
        return lock

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None:
            return await self.send_error("bad_frame", "Frames must be JSON text.")
        if len(text_data.encode()) > settings.CHAT_FRAME_MAX_BYTES:
            return await self.send_error(
                "too_large", f"Frames are limited to {settings.CHAT_FRAME_MAX_BYTES} bytes."
            )
        try:
            frame = json.loads(text_data)
            if "\\u" in text_data:
                frame = without_lone_surrogates(frame)
        except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested too deep
            return await self.send_error("bad_json", "The frame is not valid JSON.")
        if not isinstance(frame, dict):
            return await self.send_error("bad_json", "A frame must be a JSON object.")
        kind = frame.get("type")
        # An unhashable "type" (a list, an object) must not reach dict.get and kill the socket.
        handler = self.handler_for(kind) if isinstance(kind, str) else None
        if handler is None:
            return await self.send_error("unknown_type", f"Unknown frame type {kind!r}.")
        try:
            with translation.override(self.language):
                await handler(frame)
        except ChatError as error:
            await self.send_error(
                error.code, error.detail, client_id=frame.get("client_id"), **error.fields
            )
        except UNAVAILABLE as error:
            log.warning("frame %s failed, a backing service is unavailable: %r", kind, error)
            await self.send_error(
                "unavailable",
                "The server cannot handle this now; send it again in a moment.",
                client_id=frame.get("client_id"),
            )
        except Exception:
            log.exception("frame %s failed", kind)
            await self.send_error(
                "server_error",
                "The server could not handle this frame.",
                client_id=frame.get("client_id"),
            )

    def handler_for(self, kind: str):
        """The coroutine that handles a frame of this type, or None (an unknown type)."""
        name = self.handlers.get(kind)
        return getattr(self, name) if name else None

    # --- live delivery health (chat/realtime/live.py) ---------------------------------------------

    @property
    def live(self):
        """The layer's LiveDelivery; None on the in-memory layer, which cannot fail."""
        return getattr(self.channel_layer, "live", None)

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol, headers)
        self.watch()

    def watch(self):
        """Open for frames: under live delivery's watch, and drained when the process stops."""
        if self.live:
            self.live.watch(self)
        DRAIN.register(self)

    async def close(self, code=None, reason=None):
        if self.live:
            self.live.forget(self)
        DRAIN.forget(self)
        self.closing = True
        await super().close(code, reason)

    async def send(self, text_data=None, bytes_data=None, close=False):
        """Nothing after our close frame: the client is gone for us (an event for the
        socket, or the answer to a frame it sent meanwhile, made Daphne raise "send on a
        closed protocol", and the consumer died without its disconnect handler)."""
        if getattr(self, "closing", False):
            return
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    async def websocket_connect(self, message):
        if DRAIN.draining:
            # This process is stopping: the client reconnects at once, to another one.
            await AsyncWebsocketConsumer.accept(self)
            await self.close(code=CLOSE_RECONNECT)
            return
        await super().websocket_connect(message)
        if self.live and self.live.down:
            await self.live_paused()

    async def websocket_disconnect(self, message):
        if self.live:
            self.live.forget(self)
        DRAIN.forget(self)
        await super().websocket_disconnect(message)

    async def drain_close(self):
        """The process is stopping (chat/realtime/drain.py): once the frame or event being
        handled is done, close with 4012 so the client reconnects to another server."""
        async with self.handling:
            if DRAIN.holds(self):
                await self.close(code=CLOSE_RECONNECT)

    async def live_paused(self):
        if self.live.is_watched(self):
            await self.send_frame(
                {
                    "type": "delivery",
                    "live": False,
                    "detail": "Live updates are paused; messages are still stored. "
                    "The server will close this socket when they are back: reconnect "
                    "and resume.",
                }
            )

    async def live_resync(self):
        """Live events may have been lost: the client reconnects and resumes."""
        if self.live and self.live.is_watched(self):
            await self.close(code=CLOSE_RESYNC)

    async def chat_resync(self, event):
        """Another process lost events to a group of this socket (events.resync_group)."""
        await self.live_resync()

    async def refuse(self, code: int):
        """Accept, then close with our code: a handshake refused before accept reaches
        browsers as a bare 1006, and the client could not tell why."""
        await self.accept()
        await self.close(code=code)

    async def send_frame(self, frame: dict):
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def send_error(self, code: str, detail: str, client_id=None, **fields):
        frame = {"type": "error", "code": code, "detail": detail}
        if isinstance(client_id, str):
            frame["client_id"] = client_id
        await self.send_frame({**frame, **fields})

    async def replay(self, messages):
        """The messages again, system lines in this socket's language (self.language:
        the widget's, the operator's)."""
        language = getattr(self, "language", None) or settings.LANGUAGE_CODE
        for message in messages:
            with translation.override(language):
                data = payloads.message_data(message, audience=self.audience)
            frame = {"type": "message", "message": data}
            if self.audience == "console":
                # console.js shows messages from their fragment, replayed ones too.
                frame["html"] = await db_thread(payloads.in_language)(
                    language, payloads.message_html, message
                )
            await self.send_frame(frame)
        await self.send_frame({"type": "resumed", "last_id": messages[-1].id if messages else None})


def after_id(frame) -> int:
    after = frame.get("after", 0)
    if after is None:
        return 0
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise ChatError("invalid", "after must be a message id (a whole number >= 0).")
    return after


def id_field(frame, name: str) -> int:
    value = frame.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ChatError("invalid", f"{name} must be an id (a whole number).")
    return value
