"""WebSocket consumers: parse and check a frame, call a service, answer. No ORM here.

The visitor protocol is documented in docs/protocol.md; the console socket speaks the
same frame shapes plus a "watch" frame that opens one dialog.
"""

import contextlib
import hashlib
import json
import logging
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from chat.console import catchup, selectors
from chat.console import presence as site_presence
from chat.dialogs import access, invitations
from chat.errors import ChatError
from chat.messaging import payloads, posting, reading
from chat.realtime import events, visitor_socket
from chat.realtime.db_threads import db_thread
from chat.visitors import sessions
from chat.visitors.client_ip import ip_from_scope

log = logging.getLogger(__name__)

CLOSE_UNKNOWN_SITE = 4404
CLOSE_BLOCKED = 4403  # the visitor's IP is on the account's blacklist (chat/visitors/blocking.py)
CLOSE_ORIGIN_NOT_ALLOWED = 4003  # the page is not on the site's domains (chat/visitors/origins.py)
CLOSE_UNAUTHENTICATED = 4401
CLOSE_RESYNC = 4012  # live events may have been lost: reconnect and resume (chat/realtime/live.py)
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
        await handler(message)

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
        handler = self.handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            return await self.send_error("unknown_type", f"Unknown frame type {kind!r}.")
        try:
            with translation.override(self.language):
                await getattr(self, handler)(frame)
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

    # --- live delivery health (chat/realtime/live.py) ---------------------------------------------

    @property
    def live(self):
        """The layer's LiveDelivery; None on the in-memory layer, which cannot fail."""
        return getattr(self.channel_layer, "live", None)

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol, headers)
        if self.live:
            self.live.watch(self)

    async def close(self, code=None, reason=None):
        if self.live:
            self.live.forget(self)
        await super().close(code, reason)

    async def websocket_connect(self, message):
        await super().websocket_connect(message)
        if self.live and self.live.down:
            await self.live_paused()

    async def websocket_disconnect(self, message):
        if self.live:
            self.live.forget(self)
        await super().websocket_disconnect(message)

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
        for message in messages:
            data = payloads.message_data(message, audience=self.audience)
            frame = {"type": "message", "message": data}
            if self.audience == "console":
                # console.js shows messages from their fragment, replayed ones too.
                frame["html"] = await db_thread(payloads.message_html)(message)
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
        )
        if opened.refusal:
            await self.close(code=self.refusal_codes[opened.refusal])
            return
        site, session = opened.site, opened.session
        self.language = payloads.socket_language(site.language, self.scope)
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
                "operators_online": session.operators_online,
                "site": {"typing_preview": site.typing_preview},
                "limits": {
                    "message_max_length": settings.CHAT_MESSAGE_MAX_LENGTH,
                    "frame_max_bytes": settings.CHAT_FRAME_MAX_BYTES,
                },
            }
        )
        if self.live:  # from hello on: hello stays the first frame (see accept)
            self.live.watch(self)

    async def accept(self, subprotocol=None, headers=None):
        """FrameConsumer.accept also puts the socket under live delivery's watch
        (chat/realtime/live.py), whose `delivery` frame may come at any moment; here the watch
        starts once hello is sent."""
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
            visitor_id=self.visitor.id, visit_id=self.visit.id
        )

    async def on_message(self, frame):
        message, _created = await db_thread(posting.post_visitor_message)(
            visitor_id=self.visitor.id,
            visit_id=self.visit.id,
            client_id=frame.get("client_id"),
            text=frame.get("text"),
            ip=self.ip,
        )
        self.dialog_id = message.dialog_id
        await self.send_frame(
            {
                "type": "ack",
                "client_id": message.client_id,
                "id": message.id,
                "dialog": message.dialog_id,
            }
        )

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
            )

    # --- events from the channel layer -------------------------------------------------

    async def chat_message(self, event):
        self.dialog_id = event["message"]["dialog"]
        await self.send_frame({"type": "message", "message": event["message"]})

    async def chat_dialog(self, event):
        dialog = event["dialog"]
        self.dialog_id = dialog["id"] if dialog["status"] != "closed" else None
        self.connected_operator_ids = {op["id"] for op in dialog["operators"]}
        await self.send_frame({"type": "dialog", "dialog": dialog})

    async def chat_presence(self, event):
        await self.send_frame({"type": "presence", "operators_online": event["operators_online"]})

    async def chat_typing(self, event):
        if event["author"]["kind"] == "operator":
            await self.send_frame(
                {"type": "typing", "author": event["author"], "typing": event["typing"]}
            )

    async def chat_read(self, event):
        await self.send_frame({"type": "read", "up_to": event["up_to"]})

    async def chat_blocked(self, event):
        await self.close(code=CLOSE_BLOCKED)

    async def chat_erased(self, event):
        """His token no longer opens anything: the widget reconnects as a new visitor."""
        await self.close(code=CLOSE_ERASED)


