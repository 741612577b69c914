"""The channel of a dialog's live row without a query per message (like tags/row_cache.py).

A row sent live (a new message, a read, a status) shows its visitor's messenger badge: the
channel's kind and the user's handle. They come from the cache (Redis in production,
shared by every process) under "messengers:row:<visitor id>": [kind, handle], or [] for a
widget visitor. A miss reads the contact once and fills the key; creating a contact,
changing its handle or unlinking its channel forgets the key (at once and after the
commit). The cache is never the only copy of anything."""

from django.core.cache import cache
from django.db import transaction

TIMEOUT = 24 * 3600


def key(visitor_id: int) -> str:
    return f"messengers:row:{visitor_id}"


def badge_facts(visitor_id: int) -> list:
    """[kind, handle] of the visitor's contact, [] when he writes from the widget."""
    found = cache.get(key(visitor_id))
    if found is None:
        from messengers.models import Contact

        row = Contact.objects.filter(visitor_id=visitor_id).values_list("bot__kind", "handle")
        found = list(row.first() or [])
        cache.set(key(visitor_id), found, TIMEOUT)
    return found


def forget_on_commit(visitor_ids) -> None:
    keys = [key(visitor_id) for visitor_id in visitor_ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
