"""The one place that sends to the channel layer.

Group names are built here only, and chat's own events. Every event type is
``chat.<noun>``, handled by the consumers' ``chat_<noun>`` method (chat/realtime/consumers/).
Services announce changes with the *_on_commit functions (or publish_on_commit), so
nothing is heard of a write that was rolled back.

Higher apps (leads, crm) build their own events in their events.py as fragment events
(fragment_event): the console socket forwards each as a frame of its own type, with the
HTML in the socket's language (OperatorConsumer.chat_fragment).
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from chat import hooks
from chat.messaging import payloads
from chat.visitors import card


def dialog_group(dialog_id: int) -> str:
    """Console sockets that have the dialog open."""
    return f"dialog.{dialog_id}"


def site_group(site_id: int) -> str:
    """Console sockets of every operator of the site (tab lists)."""
    return f"site.{site_id}"


def operator_group(operator_id: int) -> str:
    """Every console socket of one operator."""
    return f"operator.{operator_id}"


def site_visitors_group(site_id: int) -> str:
    """Every widget socket on the site (operator presence)."""
    return f"site-visitors.{site_id}"


def visitor_group(visitor_id: int) -> str:
    """Every widget socket of one visitor."""
    return f"visitor.{visitor_id}"


def site_topic_group(topic: str, site_id: int) -> str:
    """Console sockets of the site's operators that asked for another app's live topic
    (chat/realtime/extensions.py, register_console_topic); topic: letters and digits."""
    return f"topic-{topic}.{site_id}"


def credential_group(kind: str, key: int) -> str:
    """Console sockets opened with one credential of another app (api: an access token),
    so withdrawing it closes them (chat/realtime/extensions.py,
    register_console_scope_groups); kind: letters."""
    return f"credential-{kind}.{key}"


def close_event(code: int, reason: str) -> dict:
    """Close every socket of the group with this code and reason (a client acts on the code;
    the reason, a short ASCII word, says why)."""
    return {"type": "chat.close", "code": code, "reason": reason}


def publish(*sends: tuple[str, dict]) -> None:
    """Send (group, event) pairs, in order, in ONE trip to the event loop: each
    async_to_sync waits for the loop, which under load is busy with thousands of frames
    (docs/performance.md)."""
    async_to_sync(_send_all)(sends)


async def _send_all(sends) -> None:
    layer = get_channel_layer()
    for group, event in sends:
        await layer.group_send(group, event)


async def publish_async(group: str, event: dict) -> None:
    await get_channel_layer().group_send(group, event)


def publish_on_commit(*sends: tuple[str, dict]) -> None:
    """publish(*sends) once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: publish(*sends))


def fragment_event(frame_type: str, html_per_language: dict[str, str], **fields) -> dict:
    """An event a higher app sends to console sockets: each sends the frame
    {"type": frame_type, **fields, "html": <its language's HTML>} (OperatorConsumer.
    chat_fragment). html_per_language: from payloads.per_language; fields: JSON values."""
    return {"type": "chat.fragment", "frame": frame_type, "html": html_per_language, **fields}


def message_posted_on_commit(message, dialog, active_operator_ids) -> None:
    """A stored message: to the visitor (unless it is console-only), to open dialog pages,
    and the row to the site. A system line's text goes in every language: each socket
    sends its own (the widget's, the operator's)."""
    sends = [
        (
            dialog_group(dialog.id),
            {
                "type": "chat.message",
                # Built once for all console sockets: their attachment URLs differ from
                # the visitor's (docs/protocol.md, Attachments).
                "message": payloads.message_data_variants(message, audience="console"),
                "html": payloads.message_html_variants(message),
            },
        ),
        row_event(dialog, active_operator_ids),
    ]
    if not message.console_only:
        data = payloads.message_data_variants(message)
        sends.insert(
            0, (visitor_group(dialog.visitor_id), {"type": "chat.message", "message": data})
        )
    publish_on_commit(*sends)


