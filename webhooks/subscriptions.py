"""Who listens: the account ids with an active endpoint per event, kept in the cache so
the message path pays no query when nobody listens (docs/webhooks.md "Cost"). Every change
of an endpoint (services, the admin) drops it; a miss costs one query."""

from django.core.cache import cache

from webhooks.models import Endpoint

CACHE_KEY = "webhooks:listeners:v1"
CACHE_SECONDS = 3600  # a safety net: every change drops the key at once


def listeners() -> dict[str, set[int]]:
    """event name -> ids of the accounts with an active endpoint subscribed to it."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        cached = {}
        rows = Endpoint.objects.filter(is_active=True).values_list("account_id", "events")
        for account_id, names in rows:
            for name in names if isinstance(names, list) else []:
                cached.setdefault(name, []).append(account_id)
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    return {name: set(ids) for name, ids in cached.items()}


def anyone_listens(event: str):
    """A predicate for Hook.connect(active=...): no on-commit callback when nobody listens."""
    return lambda: bool(listeners().get(event))


def listens(account_id: int, event: str) -> bool:
    return account_id in listeners().get(event, set())


def forget() -> None:
    cache.delete(CACHE_KEY)
