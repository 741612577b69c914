"""The console's socket: one per console tab of an operator (docs/protocol.md, "Console
socket")."""

import functools
import hashlib
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer

from chat.console import catchup, presence, selectors
from chat.dialogs import access, invitations
from chat.errors import ChatError
from chat.messaging import payloads, posting, reading
from chat.realtime import console_auth, events, extensions
from chat.realtime.consumers.frames import (
    CLOSE_UNAUTHENTICATED,
    FrameConsumer,
    after_id,
    id_field,
)
from chat.realtime.db_threads import db_thread


def topics_of(scope) -> list[str]:
    """?topics=a,b of the socket's URL: at most 10 names."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    names = ",".join(query.get("topics", [])).split(",")
    return [name.strip()[:40] for name in names if name.strip()][:10]


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
        """Accept at once, then look the operator up and send hello when he is ready.

        As the widget's socket (VisitorConsumer.connect): Daphne drops a handshake not
        accepted within 5 s, and when many consoles open at once their lookups queue on
        the database threads (docs/performance.md, "Authenticated connect storm"). The
        session's user is resolved here, after the handshake (chat/realtime/console_auth.py).
        Frames sent before hello are handled after it; a refused socket is closed with
        4401 and ignores them, as before."""
        await self.accept()
        self.operator = await db_thread(console_auth.console_operator)(self.scope)
        if self.operator is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.language = payloads.socket_language(self.operator.language, self.scope)
        self.site_ids = await db_thread(selectors.site_ids_of)(self.operator)
        self.watched = None
        # Who is here: this tab's opaque id among the viewers of a dialog (not stored).
        self.tab_id = hashlib.sha256(self.channel_name.encode()).hexdigest()[:12]
        self.groups_joined = self.groups_for(self.site_ids)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await db_thread(presence.console_opened)(self.operator, self.site_ids)
        await self.send_frame(
            {"type": "hello", "operator": {"id": self.operator.id, "name": self.operator.name}}
        )
        self.watch()  # from hello on: hello stays the first frame (see accept)

    def groups_for(self, site_ids) -> list[str]:
        """The groups a socket of this operator serving these sites joins."""
        groups = [events.operator_group(self.operator.id)] + [
            events.site_group(site_id) for site_id in sorted(site_ids)
        ]
        # Other apps' live topics this page asked for (chat/realtime/extensions.py).
        groups += extensions.console_topic_groups(
            topics_of(self.scope), operator=self.operator, site_ids=site_ids
        )
        # Other apps' groups for the socket's credential (api: its access token).
        groups += extensions.console_scope_groups(self.scope)
        return groups

    async def accept(self, subprotocol=None, headers=None):
        """As VisitorConsumer.accept: live delivery's watch (its `delivery` frame may come at
        any moment) and the drain's start once hello is sent, not at the handshake."""
        await AsyncWebsocketConsumer.accept(self, subprotocol, headers)

    async def disconnect(self, code):
        if getattr(self, "operator", None) is None:
            return
        await self.announce_viewing("left")
        for group in self.groups_joined + ([self.watched] if self.watched else []):
            await self.channel_layer.group_discard(group, self.channel_name)
        await db_thread(presence.console_closed)(self.operator)

    def handler_for(self, kind: str):
        """chat's own frames, then those other apps registered (chat/realtime/extensions.py)."""
        handler = super().handler_for(kind)
        if handler is None and (service := extensions.operator_frame_service(kind)):
            handler = functools.partial(self.on_extension_frame, kind, service)
        return handler

    async def on_extension_frame(self, kind, service, frame):
        try:
            answer = await db_thread(service)(frame, operator=self.operator, site_ids=self.site_ids)
        except ChatError as error:
            error.fields.setdefault("frame", kind)
            raise
        if answer is not None:
            await self.send_frame(answer)

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
        await self.send_frame({"type": "ack", **payloads.ack_data(message)})

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
        site_id = event.get("site")
        if site_id is not None and site_id not in self.site_ids:
            return  # sent before this socket left a site taken from him (chat_sites_changed)
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
                "message": payloads.localized_message(event["message"], self.language),
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
        if self.watched != events.dialog_group(event["dialog"]):
            return  # sent before this socket dropped the dialog (chat_sites_changed)
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

    async def chat_sites_changed(self, event):
        """His sites changed (chat/console/withdrawal.py): the sites he serves now. Leave
        the groups of those taken from him and join those of the new ones at once, drop
        the open dialog of a lost site, and tell the page (it resyncs its lists and leaves
        a lost dialog). Frames about a lost site's dialogs are refused from now on, as they
        are checked against self.site_ids. No close: a routine change, not an error."""
        site_ids = set(event["sites"])
        lost, gained = self.site_ids - site_ids, site_ids - self.site_ids
        if not lost and not gained:
            return
        groups = self.groups_for(site_ids)
        for group in set(self.groups_joined) - set(groups):
            await self.channel_layer.group_discard(group, self.channel_name)
        for group in set(groups) - set(self.groups_joined):
            await self.channel_layer.group_add(group, self.channel_name)
        self.site_ids, self.groups_joined = site_ids, groups
        dropped = None
        if self.watched and self.watched_dialog.site_id in lost:
            dropped = self.watched_dialog.id
            await self.announce_viewing("left")
            await self.channel_layer.group_discard(self.watched, self.channel_name)
            self.watched = self.watched_dialog = None
        await self.send_frame(
            {
                "type": "sites_changed",
                "lost": sorted(lost),
                "gained": sorted(gained),
                "dialog": dropped,
            }
        )

    async def chat_close(self, event):
        """The socket's credential was withdrawn (events.close_event): close at once."""
        await self.close(code=event["code"], reason=event.get("reason"))

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
