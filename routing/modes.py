"""Whether a site auto-assigns, cached per site: the widget's hello and every first
message ask, and most sites route to everyone. No query while cached, one otherwise; a
save drops the site's entry (forget), and other processes with their own cache (the
embedded default) see a change within CACHE_SECONDS. Decisions read the settings' row
again under their lock (routing/services.py); a dialog opened while a stale entry said
"everyone" is queued by the beat's pass."""

from django.core.cache import cache

from routing.models import RoutingSettings

CACHE_SECONDS = 60


def cache_key(site_id: int) -> str:
    return f"routing-mode:{site_id}"


def auto_assigns(site_id: int) -> bool:
    cached = cache.get(cache_key(site_id))
    if cached is None:
        mode = RoutingSettings.objects.filter(site_id=site_id).values_list("mode", flat=True)
        cached = mode.first() or RoutingSettings.Mode.EVERYONE
        cache.set(cache_key(site_id), cached, CACHE_SECONDS)
    return cached == RoutingSettings.Mode.AUTO_ASSIGN


def forget(site_id: int) -> None:
    cache.delete(cache_key(site_id))
