"""A chat client speaking the public protocol the way the bundled widget and console do
(static/chat/widget.js, static/chat/console.js): reconnect with backoff and jitter (after
a 4012 close: at once, after a short random wait, not counted as a failure), on
every hello resume after the last replay's cursor and send every unacknowledged message
again with its client_id, send again in 1-2 s what the server refused as unavailable,
resend what stays unanswered on a doubling timer, show messages once by id.

The server answers every message frame on an open socket, in order, with an ack or an
error; a copy sent on the same socket while it is busy only queues behind the first one
(and a stored one is announced again to every console), so the timer is a last resort."""

import asyncio
import json
import random
import time
import uuid

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

BACKOFF_MIN = 0.25  # the widget starts at 0.5 s and stops doubling at 15 s; the test is short
BACKOFF_MAX = 2.0
CLOSE_RECONNECT = 4012  # "reconnect now": no backoff, a short random wait (as the widget)
RECONNECT_JITTER = (0.1, 1.0)
RESEND_AFTER = 10.0  # as the widget: then 20 s, 40 s, ... after each further copy
RETRY_AFTER_ERROR = (1.0, 2.0)  # as the widget, after "unavailable"
TRANSIENT_ERRORS = {"unavailable", "server_error"}


class ChatClient:
    def __init__(self, name: str, url: str, origin: str, *, cookie: str | None = None):
        self.name, self.url, self.origin = name, url, origin
        self.headers = {"Cookie": cookie} if cookie else {}
        self.dialog: int | None = None  # a console tab's open dialog
        self.visitor_dialog: int | None = None  # a visitor's dialog (his screen shows it)
        self.screen: dict[int, str] = {}  # message id -> text, shown in id order
        self.outbox: dict[str, dict] = {}  # client_id -> {"text", "sent_at"}
        self.acked: dict[str, int] = {}  # client_id -> stored id
        self.typed: list[str] = []  # client_ids in the order they were typed
        self.resume_after = 0
        self.token: str | None = None
        self.ws = None
        self.ready = asyncio.Event()
        self.stopped = False
        self.reconnects: list[float] = []  # seconds from losing the socket to the next hello
        self.frames_sent = 0
        self.copies: dict[str, int] = {"reconnect": 0, "error": 0, "timer": 0}  # resent, why
        self.resent_on_reconnect: dict[str, float] = {}  # client_id -> time.time() of the copy
        self.errors: dict[str, int] = {}
        self.paused_notices = 0
        self.closes: dict[int, int] = {}
        self.received: dict[str, int] = {}  # frames by type

    @property
    def is_console(self) -> bool:
        return self.dialog is not None

    # --- the socket ---------------------------------------------------------------------

    async def run(self) -> None:
        attempt, lost_at = 0, None
        while not self.stopped:
            close_code = None
            try:
                async with connect(
                    self.socket_url(),
                    origin=self.origin,
                    additional_headers=self.headers,
                    open_timeout=5,
                ) as ws:
                    self.ws = ws
                    try:
                        async for raw in ws:
                            frame = json.loads(raw)
                            if frame["type"] == "hello":
                                attempt = 0
                                if lost_at is not None:
                                    self.reconnects.append(time.monotonic() - lost_at)
                                    lost_at = None
                                await self.on_hello(frame)
                            else:
                                self.on_frame(frame)
                    finally:
                        # Also when the loop ends in ConnectionClosedError (any code but
                        # 1000/1001: 4012 resync, 1006 for a server that died).
                        close_code = ws.close_code
                        if not self.stopped and close_code is not None:
                            self.closes[close_code] = self.closes.get(close_code, 0) + 1
            except (OSError, TimeoutError, WebSocketException):
                pass
            self.ws = None
            self.ready.clear()
            if self.stopped:
                return
            lost_at = lost_at or time.monotonic()
            if close_code == CLOSE_RECONNECT:  # the server restarts or asks a resync:
                attempt = 0  # not a failure
                await asyncio.sleep(random.uniform(*RECONNECT_JITTER))
                continue
            ceiling = min(BACKOFF_MAX, BACKOFF_MIN * 2**attempt)
            attempt += 1
            await asyncio.sleep(ceiling / 2 + random.random() * ceiling / 2)

    async def send(self, frame: dict) -> bool:
        if not self.ready.is_set() or self.ws is None:
            return False
        try:
            await self.ws.send(json.dumps(frame))
        except WebSocketException:
            return False
        self.frames_sent += 1
        return True

    def socket_url(self) -> str:
        # A visitor comes back as himself: the token from his first hello.
        return f"{self.url}?token={self.token}" if self.token else self.url

    async def on_hello(self, frame: dict) -> None:
        if "visitor" in frame:
            self.token = frame["visitor"]["token"]
        self.ready.set()
        if self.is_console:
            await self.send({"type": "watch", "dialog": self.dialog})
            await self.send({"type": "resume", "dialog": self.dialog, "after": self.resume_after})
        else:
            await self.send({"type": "resume", "after": self.resume_after})
        for client_id in list(self.outbox):
            if self.outbox[client_id]["sent_at"] is not None:
                self.copies["reconnect"] += 1
                self.resent_on_reconnect.setdefault(client_id, time.time())
            self.outbox[client_id]["copies"] = 0
            await self.transmit(client_id)

    def on_frame(self, frame: dict) -> None:
        kind = frame["type"]
        self.received[kind] = self.received.get(kind, 0) + 1
        if kind == "message":
            message = frame["message"]
            if self.is_console and message["dialog"] != self.dialog:
                return
            self.screen.setdefault(message["id"], message["text"])
            if not self.is_console and message["client_id"] in self.outbox:
                self.confirm(message["client_id"], message["id"])  # the echo confirms too
        elif kind == "ack":
            self.confirm(frame["client_id"], frame["id"])
        elif kind == "resumed":
            if isinstance(frame["last_id"], int):
                self.resume_after = max(self.resume_after, frame["last_id"])
        elif kind == "error":
            code = frame["code"]
            self.errors[code] = self.errors.get(code, 0) + 1
            entry = self.outbox.get(frame.get("client_id"))
            if entry and code in TRANSIENT_ERRORS:
                entry["copies"] = 0
                entry["retry_at"] = time.monotonic() + random.uniform(*RETRY_AFTER_ERROR)
        elif kind == "delivery":
            self.paused_notices += 1

    def confirm(self, client_id: str, message_id: int) -> None:
        entry = self.outbox.pop(client_id, None)
        if client_id not in self.acked and entry is not None:
            self.acked[client_id] = message_id
            if entry["dialog"] == self.dialog or not self.is_console:
                self.screen.setdefault(message_id, entry["text"])

    # --- writing --------------------------------------------------------------------------

    async def write(self, text: str, dialog: int | None = None) -> str:
        """dialog: where an operator writes (his socket may watch another one)."""
        client_id = uuid.uuid4().hex
        self.outbox[client_id] = {
            "text": text,
            "dialog": dialog or self.dialog,
            "sent_at": None,
            "copies": 0,  # sent on this socket; a reconnect or an error starts again at 0
            "retry_at": None,  # after an "unavailable" error
        }
        self.typed.append(client_id)
        await self.transmit(client_id)
        return client_id

    async def transmit(self, client_id: str) -> None:
        entry = self.outbox.get(client_id)
        if entry is None:
            return
        frame = {"type": "message", "client_id": client_id, "text": entry["text"]}
        if self.is_console:
            frame["dialog"] = entry["dialog"]
        if await self.send(frame):
            entry["sent_at"] = time.monotonic()
            entry["copies"] += 1
            entry["retry_at"] = None

    async def resend_stale(self) -> None:
        """At-least-once: what stays unanswered goes again with the same client_id."""
        while not self.stopped:
            await asyncio.sleep(0.25)
            now = time.monotonic()
            for client_id, entry in list(self.outbox.items()):
                if entry["retry_at"] is not None:
                    if now >= entry["retry_at"]:
                        self.copies["error"] += 1
                        await self.transmit(client_id)
                elif entry["sent_at"] is None:  # typed while the socket was down
                    await self.transmit(client_id)
                elif now - entry["sent_at"] > RESEND_AFTER * 2 ** (entry["copies"] - 1):
                    self.copies["timer"] += 1
                    await self.transmit(client_id)