def dialog_changed_on_commit(dialog, active_operators, *, open_widget: bool = False) -> None:
    """Status or operators changed: the visitor's header, open pages and the tab rows.
    open_widget: an operator started the dialog, the widget opens itself (docs/protocol.md).
    Also hooks.dialog_changed, for apps that show who talks to whom (engage's Visitors)."""
    data = payloads.dialog_data(dialog, active_operators)
    to_visitor = {"type": "chat.dialog", "dialog": data} | ({"open": True} if open_widget else {})
    hooks.dialog_changed.send_on_commit(dialog=dialog, operators=list(active_operators))
    publish_on_commit(
        (visitor_group(dialog.visitor_id), to_visitor),
        (dialog_group(dialog.id), {"type": "chat.dialog", "dialog": data}),
        row_event(dialog, [op.id for op in active_operators]),
    )


def site_frame_on_commit(site_id: int, frame: dict, *, localized: dict | None = None) -> None:
    """A higher app's frame to every widget socket of the site, like
    visitor_frame_on_commit: frame as it is, each field of localized in the socket's
    language (VisitorConsumer.chat_frame)."""
    event = {"type": "chat.frame", "frame": frame, "localized": localized or {}}
    publish_on_commit((site_visitors_group(site_id), event))


def site_presence_on_commit(site_id: int, operators_online: bool) -> None:
    publish_on_commit(
        (
            site_visitors_group(site_id),
            {"type": "chat.presence", "operators_online": operators_online},
        )
    )


def invitation_sent_on_commit(invitation) -> None:
    publish_on_commit(
        (
            operator_group(invitation.invitee_id),
            {
                "type": "chat.invitation",
                "invitation": invitation.id,
                "dialog": invitation.dialog_id,
                "html": payloads.per_language(payloads.invitation_html, invitation),
            },
        )
    )


def invitation_answered_on_commit(invitation) -> None:
    publish_on_commit(
        (
            operator_group(invitation.inviter_id),
            {
                "type": "chat.notice",
                "text": payloads.per_language(payloads.invitation_answer_text, invitation),
            },
        ),
        (
            operator_group(invitation.invitee_id),
            {"type": "chat.invitation_closed", "invitation": invitation.id},
        ),
    )


def row_event(dialog, active_operator_ids) -> tuple[str, dict]:
    return (
        site_group(dialog.site_id),
        {
            "type": "chat.row",
            "dialog": dialog.id,
            "site": dialog.site_id,
            "status": dialog.status,
            "operators": list(active_operator_ids),
            "html": payloads.dialog_row_variants(dialog),
        },
    )


# --- read state and who is here (chat/messaging/reading.py, chat/realtime/consumers/) --


def dialog_read_on_commit(dialog, active_operator_ids) -> None:
    """An operator saw the visitor's messages: the widget shows "Read", the row's unread
    badge clears on every console."""
    publish_on_commit(
        (visitor_group(dialog.visitor_id), {"type": "chat.read", "up_to": dialog.read_up_to}),
        row_event(dialog, active_operator_ids),
    )


def viewer_event(dialog_id: int, operator, tab: str, state: str, *, ask: str = "") -> dict:
    """A console tab shows (state "viewing") or no longer shows ("left") the dialog.
    ask: the asking tab's channel, when it wants every other viewer to answer it."""
    return {
        "type": "chat.viewer",
        "dialog": dialog_id,
        "operator": {"id": operator.id, "name": operator.name},
        "tab": tab,
        "state": state,
        "ask": ask,
    }


async def announce_viewer(dialog_id: int, event: dict) -> None:
    """Nothing is stored: the tabs with the dialog open hear it over the channel layer."""
    await publish_async(dialog_group(dialog_id), event)


async def answer_viewer(channel: str, event: dict) -> None:
    """One viewer tells a newly arrived tab that it is here."""
    await get_channel_layer().send(channel, event)


# --- blocking (chat/visitors/blocking.py) ---------------------------------------------------------


def visitor_blocked_on_commit(visitor_id: int) -> None:
    """The visitor's IP was blacklisted: every widget socket of his closes with 4403."""
    publish_on_commit((visitor_group(visitor_id), {"type": "chat.blocked"}))


# --- visitor card (chat/visitors/card.py) ---------------------------------------------------------


