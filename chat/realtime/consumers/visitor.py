"""The widget's socket: one per open widget of a visitor (docs/protocol.md)."""

import contextlib
import functools
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation

from chat.console import selectors
from chat.errors import ChatError
from chat.messaging import payloads, posting
from chat.realtime import events, extensions, visitor_socket
from chat.realtime.consumers.frames import (
    CLOSE_BLOCKED,
    CLOSE_ERASED,
    CLOSE_ORIGIN_NOT_ALLOWED,
    CLOSE_UNKNOWN_SITE,
    FrameConsumer,
    after_id,
    header,
)
from chat.realtime.db_threads import db_thread
from chat.visitors import sessions
from chat.visitors.client_ip import ip_from_scope


def browser_language(accept_language: str) -> str:
    """The first language tag of Accept-Language ("ru-RU,ru;q=0.9" -> "ru-RU"), or ""."""
    first = (accept_language or "").split(",")[0].split(";")[0].strip()
    return first[:20] if first.replace("-", "").isalnum() else ""


class VisitorConsumer(FrameConsumer):
    handlers = {
        "message": "on_message",
        "resume": "on_resume",
        "typing": "on_typing",
        "page": "on_page",
    }

    # Why a socket may not chat (chat/realtime/visitor_socket.py) -> its close code
    # (docs/protocol.md).
    refusal_codes = {
        visitor_socket.UNKNOWN_SITE: CLOSE_UNKNOWN_SITE,
        visitor_socket.ORIGIN_NOT_ALLOWED: CLOSE_ORIGIN_NOT_ALLOWED,
        visitor_socket.BLOCKED: CLOSE_BLOCKED,
    }

    async def connect(self):
        """Accept at once, then look the visitor up and send hello when he is ready.

        The database work comes after the handshake: ASGI servers drop a handshake that is
        not accepted in time (Daphne: 5 s), and when many visitors open the widget at the
        same moment their session starts queue on the database threads (docs/performance.md,
        "Connection storm"). Frames a client sends before hello wait in the socket's queue
        (one handler at a time) and are handled after it; a refused socket is closed with
        its code and ignores them."""
        await self.accept()
        query = parse_qs(self.scope["query_string"].decode("latin-1"))
        self.ip = ip_from_scope(self.scope)
        opened = await db_thread(visitor_socket.open_visitor_socket)(
            widget_key=self.scope["url_route"]["kwargs"]["site_key"],
            origin=header(self.scope, b"origin"),
            host=header(self.scope, b"host"),
            ip=self.ip,
            token=(query.get("token") or [None])[0],
            user_agent=header(self.scope, b"user-agent"),
            language_of=lambda site: payloads.socket_language(site.language, self.scope),
            socket_id=self.channel_name,
            browser_language=browser_language(header(self.scope, b"accept-language")),
        )
        if opened.refusal:
            await self.close(code=self.refusal_codes[opened.refusal])
            return
        site, session = opened.site, opened.session
        self.language = opened.language
        self.dialog_id = session.dialog.id if session.dialog else None
        # Typing preview (docs/protocol.md, typing): the site's setting, and the operators
        # connected to the dialog now, kept from hello and the dialog events (no query).
        self.typing_preview = site.typing_preview
        self.connected_operator_ids = {op.id for op in session.operators}
        self.visitor_groups = [
            events.visitor_group(session.visitor.id),
            events.site_visitors_group(site.id),
        ]
        for group in self.visitor_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.visitor, self.visit = session.visitor, session.visit
        with translation.override(self.language):  # the nickname in the widget's language
            nickname = self.visitor.display_name
        await self.send_frame(
            {
                "type": "hello",
                "visitor": {
                    "token": self.visitor.token,
                    "name": self.visitor.name or None,
                    "nickname": nickname,
                },
                "dialog": (
                    payloads.dialog_data(session.dialog, session.operators)
                    if session.dialog
                    else None
                ),
                # "Online" for the widget: an operator online and the site inside its
                # business hours (chat/dialogs/availability.py).
                "operators_online": session.operators_online and opened.site_open,
                "site": {"typing_preview": site.typing_preview},
                "limits": {
                    "message_max_length": settings.CHAT_MESSAGE_MAX_LENGTH,
                    "frame_max_bytes": settings.CHAT_FRAME_MAX_BYTES,
                },
                **opened.hello_parts,
            }
        )
        self.watch()  # from hello on: hello stays the first frame (see accept)

    async def accept(self, subprotocol=None, headers=None):
        """FrameConsumer.accept also puts the socket under live delivery's watch
        (chat/realtime/live.py), whose `delivery` frame may come at any moment, and under the
        drain's (chat/realtime/drain.py); here both start once hello is sent."""
        await AsyncWebsocketConsumer.accept(self, subprotocol, headers)

    async def receive(self, text_data=None, bytes_data=None):
        if getattr(self, "visitor", None) is None:
            return  # refused and closing: nothing to answer
        await super().receive(text_data=text_data, bytes_data=bytes_data)

    async def disconnect(self, code):
        if getattr(self, "visitor", None) is None:
            return
        for group in self.visitor_groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        await db_thread(sessions.end_visitor_session)(
            visitor_id=self.visitor.id,
            visit_id=self.visit.id,
            site_id=self.visitor.site_id,
            socket_id=self.channel_name,
        )

    def handler_for(self, kind: str):
        """chat's own frames, then those other apps registered (chat/realtime/extensions.py)."""
        handler = super().handler_for(kind)
        if handler is None and (service := extensions.visitor_frame_service(kind)):
            handler = functools.partial(self.on_extension_frame, kind, service)
        return handler

    async def on_extension_frame(self, kind, service, frame):
        try:
            answer = await db_thread(service)(
                frame,
                visitor_id=self.visitor.id,
                visit_id=self.visit.id,
                site_id=self.visitor.site_id,
            )
        except ChatError as error:
            error.fields.setdefault("frame", kind)
            raise
        if answer is not None:
            await self.send_frame(answer)

    async def on_message(self, frame):
        message, _created = await db_thread(posting.post_visitor_message)(
            visitor_id=self.visitor.id,
            visit_id=self.visit.id,
            client_id=frame.get("client_id"),
            text=frame.get("text"),
            ip=self.ip,
            opening=frame.get("invitation"),
        )
        self.dialog_id = message.dialog_id
        await self.send_frame({"type": "ack", **payloads.ack_data(message)})

    async def on_resume(self, frame):
        messages = await db_thread(selectors.visitor_messages_after)(
            self.visitor.id, after_id(frame)
        )
        await self.replay(messages)

    async def on_typing(self, frame):
        text = frame.get("text")
        if text is not None and not isinstance(text, str):
            raise ChatError("invalid", "text must be a string (the visitor's draft).")
        if self.dialog_id:
            await events.typing(
                dialog_id=self.dialog_id,
                visitor_id=self.visitor.id,
                author={"kind": "visitor"},
                is_typing=bool(frame.get("typing")),
                # The site's setting off: the draft goes no further than this socket.
                text=text if self.typing_preview else None,
                preview_to=self.connected_operator_ids,
            )

    async def on_page(self, frame):
        """Never answered (docs/protocol.md, page): a page that is not an http(s) address
        (a file: page, a wrong type) is simply not recorded; an error frame would only
        reach the visitor's screen, after every hello."""
        with contextlib.suppress(ChatError):
            await db_thread(sessions.record_page)(
                visit_id=self.visit.id,
                url=frame.get("url"),
                title=frame.get("title"),
                referrer=frame.get("referrer"),
                utm=frame.get("utm"),
                site_id=self.visitor.site_id,
                socket_id=self.channel_name,
            )

    # --- events from the channel layer -------------------------------------------------

    async def chat_message(self, event):
        self.dialog_id = event["message"]["dialog"]
        message = payloads.localized_message(event["message"], self.language)
        await self.send_frame({"type": "message", "message": message})

    async def chat_dialog(self, event):
        dialog = event["dialog"]
        self.dialog_id = dialog["id"] if dialog["status"] != "closed" else None
        self.connected_operator_ids = {op["id"] for op in dialog["operators"]}
        frame = {"type": "dialog", "dialog": dialog}
        if event.get("open"):  # an operator started it: the widget opens itself
            frame["open"] = True
        await self.send_frame(frame)

    async def chat_presence(self, event):
        await self.send_frame({"type": "presence", "operators_online": event["operators_online"]})

    async def chat_typing(self, event):
        if event["author"]["kind"] == "operator":
            await self.send_frame(
                {"type": "typing", "author": event["author"], "typing": event["typing"]}
            )

    async def chat_read(self, event):
        await self.send_frame({"type": "read", "up_to": event["up_to"]})

    async def chat_frame(self, event):
        """A higher app's frame (events.visitor_frame_on_commit), its texts in this
        socket's language."""
        frame = dict(event["frame"])
        for key, value in event["localized"].items():
            frame[key] = payloads.pick(value, self.language)
        await self.send_frame(frame)

    async def chat_blocked(self, event):
        await self.close(code=CLOSE_BLOCKED)

    async def chat_erased(self, event):
        """His token no longer opens anything: the widget reconnects as a new visitor."""
        await self.close(code=CLOSE_ERASED)
