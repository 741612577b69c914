"""Items other apps show in a dialog's console transcript, without chat importing them.

An app registers a provider in its AppConfig.ready():

    transcript_items.register(provider)

    provider(*, operator: Operator, dialog: Dialog) -> list[TranscriptItem]

called when the console's dialog page is rendered, with the dialog the operator may see
(chat.console.selectors.dialog_view checked it). It runs a fixed number of queries
whatever the dialog's length, and returns only what this operator may read. The page
shows the items among the messages in time order (a message first on a tie), each
rendered from its template with `item` (the object the provider gave).

These items live only in the console: the widget's page, hello, resume and frames are
built from chat's Message rows alone, so nothing here can reach a visitor.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TranscriptItem:
    created_at: datetime
    template: str
    object: Any


@dataclass(frozen=True)
class Entry:
    """One line of the console's transcript: a Message (template chat/_message.html,
    `message`) or another app's item (its template, `item`)."""

    template: str
    message: Any = None
    item: Any = None


MESSAGE_TEMPLATE = "chat/_message.html"

Provider = Callable[..., list[TranscriptItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def merged(messages, *, operator, dialog) -> list[Entry]:
    """The messages (in id order) with every provider's items placed by time."""
    items = sorted(
        (item for provider in _providers for item in provider(operator=operator, dialog=dialog)),
        key=lambda item: item.created_at,
    )
    entries, next_item = [], 0
    for message in messages:
        while next_item < len(items) and items[next_item].created_at < message.created_at:
            entries.append(Entry(items[next_item].template, item=items[next_item].object))
            next_item += 1
        entries.append(Entry(MESSAGE_TEMPLATE, message=message))
    entries.extend(Entry(item.template, item=item.object) for item in items[next_item:])
    return entries