def visitor_page_on_commit(dialog_id: int, visit) -> None:
    """The visitor opened another page: the card of his open dialog shows it."""
    html = payloads.per_language(card.current_page_html, visit)
    event = {"type": "chat.page", "dialog": dialog_id, "html": html}
    publish_on_commit((dialog_group(dialog_id), event))


def visitor_online_on_commit(dialog_id: int, *, online: bool) -> None:
    """The visitor's first widget socket opened, or his last one closed."""
    event = {"type": "chat.visitor_online", "dialog": dialog_id, "online": online}
    publish_on_commit((dialog_group(dialog_id), event))


def visitor_contacts_on_commit(dialog, active_operator_ids, *, contacts: dict, row: bool) -> None:
    """The visitor gave his name or contacts: the open dialog's header and card show them;
    row: also send the dialog's re-rendered row (unless another event of the same change
    carries it)."""
    sends = [(dialog_group(dialog.id), {"type": "chat.visitor", "dialog": dialog.id, **contacts})]
    if row:
        sends.append(row_event(dialog, active_operator_ids))
    publish_on_commit(*sends)


TYPING_PREVIEW_MAX_LENGTH = 1000  # characters of the visitor's draft passed on


async def typing(
    *,
    dialog_id: int,
    visitor_id: int,
    author: dict,
    is_typing: bool,
    text: str | None = None,
    preview_to=(),
) -> None:
    """Typing is not stored: it goes to the other side only.

    text: the visitor's draft (Site.typing_preview on), capped here; only the console
    sockets of preview_to (the ids of the operators connected to the dialog) show it,
    the others hear "is typing" (OperatorConsumer.chat_typing)."""
    event = {"type": "chat.typing", "dialog": dialog_id, "author": author, "typing": is_typing}
    if is_typing and text and text.strip() and preview_to:
        event["text"] = text[:TYPING_PREVIEW_MAX_LENGTH]
        event["preview_to"] = list(preview_to)
    if author["kind"] == "visitor":
        await publish_async(dialog_group(dialog_id), event)
    else:
        await publish_async(visitor_group(visitor_id), event)
        await publish_async(dialog_group(dialog_id), event)


# --- alerts: a new dialog offered to every online operator (chat/dialogs/offers.py) --------------


def dialog_offered_on_commit(dialog, operator_ids, *, name, minutes: int) -> None:
    """Nobody opened the new dialog in time: every online operator of the site hears an
    offer (console-alerts.js shows it on any console page) and every console the row,
    re-rendered with its "offered to all" label. name: the visitor's name per language
    (payloads.per_language); each socket picks its own."""
    offer = {
        "type": "chat.offer",
        "dialog": dialog.id,
        "number": dialog.number,
        "name": name,
        "minutes": minutes,
        "waiting": int((dialog.waiting_since or dialog.created_at).timestamp()),
    }
    publish_on_commit(
        row_event(dialog, []),
        *((operator_group(operator_id), offer) for operator_id in operator_ids),
    )


# --- frames of other apps to the widget (chat/realtime/extensions.py) ------------------------


def visitor_frame_on_commit(visitor_id: int, frame: dict, *, localized: dict | None = None) -> None:
    """A higher app's frame to every widget socket of the visitor (VisitorConsumer.
    chat_frame): frame as it is (JSON values, with its "type"), plus each field of
    localized (name -> payloads.per_language value) in the socket's language."""
    event = {"type": "chat.frame", "frame": frame, "localized": localized or {}}
    publish_on_commit((visitor_group(visitor_id), event))


# --- erasure (chat/visitors/erasure.py) -----------------------------------------------------------


def visitors_erased_on_commit(visitor_ids) -> None:
    """The visitors' personal data was erased: every widget socket of theirs closes with 4410
    (VisitorConsumer.chat_erased); their old token now opens a new visitor."""
    publish_on_commit(*((visitor_group(v), {"type": "chat.erased"}) for v in visitor_ids))


# --- live delivery health (chat/realtime/live.py) -------------------------------------------------


async def resync_group(layer, group: str) -> None:
    """Events to the group were lost while the layer failed: every socket in it, on any
    process, closes so its client resumes (FrameConsumer.chat_resync). layer: the one
    whose delivery recovered (chat/realtime/live.py)."""
    await layer.group_send(group, {"type": "chat.resync"})