class OperatorConsumer(FrameConsumer):
    """One socket per console tab: live tab rows, and the dialog the tab has open."""

    audience = "console"
    handlers = {
        "sync": "on_sync",
        "watch": "on_watch",
        "message": "on_message",
        "resume": "on_resume",
        "typing": "on_typing",
        "answer_invitation": "on_answer_invitation",
        "invite": "on_invite",
        "read": "on_read",
        "here": "on_here",
    }

    async def connect(self):
        self.operator = await db_thread(selectors.operator_for_user)(self.scope["user"])
        if self.operator is None:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        self.language = payloads.socket_language(self.operator.language, self.scope)
        self.site_ids = await db_thread(selectors.site_ids_of)(self.operator)
        self.watched = None
        # Who is here: this tab's opaque id among the viewers of a dialog (not stored).
        self.tab_id = hashlib.sha256(self.channel_name.encode()).hexdigest()[:12]
        self.groups_joined = [events.operator_group(self.operator.id)] + [
            events.site_group(site_id) for site_id in self.site_ids
        ]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await db_thread(site_presence.console_opened)(self.operator, self.site_ids)
        await self.accept()
        await self.send_frame(
            {"type": "hello", "operator": {"id": self.operator.id, "name": self.operator.name}}
        )

    async def disconnect(self, code):
        if getattr(self, "operator", None) is None:
            return
        await self.announce_viewing("left")
        for group in self.groups_joined + ([self.watched] if self.watched else []):
            await self.channel_layer.group_discard(group, self.channel_name)
        await db_thread(site_presence.console_closed)(self.operator)

    def dialog_id_of(self, frame) -> int:
        return id_field(frame, "dialog")

    async def on_sync(self, frame):
        """The page's cursor, after hello (so the groups are joined): what changed in its
        lists since it read them, before any later live event (chat/console/catchup.py)."""
        cursor = catchup.parse_cursor(frame, self.operator)
        await self.send_frame(
            await db_thread(catchup.catch_up)(self.operator, cursor, self.language)
        )

    async def on_watch(self, frame):
        dialog = await db_thread(selectors.dialog_for_operator)(
            self.operator, self.dialog_id_of(frame)
        )
        group = events.dialog_group(dialog.id)
        if self.watched and self.watched != group:
            await self.announce_viewing("left")
            await self.channel_layer.group_discard(self.watched, self.channel_name)
        self.watched, self.watched_dialog = group, dialog
        await self.channel_layer.group_add(group, self.channel_name)
        await self.send_frame({"type": "watching", "dialog": dialog.id})
        await self.announce_viewing("viewing", ask=self.channel_name)

    async def announce_viewing(self, state: str, ask: str = ""):
        """Tell the other tabs that have the watched dialog open that this one is here
        or gone; ask: they answer with themselves (who is here?)."""
        if self.watched:
            dialog_id = self.watched_dialog.id
            event = events.viewer_event(dialog_id, self.operator, self.tab_id, state, ask=ask)
            await events.announce_viewer(dialog_id, event)

    async def on_here(self, frame):
        """The tab's heartbeat: colleagues' pages forget a viewer not heard for a while
        (a socket that died without its "left")."""
        if self.watched != events.dialog_group(self.dialog_id_of(frame)):
            raise ChatError("invalid", "Watch the dialog before saying you are here.")
        await self.announce_viewing("viewing")

    async def on_read(self, frame):
        dialog_id = self.dialog_id_of(frame)
        if self.watched != events.dialog_group(dialog_id):
            raise ChatError("invalid", "Watch the dialog before marking it read.")
        dialog = await db_thread(reading.mark_read)(
            operator=self.operator,
            dialog_id=dialog_id,
            up_to=frame.get("up_to"),
            site_ids=self.site_ids,
        )
        await self.send_frame({"type": "read", "dialog": dialog.id, "up_to": dialog.read_up_to})

    async def on_resume(self, frame):
        dialog = await db_thread(selectors.dialog_for_operator)(
            self.operator, self.dialog_id_of(frame)
        )
        messages = await db_thread(selectors.transcript)(dialog.id, after=after_id(frame))
        await self.replay(messages)

    async def on_message(self, frame):
        message, _created = await db_thread(posting.post_operator_message)(
            operator=self.operator,
            dialog_id=self.dialog_id_of(frame),
            client_id=frame.get("client_id"),
            text=frame.get("text"),
            site_ids=self.site_ids,
        )
        await self.send_frame(
            {
                "type": "ack",
                "client_id": message.client_id,
                "id": message.id,
                "dialog": message.dialog_id,
            }
        )

    async def on_typing(self, frame):
        dialog_id = self.dialog_id_of(frame)
        if not self.watched or self.watched != events.dialog_group(dialog_id):
            raise ChatError("invalid", "Watch the dialog before typing in it.")
        await events.typing(
            dialog_id=dialog_id,
            visitor_id=self.watched_dialog.visitor_id,
            author={"kind": "operator", "id": self.operator.id, "name": self.operator.name},
            is_typing=bool(frame.get("typing")),
        )

    async def on_invite(self, frame):
        invitation = await db_thread(invitations.invite_operator)(
            operator=self.operator,
            dialog_id=self.dialog_id_of(frame),
            invitee_id=id_field(frame, "invitee"),
        )
        await self.send_frame(
            {
                "type": "notice",
                "text": await db_thread(payloads.invitation_sent_text)(invitation),
            }
        )

    async def on_answer_invitation(self, frame):
        invitation = await db_thread(invitations.answer_invitation)(
            operator=self.operator,
            invitation_id=id_field(frame, "invitation"),
            accept=frame.get("accept") is True,
        )
        await self.send_frame(
            {
                "type": "invitation_answered",
                "invitation": invitation.id,
                "dialog": invitation.dialog_id,
                "status": invitation.status,
            }
        )

    # --- events from the channel layer -------------------------------------------------

    async def chat_invitation(self, event):
        await self.send_frame(
            {
                "type": "invitation",
                "invitation": event["invitation"],
                "dialog": event["dialog"],
                "html": payloads.pick(event["html"], self.language),
            }
        )

    async def chat_invitation_closed(self, event):
        await self.send_frame({"type": "invitation_closed", "invitation": event["invitation"]})

    async def chat_notice(self, event):
        text = payloads.pick(event["text"], self.language)
        await self.send_frame({"type": "notice", "text": text})

    async def chat_offer(self, event):
        """A new dialog nobody opened, offered to every online operator (chat/dialogs/offers.py)."""
        frame = {key: event[key] for key in ("dialog", "number", "minutes", "waiting")}
        frame["name"] = payloads.pick(event["name"], self.language)
        await self.send_frame({"type": "offer", **frame})

    async def chat_row(self, event):
        tab = selectors.tab_of(
            self.operator,
            status=event["status"],
            is_mine=self.operator.id in event["operators"],
        )
        await self.send_frame(
            {
                "type": "row",
                "dialog": event["dialog"],
                "tab": tab,
                "html": payloads.pick(event["html"], self.language) if tab else None,
            }
        )

    async def chat_message(self, event):
        await self.send_frame(
            {
                "type": "message",
                "message": event["message"],
                "html": payloads.pick(event["html"], self.language),
            }
        )

    async def chat_dialog(self, event):
        dialog = event["dialog"]
        await self.send_frame({"type": "dialog", "dialog": dialog})
        if self.watched == events.dialog_group(dialog["id"]):
            # A colleague took the dialog: without the right to read it, stop hearing it.
            self.watched_dialog.status = dialog["status"]
            operator_ids = {op["id"] for op in dialog["operators"]}
            if not access.can_view_dialog(
                self.operator, self.watched_dialog, self.site_ids, operator_ids
            ):
                await self.announce_viewing("left")
                await self.channel_layer.group_discard(self.watched, self.channel_name)
                self.watched = self.watched_dialog = None

    async def chat_typing(self, event):
        author = event["author"]
        if author.get("id") != self.operator.id:
            frame = {
                "type": "typing",
                "dialog": event["dialog"],
                "author": author,
                "typing": event["typing"],
            }
            # The visitor's draft: only to operators connected to the dialog (the event
            # names them); colleagues merely viewing it hear "is typing".
            if "text" in event and self.operator.id in event["preview_to"]:
                frame["text"] = event["text"]
            await self.send_frame(frame)

    async def chat_viewer(self, event):
        """Who is here: colleagues' tabs on the dialog this tab shows (own tabs not)."""
        if event["operator"]["id"] == self.operator.id or not self.watched:
            return
        if self.watched != events.dialog_group(event["dialog"]):
            return  # an answer that arrived after this tab moved to another dialog
        await self.send_frame(
            {
                "type": "viewer",
                "dialog": event["dialog"],
                "operator": event["operator"],
                "tab": event["tab"],
                "state": event["state"],
            }
        )
        if event["ask"] and event["state"] == "viewing":
            answer = events.viewer_event(event["dialog"], self.operator, self.tab_id, "viewing")
            await events.answer_viewer(event["ask"], answer)

    # --- visitor card (chat/visitors/card.py, static/chat/card.js) -----------------------------

    async def chat_page(self, event):
        html = payloads.pick(event["html"], self.language)
        await self.send_frame({"type": "page", "dialog": event["dialog"], "html": html})

    async def chat_visitor_online(self, event):
        await self.send_frame(
            {"type": "visitor_online", "dialog": event["dialog"], "online": event["online"]}
        )

    # --- fragments of higher apps (leads/events.py, crm/events.py) -------------------

    async def chat_fragment(self, event):
        """A higher app's event (events.fragment_event), sent by the server only: its frame
        type and fields as they are, the HTML in this socket's language."""
        fields = {k: v for k, v in event.items() if k not in ("type", "frame", "html")}
        html = payloads.pick(event["html"], self.language)
        await self.send_frame({"type": event["frame"], **fields, "html": html})

    async def chat_visitor(self, event):
        frame = {key: value for key, value in event.items() if key != "type"}
        if "name" in frame:
            frame["name"] = payloads.pick(frame["name"], self.language)
        await self.send_frame({"type": "visitor", **frame})
