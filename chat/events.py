"""The one place that sends to the channel layer.

Group names are built here only. Services announce changes with the *_on_commit
functions, so nothing is heard of a write that was rolled back.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from chat import payloads


def dialog_group(dialog_id: int) -> str:
    """Console sockets that have the dialog open."""
    return f"dialog.{dialog_id}"


def site_group(site_id: int) -> str:
    """Console sockets of every operator of the site (tab lists)."""
    return f"site.{site_id}"


def operator_group(operator_id: int) -> str:
    """Every console socket of one operator."""
    return f"operator.{operator_id}"


def visitor_group(visitor_id: int) -> str:
    """Every widget socket of one visitor."""
    return f"visitor.{visitor_id}"


def publish(group: str, event: dict) -> None:
    async_to_sync(get_channel_layer().group_send)(group, event)


async def publish_async(group: str, event: dict) -> None:
    await get_channel_layer().group_send(group, event)


def _on_commit(*sends):
    def send_all():
        for group, event in sends:
            publish(group, event)

    transaction.on_commit(send_all)


def message_posted_on_commit(message, dialog, active_operator_ids) -> None:
    """A stored message: to the visitor, to open dialog pages, and the row to the site."""
    data = payloads.message_data(message)
    _on_commit(
        (visitor_group(dialog.visitor_id), {"type": "chat.message", "message": data}),
        (
            dialog_group(dialog.id),
            {"type": "chat.message", "message": data, "html": payloads.message_html(message)},
        ),
        row_event(dialog, active_operator_ids),
    )


def dialog_changed_on_commit(dialog, active_operators) -> None:
    """Status or operators changed: the visitor's header, open pages and the tab rows."""
    data = payloads.dialog_data(dialog, active_operators)
    _on_commit(
        (visitor_group(dialog.visitor_id), {"type": "chat.dialog", "dialog": data}),
        (dialog_group(dialog.id), {"type": "chat.dialog", "dialog": data}),
        row_event(dialog, [op.id for op in active_operators]),
    )


def row_event(dialog, active_operator_ids) -> tuple[str, dict]:
    return (
        site_group(dialog.site_id),
        {
            "type": "console.row",
            "dialog": dialog.id,
            "status": dialog.status,
            "operators": list(active_operator_ids),
            "html": payloads.dialog_row_html(dialog),
        },
    )


async def typing(*, dialog_id: int, visitor_id: int, author: dict, is_typing: bool) -> None:
    """Typing is not stored: it goes to the other side only."""
    event = {"type": "chat.typing", "dialog": dialog_id, "author": author, "typing": is_typing}
    if author["kind"] == "visitor":
        await publish_async(dialog_group(dialog_id), event)
    else:
        await publish_async(visitor_group(visitor_id), event)
        await publish_async(dialog_group(dialog_id), event)
