"""The widget's "Continue in Telegram" (chat/realtime/extensions.py, register_hello_part):
hello["telegram"] carries the site's bot link with this visitor's signed `/start` payload,
so his chat goes on in Telegram with the same history (linking.start_payload)."""

from django.core.cache import cache
from django.utils.translation import gettext as _

from messengers import linking
from messengers.models import Bot, Kind

CACHE_SECONDS = 300


def _cache_key(site_id: int) -> str:
    return f"messengers-telegram-bot:{site_id}"


def forget(site_id: int) -> None:
    cache.delete(_cache_key(site_id))


def _site_bot(site_id: int) -> Bot | None:
    """The site's real Telegram bot (a demo one has no t.me page): cached, one query a miss."""
    found = cache.get(_cache_key(site_id))
    if found is None:
        bot = (
            Bot.objects.filter(site_id=site_id, kind=Kind.TELEGRAM, is_demo=False)
            .only("pk", "name")
            .order_by("pk")
            .first()
        )
        found = (bot.pk, bot.name) if bot else ()
        cache.set(_cache_key(site_id), found, CACHE_SECONDS)
    return Bot(pk=found[0], name=found[1]) if found else None


def hello_part(*, site, session, language: str):
    bot = _site_bot(site.id)
    if bot is None:
        return None
    return {
        "url": linking.start_link(bot, session.visitor.id),
        "text": _("Continue in Telegram"),
    }
